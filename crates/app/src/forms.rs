//! Business forms of items (业务表单): an item version's form definition, and the check of an
//! application's form data against it — one bilingual error per field, at its JSON pointer, in
//! the error's `details` (`422 FORM_INVALID`); nothing is saved when it fails.

use crate::{App, AppError};
use serde_json::{Value, json};
use shenpi_domain::catalog::item::ServiceItem;
use shenpi_domain::error::ErrorCode;
use shenpi_domain::form::{FieldError, Form, FormDefinition};

/// The `details` of a `FORM_INVALID` error.
fn form_invalid(errors: &[FieldError]) -> AppError {
    AppError::rule(ErrorCode::FORM_INVALID, json!({ "fields": errors }))
}

/// Compiles an item's form; the catalog check refuses a form that does not compile, so a
/// failure here is a stored item the check never saw.
fn compiled(item: &ServiceItem, situation: Option<&str>) -> Result<Option<Form>, AppError> {
    item.form_for(situation)
        .cloned()
        .map(Form::compile)
        .transpose()
        .map_err(|e| AppError::Internal(format!("form of item {}: {e}", item.code)))
}

/// Form data is a JSON object (or `null`, an empty form) of at most 64 KB, with or without an
/// item form.
fn check_shape(data: &Value) -> Result<(), AppError> {
    if !(data.is_object() || data.is_null()) || data.to_string().len() > 64 * 1024 {
        return Err(AppError::invalid_text(
            "form",
            "FORM_INVALID",
            "表单须为不超过 64 KB 的 JSON 对象",
            "The form must be a JSON object of at most 64 KB",
        ));
    }
    Ok(())
}

/// Checks `data` (the application's `form`; `null` counts as an empty form): its shape, then
/// the situation's or the item's form, if there is one.
pub(crate) fn check_form(
    item: &ServiceItem,
    situation: Option<&str>,
    data: &Value,
) -> Result<(), AppError> {
    check_shape(data)?;
    let Some(form) = compiled(item, situation)? else {
        return Ok(());
    };
    let empty = json!({});
    let data = if data.is_null() { &empty } else { data };
    form.validate(data).map_err(|e| form_invalid(&e))
}

impl App {
    /// The form of an item (of one of its situations) as `region` implements it today
    /// (`404 FORM_NOT_DEFINED` without one).
    pub async fn item_form(
        &self,
        code: &str,
        region: &str,
        situation: Option<&str>,
    ) -> Result<FormDefinition, AppError> {
        let effective = self.catalog_item(code, region).await?;
        effective
            .version
            .item
            .form_for(situation)
            .cloned()
            .ok_or_else(|| AppError::rule(ErrorCode::FORM_NOT_DEFINED, json!({"code": code})))
    }

    /// Checks form data against an item's form without submitting anything.
    pub async fn check_item_form(
        &self,
        code: &str,
        region: &str,
        situation: Option<&str>,
        data: &Value,
    ) -> Result<(), AppError> {
        let effective = self.catalog_item(code, region).await?;
        if effective.version.item.form_for(situation).is_none() {
            return Err(AppError::rule(
                ErrorCode::FORM_NOT_DEFINED,
                json!({"code": code}),
            ));
        }
        check_form(&effective.version.item, situation, data)
    }
}
