//! `permissions` in user representations (spec 06 §1.2, §1.3).

use serde_json::Value;
use tenancy_tests::{json, sql, TestApp};

use super::{customer, get_as, grant_customer, grant_project, project, user_uuid};

fn keys(v: &Value) -> Vec<&str> {
    v.as_object().unwrap().keys().map(String::as_str).collect()
}

#[tokio::test]
async fn retrieve_and_me_list_effective_grants_lists_only_on_request() {
    let app = TestApp::spawn().await;
    let org = customer(&app, "Org").await;
    let p = project(&app, &org, "Apollo").await;
    let token = app.create_user("olga", false, false).await;
    grant_customer(&app, "olga", "CUSTOMER.OWNER", &org).await;
    grant_project(&app, "olga", "PROJECT.MANAGER", &p).await;
    grant_customer(&app, "olga", "CUSTOMER.SUPPORT", &org).await;
    // An expired grant is not listed.
    sql(
        &app,
        "UPDATE grants SET expiration_time = now() - interval '1 second' \
         WHERE role_id = (SELECT id FROM roles WHERE name = 'CUSTOMER.SUPPORT')",
    )
    .await;
    let olga = user_uuid(&app, "olga").await;

    let user = json(app.get(&format!("/api/users/{olga}/")).await).await;
    let permissions = user["permissions"].as_array().unwrap();
    assert_eq!(permissions.len(), 2);
    let first = &permissions[0];
    assert_eq!(
        keys(first),
        [
            "uuid",
            "user_uuid",
            "user_name",
            "user_slug",
            "user_username",
            "user_email",
            "created",
            "expiration_time",
            "is_active",
            "created_by_full_name",
            "created_by_username",
            "role_name",
            "role_description",
            "role_uuid",
            "scope_type",
            "scope_uuid",
            "scope_name",
            "scope_is_removed",
            "customer_uuid",
            "customer_name",
            "resource_uuid",
            "project_uuid"
        ]
    );
    assert_eq!(first["role_name"], "CUSTOMER.OWNER");
    assert_eq!(first["scope_type"], "customer");
    assert_eq!(first["scope_uuid"], org.as_str());
    assert_eq!(first["created_by_username"], "admin");
    let second = &permissions[1];
    assert_eq!(second["scope_type"], "project");
    assert_eq!(second["scope_uuid"], p.as_str());
    assert_eq!(second["scope_name"], "Apollo");
    assert_eq!(second["customer_uuid"], org.as_str());
    assert_eq!(second["customer_name"], "Org");

    let me = json(get_as(&app, &token, "/api/users/me/").await).await;
    let mine = me["permissions"].as_array().unwrap();
    assert_eq!(mine.len(), 2);
    assert_eq!(
        keys(&mine[1]),
        [
            "role_name",
            "role_uuid",
            "scope_type",
            "scope_uuid",
            "scope_name",
            "customer_uuid",
            "customer_name",
            "project_uuid",
            "resource_uuid",
            "expiration_time"
        ]
    );

    let list = json(app.get("/api/users/?username=olga").await).await;
    assert!(
        list[0].get("permissions").is_none(),
        "not in lists by default"
    );
    let list = json(
        app.get("/api/users/?field=username&field=permissions")
            .await,
    )
    .await;
    let olga_row = list
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["username"] == "olga")
        .unwrap();
    assert_eq!(olga_row["permissions"].as_array().unwrap().len(), 2);
    let admin_row = list
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["username"] == "admin")
        .unwrap();
    assert_eq!(admin_row["permissions"], Value::Array(vec![]));
}
