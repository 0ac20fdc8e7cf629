//! Who may do what (spec 04 §5, §7.1; 01 §2.4): reads are open to everyone including
//! anonymous callers, writes are staff-only, and the permission check precedes the lookup.

use reqwest::{Method, Response};
use serde_json::{json, Value};
use tenancy_tests::{json, TestApp};

use super::{all_groups, create_group, groups_of, path_of, set_groups, update_path, GROUPS};

const DENIED: &str = "You do not have permission to perform this action.";
const NO_CREDENTIALS: &str = "Authentication credentials were not provided.";
const UNKNOWN: &str = "0123456789abcdef0123456789abcdef";

async fn assert_detail(response: Response, status: u16, detail: &str) {
    assert_eq!(response.status(), status);
    if status == 401 {
        assert_eq!(response.headers()["www-authenticate"], "Token");
    }
    assert_eq!(response.headers()["content-type"], "application/json");
    assert_eq!(json(response).await, json!({ "detail": detail }));
}

/// Every write: on `group`, on an unknown uuid and on a malformed one; plus the
/// membership action on `customer` and on an unknown customer.
fn writes(group: &Value, customer: &Value) -> Vec<(Method, String, Value)> {
    let body = json!({"name": "Changed"});
    let links = json!({"organization_groups": [group["url"]]});
    let mut out = vec![(Method::POST, GROUPS.to_owned(), body.clone())];
    for path in [
        path_of(group),
        format!("{GROUPS}{UNKNOWN}/"),
        format!("{GROUPS}not-a-uuid/"),
    ] {
        out.push((Method::PUT, path.clone(), body.clone()));
        out.push((Method::PATCH, path.clone(), body.clone()));
        out.push((Method::DELETE, path, Value::Null));
    }
    out.push((Method::POST, update_path(customer), links.clone()));
    out.push((
        Method::POST,
        format!("/api/customers/{UNKNOWN}/update_organization_groups/"),
        links,
    ));
    out
}

fn reads(group: &Value) -> Vec<(Method, String)> {
    let mut out = Vec::new();
    for method in [Method::GET, Method::HEAD] {
        out.push((method.clone(), GROUPS.to_owned()));
        out.push((method, path_of(group)));
    }
    out
}

async fn send(
    app: &TestApp,
    method: &Method,
    path: &str,
    token: Option<&str>,
    body: &Value,
) -> Response {
    let body = (!body.is_null()).then_some(body);
    app.request(method.clone(), path, token, body).await
}

/// A parent, a child in it, and a customer in the child.
async fn fixture(app: &TestApp) -> (Value, Value) {
    let parent = create_group(app, "Parent", None).await;
    let child = create_group(app, "Child", Some(&parent)).await;
    let customer = app.create_customer(&json!({"name": "Member"})).await;
    set_groups(app, &customer, &[&child]).await;
    (child, customer)
}

#[tokio::test]
async fn anonymous_callers_read_everything_and_get_401_on_every_write() {
    let app = TestApp::spawn().await;
    let (group, customer) = fixture(&app).await;
    let before = all_groups(&app).await;
    for (method, path) in reads(&group) {
        let response = app.request(method.clone(), &path, None, None).await;
        assert_eq!(response.status(), 200, "{method} {path}");
    }
    let list = json(app.request(Method::GET, GROUPS, None, None).await).await;
    assert_eq!(
        list, before,
        "anonymous callers see every group, counts included"
    );
    for (method, path, body) in writes(&group, &customer) {
        let response = send(&app, &method, &path, None, &body).await;
        assert_detail(response, 401, NO_CREDENTIALS).await;
    }
    assert_eq!(all_groups(&app).await, before, "nothing changed");
    assert_eq!(
        groups_of(&app, &customer).await.as_array().unwrap().len(),
        1
    );
}

#[tokio::test]
async fn users_and_support_read_everything_and_get_403_on_every_write() {
    let app = TestApp::spawn().await;
    let (group, customer) = fixture(&app).await;
    let before = all_groups(&app).await;
    for (username, support) in [("user", false), ("support", true)] {
        let token = app.create_user(username, false, support).await;
        for (method, path) in reads(&group) {
            let response = app.request(method.clone(), &path, Some(&token), None).await;
            assert_eq!(response.status(), 200, "{username}: {method} {path}");
        }
        let list = json(app.request(Method::GET, GROUPS, Some(&token), None).await).await;
        assert_eq!(list, before);
        for (method, path, body) in writes(&group, &customer) {
            let response = send(&app, &method, &path, Some(&token), &body).await;
            assert_detail(response, 403, DENIED).await;
            // An invalid body does not change the answer.
            let invalid = json!({"name": "", "parent": 5, "organization_groups": "x"});
            let response = send(&app, &method, &path, Some(&token), &invalid).await;
            assert_detail(response, 403, DENIED).await;
        }
    }
    assert_eq!(all_groups(&app).await, before, "nothing changed");
    assert_eq!(
        groups_of(&app, &customer).await.as_array().unwrap().len(),
        1
    );
}

#[tokio::test]
async fn a_bad_token_is_401_even_on_reads_open_to_anonymous_callers() {
    let app = TestApp::spawn().await;
    let (group, customer) = fixture(&app).await;
    let bad = "ffffffffffffffffffffffffffffffffffffffff";
    for (method, path) in reads(&group) {
        let response = app.request(method.clone(), &path, Some(bad), None).await;
        assert_eq!(response.status(), 401, "{method} {path}");
        assert_eq!(response.headers()["www-authenticate"], "Token");
        if method == Method::GET {
            assert_eq!(json(response).await, json!({"detail": "Invalid token."}));
        }
    }
    for (method, path, body) in writes(&group, &customer) {
        let response = send(&app, &method, &path, Some(bad), &body).await;
        assert_detail(response, 401, "Invalid token.").await;
    }
}

#[tokio::test]
async fn staff_may_create_update_and_delete() {
    let app = TestApp::spawn().await;
    let created = app.post(GROUPS, &json!({"name": "Made"})).await;
    assert_eq!(created.status(), 201);
    let group = json(created).await;
    let path = path_of(&group);
    let put = app
        .request(
            Method::PUT,
            &path,
            Some(&app.admin_token),
            Some(&json!({"name": "Put"})),
        )
        .await;
    assert_eq!(put.status(), 200);
    assert_eq!(json(put).await["name"], "Put");
    let patch = app.patch(&path, &json!({"name": "Patched"})).await;
    assert_eq!(patch.status(), 200);
    assert_eq!(json(patch).await["name"], "Patched");
    let deleted = app
        .request(Method::DELETE, &path, Some(&app.admin_token), None)
        .await;
    assert_eq!(deleted.status(), 204);
    assert_eq!(deleted.bytes().await.unwrap().len(), 0);
    let gone = app.get(&path).await;
    assert_eq!(gone.status(), 404);
}

#[tokio::test]
async fn staff_get_404_for_unknown_or_malformed_uuids_on_every_write() {
    let app = TestApp::spawn().await;
    let (group, customer) = fixture(&app).await;
    let before = all_groups(&app).await;
    for path in [
        format!("{GROUPS}{UNKNOWN}/"),
        format!("{GROUPS}not-a-uuid/"),
    ] {
        for method in [Method::PUT, Method::PATCH] {
            let response = app
                .request(
                    method,
                    &path,
                    Some(&app.admin_token),
                    Some(&json!({"name": "N"})),
                )
                .await;
            assert_detail(
                response,
                404,
                "No OrganizationGroup matches the given query.",
            )
            .await;
        }
        let response = app
            .request(Method::DELETE, &path, Some(&app.admin_token), None)
            .await;
        assert_detail(
            response,
            404,
            "No OrganizationGroup matches the given query.",
        )
        .await;
    }
    // The customer lookup precedes body validation (01 §8.3).
    for body in [
        json!({"organization_groups": [group["url"]]}),
        json!({"organization_groups": ["nope"]}),
        json!({}),
    ] {
        for uuid in [UNKNOWN, "not-a-uuid"] {
            let response = app
                .post(
                    &format!("/api/customers/{uuid}/update_organization_groups/"),
                    &body,
                )
                .await;
            assert_detail(response, 404, "No Customer matches the given query.").await;
        }
    }
    assert_eq!(all_groups(&app).await, before);
    assert_eq!(
        groups_of(&app, &customer).await.as_array().unwrap().len(),
        1
    );
}
