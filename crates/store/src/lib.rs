//! Storage for shenpi: the traits every engine implements, the records they store, the
//! hash-chained audit log and one shared test suite ([`testsuite`]) that every engine must pass.
//!
//! # Layout
//! - [`Store`] opens units of work ([`Tx`]); every state change commits in one transaction
//!   together with its audit entry, and nothing is acknowledged before commit.
//! - [`repo`]: the capability traits a [`Tx`] offers (users, sessions, organisation, audit, ...).
//! - [`model`]: the records.
//! - [`audit`]: canonical JSON (RFC 8785), the SM3 chain and its verification.
//! - [`blob`]: content-addressed files behind [`BlobStore`].
//!
//! This crate names no database driver; `shenpi-store-sql` implements it for SQLite and PostgreSQL.

pub mod audit;
pub mod blob;
pub mod error;
pub mod model;
pub mod repo;
pub mod testsuite;

pub use blob::BlobStore;
pub use error::StoreError;
pub use repo::{Store, Tx};

/// A new identifier: UUIDv7 text, time-ordered.
pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}
