//! Pagination, written once for every list (spec 01 §7.1–7.3): `page`/`page_size`, the
//! bare-array body, `X-Result-Count` and the `Link` header the SDK's `*_all` helpers follow.

use actix_web::http::header::HeaderValue;
use actix_web::{HttpRequest, HttpResponse};
use serde_json::Value;
use tenancy_ports::paging::{Page, PageNumber, PageRequest};

use crate::error::ApiError;
use crate::query::QueryParams;
use crate::render::{json_response, BaseUrl};

/// Items per page when `page_size` is absent or not a positive integer.
pub const DEFAULT_PAGE_SIZE: u64 = 10;
/// Larger `page_size` values are cut to this.
pub const MAX_PAGE_SIZE: u64 = 300;

/// A positive decimal integer, as DRF's `_positive_int` reads `page_size`. Python's `int`
/// has no upper bound, so a number too large for `u64` is still a (huge) positive size and
/// is cut to the maximum rather than ignored.
fn positive_integer(text: &str) -> Option<u64> {
    let digits = text.strip_prefix('+').unwrap_or(text);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n = digits.parse::<u64>().unwrap_or(u64::MAX);
    (n > 0).then_some(n)
}

/// The page a request asks for.
///
/// # Errors
/// `InvalidPage` when `page` is neither a positive integer nor `last`.
pub fn page_request(query: &QueryParams) -> Result<PageRequest, ApiError> {
    let size = query
        .get("page_size")
        .and_then(|v| positive_integer(&v))
        .map_or(DEFAULT_PAGE_SIZE, |n| n.min(MAX_PAGE_SIZE));
    let number = match query.get("page") {
        None => PageNumber::Number(1),
        Some(p) if p == "last" => PageNumber::Last,
        Some(p) => match p.parse::<u64>() {
            Ok(n) if n > 0 => PageNumber::Number(n),
            _ => return Err(ApiError::InvalidPage),
        },
    };
    Ok(PageRequest { number, size })
}

/// The URL of page `number` of this request: every other parameter kept, sorted by key
/// (stable), form-encoded; page 1 carries no `page` parameter.
fn page_url(req: &HttpRequest, base: &BaseUrl, query: &QueryParams, number: u64) -> String {
    let mut pairs: Vec<(String, String)> = query
        .pairs()
        .iter()
        .filter(|(k, _)| k != "page")
        .cloned()
        .collect();
    if number > 1 {
        pairs.push(("page".into(), number.to_string()));
    }
    pairs.sort_by(|a, b| a.0.cmp(&b.0));
    let mut encoded = form_urlencoded::Serializer::new(String::new());
    for (k, v) in &pairs {
        encoded.append_pair(k, v);
    }
    let encoded = encoded.finish();
    let path = base.path(req.path());
    if encoded.is_empty() {
        path
    } else {
        format!("{path}?{encoded}")
    }
}

/// Renders a page: `200`, the bare array of `items`, `X-Result-Count` and `Link`.
///
/// # Errors
/// `InvalidPage` when the requested page is past the last one (page 1 always exists).
pub fn respond<T>(
    req: &HttpRequest,
    base: &BaseUrl,
    query: &QueryParams,
    request: &PageRequest,
    page: &Page<T>,
    items: Vec<Value>,
) -> Result<HttpResponse, ApiError> {
    let last = request.last_page(page.total);
    if page.number > last {
        return Err(ApiError::InvalidPage);
    }
    let mut links = vec![format!(
        "<{}>; rel=\"first\"",
        page_url(req, base, query, 1)
    )];
    if page.number > 1 {
        links.push(format!(
            "<{}>; rel=\"prev\"",
            page_url(req, base, query, page.number - 1)
        ));
    }
    if page.number < last {
        links.push(format!(
            "<{}>; rel=\"next\"",
            page_url(req, base, query, page.number + 1)
        ));
    }
    links.push(format!(
        "<{}>; rel=\"last\"",
        page_url(req, base, query, last)
    ));
    let mut builder = HttpResponse::Ok();
    builder.insert_header(("X-Result-Count", page.total.to_string()));
    if let Ok(link) = HeaderValue::from_str(&links.join(", ")) {
        builder.insert_header(("Link", link));
    }
    Ok(json_response(builder, &Value::Array(items)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_size_defaults_and_caps() {
        let size = |q: &str| page_request(&QueryParams::parse(q)).unwrap().size;
        assert_eq!(size(""), 10);
        assert_eq!(size("page_size=0"), 10);
        assert_eq!(size("page_size=abc"), 10);
        assert_eq!(size("page_size=5000"), 300);
        assert_eq!(size("page_size=7"), 7);
        assert_eq!(size("page_size=%2B7"), 7);
        assert_eq!(size("page_size=-0"), 10);
        assert_eq!(size("page_size=99999999999999999999999"), 300);
    }

    #[test]
    fn bad_page_numbers_are_invalid_pages() {
        for q in ["page=0", "page=-1", "page=x"] {
            assert!(matches!(
                page_request(&QueryParams::parse(q)),
                Err(ApiError::InvalidPage)
            ));
        }
        assert_eq!(
            page_request(&QueryParams::parse("page=last"))
                .unwrap()
                .number,
            PageNumber::Last
        );
    }
}
