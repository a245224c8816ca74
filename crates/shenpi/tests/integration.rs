//! Black-box tests of the whole platform: one test binary (link time matters on 2 cores).
//! Each test starts the real application on port 0 with a fresh database (SQLite, or a fresh
//! PostgreSQL schema when `SHENPI_TEST_DATABASE_URL` is set) and a fake clock.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod integration {
    pub mod api_auth;
    pub mod audit;
    pub mod authz;
    pub mod bad_input;
    pub mod browser;
    pub mod browser_bundles;
    pub mod browser_certificates;
    pub mod browser_registration;
    pub mod bundles;
    pub mod cases;
    pub mod catalog;
    pub mod certificates;
    pub mod cli;
    pub mod common;
    pub mod deadlines;
    pub mod departments;
    pub mod engine_effects;
    pub mod forms;
    pub mod materials;
    pub mod nodes;
    pub mod notices;
    pub mod pages;
    pub mod partners;
    pub mod prefill;
    pub mod processes;
    pub mod public;
    pub mod registration;
    pub mod review_fixes;
    pub mod routing;
    pub mod rules;
    pub mod unattended;
    pub mod workbench;
}
