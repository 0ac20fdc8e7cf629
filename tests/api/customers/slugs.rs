//! Slugs (spec 02 §5): generation from the name, staff-set and regenerated slugs, and
//! racing creates that never surface a conflict.

use reqwest::Method;
use serde_json::json;
use tenancy_tests::{json, TestApp};

use super::concurrency::all_at_once;
use super::detail_path;

#[tokio::test]
async fn staff_may_set_a_slug_and_an_empty_slug_regenerates_from_the_current_name() {
    let app = TestApp::spawn().await;
    let created = app.create_customer(&json!({"name": "Old Name"})).await;
    assert_eq!(created["slug"], "old-name-1");
    let path = detail_path(&created);
    let set = json(app.patch(&path, &json!({"slug": "My_Org-2"})).await).await;
    assert_eq!(set["slug"], "My_Org-2");
    let renamed = json(app.patch(&path, &json!({"name": "Brand New"})).await).await;
    assert_eq!(renamed["slug"], "My_Org-2", "a rename never regenerates");
    let regenerated = json(app.patch(&path, &json!({"slug": ""})).await).await;
    assert_eq!(regenerated["slug"], "brand-ne-1");
}

#[tokio::test]
async fn generated_slugs_count_up_per_base() {
    let app = TestApp::spawn().await;
    let first = app
        .create_customer(&json!({"name": "Alpha Alpha Center 00808"}))
        .await;
    let second = app.create_customer(&json!({"name": "Alpha Alpine"})).await;
    let script = app.create_customer(&json!({"name": "Тест"})).await;
    assert_eq!(first["slug"], "alpha-al-1");
    assert_eq!(second["slug"], "alpha-al-2");
    assert_eq!(script["slug"], "customer-1");
}

#[tokio::test]
async fn racing_creates_with_the_same_slug_base_all_succeed_with_distinct_numbers() {
    let app = TestApp::spawn().await;
    let n = 12;
    let responses = all_at_once(
        (0..n)
            .map(|i| {
                app.raw(Method::POST, "/api/customers/")
                    .json(&json!({"name": format!("Racing Org {i}")}))
            })
            .collect(),
    )
    .await;
    let mut slugs = Vec::new();
    for response in responses {
        assert_eq!(response.status(), 201);
        slugs.push(json(response).await["slug"].as_str().unwrap().to_owned());
    }
    slugs.sort_by_key(|s| s.rsplit('-').next().unwrap().parse::<u32>().unwrap());
    let expected: Vec<String> = (1..=n).map(|i| format!("racing-o-{i}")).collect();
    assert_eq!(slugs, expected);
}
