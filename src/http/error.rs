//! The application's error type and its one mapping to RFC 9457 `application/problem+json`.

use actix_web::http::{header, StatusCode};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use utoipa::ToSchema;

use crate::db::StoreError;
use crate::rules::Basis;

/// A field-level validation message.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct FieldError {
    /// The JSON field (dotted path) that was refused.
    #[schema(example = "name")]
    pub field: String,
    #[schema(example = "must not be empty")]
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// Every way a request can fail. Each variant maps to exactly one HTTP status.
#[derive(Clone, Debug, thiserror::Error)]
pub enum AppError {
    /// 400: the request cannot be read (malformed JSON, wrong types, unknown fields, bad query).
    #[error("{0}")]
    BadRequest(String),
    /// 401: no valid credentials.
    #[error("{0}")]
    Unauthorized(String),
    /// 403: authenticated, but the role may not do this.
    #[error("{0}")]
    Forbidden(String),
    /// 404: missing, or not visible to the caller.
    #[error("{0}")]
    NotFound(String),
    /// 409: the resource's state does not allow this.
    #[error("{detail}")]
    Conflict {
        code: &'static str,
        detail: String,
        basis: Basis,
    },
    /// 412: `If-Match` names a version that is no longer current.
    #[error("the resource has changed since it was read (If-Match does not match the current ETag)")]
    PreconditionFailed,
    /// 428: an update without `If-Match`.
    #[error("this update requires an If-Match header with the resource's current ETag")]
    PreconditionRequired,
    /// 413
    #[error("{0}")]
    PayloadTooLarge(String),
    /// 415
    #[error("{0}")]
    UnsupportedMediaType(String),
    /// 406: the list does not export in the format asked for.
    #[error("{0}")]
    NotAcceptable(String),
    /// 422: readable, but refused by validation or by a rule.
    #[error("{detail}")]
    Unprocessable {
        code: &'static str,
        detail: String,
        basis: Basis,
        errors: Vec<FieldError>,
    },
    /// 429
    #[error("{detail}")]
    TooManyRequests { detail: String, retry_after_secs: u64 },
    /// 405: the path exists, not with this method; `Allow` lists those it takes.
    #[error("this path takes {}", .0.join(", "))]
    MethodNotAllowed(Vec<String>),
    /// 503: the database cannot be reached.
    #[error("{0}")]
    Unavailable(String),
    /// 500: a fault of ours; the text is logged, never sent.
    #[error("{0}")]
    Internal(String),
}

impl AppError {
    /// A validation refusal of one or more fields.
    pub fn invalid(errors: Vec<FieldError>) -> Self {
        let detail = errors
            .iter()
            .map(|e| format!("{}: {}", e.field, e.message))
            .collect::<Vec<_>>()
            .join("; ");
        Self::Unprocessable {
            code: "validation_failed",
            detail,
            basis: Basis::default(),
            errors,
        }
    }

    /// A validation refusal of one field.
    pub fn field(name: &str, message: impl Into<String>) -> Self {
        Self::invalid(vec![FieldError::new(name, message)])
    }

    /// A refusal by a rule of the seed, naming its articles.
    pub fn rule(code: &'static str, detail: impl Into<String>, basis: Basis) -> Self {
        Self::Unprocessable {
            code,
            detail: detail.into(),
            basis,
            errors: Vec::new(),
        }
    }

    pub fn conflict(code: &'static str, detail: impl Into<String>) -> Self {
        Self::Conflict {
            code,
            detail: detail.into(),
            basis: Basis::default(),
        }
    }

    pub fn not_found(what: &str) -> Self {
        Self::NotFound(format!("{what} not found"))
    }

    fn code(&self) -> &'static str {
        match self {
            Self::BadRequest(_) => "bad_request",
            Self::Unauthorized(_) => "unauthorized",
            Self::Forbidden(_) => "forbidden",
            Self::NotFound(_) => "not_found",
            Self::Conflict { code, .. } | Self::Unprocessable { code, .. } => code,
            Self::PreconditionFailed => "etag_mismatch",
            Self::PreconditionRequired => "if_match_required",
            Self::PayloadTooLarge(_) => "payload_too_large",
            Self::UnsupportedMediaType(_) => "unsupported_media_type",
            Self::NotAcceptable(_) => "not_acceptable",
            Self::TooManyRequests { .. } => "rate_limited",
            Self::MethodNotAllowed(_) => "method_not_allowed",
            Self::Unavailable(_) => "database_unavailable",
            Self::Internal(_) => "internal_error",
        }
    }

    fn public_detail(&self) -> String {
        match self {
            Self::Internal(_) => "an internal error occurred; it has been logged with the request id".into(),
            Self::Unavailable(_) => "the database is unavailable; try again shortly".into(),
            other => other.to_string(),
        }
    }
}

/// The problem+json body (RFC 9457) with this service's extensions.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "type": "urn:safeguards:problem:validation_failed",
    "title": "Unprocessable Entity",
    "status": 422,
    "detail": "name: must not be empty",
    "code": "validation_failed",
    "errors": [{"field": "name", "message": "must not be empty"}]
}))]
pub struct Problem {
    /// `urn:safeguards:problem:{code}`.
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    /// Stable machine-readable code.
    pub code: String,
    /// Article references of the rule that refused the request (e.g. `["ACC-13"]`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[schema(value_type = Vec<String>)]
    pub basis: Vec<String>,
    /// Field-level messages of a validation refusal.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
}

pub const PROBLEM_JSON: &str = "application/problem+json";

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            Self::Forbidden(_) => StatusCode::FORBIDDEN,
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::Conflict { .. } => StatusCode::CONFLICT,
            Self::PreconditionFailed => StatusCode::PRECONDITION_FAILED,
            Self::PreconditionRequired => StatusCode::PRECONDITION_REQUIRED,
            Self::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            Self::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::NotAcceptable(_) => StatusCode::NOT_ACCEPTABLE,
            Self::Unprocessable { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            Self::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::MethodNotAllowed(_) => StatusCode::METHOD_NOT_ALLOWED,
            Self::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let status = self.status_code();
        match self {
            Self::Internal(msg) => tracing::error!(error = %msg, "internal error"),
            Self::Unavailable(msg) => tracing::warn!(error = %msg, "database unavailable"),
            _ => {}
        }
        let (basis, errors) = match self {
            Self::Conflict { basis, .. } => (basis.clone(), Vec::new()),
            Self::Unprocessable { basis, errors, .. } => (basis.clone(), errors.clone()),
            _ => (Basis::default(), Vec::new()),
        };
        let body = Problem {
            kind: format!("urn:safeguards:problem:{}", self.code()),
            title: status.canonical_reason().unwrap_or("Error").to_owned(),
            status: status.as_u16(),
            detail: self.public_detail(),
            code: self.code().to_owned(),
            basis: basis.0.iter().map(ToString::to_string).collect(),
            errors,
        };
        let mut response = HttpResponse::build(status);
        response.content_type(PROBLEM_JSON);
        match self {
            Self::TooManyRequests { retry_after_secs, .. } => {
                response.insert_header((header::RETRY_AFTER, retry_after_secs.to_string()));
            }
            Self::MethodNotAllowed(methods) => {
                response.insert_header((header::ALLOW, methods.join(", ")));
            }
            Self::Unauthorized(_) => {
                response.insert_header((header::WWW_AUTHENTICATE, "Bearer"));
            }
            _ => {}
        }
        response.json(body)
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => Self::NotFound("not found".into()),
            StoreError::Unique(_) => {
                Self::conflict("already_exists", "a record with the same unique value already exists")
            }
            StoreError::ForeignKey(_) => Self::rule(
                "unknown_reference",
                "the request refers to a record that does not exist",
                Basis::default(),
            ),
            StoreError::Unavailable(m) => Self::Unavailable(m),
            StoreError::Other(m) => Self::Internal(m),
        }
    }
}

impl From<diesel::result::Error> for AppError {
    fn from(e: diesel::result::Error) -> Self {
        StoreError::from(e).into()
    }
}

/// Maps actix's own extractor failures (JSON, query, path) to problems.
pub mod extractors {
    use actix_web::error::{JsonPayloadError, PathError, QueryPayloadError};
    use actix_web::HttpRequest;

    use super::AppError;

    pub fn json(err: JsonPayloadError, _req: &HttpRequest) -> actix_web::Error {
        let app = match &err {
            JsonPayloadError::OverflowKnownLength { limit, .. } | JsonPayloadError::Overflow { limit } => {
                AppError::PayloadTooLarge(format!("the request body is larger than the limit of {limit} bytes"))
            }
            JsonPayloadError::ContentType => {
                AppError::UnsupportedMediaType("the request body must be application/json".into())
            }
            JsonPayloadError::Deserialize(e) => AppError::BadRequest(format!("invalid JSON body: {e}")),
            other => AppError::BadRequest(format!("invalid JSON body: {other}")),
        };
        app.into()
    }

    pub fn query(err: QueryPayloadError, _req: &HttpRequest) -> actix_web::Error {
        AppError::BadRequest(format!("invalid query string: {err}")).into()
    }

    pub fn path(err: PathError, _req: &HttpRequest) -> actix_web::Error {
        AppError::BadRequest(format!("invalid path parameter: {err}")).into()
    }
}
