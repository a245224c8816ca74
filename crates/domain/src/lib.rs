//! The domain core of shenpi (审批): validated types, the working-day calendar, the
//! organisation model and bilingual error codes.
//!
//! # Layout
//! - [`validate`]: national identifiers (USCC, ID number, mobile, region code, certificate id).
//! - [`regions`]: the GB/T 2260 administrative-division table shipped as data.
//! - [`registration`]: company registration (企业登记): business scope, name check, the form.
//! - [`registry`]: records of the shared-data registries (enterprises, persons, experts, projects).
//! - [`calendar`]: the official working-day calendar (法定节假日 and 调休).
//! - [`catalog`]: service items, district implementations, versions and joint review.
//! - [`bundle`]: bundles of items applied for together (一件事 / 一事全办).
//! - [`case`]: the legal case lifecycle, working-day deadlines, SLA colours, case numbers.
//! - [`lockout`]: the sign-in lockout rule.
//! - [`mask`]: masking of personal data for display and logs.
//! - [`password`]: the password policy.
//! - [`org`]: roles, regions and departments of the organisation model.
//! - [`error`]: the one table of public error codes.
//!
//! This crate does no I/O, is not async and never reads the clock: time is always a parameter.

pub mod bundle;
pub mod calendar;
pub mod case;
pub mod catalog;
pub mod certificate;
pub mod error;
pub mod form;
pub mod lockout;
pub mod mask;
pub mod org;
pub mod password;
pub mod regions;
pub mod registration;
pub mod registry;
pub mod rules;
pub mod validate;
