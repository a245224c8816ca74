//! Company registration (企业登记注册): the pure parts of the smart registration form.
//!
//! - [`scope`]: the business-scope catalogue (经营范围规范表述目录): standard expressions with
//!   their class (一般项目 / 许可项目), industry and the permits a 许可 item triggers; the
//!   import of a full catalogue file (JSON or CSV), all or nothing.
//! - [`name`]: the company-name check (名称自主申报): 行政区划 + 字号 + 行业 + 组织形式, the
//!   prohibited-word list and duplicates against existing names.
//! - [`application`]: what the applicant enters (出资人, 法定代表人, 董监高 …) and its checks —
//!   identifiers, contributions adding up to the registered capital exactly (in fen), the
//!   representative among the officers or investors as the entity type requires.
//! - [`money`]: amounts in 万元 as exact integers of fen.
//!
//! Which entity type and registration business the facts give is *not* decided here: that is a
//! decision table of the rules library (`registration-entity-type`), so the bureau can change it
//! without a release. This module reads the table's output as [`application::Requirements`].

pub mod application;
pub mod money;
pub mod name;
pub mod scope;
