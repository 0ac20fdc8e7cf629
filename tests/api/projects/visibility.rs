//! Who sees which projects (spec 06 §4.2).

use reqwest::Method;
use serde_json::json;
use tenancy_tests::{json, sql, TestApp};

use super::*;

#[tokio::test]
async fn owners_see_all_members_theirs_strangers_nothing() {
    let app = TestApp::spawn().await;
    let acme = app.create_customer(&json!({"name": "Acme"})).await;
    let other = app.create_customer(&json!({"name": "Other"})).await;
    let a = create_project(&app, &acme, "A").await;
    let b = create_project(&app, &acme, "B").await;
    let c = create_project(&app, &other, "C").await;
    let owner = app.create_user("owner", false, false).await;
    grant_customer(&app, "owner", "CUSTOMER.OWNER", &acme, false).await;
    let member = app.create_user("member", false, false).await;
    grant_project(&app, "member", "PROJECT.MEMBER", &a).await;
    let support_role = app.create_user("csupport", false, false).await;
    grant_customer(&app, "csupport", "CUSTOMER.SUPPORT", &other, false).await;
    let stranger = app.create_user("stranger", false, false).await;
    let expired = app.create_user("expired", false, false).await;
    grant_customer(&app, "expired", "CUSTOMER.OWNER", &acme, true).await;
    let support = app.create_user("support", false, true).await;

    assert_eq!(listed(&app, PROJECTS, &owner).await, ["A", "B"]);
    assert_eq!(listed(&app, PROJECTS, &member).await, ["A"]);
    assert_eq!(
        listed(&app, PROJECTS, &support_role).await,
        ["C"],
        "any customer role"
    );
    assert!(listed(&app, PROJECTS, &stranger).await.is_empty());
    assert!(
        listed(&app, PROJECTS, &expired).await.is_empty(),
        "expired grants give nothing"
    );
    assert_eq!(listed(&app, PROJECTS, &support).await, ["A", "B", "C"]);
    assert_eq!(
        listed(&app, PROJECTS, &app.admin_token).await,
        ["A", "B", "C"]
    );

    for (token, project, status) in [
        (&member, &a, 200),
        (&member, &b, 404),
        (&stranger, &c, 404),
        (&expired, &a, 404),
        (&owner, &b, 200),
        (&support, &c, 200),
    ] {
        let response = call(&app, Method::GET, &path_of(project), token, None).await;
        assert_eq!(response.status(), status, "{}", project["name"]);
        if status == 404 {
            assert_eq!(json(response).await, json!({"detail": NO_PROJECT}));
        }
    }
    let head = call(&app, Method::HEAD, &path_of(&b), &member, None).await;
    assert_eq!(head.status(), 404);
    let count = call(&app, Method::HEAD, PROJECTS, &owner, None).await;
    assert_eq!(count.headers()["x-result-count"], "2");
    for path in [
        "/api/projects/not-a-uuid/",
        "/api/projects/00000000000000000000000000000000/",
    ] {
        assert_eq!(app.get(path).await.status(), 404);
    }
    let anonymous = app.request(Method::GET, PROJECTS, None, None).await;
    assert_eq!(anonymous.status(), 401);
}

#[tokio::test]
async fn deactivated_members_and_revoked_grants_see_nothing() {
    let app = TestApp::spawn().await;
    let acme = app.create_customer(&json!({"name": "Acme"})).await;
    let a = create_project(&app, &acme, "A").await;
    let member = app.create_user("member", false, false).await;
    grant_project(&app, "member", "PROJECT.ADMIN", &a).await;
    assert_eq!(listed(&app, PROJECTS, &member).await, ["A"]);
    sql(&app, "UPDATE grants SET is_active = false").await;
    assert!(listed(&app, PROJECTS, &member).await.is_empty());
}

#[tokio::test]
async fn soft_deleted_projects_need_include_terminated_and_stay_404_for_writes() {
    let app = TestApp::spawn().await;
    let acme = app.create_customer(&json!({"name": "Acme"})).await;
    let gone = create_project(&app, &acme, "Gone").await;
    create_project(&app, &acme, "Kept").await;
    let owner = app.create_user("owner", false, false).await;
    grant_customer(&app, "owner", "CUSTOMER.OWNER", &acme, false).await;
    let member = app.create_user("member", false, false).await;
    grant_project(&app, "member", "PROJECT.MEMBER", &gone).await;
    assert_eq!(
        call(&app, Method::DELETE, &path_of(&gone), &owner, None)
            .await
            .status(),
        204
    );

    assert_eq!(listed(&app, PROJECTS, &owner).await, ["Kept"]);
    assert_eq!(
        listed(&app, "/api/projects/?include_terminated=true", &owner).await,
        ["Gone", "Kept"]
    );
    assert_eq!(
        listed(
            &app,
            "/api/projects/?include_terminated=true&is_removed=true",
            &owner
        )
        .await,
        ["Gone"]
    );
    assert!(
        listed(&app, "/api/projects/?include_terminated=true", &member)
            .await
            .is_empty(),
        "the member's grant was revoked with the project"
    );
    let path = path_of(&gone);
    assert_eq!(
        call(&app, Method::GET, &path, &owner, None).await.status(),
        404
    );
    let found = call(
        &app,
        Method::GET,
        &format!("{path}?include_terminated=true"),
        &owner,
        None,
    )
    .await;
    assert_eq!(found.status(), 200);
    assert_eq!(json(found).await["is_removed"], true);
    let patch = call(
        &app,
        Method::PATCH,
        &format!("{path}?include_terminated=true"),
        &app.admin_token,
        Some(&json!({"name": "Back"})),
    )
    .await;
    assert_eq!(
        patch.status(),
        404,
        "writes never find soft-deleted projects"
    );
    let again = call(&app, Method::DELETE, &path, &app.admin_token, None).await;
    assert_eq!(again.status(), 404);
}
