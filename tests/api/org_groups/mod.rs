//! The organization-group endpoints and customers' memberships (spec 04), black-box:
//! exact statuses and bodies, and "nothing changed after a reject" checks.
//!
//! Submodules by concern: the group representation (`representation`), list filters,
//! ordering, pagination and `field` (`listing`), who may do what (`access`), tree moves,
//! cycles and deletes (`tree`), body validation (`validation`), `update_organization_groups`
//! and the customer field (`memberships`), the customer list filters (`customer_filters`),
//! and derived values after changes (`consistency`). The concurrent reparent race is in
//! `crates/postgres/tests`.

mod access;
mod consistency;
mod customer_filters;
mod listing;
mod memberships;
mod races;
mod representation;
mod tree;
mod validation;

use reqwest::{Method, Response};
use serde_json::{json, Value};
use tenancy_tests::{json, TestApp};

/// The collection path.
pub const GROUPS: &str = "/api/organization-groups/";

/// `/api/organization-groups/{uuid}/` of a group representation.
pub fn path_of(group: &Value) -> String {
    format!("{GROUPS}{}/", uuid_of(group))
}

/// The `uuid` of a representation.
pub fn uuid_of(value: &Value) -> &str {
    value["uuid"].as_str().unwrap()
}

/// The dashed spelling of a hex uuid (what the SDK sends).
pub fn dashed(hex: &str) -> String {
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

/// Creates a group as admin (`parent` = a group representation) and returns it.
pub async fn create_group(app: &TestApp, name: &str, parent: Option<&Value>) -> Value {
    let body = match parent {
        Some(p) => json!({"name": name, "parent": p["url"]}),
        None => json!({"name": name}),
    };
    let response = app.post(GROUPS, &body).await;
    assert_eq!(response.status(), 201, "create group {name}");
    json(response).await
}

/// The group as the admin retrieves it now.
pub async fn fetch(app: &TestApp, group: &Value) -> Value {
    let response = app.get(&path_of(group)).await;
    assert_eq!(response.status(), 200);
    json(response).await
}

/// Every group (one page of 300), in the default order.
pub async fn all_groups(app: &TestApp) -> Value {
    let response = app.get(&format!("{GROUPS}?page_size=300")).await;
    assert_eq!(response.status(), 200);
    json(response).await
}

/// The names of a list response.
pub async fn names(response: Response) -> Vec<String> {
    assert_eq!(response.status(), 200);
    json(response)
        .await
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["name"].as_str().unwrap().to_owned())
        .collect()
}

/// The group names the admin gets from `GET /api/organization-groups/?<query>`.
pub async fn group_names(app: &TestApp, query: &str) -> Vec<String> {
    names(app.get(&format!("{GROUPS}?{query}")).await).await
}

/// The customer names the admin gets from `GET /api/customers/?<query>`.
pub async fn customer_names(app: &TestApp, query: &str) -> Vec<String> {
    names(app.get(&format!("/api/customers/?{query}")).await).await
}

/// The keys of a JSON object, in order.
pub fn keys(value: &Value) -> Vec<&str> {
    value
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect()
}

/// The `X-Result-Count` header.
pub fn result_count(response: &Response) -> u64 {
    response.headers()["x-result-count"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap()
}

/// `PUT` JSON as admin.
pub async fn put(app: &TestApp, path: &str, body: &Value) -> Response {
    app.request(Method::PUT, path, Some(&app.admin_token), Some(body))
        .await
}

/// `DELETE` as admin.
pub async fn delete(app: &TestApp, path: &str) -> Response {
    app.request(Method::DELETE, path, Some(&app.admin_token), None)
        .await
}

/// `/api/customers/{uuid}/update_organization_groups/`.
pub fn update_path(customer: &Value) -> String {
    format!(
        "/api/customers/{}/update_organization_groups/",
        uuid_of(customer)
    )
}

/// Replaces the customer's groups as admin with the `url`s of `groups`; asserts the 200
/// with an empty body.
pub async fn set_groups(app: &TestApp, customer: &Value, groups: &[&Value]) {
    let links: Vec<&Value> = groups.iter().map(|g| &g["url"]).collect();
    let response = app
        .post(
            &update_path(customer),
            &json!({ "organization_groups": links }),
        )
        .await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.bytes().await.unwrap().len(), 0);
}

/// The customer's `organization_groups` as the admin retrieves it now.
pub async fn groups_of(app: &TestApp, customer: &Value) -> Value {
    let response = app
        .get(&format!("/api/customers/{}/", uuid_of(customer)))
        .await;
    assert_eq!(response.status(), 200);
    json(response).await["organization_groups"].clone()
}

/// The names in a customer's `organization_groups`.
pub async fn group_names_of(app: &TestApp, customer: &Value) -> Vec<String> {
    groups_of(app, customer)
        .await
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["name"].as_str().unwrap().to_owned())
        .collect()
}

/// Asserts a 400 with exactly `expected` as body.
pub async fn assert_400(response: Response, expected: Value) {
    assert_eq!(response.status(), 400);
    assert_eq!(json(response).await, expected);
}
