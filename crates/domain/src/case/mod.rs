//! The legal case lifecycle (办件): statuses and the transitions the 行政许可法 allows, the
//! deadline clock in working days with pauses, SLA colours (预警/超期) and case numbers.
//!
//! Pure: dates are parameters; the working-day calendar is passed in.
//!
//! # Layout
//! - [`lifecycle`]: statuses and transitions (DOMAIN §6.7).
//! - [`deadline`]: promised and statutory deadlines, pauses, SLA colours, deemed acceptance.
//! - [`number`]: case numbers (region + date + sequence + check character).
//! - [`file`]: material files judged by content (PDF, JPEG, PNG, OFD).

pub mod deadline;
pub mod file;
pub mod lifecycle;
pub mod number;
