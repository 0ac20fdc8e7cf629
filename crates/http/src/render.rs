//! Response rendering shared by every endpoint: JSON bodies, `field` selection, absolute
//! URLs, Waldur's date-time and UUID formats.

use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, HttpResponseBuilder};
use chrono::{DateTime, SecondsFormat, Timelike, Utc};
use serde::Serialize;
use serde_json::{Map, Value};
use uuid::Uuid;

use crate::error::ApiError;
use crate::query::QueryParams;

/// Writes `body` as `application/json` (no charset parameter, as Waldur sends it).
pub fn json_response(mut builder: HttpResponseBuilder, body: &Value) -> HttpResponse {
    let bytes = serde_json::to_vec(body).unwrap_or_else(|_| b"{}".to_vec());
    builder
        .insert_header((
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        ))
        .body(bytes)
}

/// Serializes a wire struct to a JSON object, keeping its field order.
///
/// # Errors
/// `Internal` if the value does not serialize to an object (a bug).
pub fn to_object<T: Serialize>(value: &T) -> Result<Map<String, Value>, ApiError> {
    match serde_json::to_value(value) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(ApiError::Internal("wire value is not an object".into())),
        Err(e) => Err(ApiError::Internal(e.to_string())),
    }
}

/// The `field` selection of a request (spec 01 §7.5): repeated names; names outside the
/// resource's field enum are ignored; none valid = everything.
#[derive(Debug, Clone, Default)]
pub struct FieldSelection {
    names: Vec<String>,
}

impl FieldSelection {
    /// The selection in `query`, restricted to `valid` names.
    pub fn from_query(query: &QueryParams, valid: &[&str]) -> Self {
        let names = query
            .all("field")
            .into_iter()
            .filter(|n| valid.contains(&n.as_str()))
            .collect();
        Self { names }
    }

    /// Whether `name` is to be rendered (so costly keys can be skipped).
    pub fn wants(&self, name: &str) -> bool {
        self.names.is_empty() || self.names.iter().any(|n| n == name)
    }

    /// Keeps only the selected keys, in the representation's own order.
    pub fn apply(&self, map: Map<String, Value>) -> Value {
        if self.names.is_empty() {
            return Value::Object(map);
        }
        Value::Object(map.into_iter().filter(|(k, _)| self.wants(k)).collect())
    }
}

/// `2026-11-22T18:28:25.563545Z`, or without the fraction when it is zero (Python's
/// `isoformat`, spec 01 §6).
pub fn datetime(value: &DateTime<Utc>) -> String {
    if value.nanosecond() / 1000 == 0 {
        value.to_rfc3339_opts(SecondsFormat::Secs, true)
    } else {
        value.to_rfc3339_opts(SecondsFormat::Micros, true)
    }
}

/// 32 lower-case hex digits, no dashes (spec 01 §5.1).
pub fn uuid_hex(value: &Uuid) -> String {
    value.simple().to_string()
}

/// How absolute URLs are built (spec 01 §5.2).
#[derive(Debug, Clone, Default)]
pub struct UrlConfig {
    /// A pinned public base URL (`https://tenancy.example.org`), overriding the request.
    pub public_base: Option<String>,
    /// Whether `X-Forwarded-Proto` is trusted.
    pub trust_forwarded: bool,
    /// Whether the client address for login lock-outs is taken from `X-Forwarded-For`
    /// (its right-most entry, the one the trusted proxy added). Off by default: a client
    /// could otherwise pick a fresh address per guess.
    pub trust_forwarded_for: bool,
}

/// Scheme and host of a request, for building absolute URLs.
#[derive(Debug, Clone)]
pub struct BaseUrl(String);

impl BaseUrl {
    /// The base of `req`: the pinned base, or the scheme (honouring a trusted
    /// `X-Forwarded-Proto: https`) and the `Host` header exactly as sent.
    pub fn of(req: &HttpRequest, config: &UrlConfig) -> Self {
        if let Some(base) = &config.public_base {
            return Self(base.trim_end_matches('/').to_owned());
        }
        let info = req.connection_info();
        let mut scheme = info.scheme().to_owned();
        if config.trust_forwarded {
            if let Some(proto) = req
                .headers()
                .get("x-forwarded-proto")
                .and_then(|v| v.to_str().ok())
            {
                if proto.eq_ignore_ascii_case("https") {
                    scheme = "https".into();
                }
            }
        } else if req.headers().contains_key("x-forwarded-proto") {
            scheme = req.uri().scheme_str().unwrap_or("http").to_owned();
        }
        let host = req
            .headers()
            .get(header::HOST)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
            .unwrap_or_else(|| info.host().to_owned());
        Self(format!("{scheme}://{host}"))
    }

    /// `{base}/api/{collection}/{uuid-hex}/`.
    pub fn object(&self, collection: &str, uuid: &Uuid) -> String {
        format!("{}/api/{collection}/{}/", self.0, uuid_hex(uuid))
    }

    /// `{base}{path}`.
    pub fn path(&self, path: &str) -> String {
        format!("{}{path}", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn datetimes_drop_a_zero_fraction() {
        let whole = DateTime::from_timestamp(1_798_675_200, 0).unwrap();
        assert_eq!(datetime(&whole), "2026-12-31T00:00:00Z");
        let fraction = DateTime::from_timestamp(1_798_675_200, 563_545_000).unwrap();
        assert_eq!(datetime(&fraction), "2026-12-31T00:00:00.563545Z");
    }

    #[test]
    fn uuids_are_plain_hex() {
        let u = Uuid::parse_str("5d08cbca-f2be-407b-ab09-f6d256dd9485").unwrap();
        assert_eq!(uuid_hex(&u), "5d08cbcaf2be407bab09f6d256dd9485");
    }
}
