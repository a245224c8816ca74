//! The service-item catalog (政务服务事项库): the city standard of every item, district
//! implementations, versions and change proposals (联合审核), and the rules that keep key
//! elements identical citywide (市区一体; 同一事项关键要素全市统一).
//!
//! # Layout
//! - [`item`]: the item standard — hierarchy, key elements, limits, fees, situations.
//! - [`material`]: application materials (申请材料) and their sources (零材料).
//! - [`local`]: the local elements a district fills when it claims an item (认领).
//! - [`knowledge`]: review points, standard opinion phrases, document templates.
//! - [`check`]: validation of an item standard (promised ≤ statutory, codes, references).
//! - [`diff`]: what a proposal changes, field by field.
//! - [`proposal`]: the joint-review lifecycle of a change and the catalog operations.
//! - [`version`]: published versions and which one is effective on a date.
//!
//! Pure: no I/O, no clock. Dates are parameters.

pub mod check;
pub mod diff;
pub mod example;
pub mod item;
pub mod knowledge;
pub mod local;
pub mod material;
pub mod proposal;
pub mod version;

pub use item::ServiceItem;
