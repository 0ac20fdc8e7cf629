//! What the representation computes and how it is addressed: `display_name`, absolute URLs
//! behind a proxy, `field` on write responses, `HEAD` and other methods on a customer.

use reqwest::Method;
use serde_json::json;
use tenancy_tests::{json, TestApp};

use super::{detail_path, keys};

#[tokio::test]
async fn field_on_a_create_url_selects_the_keys_of_the_response() {
    let app = TestApp::spawn().await;
    let response = app
        .post(
            "/api/customers/?field=slug&field=uuid",
            &json!({"name": "Selected"}),
        )
        .await;
    assert_eq!(response.status(), 201);
    let body = json(response).await;
    assert_eq!(keys(&body), vec!["uuid", "slug"]);
    assert_eq!(body["slug"], "selected-1");
}

#[tokio::test]
async fn head_on_a_customer_answers_200_without_a_body() {
    let app = TestApp::spawn().await;
    let created = app.create_customer(&json!({"name": "Headed"})).await;
    let response = app
        .request(
            Method::HEAD,
            &detail_path(&created),
            Some(&app.admin_token),
            None,
        )
        .await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.bytes().await.unwrap().len(), 0);
}

#[tokio::test]
async fn display_name_is_the_abbreviation_else_name_with_domain_else_name() {
    let app = TestApp::spawn().await;
    let with_domain = app
        .create_customer(&json!({"name": "Org", "domain": "org.example"}))
        .await;
    assert_eq!(with_domain["display_name"], "Org (org.example)");
    let path = detail_path(&with_domain);
    let abbreviated = json(app.patch(&path, &json!({"abbreviation": "O"})).await).await;
    assert_eq!(abbreviated["display_name"], "O");
    let plain = json(
        app.patch(&path, &json!({"abbreviation": "", "domain": ""}))
            .await,
    )
    .await;
    assert_eq!(plain["display_name"], "Org");
}

#[tokio::test]
async fn urls_follow_a_trusted_forwarded_proto() {
    let app = TestApp::spawn().await;
    let response = app
        .raw(Method::POST, "/api/customers/")
        .header("X-Forwarded-Proto", "https")
        .json(&json!({"name": "Proxied"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    let body = json(response).await;
    let expected = format!(
        "https://{}/api/customers/{}/",
        app.addr,
        body["uuid"].as_str().unwrap()
    );
    assert_eq!(location, expected);
    assert_eq!(body["url"], expected);
    let list = app
        .raw(Method::GET, "/api/customers/")
        .header("X-Forwarded-Proto", "https")
        .send()
        .await
        .unwrap();
    let first = format!("<https://{}/api/customers/>; rel=\"first\"", app.addr);
    assert!(
        super::link(&list).starts_with(&first),
        "{}",
        super::link(&list)
    );
}

#[tokio::test]
async fn other_methods_on_a_customer_answer_405_with_allow() {
    let app = TestApp::spawn().await;
    let created = app.create_customer(&json!({"name": "Methods"})).await;
    let response = app.post(&detail_path(&created), &json!({})).await;
    assert_eq!(response.status(), 405);
    assert_eq!(
        response.headers()["allow"],
        "GET, PUT, PATCH, DELETE, HEAD, OPTIONS"
    );
    assert_eq!(
        json(response).await,
        json!({"detail": "Method \"POST\" not allowed."})
    );
}
