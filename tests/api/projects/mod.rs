//! The project endpoints (spec 06 §4), black-box over HTTP on PostgreSQL.
//!
//! Submodules by concern: creation by customer link, validation and slugs (`create`), who
//! sees which projects (`visibility`), updates and the end-date right (`update`), soft
//! deletion and its effects on grants and the customer (`delete`), the representation,
//! filters and ordering (`listing`). Grants are given with SQL: the team endpoints are
//! built elsewhere.

mod create;
mod delete;
mod listing;
mod update;
mod visibility;

use reqwest::{Method, Response};
use serde_json::Value;
use tenancy_tests::{json, sql, TestApp};

/// The collection path.
pub const PROJECTS: &str = "/api/projects/";

/// `403` text.
pub const DENIED: &str = "You do not have permission to perform this action.";

/// `404` text.
pub const NO_PROJECT: &str = "No Project matches the given query.";

/// The `uuid` of a representation.
pub fn uuid_of(value: &Value) -> &str {
    value["uuid"].as_str().unwrap()
}

/// `/api/projects/{uuid}/`.
pub fn path_of(project: &Value) -> String {
    format!("{PROJECTS}{}/", uuid_of(project))
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

/// Grants `role` on the customer (by uuid) to `username`, optionally expiring in the past.
pub async fn grant_customer(
    app: &TestApp,
    username: &str,
    role: &str,
    customer: &Value,
    expired: bool,
) {
    let expiry = if expired {
        "now() - interval '1 hour'"
    } else {
        "NULL"
    };
    sql(
        app,
        &format!(
            "INSERT INTO grants (uuid, user_id, role_id, customer_id, created, expiration_time) \
             SELECT gen_random_uuid(), u.id, r.id, c.id, now(), {expiry} FROM users u, roles r, customers c \
             WHERE u.username = '{username}' AND r.name = '{role}' AND c.uuid = '{}'",
            uuid_of(customer)
        ),
    )
    .await;
}

/// Grants `role` on the project (by uuid) to `username`.
pub async fn grant_project(app: &TestApp, username: &str, role: &str, project: &Value) {
    sql(
        app,
        &format!(
            "INSERT INTO grants (uuid, user_id, role_id, project_id, created) \
             SELECT gen_random_uuid(), u.id, r.id, p.id, now() FROM users u, roles r, projects p \
             WHERE u.username = '{username}' AND r.name = '{role}' AND p.uuid = '{}'",
            uuid_of(project)
        ),
    )
    .await;
}

/// Sends `method path` as the holder of `token`.
pub async fn call(
    app: &TestApp,
    method: Method,
    path: &str,
    token: &str,
    body: Option<&Value>,
) -> Response {
    app.request(method, path, Some(token), body).await
}

/// Creates a project as admin in `customer` and returns it.
pub async fn create_project(app: &TestApp, customer: &Value, name: &str) -> Value {
    let response = app
        .post(
            PROJECTS,
            &serde_json::json!({"name": name, "customer": customer["url"]}),
        )
        .await;
    assert_eq!(response.status(), 201, "create project {name}");
    json(response).await
}

/// The names of a list body, in order.
pub fn names(list: &Value) -> Vec<&str> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect()
}

/// The names of the projects `token` lists at `path`.
pub async fn listed(app: &TestApp, path: &str, token: &str) -> Vec<String> {
    let response = call(app, Method::GET, path, token, None).await;
    assert_eq!(response.status(), 200, "{path}");
    names(&json(response).await)
        .into_iter()
        .map(str::to_owned)
        .collect()
}

/// How many projects are stored, bypassing visibility.
pub async fn stored_projects(app: &TestApp) -> i64 {
    sql(app, "SELECT count(*) FROM projects").await[0].get(0)
}
