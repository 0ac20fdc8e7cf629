//! Project teams (spec 03 §5.7, §6, §10 item 7).

use serde_json::json;
use tenancy_tests::{json, sql, TestApp};

use super::{customer, get_as, grant_customer, grant_project, project, team_post, user_uuid};

struct World {
    app: TestApp,
    project: String,
    owner: String,
    manager: String,
    admin: String,
}

async fn world() -> World {
    let app = TestApp::spawn().await;
    let org = customer(&app, "Org").await;
    let project = project(&app, &org, "Apollo").await;
    let owner = app.create_user("owner", false, false).await;
    let manager = app.create_user("pm", false, false).await;
    let admin = app.create_user("padmin", false, false).await;
    app.create_user("member", false, false).await;
    grant_customer(&app, "owner", "CUSTOMER.OWNER", &org).await;
    grant_project(&app, "pm", "PROJECT.MANAGER", &project).await;
    grant_project(&app, "padmin", "PROJECT.ADMIN", &project).await;
    World {
        app,
        project,
        owner,
        manager,
        admin,
    }
}

#[tokio::test]
async fn owners_manage_every_project_grant_their_own_included() {
    let w = world().await;
    let member = user_uuid(&w.app, "member").await;
    let body = json!({"user": member, "role": "PROJECT.MEMBER", "expiration_time": "2099-01-01"});
    let response = team_post(&w.app, &w.owner, "projects", &w.project, "add_user", &body).await;
    assert_eq!(response.status(), 201);
    let response = team_post(
        &w.app,
        &w.owner,
        "projects",
        &w.project,
        "update_user",
        &json!({"user": member, "role": "PROJECT.MEMBER"}),
    )
    .await;
    assert_eq!(json(response).await, json!({"expiration_time": null}));
    let me = user_uuid(&w.app, "owner").await;
    let own = json!({"user": me, "role": "PROJECT.ADMIN"});
    assert_eq!(
        team_post(&w.app, &w.owner, "projects", &w.project, "add_user", &own)
            .await
            .status(),
        201
    );
    assert_eq!(
        team_post(
            &w.app,
            &w.owner,
            "projects",
            &w.project,
            "delete_user",
            &own
        )
        .await
        .status(),
        200
    );
    let list = json(
        get_as(
            &w.app,
            &w.owner,
            &format!("/api/projects/{}/list_users/", w.project),
        )
        .await,
    )
    .await;
    let roles: Vec<(&str, &str)> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            (
                g["user_username"].as_str().unwrap(),
                g["role_name"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        roles,
        [
            ("pm", "PROJECT.MANAGER"),
            ("padmin", "PROJECT.ADMIN"),
            ("member", "PROJECT.MEMBER")
        ]
    );
}

#[tokio::test]
async fn project_managers_manage_others_but_not_themselves_admins_nothing() {
    let w = world().await;
    let member = user_uuid(&w.app, "member").await;
    let body = json!({"user": member, "role": "PROJECT.MEMBER"});
    assert_eq!(
        team_post(&w.app, &w.manager, "projects", &w.project, "add_user", &body)
            .await
            .status(),
        201
    );
    assert_eq!(
        team_post(
            &w.app,
            &w.manager,
            "projects",
            &w.project,
            "delete_user",
            &body
        )
        .await
        .status(),
        200
    );
    let me = user_uuid(&w.app, "pm").await;
    for (action, role) in [
        ("add_user", "PROJECT.ADMIN"),
        ("update_user", "PROJECT.MANAGER"),
        ("delete_user", "PROJECT.MANAGER"),
    ] {
        let response = team_post(
            &w.app,
            &w.manager,
            "projects",
            &w.project,
            action,
            &json!({"user": me, "role": role}),
        )
        .await;
        assert_eq!(response.status(), 400, "{action}");
        assert_eq!(
            json(response).await,
            json!({"non_field_errors": ["User can not manage own role."]})
        );
    }
    let response = team_post(&w.app, &w.admin, "projects", &w.project, "add_user", &body).await;
    assert_eq!(response.status(), 403);
    // Customer roles are not valid on projects.
    let response = team_post(
        &w.app,
        &w.owner,
        "projects",
        &w.project,
        "add_user",
        &json!({"user": member, "role": "CUSTOMER.OWNER"}),
    )
    .await;
    assert_eq!(
        json(response).await,
        json!({"non_field_errors": ["Role is not valid for this scope."]})
    );
    // Every project member may list the team.
    let path = format!("/api/projects/{}/list_users/", w.project);
    assert_eq!(get_as(&w.app, &w.admin, &path).await.status(), 200);
}

#[tokio::test]
async fn soft_deleted_projects_are_not_found_and_strangers_get_404() {
    let w = world().await;
    let stranger = w.app.create_user("stranger", false, false).await;
    let member = user_uuid(&w.app, "member").await;
    let body = json!({"user": member, "role": "PROJECT.MEMBER"});
    let response = team_post(&w.app, &stranger, "projects", &w.project, "add_user", &body).await;
    assert_eq!(response.status(), 404);
    assert_eq!(
        json(response).await,
        json!({"detail": "No Project matches the given query."})
    );
    sql(
        &w.app,
        &format!(
            "UPDATE projects SET is_removed = true WHERE uuid = '{}'",
            w.project
        ),
    )
    .await;
    let response = team_post(&w.app, &w.owner, "projects", &w.project, "add_user", &body).await;
    assert_eq!(response.status(), 404);
    let response = w
        .app
        .get(&format!("/api/projects/{}/list_users/", w.project))
        .await;
    assert_eq!(response.status(), 404);
}
