//! Test helpers for shenpi.

pub mod browser;
