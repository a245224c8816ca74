//! Offline verification (离线核验) of a token with a downloaded key set and, if available, a
//! revocation list. The `shenpi cert verify` command prints the [`OfflineReport`].

use serde::Serialize;

use crate::keyset::{KeySet, RevocationList, RevokedEntry};
use crate::token::{self, Claims, TokenError};

/// Reason code of a token whose certificate is on the revocation list.
pub const CERT_REVOKED: &str = "CERT_REVOKED";

/// The outcome of an offline verification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OfflineReport {
    /// Signature correct, within its validity time, and not on the given revocation list.
    pub valid: bool,
    /// Why not valid: a token error code (such as `TOKEN_EXPIRED`) or [`CERT_REVOKED`].
    pub reason_code: Option<String>,
    /// The claims, when the signature is correct (also for an expired token).
    pub claims: Option<Claims>,
    /// Whether a revocation list was consulted.
    pub revocation_checked: bool,
    /// The revocation entry that matched.
    pub revoked: Option<RevokedEntry>,
    /// Explanation in Chinese.
    pub message_zh: String,
    /// Explanation in English.
    pub message_en: String,
}

const NOT_CHECKED_ZH: &str = "未检查吊销/撤销状态，请联网核验证照当前状态。";
const NOT_CHECKED_EN: &str =
    "Revocation was not checked: check the certificate's current status online.";

/// Verifies `token` (bare or in a URL) at `now` (Unix seconds) with `keys`, then looks the
/// certificate up in `revocations` when given.
pub fn verify_offline(
    token: &str,
    keys: &KeySet,
    revocations: Option<&RevocationList>,
    now: i64,
) -> OfflineReport {
    let find = |kid: &str| keys.find(kid);
    let (claims, error) = match token::verify(token, &find, now) {
        Ok(claims) => (Some(claims), None),
        // The signature was checked before the time: the claims are authentic.
        Err(error @ (TokenError::Expired { .. } | TokenError::NotYetValid { .. })) => (
            token::parse(token).ok().map(|(claims, _)| claims),
            Some(error),
        ),
        Err(error) => (None, Some(error)),
    };
    let revocation_checked = revocations.is_some() && claims.is_some();
    let revoked = match (&claims, revocations) {
        (Some(claims), Some(list)) => list.find(&claims.cert_id, claims.cert_version).cloned(),
        _ => None,
    };
    let (mut message_zh, mut message_en) = match (&error, &revoked, &claims) {
        (Some(error), _, _) => (error.message_zh(), error.message_en()),
        (None, Some(entry), _) => revoked_messages(entry),
        (None, None, Some(claims)) => valid_messages(claims, revocations),
        (None, None, None) => (String::new(), String::new()),
    };
    if !revocation_checked {
        message_zh.push('；');
        message_zh.push_str(NOT_CHECKED_ZH);
        message_en.push_str(". ");
        message_en.push_str(NOT_CHECKED_EN);
    }
    let reason_code = match (&error, &revoked) {
        (Some(error), _) => Some(error.code().to_owned()),
        (None, Some(_)) => Some(CERT_REVOKED.to_owned()),
        (None, None) => None,
    };
    OfflineReport {
        valid: reason_code.is_none(),
        reason_code,
        claims,
        revocation_checked,
        revoked,
        message_zh,
        message_en,
    }
}

fn revoked_messages(entry: &RevokedEntry) -> (String, String) {
    (
        format!(
            "证照已被吊销/撤销（状态：{}，时间：{}，原因：{}），不得作为有效证照使用。",
            entry.status, entry.at, entry.reason
        ),
        format!(
            "The certificate was revoked (status: {}, at: {}, reason: {}); it must not be accepted.",
            entry.status, entry.at, entry.reason
        ),
    )
}

fn valid_messages(claims: &Claims, revocations: Option<&RevocationList>) -> (String, String) {
    let (zh, en) = (
        format!(
            "证照令牌有效：证照 {}（版本 {}）签名正确且在有效期内",
            claims.cert_id, claims.cert_version
        ),
        format!(
            "The token is valid: certificate {} (version {}) has a correct signature and is within its validity time",
            claims.cert_id, claims.cert_version
        ),
    );
    match revocations {
        Some(list) => (
            format!("{zh}，且不在 {} 的吊销/撤销清单中。", list.issued_at),
            format!(
                "{en}, and it is not on the revocation list of {}.",
                list.issued_at
            ),
        ),
        None => (zh, en),
    }
}
