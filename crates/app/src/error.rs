//! Errors of the use cases, each mapped onto one entry of the public error table
//! ([`shenpi_domain::error::ErrorCode`]). The web layer only calls [`AppError::public`].

use shenpi_domain::calendar::CalendarError;
use shenpi_domain::error::ErrorCode;
use shenpi_domain::validate::ValidationError;
use shenpi_store::StoreError;

/// Why a use case refused or failed.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("sign-in required")]
    Unauthenticated,
    #[error("session expired")]
    SessionExpired,
    #[error("wrong username or password")]
    InvalidCredentials,
    #[error("one-time code required")]
    TotpRequired,
    #[error("one-time code invalid")]
    TotpInvalid,
    #[error("TOTP enrolment not started")]
    TotpNotEnrolled,
    #[error("account locked until {until}")]
    AccountLocked {
        until: chrono::DateTime<chrono::Utc>,
    },
    #[error("account disabled")]
    AccountDisabled,
    #[error("forbidden: {0}")]
    Forbidden(String),
    #[error("not found: {0}")]
    NotFound(String),
    #[error("conflict: {0}")]
    Conflict(String),
    #[error("username taken")]
    UsernameTaken,
    #[error("separation of duties: {0}")]
    SeparationOfDuties(String),
    /// A field failed validation; `field` names it.
    #[error("invalid {field}: {error}")]
    Invalid {
        field: String,
        error: ValidationError,
    },
    #[error("password policy: {0}")]
    Password(ValidationError),
    #[error("calendar: {0}")]
    Calendar(#[from] CalendarError),
    #[error("storage: {0}")]
    Store(#[from] StoreError),
    /// A business rule refused the request; carries its public form (code, messages, details).
    #[error("{}", .0.message_en)]
    Rule(Box<PublicError>),
    #[error("internal: {0}")]
    Internal(String),
}

/// What the outside world sees of an error.
#[derive(Debug, Clone, PartialEq)]
pub struct PublicError {
    pub code: ErrorCode,
    pub message_zh: String,
    pub message_en: String,
    pub details: serde_json::Value,
}

impl PublicError {
    /// The default message of a code.
    pub fn of(code: ErrorCode) -> Self {
        PublicError {
            code,
            message_zh: code.zh.to_string(),
            message_en: code.en.to_string(),
            details: serde_json::json!({}),
        }
    }

    /// With a custom message.
    pub fn with(code: ErrorCode, zh: impl Into<String>, en: impl Into<String>) -> Self {
        PublicError {
            code,
            message_zh: zh.into(),
            message_en: en.into(),
            details: serde_json::json!({}),
        }
    }

    /// With details.
    pub fn details(mut self, d: serde_json::Value) -> Self {
        self.details = d;
        self
    }
}

impl AppError {
    /// A validation failure of `field`.
    pub fn invalid(field: &str, error: ValidationError) -> Self {
        AppError::Invalid {
            field: field.to_string(),
            error,
        }
    }

    /// A simple validation failure with bilingual text.
    pub fn invalid_text(field: &str, code: &'static str, zh: &str, en: &str) -> Self {
        AppError::invalid(field, ValidationError::new(code, zh, en))
    }

    /// A rule refusal with the default message of `code` and details.
    pub fn rule(code: ErrorCode, details: serde_json::Value) -> Self {
        AppError::Rule(Box::new(PublicError::of(code).details(details)))
    }

    /// Whether this is a server-side failure (logged, never shown in detail).
    pub fn is_internal(&self) -> bool {
        matches!(
            self,
            AppError::Internal(_)
                | AppError::Store(StoreError::Backend(_) | StoreError::Corrupt(_))
        )
    }

    /// The public form of this error.
    pub fn public(&self) -> PublicError {
        use serde_json::json;
        match self {
            AppError::Unauthenticated => PublicError::of(ErrorCode::UNAUTHENTICATED),
            AppError::SessionExpired => PublicError::of(ErrorCode::SESSION_EXPIRED),
            AppError::InvalidCredentials => PublicError::of(ErrorCode::INVALID_CREDENTIALS),
            AppError::TotpRequired => PublicError::of(ErrorCode::TOTP_REQUIRED),
            AppError::TotpInvalid => PublicError::of(ErrorCode::TOTP_INVALID),
            AppError::TotpNotEnrolled => PublicError::of(ErrorCode::TOTP_NOT_ENROLLED),
            AppError::AccountLocked { until } => PublicError::of(ErrorCode::ACCOUNT_LOCKED)
                .details(json!({"locked_until": until.to_rfc3339()})),
            AppError::AccountDisabled => PublicError::of(ErrorCode::ACCOUNT_DISABLED),
            AppError::Forbidden(why) => {
                PublicError::of(ErrorCode::FORBIDDEN).details(json!({"action": why}))
            }
            AppError::NotFound(what) => {
                PublicError::of(ErrorCode::NOT_FOUND).details(json!({"object": what}))
            }
            AppError::Conflict(_) => PublicError::of(ErrorCode::CONFLICT),
            AppError::UsernameTaken => PublicError::of(ErrorCode::USERNAME_TAKEN),
            AppError::SeparationOfDuties(_) => PublicError::of(ErrorCode::SEPARATION_OF_DUTIES),
            AppError::Invalid { field, error } => PublicError::with(
                ErrorCode::VALIDATION_FAILED,
                format!("{}：{}", field, error.reason_zh),
                format!("{}: {}", field, error.reason_en),
            )
            .details(json!({"field": field, "reason_code": error.code})),
            AppError::Password(error) => PublicError::with(
                ErrorCode::PASSWORD_POLICY,
                error.reason_zh.clone(),
                error.reason_en.clone(),
            )
            .details(json!({"reason_code": error.code})),
            AppError::Calendar(e) => {
                let code = if e.code() == "CALENDAR_YEAR_MISSING" {
                    ErrorCode::CALENDAR_YEAR_MISSING
                } else {
                    ErrorCode::CALENDAR_INVALID
                };
                PublicError::with(code, e.message_zh(), e.message_en())
                    .details(json!({"reason_code": e.code()}))
            }
            AppError::Rule(p) => (**p).clone(),
            AppError::Store(StoreError::NotFound(_)) => PublicError::of(ErrorCode::NOT_FOUND),
            AppError::Store(StoreError::Conflict(_)) => PublicError::of(ErrorCode::CONFLICT),
            AppError::Store(_) | AppError::Internal(_) => PublicError::of(ErrorCode::INTERNAL),
        }
    }
}
