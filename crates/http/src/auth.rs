//! Authentication: the `Authorization: Token <key>` extractor (spec 01 §2) and the
//! `/api-auth/` endpoints (spec 06 §2).

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{post, web, FromRequest, HttpRequest, HttpResponse};
use serde::Serialize;
use tenancy_domain::error::{FieldError, ValidationErrors};
use tenancy_domain::user::TokenKey;
use tenancy_ports::auth::Authenticated;
use utoipa::ToSchema;

use crate::body::JsonBody;
use crate::error::ApiError;
use crate::form::Form;
use crate::render::json_response;
use crate::state::AppState;

/// What the `Authorization` header says.
#[derive(Debug, PartialEq, Eq)]
pub enum Presented {
    /// No credentials (or another scheme).
    Anonymous,
    /// A key to look up.
    Key(String),
    /// A malformed `Token` header, with its 401 text.
    Malformed(&'static str),
}

/// Reads the `Authorization` header by the rules of spec 01 §2.4.
pub fn presented(req: &HttpRequest) -> Presented {
    let Some(value) = req.headers().get(header::AUTHORIZATION) else {
        return Presented::Anonymous;
    };
    let bytes = value.as_bytes();
    // DRF splits on any whitespace.
    let mut parts = bytes
        .split(u8::is_ascii_whitespace)
        .filter(|p| !p.is_empty());
    match parts.next() {
        Some(keyword) if keyword.eq_ignore_ascii_case(b"token") => {}
        _ => return Presented::Anonymous,
    }
    let rest: Vec<&[u8]> = parts.collect();
    match rest.as_slice() {
        [] => Presented::Malformed("Invalid token. No credentials provided."),
        [key] => match std::str::from_utf8(key) {
            Ok(k) if k.is_ascii() => Presented::Key(k.to_owned()),
            _ => Presented::Malformed(
                "Invalid token header. Token string should not contain invalid characters.",
            ),
        },
        _ => Presented::Malformed("Invalid token. Token string should not contain spaces."),
    }
}

/// An authenticated caller; anonymous requests are refused with 401.
#[derive(Debug, Clone)]
pub struct Caller(pub Authenticated);

impl FromRequest for Caller {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let presented = presented(req);
        Box::pin(async move {
            let state = state.ok_or_else(|| ApiError::Internal("app state missing".into()))?;
            match presented {
                Presented::Anonymous => Err(ApiError::Unauthenticated(
                    "Authentication credentials were not provided.",
                )),
                Presented::Malformed(text) => Err(ApiError::Unauthenticated(text)),
                Presented::Key(key) => Ok(Caller(
                    state.auth.authenticate(&TokenKey::presented(&key)).await?,
                )),
            }
        })
    }
}

/// A caller on an endpoint open to anonymous readers: `None` without credentials, but a
/// presented token that fails is still a 401 (spec 01 §2.4).
#[derive(Debug, Clone)]
pub struct MaybeCaller(pub Option<Authenticated>);

impl FromRequest for MaybeCaller {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        if presented(req) == Presented::Anonymous {
            return Box::pin(async { Ok(MaybeCaller(None)) });
        }
        let caller = Caller::from_request(req, payload);
        Box::pin(async move { Ok(MaybeCaller(Some(caller.await?.0))) })
    }
}

/// `CoreAuthToken`.
#[derive(Debug, Serialize, ToSchema)]
pub struct CoreAuthToken {
    /// The new API token key.
    pub token: String,
}

/// `ObtainAuthTokenRequest` (documentation of the body).
#[derive(Debug, Serialize, ToSchema)]
pub struct ObtainAuthTokenRequest {
    /// The username.
    pub username: String,
    /// The password.
    pub password: String,
}

fn client_address(req: &HttpRequest, trust_forwarded_for: bool) -> String {
    if trust_forwarded_for {
        if let Some(last) = req
            .headers()
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.rsplit(',').next())
        {
            if !last.trim().is_empty() {
                return last.trim().to_owned();
            }
        }
    }
    req.peer_addr()
        .map(|a| a.ip().to_string())
        .unwrap_or_default()
}

fn credential(form: &mut Form<'_>, key: &str) -> Option<String> {
    if !form.has(key) {
        form.add(key, FieldError::required());
        return None;
    }
    let value = form.raw_string(key)?;
    if value.is_empty() {
        form.add(key, FieldError::blank());
        None
    } else if value.chars().count() > 128 {
        form.add(key, FieldError::too_long(128));
        None
    } else {
        Some(value)
    }
}

/// Obtain an API token with a username and password.
#[utoipa::path(
    tag = "api-auth",
    request_body = ObtainAuthTokenRequest,
    responses(
        (status = 200, body = CoreAuthToken),
        (status = 400, description = "Missing or blank credentials"),
        (status = 401, description = "Invalid credentials, locked out or disabled account")
    ),
    security(())
)]
#[post("/api-auth/password/")]
pub async fn api_auth_password(
    req: HttpRequest,
    body: JsonBody,
    app: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let map = body.into_object()?;
    let mut form = Form::new(&map);
    let username = credential(&mut form, "username");
    let password = credential(&mut form, "password");
    let errors: ValidationErrors = form.finish();
    let (Some(username), Some(password)) = (username, password) else {
        return Err(ApiError::Invalid(errors));
    };
    let client = client_address(&req, app.urls.trust_forwarded_for);
    let key = app.auth.login(&username, password, &client).await?;
    let body = serde_json::json!({ "token": key.expose() });
    Ok(json_response(HttpResponse::Ok(), &body))
}

/// Invalidate the token used for this request.
#[utoipa::path(
    tag = "api-auth",
    responses((status = 204, description = "Logged out"), (status = 401))
)]
#[post("/api-auth/logout/")]
pub async fn api_auth_logout(
    req: HttpRequest,
    _caller: Caller,
    app: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    if let Presented::Key(key) = presented(&req) {
        app.auth.logout(&TokenKey::presented(&key)).await?;
    }
    Ok(HttpResponse::NoContent().finish())
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    fn with(value: &str) -> Presented {
        presented(
            &TestRequest::default()
                .insert_header(("Authorization", value))
                .to_http_request(),
        )
    }

    #[test]
    fn header_rules() {
        assert_eq!(
            presented(&TestRequest::default().to_http_request()),
            Presented::Anonymous
        );
        assert_eq!(with("Bearer abc"), Presented::Anonymous);
        assert_eq!(with("token abc"), Presented::Key("abc".into()));
        assert_eq!(
            with("Token"),
            Presented::Malformed("Invalid token. No credentials provided.")
        );
        assert_eq!(
            with("Token a b"),
            Presented::Malformed("Invalid token. Token string should not contain spaces.")
        );
    }
}
