//! `PUT` / `PATCH /api/projects/{uuid}/` (spec 06 §4.4).

use reqwest::Method;
use serde_json::{json, Value};
use tenancy_tests::{json, sql, TestApp};

use super::*;

struct Team {
    app: TestApp,
    customer: Value,
    project: Value,
    owner: String,
    manager: String,
    admin: String,
}

async fn team() -> Team {
    let app = TestApp::spawn().await;
    let customer = app
        .create_customer(&json!({"name": "Acme", "grace_period_days": 5}))
        .await;
    let project = create_project(&app, &customer, "Original").await;
    let owner = app.create_user("owner", false, false).await;
    grant_customer(&app, "owner", "CUSTOMER.OWNER", &customer, false).await;
    let manager = app.create_user("manager", false, false).await;
    grant_project(&app, "manager", "PROJECT.MANAGER", &project).await;
    let admin = app.create_user("padmin", false, false).await;
    grant_project(&app, "padmin", "PROJECT.ADMIN", &project).await;
    Team {
        app,
        customer,
        project,
        owner,
        manager,
        admin,
    }
}

async fn day(app: &TestApp, offset_days: i32) -> String {
    sql(
        app,
        &format!("SELECT to_char((now() AT TIME ZONE 'UTC')::date + {offset_days}, 'YYYY-MM-DD')"),
    )
    .await[0]
        .get(0)
}

#[tokio::test]
async fn owners_and_project_managers_update_project_admins_do_not() {
    let t = team().await;
    let path = path_of(&t.project);
    let by_owner = call(
        &t.app,
        Method::PATCH,
        &path,
        &t.owner,
        Some(&json!({"name": "By owner", "kind": "course"})),
    )
    .await;
    assert_eq!(by_owner.status(), 200);
    let body = json(by_owner).await;
    assert_eq!(body["name"], "By owner");
    assert_eq!(body["kind"], "course");
    assert_eq!(
        body["slug"], t.project["slug"],
        "slugs never change on rename"
    );
    let by_manager = call(
        &t.app,
        Method::PUT,
        &path,
        &t.manager,
        Some(&json!({"name": "By manager", "description": "d", "customer": "/api/customers/00000000000000000000000000000001/"})),
    )
    .await;
    assert_eq!(by_manager.status(), 200, "customer is ignored on update");
    let body = json(by_manager).await;
    assert_eq!(body["name"], "By manager");
    assert_eq!(body["kind"], "course", "PUT keeps absent keys");
    assert_eq!(body["customer"], t.customer["url"]);
    let by_admin = call(
        &t.app,
        Method::PATCH,
        &path,
        &t.admin,
        Some(&json!({"name": "No"})),
    )
    .await;
    assert_eq!(by_admin.status(), 403);
    assert_eq!(json(by_admin).await, json!({"detail": DENIED}));
    let support = t.app.create_user("support", false, true).await;
    assert_eq!(
        call(
            &t.app,
            Method::PATCH,
            &path,
            &support,
            Some(&json!({"name": "No"}))
        )
        .await
        .status(),
        403
    );
    let stranger = t.app.create_user("stranger", false, false).await;
    assert_eq!(
        call(
            &t.app,
            Method::PATCH,
            &path,
            &stranger,
            Some(&json!({"name": "No"}))
        )
        .await
        .status(),
        404
    );
    let put_without_name = call(&t.app, Method::PUT, &path, &t.owner, Some(&json!({}))).await;
    assert_eq!(
        json(put_without_name).await,
        json!({"name": ["This field is required."]})
    );
    let current = json(t.app.get(&path).await).await;
    assert_eq!(
        current["name"], "By manager",
        "nothing written after the rejects"
    );
}

#[tokio::test]
async fn end_date_by_a_project_manager_is_403_by_an_owner_200() {
    let t = team().await;
    let path = path_of(&t.project);
    let end = day(&t.app, 1).await;
    let denied = call(
        &t.app,
        Method::PATCH,
        &path,
        &t.manager,
        Some(&json!({"end_date": end})),
    )
    .await;
    assert_eq!(denied.status(), 403);
    assert_eq!(json(t.app.get(&path).await).await["end_date"], Value::Null);
    let set = call(
        &t.app,
        Method::PATCH,
        &path,
        &t.owner,
        Some(&json!({"end_date": end})),
    )
    .await;
    assert_eq!(set.status(), 200);
    let body = json(set).await;
    assert_eq!(body["end_date"], end);
    assert!(body["end_date_requested_by"]
        .as_str()
        .unwrap()
        .contains("/api/users/"));
    assert_eq!(body["customer_grace_period_days"], 5);
    assert_eq!(body["effective_end_date"], day(&t.app, 6).await);
    let same = call(
        &t.app,
        Method::PATCH,
        &path,
        &t.manager,
        Some(&json!({"end_date": end, "name": "Same"})),
    )
    .await;
    assert_eq!(
        same.status(),
        200,
        "re-sending the stored end date is no change"
    );
    let cleared = call(
        &t.app,
        Method::PATCH,
        &path,
        &t.manager,
        Some(&json!({"end_date": null})),
    )
    .await;
    assert_eq!(cleared.status(), 200, "clearing needs only update rights");
    assert_eq!(json(cleared).await["end_date"], Value::Null);
    let past = call(
        &t.app,
        Method::PATCH,
        &path,
        &t.owner,
        Some(&json!({"end_date": day(&t.app, -1).await})),
    )
    .await;
    assert_eq!(past.status(), 400);
    assert_eq!(
        json(past).await,
        json!({"end_date": ["Cannot be earlier than the current date."]})
    );
}

#[tokio::test]
async fn grace_period_and_staff_fields() {
    let t = team().await;
    let path = path_of(&t.project);
    sql(
        &t.app,
        &format!(
            "UPDATE projects SET end_date = (now() AT TIME ZONE 'UTC')::date - 2 WHERE uuid = '{}'",
            uuid_of(&t.project)
        ),
    )
    .await;
    let body = json(t.app.get(&path).await).await;
    assert_eq!(
        body["is_in_grace_period"], true,
        "two days after the end, five days of grace"
    );
    assert_eq!(body["effective_end_date"], day(&t.app, 3).await);
    let staff = t
        .app
        .patch(
            &path,
            &json!({"staff_notes": "note", "grace_period_days": 1, "slug": "new-slug"}),
        )
        .await;
    assert_eq!(staff.status(), 200);
    let body = json(staff).await;
    assert_eq!(body["staff_notes"], "note");
    assert_eq!(body["slug"], "new-slug");
    assert_eq!(body["grace_period_days"], 1);
    assert_eq!(
        body["is_in_grace_period"], false,
        "the project's own grace wins"
    );
    let owner_view = json(
        call(
            &t.app,
            Method::PATCH,
            &path,
            &t.owner,
            Some(&json!({"staff_notes": "x", "slug": "y"})),
        )
        .await,
    )
    .await;
    assert!(owner_view.get("staff_notes").is_none());
    assert_eq!(owner_view["slug"], "new-slug");
    let support = t.app.create_user("support", false, true).await;
    let support_view = json(call(&t.app, Method::GET, &path, &support, None).await).await;
    assert_eq!(
        support_view["staff_notes"], "note",
        "staff and support read staff notes"
    );
}

#[tokio::test]
async fn blocked_customers_refuse_updates_before_validation() {
    let t = team().await;
    let path = path_of(&t.project);
    t.app
        .patch(
            &format!("/api/customers/{}/", uuid_of(&t.customer)),
            &json!({"blocked": true}),
        )
        .await;
    let response = call(
        &t.app,
        Method::PATCH,
        &path,
        &t.owner,
        Some(&json!({"name": ""})),
    )
    .await;
    assert_eq!(response.status(), 400);
    assert_eq!(
        json(response).await,
        json!(["Blocked organization is not available."])
    );
    let admin = call(
        &t.app,
        Method::PATCH,
        &path,
        &t.admin,
        Some(&json!({"name": ""})),
    )
    .await;
    assert_eq!(admin.status(), 403, "403 comes before the state rule");
}

#[tokio::test]
async fn a_start_date_that_has_arrived_is_read_only() {
    let t = team().await;
    let path = path_of(&t.project);
    let start = day(&t.app, 3).await;
    let set = call(
        &t.app,
        Method::PATCH,
        &path,
        &t.owner,
        Some(&json!({"start_date": start})),
    )
    .await;
    assert_eq!(json(set).await["start_date"], start);
    sql(
        &t.app,
        &format!(
            "UPDATE projects SET start_date = (now() AT TIME ZONE 'UTC')::date - 1 WHERE uuid = '{}'",
            uuid_of(&t.project)
        ),
    )
    .await;
    let ignored = call(
        &t.app,
        Method::PATCH,
        &path,
        &t.owner,
        Some(&json!({"start_date": day(&t.app, 9).await})),
    )
    .await;
    assert_eq!(ignored.status(), 200);
    assert_eq!(json(ignored).await["start_date"], day(&t.app, -1).await);
}
