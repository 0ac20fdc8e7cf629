//! `POST /api/projects/` (spec 06 §4.3, §4.5; §7 item 5).

use chrono_free::{today, tomorrow, yesterday};
use reqwest::Method;
use serde_json::{json, Value};
use tenancy_tests::{json, sql, TestApp};

use super::*;

/// Dates relative to the UTC today, computed by the database the service uses.
mod chrono_free {
    use tenancy_tests::{sql, TestApp};

    async fn day(app: &TestApp, expr: &str) -> String {
        sql(
            app,
            &format!("SELECT to_char(({expr})::date, 'YYYY-MM-DD')"),
        )
        .await[0]
            .get(0)
    }

    pub async fn today(app: &TestApp) -> String {
        day(app, "now() AT TIME ZONE 'UTC'").await
    }

    pub async fn tomorrow(app: &TestApp) -> String {
        day(app, "(now() AT TIME ZONE 'UTC') + interval '1 day'").await
    }

    pub async fn yesterday(app: &TestApp) -> String {
        day(app, "(now() AT TIME ZONE 'UTC') - interval '1 day'").await
    }
}

async fn me(app: &TestApp, token: &str) -> Value {
    json(call(app, Method::GET, "/api/users/me/", token, None).await).await
}

#[tokio::test]
async fn an_owner_creates_by_customer_url_in_every_spelling() {
    let app = TestApp::spawn().await;
    let customer = app.create_customer(&json!({"name": "Acme"})).await;
    let owner = app.create_user("owner", false, false).await;
    grant_customer(&app, "owner", "CUSTOMER.OWNER", &customer, false).await;
    let hex = uuid_of(&customer).to_owned();
    let links = [
        customer["url"].as_str().unwrap().to_owned(),
        format!("http://elsewhere.example:9/api/customers/{}/", dashed(&hex)),
        format!("/api/customers/{hex}/"),
        format!("/api/customers/{}/", dashed(&hex)),
    ];
    for (i, link) in links.iter().enumerate() {
        let response = call(
            &app,
            Method::POST,
            PROJECTS,
            &owner,
            Some(&json!({"name": format!("P{i}"), "customer": link})),
        )
        .await;
        assert_eq!(response.status(), 201, "{link}");
        let location = response.headers()["location"].to_str().unwrap().to_owned();
        let body = json(response).await;
        assert_eq!(location, body["url"], "{link}");
        assert_eq!(body["customer"], customer["url"]);
        assert_eq!(body["customer_uuid"], customer["uuid"]);
        assert_eq!(body["name"], format!("P{i}"));
        assert!(
            body.get("staff_notes").is_none(),
            "owners do not see staff notes"
        );
    }
    let grants: i64 = sql(
        &app,
        "SELECT count(*) FROM grants WHERE project_id IS NOT NULL",
    )
    .await[0]
        .get(0);
    assert_eq!(grants, 0, "the creator gets no grant on the project");
    assert_eq!(
        json(app.get(&format!("/api/customers/{hex}/")).await).await["projects_count"],
        4
    );
}

#[tokio::test]
async fn callers_without_project_create_get_403_and_strangers_400() {
    let app = TestApp::spawn().await;
    let customer = app.create_customer(&json!({"name": "Acme"})).await;
    let project = create_project(&app, &customer, "Existing").await;
    let manager = app.create_user("manager", false, false).await;
    grant_project(&app, "manager", "PROJECT.MANAGER", &project).await;
    let org_manager = app.create_user("orgmanager", false, false).await;
    grant_customer(&app, "orgmanager", "CUSTOMER.MANAGER", &customer, false).await;
    let support = app.create_user("support", false, true).await;
    let stranger = app.create_user("stranger", false, false).await;
    let expired = app.create_user("expired", false, false).await;
    grant_customer(&app, "expired", "CUSTOMER.OWNER", &customer, true).await;
    let body = json!({"name": "New", "customer": customer["url"]});
    for token in [&manager, &org_manager, &support] {
        let response = call(&app, Method::POST, PROJECTS, token, Some(&body)).await;
        assert_eq!(response.status(), 403);
        assert_eq!(json(response).await, json!({"detail": DENIED}));
    }
    for token in [&stranger, &expired] {
        let response = call(&app, Method::POST, PROJECTS, token, Some(&body)).await;
        assert_eq!(response.status(), 400);
        assert_eq!(
            json(response).await,
            json!({"customer": ["Invalid hyperlink - Object does not exist."]})
        );
    }
    assert_eq!(stored_projects(&app).await, 1, "nothing written");
    let anonymous = app.request(Method::POST, PROJECTS, None, Some(&body)).await;
    assert_eq!(anonymous.status(), 401);
}

#[tokio::test]
async fn every_field_error_is_reported_at_once_and_nothing_is_written() {
    let app = TestApp::spawn().await;
    let customer = app.create_customer(&json!({"name": "Acme"})).await;
    let past = yesterday(&app).await;
    let response = app
        .post(
            PROJECTS,
            &json!({"name": "  ", "customer": "/api/users/00000000000000000000000000000001/",
                    "description": "d".repeat(2001), "start_date": past, "end_date": "31.12.2030",
                    "kind": "private", "backend_id": 5, "grace_period_days": -1}),
        )
        .await;
    assert_eq!(response.status(), 400);
    assert_eq!(
        json(response).await,
        json!({
            "name": ["This field may not be blank."],
            "customer": ["Invalid hyperlink - No URL match."],
            "description": ["Ensure this field has no more than 2000 characters."],
            "start_date": ["Cannot be earlier than the current date."],
            "end_date": ["Date has wrong format. Use one of these formats instead: YYYY-MM-DD."],
            "kind": ["\"private\" is not a valid choice."],
            "grace_period_days": ["Ensure this value is greater than or equal to 0."]
        })
    );
    let missing = app.post(PROJECTS, &json!({})).await;
    assert_eq!(missing.status(), 400);
    assert_eq!(
        json(missing).await,
        json!({"name": ["This field is required."], "customer": ["This field is required."]})
    );
    let unknown = app
        .post(
            PROJECTS,
            &json!({"name": "P", "customer": "/api/customers/00000000000000000000000000000001/"}),
        )
        .await;
    assert_eq!(
        json(unknown).await,
        json!({"customer": ["Invalid hyperlink - Object does not exist."]})
    );
    let null = app
        .post(PROJECTS, &json!({"name": "P", "customer": null}))
        .await;
    assert_eq!(
        json(null).await,
        json!({"customer": ["This field may not be null."]})
    );
    let past_end = app
        .post(
            PROJECTS,
            &json!({"name": "P", "customer": customer["url"], "end_date": past}),
        )
        .await;
    assert_eq!(past_end.status(), 400);
    assert_eq!(
        json(past_end).await,
        json!({"end_date": ["Cannot be earlier than the current date."]})
    );
    assert_eq!(stored_projects(&app).await, 0);
}

#[tokio::test]
async fn end_date_needs_project_delete_on_the_customer() {
    let app = TestApp::spawn().await;
    let customer = app.create_customer(&json!({"name": "Acme"})).await;
    let owner = app.create_user("owner", false, false).await;
    grant_customer(&app, "owner", "CUSTOMER.OWNER", &customer, false).await;
    sql(
        &app,
        "INSERT INTO roles (uuid, name, description, content_type, permissions) VALUES \
         (gen_random_uuid(), 'CREATOR', 'Creates only', 'customer', ARRAY['PROJECT.CREATE'])",
    )
    .await;
    let creator = app.create_user("creator", false, false).await;
    grant_customer(&app, "creator", "CREATOR", &customer, false).await;
    let end = tomorrow(&app).await;
    let body = json!({"name": "P", "customer": customer["url"], "end_date": end});
    let denied = call(&app, Method::POST, PROJECTS, &creator, Some(&body)).await;
    assert_eq!(denied.status(), 403);
    assert_eq!(stored_projects(&app).await, 0);
    let plain = call(
        &app,
        Method::POST,
        PROJECTS,
        &creator,
        Some(&json!({"name": "Q", "customer": customer["url"], "end_date": null})),
    )
    .await;
    assert_eq!(plain.status(), 201, "a null end date needs no extra right");
    let created = call(&app, Method::POST, PROJECTS, &owner, Some(&body)).await;
    assert_eq!(created.status(), 201);
    let project = json(created).await;
    let owner_url = me(&app, &owner).await["url"].clone();
    assert_eq!(project["end_date"], end);
    assert_eq!(project["end_date_requested_by"], owner_url);
    assert!(project["end_date_updated_at"].is_string());
    assert_eq!(project["effective_end_date"], end);
    assert_eq!(project["is_in_grace_period"], false);
    let today_body =
        json!({"name": "T", "customer": customer["url"], "start_date": today(&app).await});
    assert_eq!(
        app.post(PROJECTS, &today_body).await.status(),
        201,
        "today is allowed"
    );
}

#[tokio::test]
async fn blocked_and_archived_customers_are_not_available() {
    let app = TestApp::spawn().await;
    let blocked = app
        .create_customer(&json!({"name": "B", "blocked": true}))
        .await;
    let archived = app
        .create_customer(&json!({"name": "A", "archived": true}))
        .await;
    let owner = app.create_user("owner", false, false).await;
    grant_customer(&app, "owner", "CUSTOMER.OWNER", &blocked, false).await;
    grant_customer(&app, "owner", "CUSTOMER.OWNER", &archived, false).await;
    for token in [owner.as_str(), app.admin_token.as_str()] {
        let response = call(
            &app,
            Method::POST,
            PROJECTS,
            token,
            Some(&json!({"name": "P", "customer": blocked["url"]})),
        )
        .await;
        assert_eq!(response.status(), 400);
        assert_eq!(
            json(response).await,
            json!(["Blocked organization is not available."])
        );
        let response = call(
            &app,
            Method::POST,
            PROJECTS,
            token,
            Some(&json!({"name": "P", "customer": archived["url"]})),
        )
        .await;
        assert_eq!(
            json(response).await,
            json!(["Archived organization is not available."])
        );
    }
    let stranger = app.create_user("stranger", false, false).await;
    let hidden = call(
        &app,
        Method::POST,
        PROJECTS,
        &stranger,
        Some(&json!({"name": "P", "customer": blocked["url"]})),
    )
    .await;
    assert_eq!(
        hidden.status(),
        400,
        "invisible: a field error, not the state rule"
    );
    assert_eq!(stored_projects(&app).await, 0);
}

async fn slug_of(app: &TestApp, customer: &Value, name: &str) -> String {
    create_project(app, customer, name).await["slug"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn templates_render_and_count_soft_deleted_projects() {
    let app = TestApp::spawn().await;
    let customer = app
        .create_customer(&json!({"name": "Acme Corp", "project_slug_template": "{customer_slug}-{counter_padded}"}))
        .await;
    let cslug = customer["slug"].as_str().unwrap().to_owned();
    assert_eq!(
        slug_of(&app, &customer, "One").await,
        format!("{cslug}-001")
    );
    let second = create_project(&app, &customer, "Two").await;
    assert_eq!(second["slug"], format!("{cslug}-002"));
    assert_eq!(
        app.request(
            Method::DELETE,
            &path_of(&second),
            Some(&app.admin_token),
            None
        )
        .await
        .status(),
        204
    );
    assert_eq!(
        slug_of(&app, &customer, "Three").await,
        format!("{cslug}-003"),
        "the counter includes soft-deleted projects"
    );
    let patch = app
        .patch(
            &format!("/api/customers/{}/", uuid_of(&customer)),
            &json!({"project_slug_template": "{project_name}-{counter_padded}"}),
        )
        .await;
    assert_eq!(patch.status(), 200);
    assert_eq!(
        slug_of(&app, &customer, "My Test Project").await,
        "my-test-project-004"
    );
    app.patch(
        &format!("/api/customers/{}/", uuid_of(&customer)),
        &json!({"project_slug_template": "{customer_slug}-{year}{month}-{counter}"}),
    )
    .await;
    let yyyymm: String =
        sql(&app, "SELECT to_char(now() AT TIME ZONE 'UTC', 'YYYYMM')").await[0].get(0);
    assert_eq!(
        slug_of(&app, &customer, "X").await,
        format!("{cslug}-{yyyymm}-5")
    );
    // A rendering that is already taken gets -2 (after a staff slug took it).
    app.patch(
        &format!("/api/customers/{}/", uuid_of(&customer)),
        &json!({"project_slug_template": "fixed"}),
    )
    .await;
    assert_eq!(slug_of(&app, &customer, "Y").await, "fixed");
    assert_eq!(slug_of(&app, &customer, "Z").await, "fixed-2");
}

#[tokio::test]
async fn default_slugs_staff_slugs_and_taken_slugs() {
    let app = TestApp::spawn().await;
    let first = app.create_customer(&json!({"name": "First"})).await;
    let second = app
        .create_customer(
            &json!({"name": "Second", "project_slug_template": "{customer_slug}-{counter_padded}"}),
        )
        .await;
    assert_eq!(slug_of(&app, &first, "Alpha Beta").await, "alpha-be-1");
    assert_eq!(slug_of(&app, &first, "Alpha Bethany").await, "alpha-be-2");
    assert_eq!(slug_of(&app, &first, "Проект").await, "project-1");
    let given = app
        .post(
            PROJECTS,
            &json!({"name": "S", "customer": second["url"], "slug": "Given_1"}),
        )
        .await;
    assert_eq!(given.status(), 201);
    assert_eq!(
        json(given).await["slug"],
        "Given_1",
        "a staff slug wins over the template"
    );
    let taken = app
        .post(
            PROJECTS,
            &json!({"name": "S2", "customer": second["url"], "slug": "Given_1"}),
        )
        .await;
    assert_eq!(taken.status(), 400);
    assert_eq!(
        json(taken).await,
        json!({"slug": ["project with this slug already exists."]})
    );
    let elsewhere = app
        .post(
            PROJECTS,
            &json!({"name": "S3", "customer": first["url"], "slug": "Given_1"}),
        )
        .await;
    assert_eq!(elsewhere.status(), 201, "slugs are unique per customer");
    let bad = app
        .post(
            PROJECTS,
            &json!({"name": "S4", "customer": first["url"], "slug": "a b"}),
        )
        .await;
    assert_eq!(
        json(bad).await,
        json!({"slug": ["Enter a valid \"slug\" consisting of letters, numbers, underscores or hyphens."]})
    );
    let owner = app.create_user("owner", false, false).await;
    grant_customer(&app, "owner", "CUSTOMER.OWNER", &first, false).await;
    let ignored = call(
        &app,
        Method::POST,
        PROJECTS,
        &owner,
        Some(&json!({"name": "Owned", "customer": first["url"], "slug": "mine", "staff_notes": 5})),
    )
    .await;
    assert_eq!(
        ignored.status(),
        201,
        "staff-only keys are ignored for owners, type errors too"
    );
    assert_eq!(json(ignored).await["slug"], "owned-1");
}
