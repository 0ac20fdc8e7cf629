//! Every error the HTTP layer renders, mapped in one place to Waldur's status codes and
//! bodies (spec 01 §8).
//!
//! Use cases return [`UseCaseError`]; extractors and handlers produce the HTTP-only
//! variants. A 500 is logged here once, with its cause; its body never carries internals.

use actix_web::http::header::{self, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use serde_json::{json, Map, Value};
use tenancy_domain::error::{FieldMessages, ValidationErrors};
use tenancy_ports::error::UseCaseError;

/// An error response.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// 404 `No <Model> matches the given query.`
    #[error("{0} not found")]
    NotFound(&'static str),
    /// 404 `Not found.` (unknown route).
    #[error("route not found")]
    RouteNotFound,
    /// 404 `Invalid page.`
    #[error("invalid page")]
    InvalidPage,
    /// 403.
    #[error("permission denied")]
    Denied,
    /// 400 field map.
    #[error("invalid request: {0}")]
    Invalid(ValidationErrors),
    /// 400 bare list of messages.
    #[error("{0:?}")]
    StateRule(Vec<String>),
    /// 400 `{"detail": "JSON parse error - …"}`.
    #[error("malformed JSON: {0}")]
    MalformedJson(String),
    /// 401 with a detail text; always carries `WWW-Authenticate: Token`.
    #[error("unauthenticated: {0}")]
    Unauthenticated(&'static str),
    /// 405 with an `Allow` header.
    #[error("method {method} not allowed")]
    MethodNotAllowed {
        /// The request method.
        method: String,
        /// The methods the route supports.
        allow: String,
    },
    /// 409 with a detail text.
    #[error("conflict: {0}")]
    Conflict(String),
    /// 413.
    #[error("request body too large")]
    TooLarge,
    /// 415.
    #[error("unsupported media type {0}")]
    UnsupportedMediaType(String),
    /// 503.
    #[error("service unavailable: {0}")]
    Unavailable(String),
    /// 500.
    #[error("internal error: {0}")]
    Internal(String),
}

impl From<UseCaseError> for ApiError {
    fn from(e: UseCaseError) -> Self {
        match e {
            UseCaseError::NotFound(model) => ApiError::NotFound(model),
            UseCaseError::Denied => ApiError::Denied,
            UseCaseError::Invalid(v) => ApiError::Invalid(v),
            UseCaseError::StateRule(m) => ApiError::StateRule(vec![m]),
            UseCaseError::Conflict(m) => ApiError::Conflict(m),
            UseCaseError::Unauthenticated(m) => ApiError::Unauthenticated(m),
            UseCaseError::ServiceUnavailable(m) => ApiError::Unavailable(m),
            UseCaseError::Internal(m) => ApiError::Internal(m),
        }
    }
}

impl From<ValidationErrors> for ApiError {
    fn from(e: ValidationErrors) -> Self {
        ApiError::Invalid(e)
    }
}

/// The JSON field map of a [`ValidationErrors`] (spec 01 §8.2).
pub fn field_map(errors: &ValidationErrors) -> Value {
    let mut map = Map::new();
    for (field, messages) in errors.entries() {
        let value = match messages {
            FieldMessages::List(list) => json!(list),
            FieldMessages::Items(items) => {
                let mut by_index = Map::new();
                for (index, list) in items {
                    by_index.insert(index.to_string(), json!(list));
                }
                Value::Object(by_index)
            }
        };
        map.insert(field.clone(), value);
    }
    Value::Object(map)
}

fn detail(text: &str) -> Value {
    json!({ "detail": text })
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            ApiError::NotFound(_) | ApiError::RouteNotFound | ApiError::InvalidPage => {
                StatusCode::NOT_FOUND
            }
            ApiError::Denied => StatusCode::FORBIDDEN,
            ApiError::Invalid(_) | ApiError::StateRule(_) | ApiError::MalformedJson(_) => {
                StatusCode::BAD_REQUEST
            }
            ApiError::Unauthenticated(_) => StatusCode::UNAUTHORIZED,
            ApiError::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::Conflict(_) => StatusCode::CONFLICT,
            ApiError::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let body = match self {
            ApiError::NotFound(model) => detail(&format!("No {model} matches the given query.")),
            ApiError::RouteNotFound => detail("Not found."),
            ApiError::InvalidPage => detail("Invalid page."),
            ApiError::Denied => detail("You do not have permission to perform this action."),
            ApiError::Invalid(errors) => field_map(errors),
            ApiError::StateRule(messages) => json!(messages),
            ApiError::MalformedJson(message) => detail(&format!("JSON parse error - {message}")),
            ApiError::Unauthenticated(text) => detail(text),
            ApiError::MethodNotAllowed { method, .. } => {
                detail(&format!("Method \"{method}\" not allowed."))
            }
            ApiError::Conflict(text) => detail(text),
            ApiError::TooLarge => detail("Request body is too large."),
            ApiError::UnsupportedMediaType(media) => {
                detail(&format!("Unsupported media type \"{media}\" in request."))
            }
            ApiError::Unavailable(cause) => {
                tracing::warn!(error.cause = %cause, "database unavailable");
                detail("Service temporarily unavailable, try again later.")
            }
            ApiError::Internal(cause) => {
                tracing::error!(error.cause = %cause, "internal server error");
                detail("A server error occurred.")
            }
        };
        let mut response = HttpResponse::build(self.status_code());
        match self {
            ApiError::Unauthenticated(_) => {
                response
                    .insert_header((header::WWW_AUTHENTICATE, HeaderValue::from_static("Token")));
            }
            ApiError::MethodNotAllowed { allow, .. } => {
                if let Ok(value) = HeaderValue::from_str(allow) {
                    response.insert_header((header::ALLOW, value));
                }
            }
            _ => {}
        }
        crate::render::json_response(response, &body)
    }
}
