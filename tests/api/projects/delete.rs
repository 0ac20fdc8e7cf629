//! `DELETE /api/projects/{uuid}/`: soft deletion (spec 06 §4.6; §7 item 6).

use reqwest::Method;
use serde_json::json;
use tenancy_tests::{json, sql, TestApp};

use super::*;

#[tokio::test]
async fn soft_delete_revokes_grants_and_frees_the_customer() {
    let app = TestApp::spawn().await;
    let customer = app.create_customer(&json!({"name": "Acme"})).await;
    let project = create_project(&app, &customer, "Doomed").await;
    let owner = app.create_user("owner", false, false).await;
    grant_customer(&app, "owner", "CUSTOMER.OWNER", &customer, false).await;
    let manager = app.create_user("manager", false, false).await;
    grant_project(&app, "manager", "PROJECT.MANAGER", &project).await;
    let member = app.create_user("member", false, false).await;
    grant_project(&app, "member", "PROJECT.MEMBER", &project).await;
    let customer_path = format!("/api/customers/{}/", uuid_of(&customer));
    assert_eq!(
        json(app.get(&customer_path).await).await["projects_count"],
        1
    );
    let blocked_delete = app
        .request(Method::DELETE, &customer_path, Some(&app.admin_token), None)
        .await;
    assert_eq!(
        blocked_delete.status(),
        409,
        "an active project blocks customer deletion"
    );

    let path = path_of(&project);
    let by_manager = call(&app, Method::DELETE, &path, &manager, None).await;
    assert_eq!(by_manager.status(), 403);
    let support = app.create_user("support", false, true).await;
    assert_eq!(
        call(&app, Method::DELETE, &path, &support, None)
            .await
            .status(),
        403
    );
    let stranger = app.create_user("stranger", false, false).await;
    assert_eq!(
        call(&app, Method::DELETE, &path, &stranger, None)
            .await
            .status(),
        404
    );

    let deleted = call(&app, Method::DELETE, &path, &owner, None).await;
    assert_eq!(deleted.status(), 204);
    assert_eq!(deleted.bytes().await.unwrap().len(), 0);

    let owner_id: i64 = sql(&app, "SELECT id FROM users WHERE username = 'owner'").await[0].get(0);
    let rows = sql(
        &app,
        &format!(
            "SELECT g.is_active, g.revoked_at IS NOT NULL, g.revoked_by, g.revoke_reason \
             FROM grants g JOIN projects p ON p.id = g.project_id WHERE p.uuid = '{}'",
            uuid_of(&project)
        ),
    )
    .await;
    assert_eq!(rows.len(), 2);
    for row in rows {
        assert!(!row.get::<_, bool>(0));
        assert!(row.get::<_, bool>(1));
        assert_eq!(row.get::<_, Option<i64>>(2), Some(owner_id));
        assert_eq!(row.get::<_, String>(3), "Project has been deleted");
    }
    let customer_grant_active: bool = sql(
        &app,
        "SELECT is_active FROM grants WHERE customer_id IS NOT NULL",
    )
    .await[0]
        .get(0);
    assert!(customer_grant_active, "customer grants are untouched");
    let removed: bool = sql(
        &app,
        &format!(
            "SELECT is_removed FROM projects WHERE uuid = '{}'",
            uuid_of(&project)
        ),
    )
    .await[0]
        .get(0);
    assert!(removed, "soft: the row stays");

    assert!(listed(&app, PROJECTS, &app.admin_token).await.is_empty());
    assert!(listed(&app, PROJECTS, &member).await.is_empty());
    assert_eq!(
        json(app.get(&customer_path).await).await["projects_count"],
        0
    );
    let customer_deleted = app
        .request(Method::DELETE, &customer_path, Some(&app.admin_token), None)
        .await;
    assert_eq!(customer_deleted.status(), 204);
    assert_eq!(
        stored_projects(&app).await,
        0,
        "the soft-deleted project goes with its customer"
    );
}

#[tokio::test]
async fn blocked_customer_refuses_project_deletion() {
    let app = TestApp::spawn().await;
    let customer = app.create_customer(&json!({"name": "Acme"})).await;
    let project = create_project(&app, &customer, "P").await;
    app.patch(
        &format!("/api/customers/{}/", uuid_of(&customer)),
        &json!({"archived": true}),
    )
    .await;
    let response = app
        .request(
            Method::DELETE,
            &path_of(&project),
            Some(&app.admin_token),
            None,
        )
        .await;
    assert_eq!(response.status(), 400);
    assert_eq!(
        json(response).await,
        json!(["Archived organization is not available."])
    );
    let removed: bool = sql(&app, "SELECT is_removed FROM projects").await[0].get(0);
    assert!(!removed);
}
