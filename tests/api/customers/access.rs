//! Who may do what on customers (spec 02 §6, 01 §2.4, §8.3): 401, 403, 404 and the
//! visibility of users without grants. Owner, manager and project-role cases need grants,
//! which arrive with the team endpoints (03), and are tested there.

use reqwest::{Method, Response};
use serde_json::{json, Value};
use tenancy_tests::{json, TestApp};

use super::{detail_path, result_count};

const DENIED: &str = "You do not have permission to perform this action.";
const NO_CUSTOMER: &str = "No Customer matches the given query.";

async fn assert_detail(response: Response, status: u16, detail: &str) {
    assert_eq!(response.status(), status);
    assert_eq!(response.headers()["content-type"], "application/json");
    assert_eq!(json(response).await, json!({ "detail": detail }));
}

/// Every customer operation: method, path, body.
fn operations(customer: &Value) -> Vec<(Method, String, Option<Value>)> {
    let path = detail_path(customer);
    vec![
        (Method::GET, "/api/customers/".to_owned(), None),
        (
            Method::POST,
            "/api/customers/".to_owned(),
            Some(json!({"name": "N"})),
        ),
        (Method::GET, path.clone(), None),
        (Method::PUT, path.clone(), Some(json!({"name": "N"}))),
        (Method::PATCH, path.clone(), Some(json!({"name": "N"}))),
        (Method::DELETE, path, None),
    ]
}

#[tokio::test]
async fn anonymous_callers_get_401_on_every_customer_endpoint() {
    let app = TestApp::spawn().await;
    let customer = app.create_customer(&json!({"name": "Private"})).await;
    for (method, path, body) in operations(&customer) {
        let response = app
            .request(method.clone(), &path, None, body.as_ref())
            .await;
        assert_eq!(
            response.headers()["www-authenticate"],
            "Token",
            "{method} {path}"
        );
        assert_detail(
            response,
            401,
            "Authentication credentials were not provided.",
        )
        .await;
    }
    let head = app
        .request(Method::HEAD, "/api/customers/", None, None)
        .await;
    assert_eq!(head.status(), 401);
    assert_eq!(app.customer_count().await, 1);
    assert_eq!(json(app.get(&detail_path(&customer)).await).await, customer);
}

#[tokio::test]
async fn a_bad_token_gets_401_even_with_a_bad_body() {
    let app = TestApp::spawn().await;
    let customer = app.create_customer(&json!({"name": "Private"})).await;
    for (method, path, _) in operations(&customer) {
        let response = app
            .request(
                method,
                &path,
                Some("ffffffffffffffffffffffffffffffffffffffff"),
                Some(&json!(["not", "an", "object"])),
            )
            .await;
        assert_eq!(response.headers()["www-authenticate"], "Token");
        assert_detail(response, 401, "Invalid token.").await;
    }
    let other_scheme = reqwest::Client::new()
        .get(app.url("/api/customers/"))
        .header("Authorization", format!("Bearer {}", app.admin_token))
        .send()
        .await
        .unwrap();
    assert_detail(
        other_scheme,
        401,
        "Authentication credentials were not provided.",
    )
    .await;
}

#[tokio::test]
async fn non_staff_create_answers_403_and_stores_nothing() {
    let app = TestApp::spawn().await;
    for (username, support) in [("user", false), ("support", true)] {
        let token = app.create_user(username, false, support).await;
        for body in [json!({"name": "Mine"}), json!({"name": "", "email": "bad"})] {
            let response = app
                .request(Method::POST, "/api/customers/", Some(&token), Some(&body))
                .await;
            assert_detail(response, 403, DENIED).await;
        }
    }
    assert_eq!(app.customer_count().await, 0);
}

#[tokio::test]
async fn a_user_without_grants_sees_an_empty_list_and_404_everywhere() {
    let app = TestApp::spawn().await;
    let customer = app.create_customer(&json!({"name": "Hidden"})).await;
    let token = app.create_user("nobody", false, false).await;
    let list = app
        .request(Method::GET, "/api/customers/", Some(&token), None)
        .await;
    assert_eq!(list.status(), 200);
    assert_eq!(result_count(&list), 0);
    assert_eq!(json(list).await, json!([]));
    let path = detail_path(&customer);
    for (method, body) in [
        (Method::GET, None),
        (Method::PUT, Some(json!({"name": "Mine"}))),
        (Method::PATCH, Some(json!({"name": "Mine"}))),
        (Method::DELETE, None),
    ] {
        let response = app
            .request(method, &path, Some(&token), body.as_ref())
            .await;
        assert_detail(response, 404, NO_CUSTOMER).await;
    }
    assert_eq!(json(app.get(&path).await).await, customer);
}

#[tokio::test]
async fn support_sees_every_customer_but_may_not_change_any() {
    let app = TestApp::spawn().await;
    let customer = app.create_customer(&json!({"name": "Watched"})).await;
    let token = app.create_user("support", false, true).await;
    let list = app
        .request(Method::GET, "/api/customers/", Some(&token), None)
        .await;
    assert_eq!(result_count(&list), 1);
    assert_eq!(json(list).await, json!([customer]));
    let path = detail_path(&customer);
    let retrieved = app.request(Method::GET, &path, Some(&token), None).await;
    assert_eq!(retrieved.status(), 200);
    assert_eq!(json(retrieved).await, customer);
    let blocked = app
        .create_customer(&json!({"name": "Blocked", "blocked": true}))
        .await;
    let response = app
        .request(
            Method::PATCH,
            &detail_path(&blocked),
            Some(&token),
            Some(&json!({"name": "Changed"})),
        )
        .await;
    assert_detail(response, 403, DENIED).await;
    for (method, body) in [
        (Method::PUT, Some(json!({"name": "Changed"}))),
        (Method::PATCH, Some(json!({"name": "Changed"}))),
        (Method::PATCH, Some(json!({"name": "", "blocked": "maybe"}))),
        (Method::DELETE, None),
    ] {
        let response = app
            .request(method, &path, Some(&token), body.as_ref())
            .await;
        assert_detail(response, 403, DENIED).await;
    }
    assert_eq!(json(app.get(&path).await).await, customer);
}

#[tokio::test]
async fn unknown_or_malformed_uuids_answer_404_for_every_method() {
    let app = TestApp::spawn().await;
    for path in [
        "/api/customers/0123456789abcdef0123456789abcdef/",
        "/api/customers/not-a-uuid/",
        "/api/customers/0123456789abcdef0123456789abcdeg/",
    ] {
        for (method, body) in [
            (Method::GET, None),
            (Method::PUT, Some(json!({"name": "N"}))),
            (Method::PATCH, Some(json!({}))),
            (Method::DELETE, None),
        ] {
            let response = app
                .request(method, path, Some(&app.admin_token), body.as_ref())
                .await;
            assert_detail(response, 404, NO_CUSTOMER).await;
        }
    }
}

#[tokio::test]
async fn body_parse_errors_come_before_the_customer_lookup() {
    let app = TestApp::spawn().await;
    let response = app
        .raw(Method::PATCH, "/api/customers/not-a-uuid/")
        .header("Content-Type", "application/json")
        .body("{")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    let detail = json(response).await["detail"].as_str().unwrap().to_owned();
    assert!(detail.starts_with("JSON parse error - "), "{detail}");
}

#[tokio::test]
async fn authentication_is_checked_before_the_body() {
    let app = TestApp::spawn().await;
    let client = reqwest::Client::new();
    let form = client
        .post(app.url("/api/customers/"))
        .form(&[("name", "x")])
        .send()
        .await
        .unwrap();
    assert_detail(form, 401, "Authentication credentials were not provided.").await;
    let big = client
        .post(app.url("/api/customers/"))
        .json(&json!({"name": "x".repeat(2 * 1024 * 1024)}))
        .send()
        .await
        .unwrap();
    assert_detail(big, 401, "Authentication credentials were not provided.").await;
}

#[tokio::test]
async fn malformed_token_headers_answer_their_own_401_texts() {
    let app = TestApp::spawn().await;
    let client = reqwest::Client::new();
    for (header, detail) in [
        (
            reqwest::header::HeaderValue::from_static("Token"),
            "Invalid token. No credentials provided.",
        ),
        (
            reqwest::header::HeaderValue::from_static("Token abc def"),
            "Invalid token. Token string should not contain spaces.",
        ),
        (
            reqwest::header::HeaderValue::from_bytes(b"Token abc\xe9").unwrap(),
            "Invalid token header. Token string should not contain invalid characters.",
        ),
    ] {
        let response = client
            .get(app.url("/api/customers/"))
            .header("Authorization", header)
            .send()
            .await
            .unwrap();
        assert_eq!(response.headers()["www-authenticate"], "Token");
        assert_detail(response, 401, detail).await;
    }
    let lower_case = client
        .get(app.url("/api/customers/"))
        .header("Authorization", format!("token {}", app.admin_token))
        .send()
        .await
        .unwrap();
    assert_eq!(lower_case.status(), 200);
}
