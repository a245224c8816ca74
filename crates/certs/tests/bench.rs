//! Tests of the timing functions (no timing assertions).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use shenpi_certs::bench::{bench_issue, bench_verify};
use shenpi_certs::keys::Algorithm;

#[test]
fn bench_runs() {
    for alg in [Algorithm::Sm2, Algorithm::Ed25519] {
        let verify = bench_verify(alg, 3).unwrap();
        assert_eq!(verify.iterations, 3);
        assert_eq!(verify.operation, "verify");
        assert!(verify.per_second >= 0.0);
        let issue = bench_issue(alg, 3).unwrap();
        assert_eq!(issue.operation, "issue");
        assert_eq!(issue.alg, alg);
    }
    assert_eq!(bench_verify(Algorithm::Sm2, 0).unwrap().micros_per_op, 0.0);
}
