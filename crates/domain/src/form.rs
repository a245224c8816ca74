//! Business-data standards (业务数据标准): the form of an item and situation, defined as a JSON
//! Schema (draft 2020-12) plus UI hints, and validated on the server with one bilingual error per
//! field, each at its JSON pointer.
//!
//! - [`elements`]: the shared data elements (数据元) every form reuses by `$ref`
//!   (`#/$defs/uscc`, `#/$defs/id_number`, `#/$defs/mobile`, `#/$defs/address`, …), with the
//!   platform's own checks (check digits, region codes) as JSON Schema formats.
//! - [`definition`]: a form definition (schema + UI hints) and its compiled, reusable [`Form`].
//! - [`errors`]: field errors in zh-CN and English.
//!
//! Only local references resolve: a `$ref` to another document is refused when the form is
//! compiled, so validating never reaches the network.

pub mod definition;
pub mod elements;
pub mod errors;

pub use definition::{FieldHint, Form, FormDefinition, FormError, UiHints, Widget};
pub use errors::FieldError;
