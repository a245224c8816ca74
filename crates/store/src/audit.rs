//! The hash-chained audit log (审计日志防篡改): canonical JSON (RFC 8785), SM3 chaining and
//! verification.
//!
//! Each region has its own chain. An entry's hash is `SM3(prev ‖ canonical_json(entry))` where
//! `prev` is the 32 raw bytes of the previous entry's hash (32 zero bytes for the first entry)
//! and the canonical JSON covers every field except `prev_hash` and `hash`. The chain head
//! (last sequence number and hash) is kept in its own row, so deleting the newest entry is
//! detected as well as editing, deleting or reordering older ones.

use crate::model::{AuditDraft, AuditEntry, ChainHead};
use serde_json::json;
use sm3::{Digest, Sm3};

/// The previous-hash value of a chain's first entry.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The canonical JSON (RFC 8785) of the hashed part of an entry.
///
/// Written field by field in the canonical key order, since every step of every case hashes
/// one: only `details` goes through the general canonicaliser. The result is the same as
/// canonicalising the whole object (tested against it); a sequence number beyond 2⁵³, which
/// RFC 8785 prints as the nearest double, takes the general path.
pub fn canonical_json(entry: &AuditEntry) -> String {
    const EXACT: u64 = 1 << 53;
    if entry.chain_seq.unsigned_abs() > EXACT {
        return canonical_json_general(entry);
    }
    let details = match serde_jcs::to_vec(&entry.details) {
        Ok(d) => d,
        Err(_) => return canonical_json_general(entry),
    };
    let at = entry
        .at
        .to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
    let mut out: Vec<u8> = Vec::with_capacity(384 + details.len());
    // Keys in RFC 8785 order (all ASCII, so byte order).
    put(&mut out, "{\"action\":", Some(&entry.action));
    put(&mut out, ",\"actor_id\":", entry.actor_id.as_deref());
    put(&mut out, ",\"actor_name\":", entry.actor_name.as_deref());
    put(&mut out, ",\"at\":", Some(&at));
    out.extend_from_slice(format!(",\"chain_seq\":{}", entry.chain_seq).as_bytes());
    put(&mut out, ",\"client_ip\":", entry.client_ip.as_deref());
    out.extend_from_slice(b",\"details\":");
    out.extend_from_slice(&details);
    put(&mut out, ",\"id\":", Some(&entry.id));
    put(&mut out, ",\"object_id\":", Some(&entry.object_id));
    put(&mut out, ",\"object_type\":", Some(&entry.object_type));
    put(&mut out, ",\"outcome\":", Some(&entry.outcome));
    put(&mut out, ",\"region_code\":", Some(&entry.region_code));
    put(&mut out, ",\"trace_id\":", entry.trace_id.as_deref());
    out.push(b'}');
    String::from_utf8(out).unwrap_or_else(|_| canonical_json_general(entry))
}

/// `key` then the JSON string `value` (RFC 8785 escapes as serde_json does) or `null`.
fn put(out: &mut Vec<u8>, key: &str, value: Option<&str>) {
    out.extend_from_slice(key.as_bytes());
    match value {
        Some(v) => {
            if serde_json::to_writer(&mut *out, v).is_err() {
                out.extend_from_slice(b"null");
            }
        }
        None => out.extend_from_slice(b"null"),
    }
}

/// [`canonical_json`] through the general canonicaliser.
fn canonical_json_general(entry: &AuditEntry) -> String {
    let v = json!({
        "id": entry.id,
        "region_code": entry.region_code,
        "chain_seq": entry.chain_seq,
        "at": entry.at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
        "actor_id": entry.actor_id,
        "actor_name": entry.actor_name,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "client_ip": entry.client_ip,
        "outcome": entry.outcome,
        "details": entry.details,
        "trace_id": entry.trace_id,
    });
    // serde_jcs only fails on non-finite floats, which serde_json values cannot hold.
    serde_jcs::to_string(&v).unwrap_or_else(|_| v.to_string())
}

/// SM3(prev ‖ canonical JSON) as lower-case hex.
pub fn entry_hash(prev_hash_hex: &str, entry: &AuditEntry) -> String {
    let mut h = Sm3::new();
    let prev = hex::decode(prev_hash_hex).unwrap_or_else(|_| prev_hash_hex.as_bytes().to_vec());
    h.update(&prev);
    h.update(canonical_json(entry).as_bytes());
    hex::encode(h.finalize())
}

/// Plain SM3 of bytes as lower-case hex (used for session token hashes too).
pub fn sm3_hex(bytes: &[u8]) -> String {
    hex::encode(Sm3::digest(bytes))
}

/// Builds the next chained entry from a draft and the current head of its region's chain.
pub fn chain_next(draft: AuditDraft, id: String, head: &ChainHead) -> AuditEntry {
    // Truncate to microseconds so the stored text round-trips to the hashed value.
    let at = draft.at;
    let at = chrono::DateTime::from_timestamp_micros(at.timestamp_micros()).unwrap_or(at);
    let mut e = AuditEntry {
        id,
        region_code: draft.region_code,
        chain_seq: head.last_seq + 1,
        at,
        actor_id: draft.actor_id,
        actor_name: draft.actor_name,
        action: draft.action,
        object_type: draft.object_type,
        object_id: draft.object_id,
        client_ip: draft.client_ip,
        outcome: draft.outcome,
        details: draft.details,
        trace_id: draft.trace_id,
        prev_hash: head.last_hash.clone(),
        hash: String::new(),
    };
    e.hash = entry_hash(&e.prev_hash, &e);
    e
}

/// The first broken place in a chain.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("audit chain of region {region_code} broken at entry #{chain_seq} ({entry_id}): {reason}")]
pub struct ChainBreak {
    pub region_code: String,
    /// The sequence number where the chain breaks (the expected one if an entry is missing).
    pub chain_seq: i64,
    /// The id of the first entry that fails, or `-` when entries are missing at the end.
    pub entry_id: String,
    pub reason: String,
}

/// Verifies one region's chain: `entries` in stored order of `chain_seq`, and the stored head.
pub fn verify_chain(
    region_code: &str,
    entries: &[AuditEntry],
    head: Option<&ChainHead>,
) -> Result<u64, ChainBreak> {
    let brk = |seq: i64, id: &str, reason: &str| ChainBreak {
        region_code: region_code.to_string(),
        chain_seq: seq,
        entry_id: id.to_string(),
        reason: reason.to_string(),
    };
    let mut prev = GENESIS_HASH.to_string();
    let mut expected_seq = 1;
    for e in entries {
        if e.region_code != region_code {
            return Err(brk(e.chain_seq, &e.id, "entry belongs to another region"));
        }
        if e.chain_seq != expected_seq {
            return Err(brk(
                expected_seq,
                &e.id,
                &format!("sequence gap or reorder: found #{}", e.chain_seq),
            ));
        }
        if e.prev_hash != prev {
            return Err(brk(e.chain_seq, &e.id, "previous-hash link does not match"));
        }
        if entry_hash(&prev, e) != e.hash {
            return Err(brk(e.chain_seq, &e.id, "content does not match its hash"));
        }
        prev = e.hash.clone();
        expected_seq += 1;
    }
    let last_seq = expected_seq - 1;
    match head {
        Some(h) if h.last_seq != last_seq => Err(brk(
            last_seq + 1,
            "-",
            &format!("chain head says {} entries, found {}", h.last_seq, last_seq),
        )),
        Some(h) if h.last_hash != prev => Err(brk(last_seq, "-", "chain head hash does not match")),
        None if last_seq > 0 => Err(brk(last_seq, "-", "chain head is missing")),
        _ => Ok(u64::try_from(last_seq).unwrap_or(0)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn draft(action: &str) -> AuditDraft {
        AuditDraft {
            region_code: "370202".into(),
            actor_id: Some("u1".into()),
            actor_name: Some("clerk".into()),
            action: action.into(),
            object_type: "user".into(),
            object_id: "u2".into(),
            client_ip: Some("127.0.0.1".into()),
            outcome: "success".into(),
            details: json!({"b": 1, "a": "中文"}),
            trace_id: None,
            at: chrono::Utc.with_ymd_and_hms(2026, 11, 28, 8, 0, 0).unwrap(),
        }
    }

    fn chain(n: usize) -> (Vec<AuditEntry>, ChainHead) {
        let mut head = ChainHead {
            region_code: "370202".into(),
            last_seq: 0,
            last_hash: GENESIS_HASH.into(),
        };
        let mut out = vec![];
        for i in 0..n {
            let e = chain_next(draft(&format!("a.{i}")), format!("id{i}"), &head);
            head.last_seq = e.chain_seq;
            head.last_hash = e.hash.clone();
            out.push(e);
        }
        (out, head)
    }

    #[test]
    fn the_field_by_field_canonical_json_is_the_general_one() {
        let (c, _) = chain(3);
        let mut entries = c;
        let mut odd = entries[0].clone();
        odd.actor_id = None;
        odd.actor_name =
            Some("引号\"反斜杠\\ 换行\n 制表\t 控制\u{1} \u{1f} 退格\u{8} 换页\u{c} 回车\r".into());
        odd.client_ip = None;
        odd.trace_id = Some("4bf92f3577b34da6a3ce929d0e0e4736".into());
        odd.object_id = "\u{2028}\u{2029} 😀 é /slash <tag> &amp;".into();
        odd.details = json!({"z": [1, 2.5, -0.0, 1e21, 123456789012345678u64, null, true],
            "a": {"é": "x", "e": "y", "\u{10000}": 1, "\u{ffff}": 2}, "": ""});
        odd.chain_seq = 9_007_199_254_740_992;
        entries.push(odd.clone());
        odd.chain_seq = 9_007_199_254_740_993;
        entries.push(odd.clone());
        odd.chain_seq = -5;
        odd.details = json!(null);
        entries.push(odd);
        for e in &entries {
            assert_eq!(canonical_json(e), canonical_json_general(e), "{e:?}");
        }
    }

    #[test]
    fn canonical_json_sorts_keys() {
        let (c, _) = chain(1);
        let s = canonical_json(&c[0]);
        assert!(
            s.starts_with("{\"action\":\"a.0\",\"actor_id\":\"u1\""),
            "{s}"
        );
        assert!(s.contains("\"details\":{\"a\":\"中文\",\"b\":1}"));
    }

    #[test]
    fn an_intact_chain_verifies() {
        let (c, h) = chain(5);
        assert_eq!(verify_chain("370202", &c, Some(&h)), Ok(5));
    }

    #[test]
    fn an_edited_entry_is_named() {
        let (mut c, h) = chain(5);
        c[2].outcome = "failure".into();
        let e = verify_chain("370202", &c, Some(&h)).unwrap_err();
        assert_eq!(e.chain_seq, 3);
        assert_eq!(e.entry_id, "id2");
    }

    #[test]
    fn a_deleted_or_reordered_entry_is_named() {
        let (mut c, h) = chain(5);
        c.remove(1);
        assert_eq!(
            verify_chain("370202", &c, Some(&h)).unwrap_err().chain_seq,
            2
        );
        let (mut c, h) = chain(5);
        c.swap(1, 3);
        assert_eq!(
            verify_chain("370202", &c, Some(&h)).unwrap_err().chain_seq,
            2
        );
        let (mut c, h) = chain(5);
        c.pop();
        assert_eq!(
            verify_chain("370202", &c, Some(&h)).unwrap_err().chain_seq,
            5
        );
    }
}
