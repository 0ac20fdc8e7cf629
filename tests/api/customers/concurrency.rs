//! Concurrent writes (spec 02 §6.4): partial updates of different fields are all kept.

use reqwest::{Method, RequestBuilder, Response};
use serde_json::json;
use tenancy_tests::{json, TestApp};

use super::detail_path;

/// Sends every request at once and waits for all the answers, in order.
pub async fn all_at_once(requests: Vec<RequestBuilder>) -> Vec<Response> {
    let tasks: Vec<_> = requests
        .into_iter()
        .map(|request| tokio::spawn(request.send()))
        .collect();
    let mut responses = Vec::with_capacity(tasks.len());
    for task in tasks {
        responses.push(task.await.unwrap().unwrap());
    }
    responses
}

#[tokio::test]
async fn concurrent_patches_of_different_fields_are_all_kept() {
    let app = TestApp::spawn().await;
    let created = app.create_customer(&json!({"name": "Busy"})).await;
    let path = detail_path(&created);
    let fields = [
        "city",
        "state",
        "parish",
        "street",
        "house_nr",
        "apartment_nr",
        "household",
        "postal",
        "address",
        "bank_name",
    ];
    let responses = all_at_once(
        fields
            .iter()
            .map(|field| {
                app.raw(Method::PATCH, &path)
                    .json(&json!({ *field: format!("{field} value") }))
            })
            .collect(),
    )
    .await;
    for response in responses {
        assert_eq!(response.status(), 200);
    }
    let stored = json(app.get(&path).await).await;
    for field in fields {
        assert_eq!(stored[field], format!("{field} value"), "{field}");
    }
}
