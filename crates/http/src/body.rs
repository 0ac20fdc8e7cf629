//! Request bodies (spec 01 §4.1): JSON objects only, at most 1 MiB, parsed after
//! authentication. The extractor never fails by itself — it carries its outcome to the
//! handler — so a 401 always wins over a body error, whatever order actix polls in.

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest};
use futures::StreamExt;
use serde_json::{Map, Value};

use crate::error::ApiError;

/// Largest accepted body.
pub const MAX_BODY: usize = 1024 * 1024;

/// The request body as a JSON object, or the error to report once the caller is known.
#[derive(Debug)]
pub struct JsonBody(Result<Map<String, Value>, ApiError>);

impl JsonBody {
    /// The object, or the 400/413/415 for the body.
    ///
    /// # Errors
    /// The body's parse error.
    pub fn into_object(self) -> Result<Map<String, Value>, ApiError> {
        self.0
    }
}

/// Python's type name of a JSON value, as Waldur prints it (spec 01 §8.2).
pub fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "NoneType",
        Value::Bool(_) => "bool",
        Value::Number(n) if n.is_i64() || n.is_u64() => "int",
        Value::Number(_) => "float",
        Value::String(_) => "str",
        Value::Array(_) => "list",
        Value::Object(_) => "dict",
    }
}

fn check_content_type(req: &HttpRequest) -> Result<(), ApiError> {
    let Some(value) = req.headers().get(header::CONTENT_TYPE) else {
        return Ok(());
    };
    let text = value.to_str().unwrap_or_default();
    let media = text
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    // Only `application/json` itself, as DRF's JSON parser: any other type, `+json`
    // suffixes included, is a 415 (spec 01 §4.1).
    if media.is_empty() || media == "application/json" {
        let charset = text
            .split(';')
            .skip(1)
            .filter_map(|p| p.trim().split_once('='))
            .find(|(k, _)| k.trim().eq_ignore_ascii_case("charset"))
            .map(|(_, v)| v.trim().trim_matches('"').to_ascii_lowercase());
        match charset.as_deref() {
            None | Some("utf-8") | Some("utf8") => Ok(()),
            Some(_) => Err(ApiError::UnsupportedMediaType(text.to_owned())),
        }
    } else {
        Err(ApiError::UnsupportedMediaType(text.to_owned()))
    }
}

fn parse(bytes: &[u8]) -> Result<Map<String, Value>, ApiError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(Map::new());
    }
    match serde_json::from_slice::<Value>(bytes) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(other) => Err(ApiError::Invalid(
            tenancy_domain::error::ValidationErrors::single(
                tenancy_domain::error::NON_FIELD_ERRORS,
                tenancy_domain::error::FieldError::new(format!(
                    "Invalid data. Expected a dictionary, but got {}.",
                    type_name(&other)
                )),
            ),
        )),
        Err(e) => Err(ApiError::MalformedJson(e.to_string())),
    }
}

impl FromRequest for JsonBody {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let content_type = check_content_type(req);
        let declared = req
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<usize>().ok());
        let mut payload = payload.take();
        Box::pin(async move {
            if let Err(e) = content_type {
                return Ok(JsonBody(Err(e)));
            }
            if declared.is_some_and(|n| n > MAX_BODY) {
                return Ok(JsonBody(Err(ApiError::TooLarge)));
            }
            let mut bytes = Vec::new();
            while let Some(chunk) = payload.next().await {
                match chunk {
                    Ok(chunk) => {
                        if bytes.len() + chunk.len() > MAX_BODY {
                            return Ok(JsonBody(Err(ApiError::TooLarge)));
                        }
                        bytes.extend_from_slice(&chunk);
                    }
                    Err(e) => return Ok(JsonBody(Err(ApiError::MalformedJson(e.to_string())))),
                }
            }
            Ok(JsonBody(parse(&bytes)))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_body_is_an_empty_object() {
        assert!(parse(b"").unwrap().is_empty());
        assert!(parse(b"  \n").unwrap().is_empty());
    }

    #[test]
    fn non_objects_are_named_like_python() {
        let Err(ApiError::Invalid(e)) = parse(b"[1]") else {
            panic!("expected a field error")
        };
        assert!(format!("{e:?}").contains("Expected a dictionary, but got list."));
        assert!(matches!(parse(b"{"), Err(ApiError::MalformedJson(_))));
    }
}
