//! The one integration-test binary of shenpi-workflow (one binary links faster on 2 cores).

mod executing;
mod parsing;
mod properties;
mod support;
