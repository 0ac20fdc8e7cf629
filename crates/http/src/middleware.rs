//! Request-wide concerns: a request id on every response and every log line, `HEAD` served
//! by the `GET` handlers with the body dropped, and one access-log line per request.

use std::time::Instant;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::http::Method;
use actix_web::middleware::Next;
use actix_web::Error;
use tracing::Instrument;

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

fn valid_request_id(value: &str) -> bool {
    !value.is_empty()
        && value.len() <= 200
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

/// The request middleware; install with `actix_web::middleware::from_fn(request_context)`.
///
/// # Errors
/// Whatever the inner service returns.
pub async fn request_context(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let id = req
        .headers()
        .get(&REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .filter(|v| valid_request_id(v))
        .map(str::to_owned)
        .unwrap_or_else(|| uuid::Uuid::new_v4().simple().to_string());
    let head = req.method() == Method::HEAD;
    if head {
        // Django answers HEAD with the GET handler (spec 01 §7.3).
        req.head_mut().method = Method::GET;
    }
    let span = tracing::info_span!("request", request_id = %id, method = %if head { "HEAD" } else { req.method().as_str() }, path = %req.path());
    let started = Instant::now();
    let result = next.call(req).instrument(span.clone()).await;
    let mut response = match result {
        Ok(response) => response.map_into_boxed_body(),
        Err(error) => {
            // Errors that escaped the handlers still get the request id.
            return Err(error);
        }
    };
    if head {
        response = response.map_body(|_, _| BoxBody::new(()));
    }
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert(REQUEST_ID, value);
    }
    span.in_scope(|| {
        tracing::info!(
            http.status = response.status().as_u16(),
            elapsed_ms = started.elapsed().as_secs_f64() * 1000.0,
            "request finished"
        );
    });
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::valid_request_id;

    #[test]
    fn request_ids_are_short_and_plain() {
        assert!(valid_request_id("abc-123_x.y"));
        assert!(!valid_request_id(""));
        assert!(!valid_request_id("a b"));
        assert!(!valid_request_id(&"a".repeat(201)));
    }
}
