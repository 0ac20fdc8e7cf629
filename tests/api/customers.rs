use reqwest::Method;
use serde_json::json;
use tenancy_tests::{json, TestApp};

#[tokio::test]
async fn staff_create_answers_201_with_location_and_generated_slug() {
    let app = TestApp::spawn().await;
    let response = app
        .post("/api/customers/", &json!({"name": "Capture Org", "email": "capture@example.org", "native_name": "Capture native", "abbreviation": "CAP"}))
        .await;
    assert_eq!(response.status(), 201);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    let body = json(response).await;
    assert_eq!(body["url"], location);
    assert_eq!(body["slug"], "capture--1");
    assert_eq!(body["display_name"], "CAP");
    assert_eq!(body["country"], "");
    assert_eq!(body["uuid"].as_str().unwrap().len(), 32);
}
