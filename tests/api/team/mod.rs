//! Team endpoints of customers and projects (spec 03 §5): grants, their expiry, the people
//! of an organization, and the races the database must settle.

mod customer;
mod customer_filters;
mod expiry;
mod members;
mod project;
mod races;
mod user_filters;
mod user_permissions;

use reqwest::{Method, Response};
use serde_json::{json, Value};
use tenancy_tests::{sql, TestApp};

/// The hex UUID of user `username`.
pub async fn user_uuid(app: &TestApp, username: &str) -> String {
    let rows = sql(
        app,
        &format!("SELECT replace(uuid::text, '-', '') FROM users WHERE username = '{username}'"),
    )
    .await;
    rows[0].get(0)
}

/// A customer created by staff; returns its hex UUID.
pub async fn customer(app: &TestApp, name: &str) -> String {
    app.create_customer(&json!({ "name": name })).await["uuid"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// A project of `customer`, stored directly; returns its hex UUID.
pub async fn project(app: &TestApp, customer: &str, name: &str) -> String {
    let rows = sql(
        app,
        &format!(
            "INSERT INTO projects (uuid, customer_id, name, slug, created, modified) \
             SELECT gen_random_uuid(), id, '{name}', '{name}-' || substr(md5(random()::text), 1, 8), now(), now() \
             FROM customers WHERE uuid = '{customer}' RETURNING replace(uuid::text, '-', '')"
        ),
    )
    .await;
    rows[0].get(0)
}

/// `POST /api/{collection}/{scope}/{action}/` as the holder of `token`.
pub async fn team_post(
    app: &TestApp,
    token: &str,
    collection: &str,
    scope: &str,
    action: &str,
    body: &Value,
) -> Response {
    app.request(
        Method::POST,
        &format!("/api/{collection}/{scope}/{action}/"),
        Some(token),
        Some(body),
    )
    .await
}

/// Staff grant `role` on customer `scope` to `username`; asserts 201.
pub async fn grant_customer(app: &TestApp, username: &str, role: &str, scope: &str) {
    let user = user_uuid(app, username).await;
    let response = app
        .post(
            &format!("/api/customers/{scope}/add_user/"),
            &json!({ "user": user, "role": role }),
        )
        .await;
    assert_eq!(response.status(), 201, "grant {role} to {username}");
}

/// Staff grant `role` on project `scope` to `username`; asserts 201.
pub async fn grant_project(app: &TestApp, username: &str, role: &str, scope: &str) {
    let user = user_uuid(app, username).await;
    let response = app
        .post(
            &format!("/api/projects/{scope}/add_user/"),
            &json!({ "user": user, "role": role }),
        )
        .await;
    assert_eq!(response.status(), 201, "grant {role} to {username}");
}

/// How many grant rows of any state exist.
pub async fn grant_rows(app: &TestApp) -> i64 {
    sql(app, "SELECT count(*) FROM grants").await[0].get(0)
}

/// `GET` as the holder of `token`.
pub async fn get_as(app: &TestApp, token: &str, path: &str) -> Response {
    app.request(Method::GET, path, Some(token), None).await
}
