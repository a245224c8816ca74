//! Property tests over generated processes: nested exclusive, parallel and inclusive gateways,
//! parallel inside exclusive, loops with exits, countersigns (multi-instance), message catch
//! events and receive tasks (sharing a few message names, keyed or not), call activities, and
//! user tasks or call activities guarded by an interrupting boundary message or timer. Every
//! generated process is written as BPMN XML (so the parser is exercised too), started, and
//! driven in a random order — completing tasks, delivering messages, completing called
//! processes, firing timers — until it stops; a message nobody waits for is refused each step.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use proptest::prelude::*;
use serde_json::{Value, json};
use shenpi_workflow::{
    Command, Effect, EngineError, Event, Instance, Process, State, Step, Wait, parse_bpmn, step,
};

use crate::support::{bpmn_with, now};

/// Message names of generated processes: `m0` keyed by a string, `m1` keyed by a number, `m2`
/// by name alone. Several waits share a name, so deliveries must pick exactly one.
const MESSAGES: &str = r#"<message id="msg0" name="m0"><extensionElements><zeebe:subscription correlationKey="=mk0"/></extensionElements></message>
<message id="msg1" name="m1"><extensionElements><zeebe:subscription correlationKey="=mk1"/></extensionElements></message>
<message id="msg2" name="m2"/>"#;

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
    /// Waits for message `m{n % 3}`: a receive task if `true`, else a catch event.
    Catch(u8, bool),
    /// A call activity of process `child{n % 3}`.
    Call(u8),
    /// A user task (or a call activity if `call`) with an interrupting boundary event — message
    /// `m{n % 3}`, or a timer if `timer` — whose path merges back after the activity.
    Guarded {
        call: bool,
        timer: bool,
        n: u8,
    },
}

fn block() -> impl Strategy<Value = Block> {
    let leaf = prop_oneof![
        3 => Just(Block::Task),
        1 => (1u8..4, 0u8..3, any::<bool>()).prop_map(|(n, r, t)| Block::Sign(n, r, t)),
        2 => (0u8..3, any::<bool>()).prop_map(|(n, r)| Block::Catch(n, r)),
        1 => (0u8..3).prop_map(Block::Call),
        1 => (any::<bool>(), any::<bool>(), 0u8..3)
            .prop_map(|(call, timer, n)| Block::Guarded { call, timer, n }),
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
    /// Keys of the called processes.
    called: Vec<String>,
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
            Block::Catch(n, receive) => {
                let m = n % 3;
                let id = self.id("w");
                if *receive {
                    self.xml += &format!("<receiveTask id=\"{id}\" messageRef=\"msg{m}\"/>\n");
                } else {
                    self.xml += &format!(
                        "<intermediateCatchEvent id=\"{id}\"><messageEventDefinition messageRef=\"msg{m}\"/></intermediateCatchEvent>\n"
                    );
                }
                (id.clone(), id)
            }
            Block::Call(n) => {
                let id = self.call(*n);
                (id.clone(), id)
            }
            Block::Guarded { call, timer, n } => {
                let activity = if *call {
                    self.call(*n)
                } else {
                    self.node("userTask", "t", "")
                };
                let boundary = self.id("b");
                let definition = if *timer {
                    "<timerEventDefinition><timeDuration>PT1H</timeDuration></timerEventDefinition>"
                        .to_owned()
                } else {
                    format!("<messageEventDefinition messageRef=\"msg{}\"/>", n % 3)
                };
                self.xml += &format!(
                    "<boundaryEvent id=\"{boundary}\" attachedToRef=\"{activity}\">{definition}</boundaryEvent>\n"
                );
                let merge = self.node("exclusiveGateway", "gm", "");
                self.flow(&activity, &merge, None);
                self.flow(&boundary, &merge, None);
                (activity, merge)
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

    /// A call activity of `child{n % 3}`, written the Camunda 8 or the Camunda 7 way.
    fn call(&mut self, n: u8) -> String {
        let id = self.id("ca");
        let key = format!("child{}", n % 3);
        if n.is_multiple_of(2) {
            self.xml += &format!(
                "<callActivity id=\"{id}\"><extensionElements><zeebe:calledElement processId=\"{key}\" \
                 propagateAllChildVariables=\"false\"/></extensionElements></callActivity>\n"
            );
        } else {
            self.xml += &format!("<callActivity id=\"{id}\" calledElement=\"{key}\"/>\n");
        }
        self.called.push(key);
        id
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

struct Generated {
    process: Process,
    vars: serde_json::Map<String, Value>,
    pairs: Vec<(String, String)>,
    called: Vec<String>,
}

fn generate(b: &Block) -> Generated {
    let mut g = Gen::default();
    g.vars.insert("mk0".into(), json!("order-0"));
    g.vars.insert("mk1".into(), json!(1001));
    let (entry, exit) = g.emit(b);
    g.xml += "<startEvent id=\"start\"/><endEvent id=\"end\"/>\n";
    g.flow("start", &entry, None);
    g.flow(&exit, "end", None);
    let xml = bpmn_with(MESSAGES, &g.xml);
    let process = parse_bpmn(&xml).unwrap_or_else(|e| panic!("{e}\n{xml}"));
    g.called.sort_unstable();
    g.called.dedup();
    Generated {
        process,
        vars: g.vars,
        pairs: g.pairs,
        called: g.called,
    }
}

/// Structural invariants after every step; `calls` are the called processes started and not yet
/// completed or cancelled, as the effects told the harness.
fn check_tokens(i: &Instance, calls: &[u64]) {
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
    for t in i.tokens.iter().filter(|t| t.wait == Wait::Message) {
        let own = i
            .subscriptions
            .iter()
            .filter(|s| s.token == t.id && s.node == t.node)
            .count();
        assert_eq!(own, 1, "a token waiting for a message has one subscription");
    }
    for s in &i.subscriptions {
        assert!(
            i.tokens.iter().any(|t| t.id == s.token),
            "a subscription belongs to a live token: {s:?}"
        );
    }
    for timer in &i.timers {
        assert!(
            i.tokens.iter().any(|t| t.id == timer.token),
            "a timer belongs to a live token"
        );
    }
    let mut pending = i.pending_calls();
    pending.sort_unstable();
    let mut calls = calls.to_vec();
    calls.sort_unstable();
    assert_eq!(pending, calls, "every started call is one waiting token");
}

/// What the harness can do next.
#[derive(Debug)]
enum Action {
    Task(u64),
    Message(String, Option<String>),
    Call(u64),
    Timer(u64, DateTime<Utc>),
}

fn actions(i: &Instance) -> Vec<Action> {
    let mut all: Vec<Action> = i.tasks.iter().map(|t| Action::Task(t.id)).collect();
    all.extend(
        i.subscriptions
            .iter()
            .map(|s| Action::Message(s.message.clone(), s.correlation_key.clone())),
    );
    all.extend(i.pending_calls().into_iter().map(Action::Call));
    all.extend(i.timers.iter().map(|t| Action::Timer(t.id, t.due)));
    all
}

proptest! {
    #![proptest_config(ProptestConfig { cases: std::env::var("PROPTEST_CASES").ok().and_then(|s| s.parse().ok()).unwrap_or(300), ..ProptestConfig::default() })]

    #[test]
    fn every_generated_process_completes_with_each_join_firing_once_per_split(
        b in block(),
        order in prop::collection::vec(any::<usize>(), 200),
    ) {
        let Generated { process: p, vars, pairs, called } = generate(&b);
        prop_assert_eq!(p.called_processes(), called.iter().map(String::as_str).collect::<Vec<_>>());
        let mut clock = now();
        let mut calls: Vec<u64> = Vec::new();
        let track = |s: &Step, calls: &mut Vec<u64>| {
            for e in &s.effects {
                match e {
                    Effect::StartCall { call, .. } => calls.push(*call),
                    Effect::CancelCall { call, .. } => calls.retain(|c| c != call),
                    Effect::CallService { .. } => {}
                }
            }
        };
        let s = step(&p, &Instance::new(), Command::Start { variables: vars }, clock).unwrap();
        track(&s, &mut calls);
        let mut i = s.instance;
        let mut steps = 0;
        while i.state == State::Running {
            check_tokens(&i, &calls);
            let stray = Command::CorrelateMessage { name: "nobody".into(), correlation_key: None, variables: Default::default() };
            let refused = matches!(step(&p, &i, stray, clock), Err(EngineError::MessageNotCorrelated { .. }));
            prop_assert!(refused, "a message nobody waits for is refused");
            let all = actions(&i);
            prop_assert!(!all.is_empty(), "a running instance always waits on something");
            let r = order[steps % order.len()];
            let command = match &all[r % all.len()] {
                Action::Task(task) => {
                    let task = i.task(*task).unwrap();
                    let mut variables = serde_json::Map::new();
                    if task.countersign.is_some() {
                        let id = &p.nodes[task.node].id;
                        variables.insert(format!("{id}_ok"), json!(order[(steps + 7) % order.len()] % 3 != 0));
                    }
                    Command::CompleteTask { task: task.id, variables }
                }
                Action::Message(name, key) => Command::CorrelateMessage {
                    name: name.clone(),
                    correlation_key: key.clone(),
                    variables: Default::default(),
                },
                Action::Call(call) => {
                    calls.retain(|c| c != call);
                    Command::CompleteCall { call: *call, variables: Default::default() }
                }
                Action::Timer(timer, due) => {
                    clock = clock.max(*due);
                    Command::FireTimer { timer: *timer }
                }
            };
            // A delivery goes to exactly one subscription: the oldest that matches.
            let expected = match &command {
                Command::CorrelateMessage { name, correlation_key, .. } => i
                    .subscriptions
                    .iter()
                    .find(|s| s.matches(name, correlation_key.as_deref()))
                    .map(|s| s.token),
                _ => None,
            };
            let s = step(&p, &i, command, clock).unwrap();
            if let Some(token) = expected {
                let correlated: Vec<u64> = s.events.iter().filter_map(|e| match e {
                    Event::MessageCorrelated { token, .. } => Some(*token),
                    _ => None,
                }).collect();
                prop_assert_eq!(correlated, vec![token]);
            }
            track(&s, &mut calls);
            i = s.instance;
            steps += 1;
            prop_assert!(steps < 10_000, "runaway instance");
        }
        prop_assert_eq!(&i.state, &State::Completed);
        prop_assert!(i.tokens.is_empty() && i.tasks.is_empty() && i.countersigns.is_empty());
        prop_assert!(i.subscriptions.is_empty() && i.timers.is_empty() && calls.is_empty());
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
