//! The one integration-test binary of shenpi-workflow (one binary links faster on 2 cores).

// Test helpers outside `#[test]` functions may panic too (clippy only exempts the tests).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod calls;
mod countersign;
mod executing;
mod messages;
mod parsing;
mod properties;
mod support;
mod timers;
