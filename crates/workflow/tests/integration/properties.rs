//! Property tests over generated processes: nested exclusive, parallel and inclusive gateways,
//! parallel inside exclusive, loops with exits, countersigns (multi-instance). Every generated process is written as BPMN XML
//! (so the parser is exercised too), started, and driven by completing open tasks in a random
//! order until it stops.

use std::collections::HashMap;

use proptest::prelude::*;
use serde_json::{Value, json};
use shenpi_workflow::{Command, Event, Instance, Process, State, Wait, parse_bpmn, step};

use crate::support::{bpmn, now};

#[derive(Debug, Clone)]
enum Block {
    Task,
    Seq(Vec<Block>),
    /// Exclusive split taking branch `choice % len` (the last branch is the default).
    Xor(usize, Vec<Block>),
    And(Vec<Block>),
    /// Inclusive split: branch 0 is the default, branch k > 0 taken when `flags[k]`.
    Or(Vec<bool>, Vec<Block>),
    /// The body runs `limit` times (at least once), counted by an `evaluate` task.
    Loop(u8, Box<Block>),
    /// A countersign over `signers` people with rule `all`/`any`/`50%`, rejection `stay` or
    /// `terminate` (signers approve or reject at random).
    Sign(u8, u8, bool),
}

fn block() -> impl Strategy<Value = Block> {
    let leaf = prop_oneof![
        3 => Just(Block::Task),
        1 => (1u8..4, 0u8..3, any::<bool>()).prop_map(|(n, r, t)| Block::Sign(n, r, t)),
    ];
    leaf.prop_recursive(4, 40, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 1..4).prop_map(Block::Seq),
            (any::<usize>(), prop::collection::vec(inner.clone(), 1..4))
                .prop_map(|(c, v)| Block::Xor(c, v)),
            prop::collection::vec(inner.clone(), 1..4).prop_map(Block::And),
            (
                prop::collection::vec(any::<bool>(), 4),
                prop::collection::vec(inner.clone(), 1..4)
            )
                .prop_map(|(f, v)| Block::Or(f, v)),
            (1u8..4, inner).prop_map(|(l, b)| Block::Loop(l, Box::new(b))),
        ]
    })
}

#[derive(Default)]
struct Gen {
    xml: String,
    next: usize,
    vars: serde_json::Map<String, Value>,
    /// (split id, join id) of every parallel and inclusive block.
    pairs: Vec<(String, String)>,
}

impl Gen {
    fn id(&mut self, prefix: &str) -> String {
        self.next += 1;
        format!("{prefix}{}", self.next)
    }

    fn flow(&mut self, from: &str, to: &str, condition: Option<String>) -> String {
        let id = self.id("f");
        let cond = condition
            .map(|c| format!("<conditionExpression>{c}</conditionExpression>"))
            .unwrap_or_default();
        self.xml += &format!(
            "<sequenceFlow id=\"{id}\" sourceRef=\"{from}\" targetRef=\"{to}\">{cond}</sequenceFlow>\n"
        );
        id
    }

    fn node(&mut self, tag: &str, prefix: &str, attrs: &str) -> String {
        let id = self.id(prefix);
        self.xml += &format!("<{tag} id=\"{id}\" {attrs}/>\n");
        id
    }

    /// Emits a block; returns its entry and exit node ids.
    fn emit(&mut self, b: &Block) -> (String, String) {
        match b {
            Block::Task => {
                let t = self.node("userTask", "t", "");
                (t.clone(), t)
            }
            Block::Sign(n, rule, terminate) => {
                let t = self.id("cs");
                let rule = ["all", "any", "50%"][usize::from(*rule) % 3];
                let on_reject = if *terminate { "terminate" } else { "stay" };
                self.vars
                    .insert(format!("{t}_signers"), json!((0..*n).collect::<Vec<_>>()));
                self.xml += &format!(
                    "<userTask id=\"{t}\" shenpi:countersign=\"{rule}\" shenpi:onReject=\"{on_reject}\" \
                     shenpi:resultVariable=\"{t}_ok\"><extensionElements><zeebe:loopCharacteristics \
                     inputCollection=\"={t}_signers\"/></extensionElements><multiInstanceLoopCharacteristics/></userTask>\n"
                );
                (t.clone(), t)
            }
            Block::Seq(v) => {
                let parts: Vec<_> = v.iter().map(|b| self.emit(b)).collect();
                for w in parts.windows(2) {
                    self.flow(&w[0].1, &w[1].0, None);
                }
                (parts[0].0.clone(), parts[parts.len() - 1].1.clone())
            }
            Block::Xor(choice, v) => {
                let n = self.id("c");
                self.vars.insert(n.clone(), json!(choice % v.len()));
                self.branches(
                    v,
                    "exclusiveGateway",
                    |k, last| (k < last).then(|| format!("={n} == {k}")),
                    true,
                )
            }
            Block::And(v) => {
                let ends = self.branches(v, "parallelGateway", |_, _| None, false);
                self.pairs.push(ends.clone());
                ends
            }
            Block::Or(flags, v) => {
                let n = self.id("o");
                for (k, f) in flags.iter().enumerate() {
                    self.vars.insert(format!("{n}_{k}"), json!(f));
                }
                let ends = self.branches(
                    v,
                    "inclusiveGateway",
                    |k, _| (k > 0).then(|| format!("={n}_{k}")),
                    false,
                );
                self.pairs.push(ends.clone());
                ends
            }
            Block::Loop(limit, body) => {
                let n = self.id("n");
                self.vars.insert(n.clone(), json!(0));
                self.vars.insert(format!("{n}_limit"), json!(limit));
                let merge = self.node("exclusiveGateway", "lm", "");
                let (entry, exit) = self.emit(body);
                let inc = self.id("inc");
                self.xml += &format!(
                    "<serviceTask id=\"{inc}\" shenpi:action=\"evaluate\"><extensionElements><zeebe:ioMapping>\
                     <zeebe:output source=\"={n} + 1\" target=\"{n}\"/></zeebe:ioMapping></extensionElements></serviceTask>\n"
                );
                let split = self.id("ls");
                let exit_target = self.node("exclusiveGateway", "lx", "");
                self.flow(&merge, &entry, None);
                self.flow(&exit, &inc, None);
                self.flow(&inc, &split, None);
                self.flow(&split, &merge, Some(format!("={n} &lt; {n}_limit")));
                let out = self.flow(&split, &exit_target, None);
                self.xml += &format!("<exclusiveGateway id=\"{split}\" default=\"{out}\"/>\n");
                (merge, exit_target)
            }
        }
    }

    /// A split gateway, one branch per block, a join gateway of the same type.
    fn branches(
        &mut self,
        v: &[Block],
        tag: &str,
        condition: impl Fn(usize, usize) -> Option<String>,
        default_last: bool,
    ) -> (String, String) {
        let split = self.id("s");
        let join = self.node(tag, "j", "");
        let mut default = None;
        let last = v.len() - 1;
        for (k, b) in v.iter().enumerate() {
            let (entry, exit) = self.emit(b);
            let f = self.flow(&split, &entry, condition(k, last));
            if (default_last && k == last) || (!default_last && k == 0 && tag == "inclusiveGateway")
            {
                default = Some(f);
            }
            self.flow(&exit, &join, None);
        }
        let default = default
            .map(|f| format!("default=\"{f}\""))
            .unwrap_or_default();
        self.xml += &format!("<{tag} id=\"{split}\" {default}/>\n");
        (split, join)
    }
}

fn generate(
    b: &Block,
) -> (
    Process,
    serde_json::Map<String, Value>,
    Vec<(String, String)>,
) {
    let mut g = Gen::default();
    let (entry, exit) = g.emit(b);
    g.xml += "<startEvent id=\"start\"/><endEvent id=\"end\"/>\n";
    g.flow("start", &entry, None);
    g.flow(&exit, "end", None);
    let xml = bpmn(&g.xml);
    let p = parse_bpmn(&xml).unwrap_or_else(|e| panic!("{e}\n{xml}"));
    (p, g.vars, g.pairs)
}

fn check_tokens(i: &Instance) {
    let task_tokens: Vec<u64> = i
        .tokens
        .iter()
        .filter(|t| t.wait == Wait::Task)
        .map(|t| t.id)
        .collect();
    let tasks: Vec<u64> = i.tasks.iter().map(|t| t.id).collect();
    assert_eq!(task_tokens, tasks, "every open task is exactly one token");
    let mut ids: Vec<u64> = i.tokens.iter().map(|t| t.id).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), i.tokens.len(), "no token is duplicated");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: std::env::var("PROPTEST_CASES").ok().and_then(|s| s.parse().ok()).unwrap_or(300), ..ProptestConfig::default() })]

    #[test]
    fn every_generated_process_completes_with_each_join_firing_once_per_split(
        b in block(),
        order in prop::collection::vec(any::<usize>(), 200),
    ) {
        let (p, vars, pairs) = generate(&b);
        let mut i = step(&p, &Instance::new(), Command::Start { variables: vars }, now()).unwrap().instance;
        let mut steps = 0;
        while i.state == State::Running {
            check_tokens(&i);
            let pick = order[steps % order.len()] % i.tasks.len();
            let task = &i.tasks[pick];
            let mut variables = serde_json::Map::new();
            if task.countersign.is_some() {
                let id = &p.nodes[task.node].id;
                variables.insert(format!("{id}_ok"), json!(order[(steps + 7) % order.len()] % 3 != 0));
            }
            let task = task.id;
            i = step(&p, &i, Command::CompleteTask { task, variables }, now()).unwrap().instance;
            steps += 1;
            prop_assert!(steps < 10_000, "runaway instance");
        }
        prop_assert_eq!(&i.state, &State::Completed);
        prop_assert!(i.tokens.is_empty() && i.tasks.is_empty() && i.countersigns.is_empty());
        let mut fired: HashMap<&str, usize> = HashMap::new();
        let mut ends = 0;
        for r in &i.history {
            match &r.event {
                Event::GatewayTaken { node, .. } => *fired.entry(p.nodes[*node].id.as_str()).or_default() += 1,
                Event::EndReached { .. } => ends += 1,
                _ => {}
            }
        }
        prop_assert_eq!(ends, 1, "exactly one token reaches the single end event");
        for (split, join) in &pairs {
            let s = fired.get(split.as_str()).copied().unwrap_or(0);
            let j = fired.get(join.as_str()).copied().unwrap_or(0);
            prop_assert_eq!(s, j, "join {} fires once per firing of split {}", join, split);
        }
    }
}
