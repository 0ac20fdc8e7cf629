use reqwest::Method;
use serde_json::json;
use tenancy_tests::{json, TestApp};

#[tokio::test]
async fn unknown_route_is_a_json_404() {
    let app = TestApp::spawn().await;
    let response = app.get("/api/nothing-here/").await;
    assert_eq!(response.status(), 404);
    assert_eq!(json(response).await, json!({"detail": "Not found."}));
}

#[tokio::test]
async fn missing_trailing_slash_redirects() {
    let app = TestApp::spawn().await;
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let get = client
        .get(app.url("/api/customers?page=2"))
        .send()
        .await
        .unwrap();
    assert_eq!(get.status(), 301);
    assert_eq!(get.headers()["location"], "/api/customers/?page=2");
    let post = client.post(app.url("/api/customers")).send().await.unwrap();
    assert_eq!(post.status(), 308);
}

#[tokio::test]
async fn unsupported_method_is_405_with_allow() {
    let app = TestApp::spawn().await;
    let response = app
        .request(
            Method::DELETE,
            "/api/customers/",
            Some(&app.admin_token),
            None,
        )
        .await;
    assert_eq!(response.status(), 405);
    let allow = response.headers()["allow"].to_str().unwrap().to_owned();
    assert!(allow.contains("GET") && allow.contains("POST"), "{allow}");
    assert_eq!(
        json(response).await,
        json!({"detail": "Method \"DELETE\" not allowed."})
    );
}

#[tokio::test]
async fn every_response_carries_a_request_id_and_echoes_a_valid_one() {
    let app = TestApp::spawn().await;
    let response = app
        .raw(Method::GET, "/api/customers/")
        .header("X-Request-Id", "abc-123")
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["x-request-id"], "abc-123");
    let generated = app.get("/api/customers/").await;
    assert_eq!(generated.headers()["x-request-id"].len(), 32);
}

#[tokio::test]
async fn health_endpoints_answer() {
    let app = TestApp::spawn().await;
    assert_eq!(
        app.request(Method::GET, "/health/live", None, None)
            .await
            .status(),
        200
    );
    assert_eq!(
        app.request(Method::GET, "/health/ready", None, None)
            .await
            .status(),
        200
    );
}

#[tokio::test]
async fn schema_is_served_and_names_the_operations() {
    let app = TestApp::spawn().await;
    let response = app.request(Method::GET, "/api/schema/", None, None).await;
    assert_eq!(response.status(), 200);
    let doc = json(response).await;
    assert_eq!(
        doc["paths"]["/api/customers/"]["get"]["operationId"],
        "customers_list"
    );
}

#[tokio::test]
async fn a_lost_database_answers_503_not_500() {
    let app = TestApp::spawn().await;
    assert_eq!(app.get("/api/customers/").await.status(), 200);
    let admin = tenancy_postgres::testing::admin_url().await;
    let (client, connection) = tokio_postgres::connect(&admin, tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(connection);
    client
        .batch_execute(&format!(
            "DROP DATABASE \"{}\" WITH (FORCE)",
            app.database_name()
        ))
        .await
        .unwrap();
    let response = app.get("/api/customers/").await;
    assert_eq!(response.status(), 503);
    assert_eq!(
        json(response).await,
        json!({"detail": "Service temporarily unavailable, try again later."})
    );
    let ready = app.request(Method::GET, "/health/ready", None, None).await;
    assert_eq!(ready.status(), 503);
    assert_eq!(
        app.request(Method::GET, "/health/live", None, None)
            .await
            .status(),
        200
    );
}
