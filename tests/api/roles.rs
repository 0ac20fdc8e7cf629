use reqwest::Method;
use serde_json::{json, Value};
use tenancy_tests::{json, sql, TestApp};

fn names(list: &Value) -> Vec<&str> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect()
}

#[tokio::test]
async fn anonymous_callers_list_the_six_system_roles_by_name() {
    let app = TestApp::spawn().await;
    let response = app.request(Method::GET, "/api/roles/", None, None).await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["x-result-count"], "6");
    let list = json(response).await;
    assert_eq!(
        names(&list),
        [
            "CUSTOMER.MANAGER",
            "CUSTOMER.OWNER",
            "CUSTOMER.SUPPORT",
            "PROJECT.ADMIN",
            "PROJECT.MANAGER",
            "PROJECT.MEMBER"
        ]
    );
    let owner = &list[1];
    assert_eq!(owner["content_type"], "customer");
    assert_eq!(owner["is_system_role"], true);
    assert_eq!(owner["is_active"], true);
    assert_eq!(
        owner["users_count"],
        Value::Null,
        "counts are for staff and support only"
    );
    let permissions: Vec<&str> = owner["permissions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap())
        .collect();
    let mut sorted = permissions.clone();
    sorted.sort_unstable();
    assert_eq!(permissions, sorted, "permissions are sorted");
    assert!(permissions.contains(&"CUSTOMER.UPDATE"));
    assert_eq!(owner["uuid"].as_str().unwrap().len(), 32);
}

#[tokio::test]
async fn staff_see_how_many_current_grants_a_role_has() {
    let app = TestApp::spawn().await;
    app.create_customer(&json!({"name": "Org"})).await;
    app.create_user("expired", false, false).await;
    let grant = |username: &str, expiry: &str| {
        format!(
            "INSERT INTO grants (uuid, user_id, role_id, customer_id, created, expiration_time) \
             SELECT gen_random_uuid(), u.id, r.id, c.id, now(), {expiry} FROM users u, roles r, customers c \
             WHERE u.username = '{username}' AND r.name = 'CUSTOMER.OWNER'"
        )
    };
    sql(&app, &grant("admin", "NULL")).await;
    sql(&app, &grant("expired", "now() - interval '1 day'")).await;
    let list = json(app.get("/api/roles/?name=owner").await).await;
    assert_eq!(names(&list), ["CUSTOMER.OWNER"]);
    assert_eq!(list[0]["users_count"], 1, "the expired grant gives nothing");
}

#[tokio::test]
async fn filters_and_ordering() {
    let app = TestApp::spawn().await;
    let projects = json(app.get("/api/roles/?content_type=project&o=-name").await).await;
    assert_eq!(
        names(&projects),
        ["PROJECT.MEMBER", "PROJECT.MANAGER", "PROJECT.ADMIN"]
    );
    let query = json(app.get("/api/roles/?query=organization%20support").await).await;
    assert_eq!(names(&query), ["CUSTOMER.SUPPORT"]);
    let inactive = app.get("/api/roles/?is_active=false").await;
    assert_eq!(inactive.headers()["x-result-count"], "0");
    let unknown_order = app.get("/api/roles/?o=colour").await;
    assert_eq!(unknown_order.status(), 400);
    assert_eq!(
        json(unknown_order).await,
        json!({"o": ["Select a valid choice. colour is not one of the available choices."]})
    );
    let bad_scope = app.get("/api/roles/?content_type=offering").await;
    assert_eq!(bad_scope.status(), 400);
}

#[tokio::test]
async fn retrieve_by_uuid_and_404_for_unknown_or_malformed() {
    let app = TestApp::spawn().await;
    let list = json(app.get("/api/roles/?name=PROJECT.ADMIN").await).await;
    let uuid = list[0]["uuid"].as_str().unwrap();
    let one = app
        .request(Method::GET, &format!("/api/roles/{uuid}/"), None, None)
        .await;
    assert_eq!(one.status(), 200);
    assert_eq!(json(one).await["name"], "PROJECT.ADMIN");
    for path in [
        "/api/roles/00000000000000000000000000000000/",
        "/api/roles/nope/",
    ] {
        let missing = app.get(path).await;
        assert_eq!(missing.status(), 404);
        assert_eq!(
            json(missing).await,
            json!({"detail": "No Role matches the given query."})
        );
    }
    let bad_token = app
        .request(
            Method::GET,
            "/api/roles/",
            Some("0000000000000000000000000000000000000000"),
            None,
        )
        .await;
    assert_eq!(
        bad_token.status(),
        401,
        "a failed token is a 401 even where anonymous may read"
    );
}
