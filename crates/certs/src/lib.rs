//! Electronic certificates (电子证照) of shenpi: a pure library, with no I/O, no clock reads
//! (times are passed in as Unix seconds) and no async.
//!
//! Modules:
//! - [`keys`]: signing keys (SM2 with SM3, Ed25519), key ids, the [`keys::Signer`] trait,
//!   SPKI PEM and DER signatures for OpenSSL.
//! - [`vault`]: secret keys encrypted at rest under the master key (`SHENPI_MASTER_KEY`).
//! - [`token`]: the compact signed show-and-verify token (扫码亮证) and its verification.
//! - [`keyset`]: the published key set (`/.well-known/shenpi-cert-keys.json`) and the
//!   revocation list (吊销/撤销清单).
//! - [`offline`]: verification of a token with only a key set (and maybe a revocation list).
//! - [`qr`]: QR codes as SVG or as a module matrix.
//! - [`canonical`]: canonical JSON (RFC 8785 style) of a certificate's data, its SM3 digest
//!   and its signature.
//! - [`mod@bench`]: single-thread timing of token verification and issue.
//!
//! Every error type has `code()` (a stable string such as `TOKEN_EXPIRED`), `message_zh()`
//! and `message_en()`; none of them, and no `Debug` output, contains key material.

pub mod bench;
pub mod canonical;
pub mod keys;
pub mod keyset;
pub mod offline;
pub mod qr;
pub mod token;
pub mod vault;
