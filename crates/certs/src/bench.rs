//! Single-thread timing (性能测试) of token verification and issue, for `shenpi bench certs`.
//! Uses a fixed test key, never a real one. Run it in a release build for meaningful numbers.

use std::time::Instant;

use serde::Serialize;

use crate::keys::{Algorithm, KeyError, KeyPair};
use crate::token::{self, Claims, TokenError};

/// A representative certificate identifier (GB/T 36904), so messages are token-sized.
const SAMPLE_CERT_ID: &str =
    "1.2.156.3005.2.11100000000013338W032.11220000013544541J.2430599.001.F";
/// A fixed issue time (2026-01-01T00:00:00Z).
const SAMPLE_NOW: i64 = 1_767_225_600;

/// The result of one timing run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BenchResult {
    /// The algorithm.
    pub alg: Algorithm,
    /// `verify` or `issue`.
    pub operation: &'static str,
    /// How many operations ran.
    pub iterations: u32,
    /// Wall time of all of them, seconds.
    pub elapsed_secs: f64,
    /// Operations per second on one thread.
    pub per_second: f64,
    /// Microseconds per operation.
    pub micros_per_op: f64,
}

impl BenchResult {
    fn new(alg: Algorithm, operation: &'static str, iterations: u32, start: Instant) -> Self {
        let elapsed_secs = start.elapsed().as_secs_f64();
        let ops = f64::from(iterations);
        BenchResult {
            alg,
            operation,
            iterations,
            elapsed_secs,
            per_second: if elapsed_secs > 0.0 {
                ops / elapsed_secs
            } else {
                0.0
            },
            micros_per_op: if iterations > 0 {
                elapsed_secs * 1e6 / ops
            } else {
                0.0
            },
        }
    }
}

fn sample_key(alg: Algorithm) -> Result<KeyPair, KeyError> {
    KeyPair::from_secret(alg, &[0x42; 32])
}

/// Times `iterations` calls of [`crate::keys::PublicKey::verify`] on one token's signed bytes.
/// Fails only if a verification fails (which would be a bug).
pub fn bench_verify(alg: Algorithm, iterations: u32) -> Result<BenchResult, KeyError> {
    let key = sample_key(alg)?;
    let claims = Claims::new_dynamic(&key.kid(), SAMPLE_CERT_ID, 1, SAMPLE_NOW);
    let text = token::issue(&key, &claims).map_err(into_key_error)?;
    let (_, unverified) = token::parse(&text).map_err(into_key_error)?;
    let public = key.public();
    let (message, signature) = (unverified.signed_message(), unverified.signature());
    let start = Instant::now();
    for _ in 0..iterations {
        public.verify(message, signature)?;
    }
    Ok(BenchResult::new(alg, "verify", iterations, start))
}

/// Times `iterations` calls of [`token::issue`] (encoding and signing one dynamic token).
pub fn bench_issue(alg: Algorithm, iterations: u32) -> Result<BenchResult, KeyError> {
    let key = sample_key(alg)?;
    let claims = Claims::new_dynamic(&key.kid(), SAMPLE_CERT_ID, 1, SAMPLE_NOW);
    let start = Instant::now();
    for _ in 0..iterations {
        token::issue(&key, &claims).map_err(into_key_error)?;
    }
    Ok(BenchResult::new(alg, "issue", iterations, start))
}

fn into_key_error(error: TokenError) -> KeyError {
    match error {
        TokenError::Signing(error) => error,
        _ => KeyError::SigningFailed,
    }
}
