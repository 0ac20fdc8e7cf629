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

// ---- writes (spec 03 §7.3–§7.7) ----

const ROLES: &str = "/api/roles/";
const UNKNOWN: &str = "/api/roles/0123456789abcdef0123456789abcdef/";
const MALFORMED: &str = "/api/roles/not-a-uuid/";
const DENIED: &str = "You do not have permission to perform this action.";
const NOT_FOUND: &str = "No Role matches the given query.";

fn path_of(role: &Value) -> String {
    format!("{ROLES}{}/", role["uuid"].as_str().unwrap())
}

fn auditor() -> Value {
    json!({
        "name": "Auditor",
        "permissions": ["PROJECT.LIST", "CUSTOMER.LIST_USERS", "PROJECT.LIST"],
        "content_type": "customer",
        "description": "Reads the books",
    })
}

async fn create(app: &TestApp, body: &Value) -> Value {
    let response = app.post(ROLES, body).await;
    assert_eq!(response.status(), 201, "create role");
    json(response).await
}

async fn send(
    app: &TestApp,
    method: Method,
    path: &str,
    body: Option<&Value>,
) -> reqwest::Response {
    app.request(method, path, Some(&app.admin_token), body)
        .await
}

/// Asserts status and JSON body.
async fn expect(response: reqwest::Response, status: u16, body: Value) {
    assert_eq!(response.status(), status);
    assert_eq!(json(response).await, body);
}

/// The role named `name`, fetched as staff.
async fn role_named(app: &TestApp, name: &str) -> Value {
    let list = json(app.get(&format!("{ROLES}?name={name}&page_size=100")).await).await;
    list.as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == name)
        .cloned()
        .unwrap_or_else(|| panic!("no role {name}"))
}

/// Everything stored about roles and grants, to check that a refused write wrote nothing.
async fn snapshot(app: &TestApp) -> String {
    let rows = sql(
        app,
        "SELECT coalesce(string_agg(concat_ws('|', name, description, content_type, is_active, \
         array_to_string(permissions, ',')), ';' ORDER BY id), '') || '#' || \
         (SELECT count(*) FROM grants)::text FROM roles",
    )
    .await;
    rows[0].get(0)
}

/// A grant of the role `role` to the staff user on a new customer; `expiry` and `active`
/// are SQL expressions.
async fn grant(app: &TestApp, role: &str, expiry: &str, active: &str) {
    let customer = app.create_customer(&json!({"name": "Org"})).await;
    sql(
        app,
        &format!(
            "INSERT INTO grants (uuid, user_id, role_id, customer_id, created, expiration_time, is_active) \
             SELECT gen_random_uuid(), u.id, r.id, c.id, now(), {expiry}, {active} \
             FROM users u, roles r, customers c \
             WHERE u.username = 'admin' AND r.name = '{role}' AND c.uuid = '{}'",
            customer["uuid"].as_str().unwrap()
        ),
    )
    .await;
}

#[tokio::test]
async fn staff_create_a_custom_role() {
    let app = TestApp::spawn().await;
    let response = app.post(ROLES, &auditor()).await;
    assert_eq!(response.status(), 201);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    let role = json(response).await;
    assert!(
        location.ends_with(&format!("/api/roles/{}/", role["uuid"].as_str().unwrap())),
        "{location}"
    );
    assert!(
        role.get("url").is_none(),
        "RoleDetails has no url (spec 03 §7.1)"
    );
    assert_eq!(role["name"], "Auditor");
    assert_eq!(role["description"], "Reads the books");
    assert_eq!(
        role["permissions"],
        json!(["CUSTOMER.LIST_USERS", "PROJECT.LIST"]),
        "sorted, duplicates collapsed"
    );
    assert_eq!(role["content_type"], "customer");
    assert_eq!(role["is_system_role"], false);
    assert_eq!(role["is_active"], true);
    assert_eq!(role["users_count"], 0);
    assert_eq!(role["template_uuid"], Value::Null);
    let fetched = json(app.get(&path_of(&role)).await).await;
    assert_eq!(fetched, role);
    let list = app.request(Method::GET, ROLES, None, None).await;
    assert_eq!(list.headers()["x-result-count"], "7");

    // Optional keys: no description, inactive, empty permission set, `field` honoured.
    let minimal = app
        .post(
            "/api/roles/?field=name&field=is_active",
            &json!({"name": "Nobody", "permissions": [], "content_type": "project", "is_active": false}),
        )
        .await;
    assert_eq!(minimal.status(), 201);
    assert_eq!(
        json(minimal).await,
        json!({"name": "Nobody", "is_active": false})
    );
    let nobody = role_named(&app, "Nobody").await;
    assert_eq!(nobody["description"], "");
    assert_eq!(nobody["permissions"], json!([]));
}

#[tokio::test]
async fn create_reports_every_field_error_with_waldurs_texts_and_writes_nothing() {
    let app = TestApp::spawn().await;
    let before = snapshot(&app).await;
    let required = json!(["This field is required."]);
    expect(
        app.post(ROLES, &json!({})).await,
        400,
        json!({"name": required, "permissions": required, "content_type": required}),
    )
    .await;
    expect(
        app.post(
            ROLES,
            &json!({
                "name": "x".repeat(151),
                "permissions": ["CUSTOMER.FLY", "PROJECT.LIST", "SWIM", "CUSTOMER.FLY"],
                "content_type": "offering",
                "description": "d".repeat(2001),
                "is_active": "maybe",
            }),
        )
        .await,
        400,
        json!({
            "name": ["Ensure this field has no more than 150 characters."],
            "permissions": ["Invalid permissions CUSTOMER.FLY,SWIM"],
            "content_type": ["Invalid content type."],
            "description": ["Ensure this field has no more than 2000 characters."],
            "is_active": ["Must be a valid boolean."],
        }),
    )
    .await;
    expect(
        app.post(
            ROLES,
            &json!({"name": null, "permissions": "PROJECT.LIST", "content_type": "customer"}),
        )
        .await,
        400,
        json!({
            "name": ["This field may not be null."],
            "permissions": ["Expected a list of items but got type \"str\"."],
        }),
    )
    .await;
    expect(
        app.post(
            ROLES,
            &json!({"name": "   ", "permissions": ["PROJECT.LIST", true], "content_type": "customer"}),
        )
        .await,
        400,
        json!({
            "name": ["This field may not be blank."],
            "permissions": {"1": ["Not a valid string."]},
        }),
    )
    .await;
    expect(
        app.post(
            ROLES,
            &json!({"name": "Mixed", "permissions": ["project.list"], "content_type": "Customer"}),
        )
        .await,
        400,
        json!({
            "permissions": ["Invalid permissions project.list"],
            "content_type": ["Invalid content type."],
        }),
    )
    .await;
    let mut taken = auditor();
    taken["name"] = json!("CUSTOMER.OWNER");
    expect(
        app.post(ROLES, &taken).await,
        400,
        json!({"non_field_errors": ["Name should be unique."]}),
    )
    .await;
    assert_eq!(snapshot(&app).await, before, "nothing written after a 400");
}

#[tokio::test]
async fn concurrent_creates_of_one_name_store_exactly_one_role() {
    let app = TestApp::spawn().await;
    let tasks: Vec<_> = (0..8)
        .map(|_| tokio::spawn(app.raw(Method::POST, ROLES).json(&auditor()).send()))
        .collect();
    let mut created = 0;
    for task in tasks {
        let response = task.await.unwrap().unwrap();
        if response.status() == 201 {
            created += 1;
        } else {
            expect(
                response,
                400,
                json!({"non_field_errors": ["Name should be unique."]}),
            )
            .await;
        }
    }
    assert_eq!(created, 1);
}

#[tokio::test]
async fn writes_are_staff_only_and_decided_before_the_lookup() {
    let app = TestApp::spawn().await;
    let role = create(&app, &auditor()).await;
    let user = app.create_user("user", false, false).await;
    let support = app.create_user("support", false, true).await;
    let before = snapshot(&app).await;
    let body = auditor();
    let mut writes = vec![(Method::POST, ROLES.to_owned())];
    for path in [path_of(&role), UNKNOWN.to_owned(), MALFORMED.to_owned()] {
        writes.push((Method::PUT, path.clone()));
        writes.push((Method::PATCH, path.clone()));
        writes.push((Method::DELETE, path.clone()));
        writes.push((Method::POST, format!("{path}enable/")));
        writes.push((Method::POST, format!("{path}disable/")));
    }
    for (method, path) in &writes {
        for token in [&user, &support] {
            let response = app
                .request(method.clone(), path, Some(token), Some(&body))
                .await;
            assert_eq!(response.status(), 403, "{method} {path}");
            assert_eq!(json(response).await, json!({"detail": DENIED}));
        }
        let anonymous = app.request(method.clone(), path, None, Some(&body)).await;
        assert_eq!(anonymous.status(), 401, "{method} {path}");
        assert_eq!(anonymous.headers()["www-authenticate"], "Token");
        assert_eq!(
            json(anonymous).await,
            json!({"detail": "Authentication credentials were not provided."})
        );
    }
    assert_eq!(snapshot(&app).await, before, "nothing written");
}

#[tokio::test]
async fn unknown_or_malformed_uuids_are_404_for_staff() {
    let app = TestApp::spawn().await;
    for path in [UNKNOWN, MALFORMED] {
        for (method, target, body) in [
            (Method::PUT, path.to_owned(), Some(auditor())),
            (Method::PATCH, path.to_owned(), Some(json!({"name": "x"}))),
            (Method::DELETE, path.to_owned(), None),
            (Method::POST, format!("{path}enable/"), None),
            (Method::POST, format!("{path}disable/"), None),
        ] {
            expect(
                send(&app, method.clone(), &target, body.as_ref()).await,
                404,
                json!({"detail": NOT_FOUND}),
            )
            .await;
        }
        // The lookup comes before body validation.
        expect(
            send(&app, Method::PUT, path, Some(&json!({}))).await,
            404,
            json!({"detail": NOT_FOUND}),
        )
        .await;
    }
}

#[tokio::test]
async fn put_replaces_the_role_and_keeps_absent_optional_keys() {
    let app = TestApp::spawn().await;
    let role = create(&app, &auditor()).await;
    let path = path_of(&role);
    let response = send(
        &app,
        Method::PUT,
        &path,
        Some(&json!({
            "name": "  Project auditor ",
            "permissions": ["PROJECT.UPDATE", "PROJECT.LIST"],
            "content_type": "project",
            "is_active": false,
        })),
    )
    .await;
    assert_eq!(response.status(), 200);
    let updated = json(response).await;
    assert_eq!(updated["uuid"], role["uuid"]);
    assert_eq!(updated["name"], "Project auditor");
    assert_eq!(
        updated["description"], "Reads the books",
        "absent keeps the stored value"
    );
    assert_eq!(updated["content_type"], "project");
    assert_eq!(updated["is_active"], false);
    assert_eq!(
        updated["permissions"],
        json!(["PROJECT.LIST", "PROJECT.UPDATE"])
    );
    assert_eq!(updated["users_count"], 0);
    assert_eq!(json(app.get(&path).await).await, updated);
}

#[tokio::test]
async fn put_errors_and_nothing_written() {
    let app = TestApp::spawn().await;
    let role = create(&app, &auditor()).await;
    let path = path_of(&role);
    let before = snapshot(&app).await;
    let required = json!(["This field is required."]);
    expect(
        send(
            &app,
            Method::PUT,
            &path,
            Some(&json!({"description": "only"})),
        )
        .await,
        400,
        json!({"name": required, "permissions": required, "content_type": required}),
    )
    .await;
    expect(
        send(
            &app,
            Method::PUT,
            &path,
            Some(&json!({"name": "Auditor", "permissions": ["NOPE"], "content_type": "call"})),
        )
        .await,
        400,
        json!({
            "permissions": ["Invalid permissions NOPE"],
            "content_type": ["Invalid content type."],
        }),
    )
    .await;
    let mut taken = auditor();
    taken["name"] = json!("PROJECT.ADMIN");
    expect(
        send(&app, Method::PUT, &path, Some(&taken)).await,
        400,
        json!({"non_field_errors": ["Name should be unique."]}),
    )
    .await;
    assert_eq!(snapshot(&app).await, before);
}

#[tokio::test]
async fn system_roles_keep_name_and_scope_but_permissions_can_change() {
    let app = TestApp::spawn().await;
    let owner = role_named(&app, "CUSTOMER.OWNER").await;
    let path = path_of(&owner);
    let before = snapshot(&app).await;
    let body = |name: &str, scope: &str| json!({"name": name, "permissions": owner["permissions"], "content_type": scope});
    expect(
        send(&app, Method::PUT, &path, Some(&body("BOSS", "customer"))).await,
        400,
        json!({"non_field_errors": ["Changing name for system role is not possible."]}),
    )
    .await;
    expect(
        send(
            &app,
            Method::PUT,
            &path,
            Some(&body("CUSTOMER.OWNER", "project")),
        )
        .await,
        400,
        json!({"content_type": ["Changing scope of a system role is not possible."]}),
    )
    .await;
    expect(
        send(&app, Method::PATCH, &path, Some(&json!({"name": "BOSS"}))).await,
        400,
        json!({"non_field_errors": ["Changing name for system role is not possible."]}),
    )
    .await;
    assert_eq!(snapshot(&app).await, before);

    // Staff give owners the power to manage customer grants (spec 03 §3).
    let mut permissions: Vec<Value> = owner["permissions"].as_array().unwrap().clone();
    permissions.push(json!("CUSTOMER.CREATE_PERMISSION"));
    let response = send(
        &app,
        Method::PUT,
        &path,
        Some(&json!({"name": "CUSTOMER.OWNER", "permissions": permissions, "content_type": "customer"})),
    )
    .await;
    assert_eq!(response.status(), 200);
    let updated = json(response).await;
    assert_eq!(updated["is_system_role"], true);
    let fetched = json(app.request(Method::GET, &path, None, None).await).await;
    let names: Vec<&str> = fetched["permissions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap())
        .collect();
    assert!(names.contains(&"CUSTOMER.CREATE_PERMISSION"));
    assert!(
        names.windows(2).all(|w| w[0] < w[1]),
        "still sorted: {names:?}"
    );
    assert_eq!(names.len(), 10);
    assert_eq!(fetched["description"], "Organization owner");
}

#[tokio::test]
async fn a_role_in_use_keeps_its_scope() {
    let app = TestApp::spawn().await;
    let role = create(&app, &auditor()).await;
    let path = path_of(&role);
    // Only a revoked and an expired grant: not in use.
    grant(&app, "Auditor", "NULL", "false").await;
    grant(&app, "Auditor", "now() - interval '1 hour'", "true").await;
    let mut project = auditor();
    project["content_type"] = json!("project");
    let moved = send(&app, Method::PUT, &path, Some(&project)).await;
    assert_eq!(moved.status(), 200);
    assert_eq!(json(moved).await["content_type"], "project");
    // A current grant: the scope is frozen, other changes still pass.
    grant(&app, "Auditor", "now() + interval '1 day'", "true").await;
    let before = snapshot(&app).await;
    expect(
        send(&app, Method::PUT, &path, Some(&auditor())).await,
        400,
        json!({"content_type": ["Changing scope of a role that is in use is not possible."]}),
    )
    .await;
    assert_eq!(snapshot(&app).await, before);
    project["name"] = json!("Renamed");
    let renamed = send(&app, Method::PUT, &path, Some(&project)).await;
    assert_eq!(renamed.status(), 200);
    let renamed = json(renamed).await;
    assert_eq!(renamed["name"], "Renamed");
    assert_eq!(renamed["users_count"], 1);
}

#[tokio::test]
async fn patch_changes_name_description_and_active_flag_only() {
    let app = TestApp::spawn().await;
    let role = create(&app, &auditor()).await;
    let path = path_of(&role);
    let response = send(
        &app,
        Method::PATCH,
        &path,
        Some(&json!({
            "description": "New text",
            "is_active": "false",
            "permissions": ["NOT.A.PERMISSION"],
            "content_type": "nowhere",
        })),
    )
    .await;
    assert_eq!(response.status(), 200);
    let patched = json(response).await;
    assert_eq!(patched["name"], "Auditor");
    assert_eq!(patched["description"], "New text");
    assert_eq!(patched["is_active"], false);
    assert_eq!(
        patched["permissions"], role["permissions"],
        "not part of PATCH"
    );
    assert_eq!(patched["content_type"], "customer");
    let renamed =
        json(send(&app, Method::PATCH, &path, Some(&json!({"name": "Reader"}))).await).await;
    assert_eq!(renamed["name"], "Reader");
    assert_eq!(renamed["description"], "New text");
    // An empty body is a no-op.
    let noop = app.raw(Method::PATCH, &path).send().await.unwrap();
    assert_eq!(noop.status(), 200);
    assert_eq!(json(noop).await, renamed);
    let before = snapshot(&app).await;
    expect(
        send(
            &app,
            Method::PATCH,
            &path,
            Some(&json!({"name": "", "description": null, "is_active": []})),
        )
        .await,
        400,
        json!({
            "name": ["This field may not be blank."],
            "description": ["This field may not be null."],
            "is_active": ["Must be a valid boolean."],
        }),
    )
    .await;
    expect(
        send(
            &app,
            Method::PATCH,
            &path,
            Some(&json!({"name": "PROJECT.MEMBER"})),
        )
        .await,
        400,
        json!({"non_field_errors": ["Name should be unique."]}),
    )
    .await;
    assert_eq!(snapshot(&app).await, before);
}

#[tokio::test]
async fn delete_refuses_system_roles_and_roles_in_use() {
    let app = TestApp::spawn().await;
    let owner = role_named(&app, "CUSTOMER.OWNER").await;
    let role = create(&app, &auditor()).await;
    grant(&app, "Auditor", "NULL", "true").await;
    let before = snapshot(&app).await;
    expect(
        send(&app, Method::DELETE, &path_of(&owner), None).await,
        400,
        json!(["Destroying of system role is not available."]),
    )
    .await;
    expect(
        send(&app, Method::DELETE, &path_of(&role), None).await,
        400,
        json!(["Role is still used."]),
    )
    .await;
    assert_eq!(snapshot(&app).await, before);
}

#[tokio::test]
async fn delete_removes_the_role_and_its_revoked_and_expired_grants() {
    let app = TestApp::spawn().await;
    let role = create(&app, &auditor()).await;
    grant(&app, "Auditor", "NULL", "false").await;
    grant(&app, "Auditor", "now() - interval '1 second'", "true").await;
    grant(&app, "CUSTOMER.OWNER", "NULL", "true").await;
    let response = send(&app, Method::DELETE, &path_of(&role), None).await;
    assert_eq!(response.status(), 204);
    assert_eq!(response.text().await.unwrap(), "");
    expect(
        app.get(&path_of(&role)).await,
        404,
        json!({"detail": NOT_FOUND}),
    )
    .await;
    let left = sql(
        &app,
        "SELECT count(*) FROM grants g JOIN roles r ON r.id = g.role_id WHERE r.name = 'CUSTOMER.OWNER'",
    )
    .await;
    assert_eq!(left[0].get::<_, i64>(0), 1, "other roles' grants stay");
    let all = sql(&app, "SELECT count(*) FROM grants").await;
    assert_eq!(all[0].get::<_, i64>(0), 1);
    expect(
        send(&app, Method::DELETE, &path_of(&role), None).await,
        404,
        json!({"detail": NOT_FOUND}),
    )
    .await;
}

#[tokio::test]
async fn enable_and_disable_are_idempotent_and_a_disabled_role_is_still_listed() {
    let app = TestApp::spawn().await;
    let member = role_named(&app, "PROJECT.MEMBER").await;
    let path = path_of(&member);
    for _ in 0..2 {
        // No body, no content type needed.
        let response = app
            .raw(Method::POST, &format!("{path}disable/"))
            .send()
            .await
            .unwrap();
        expect(
            response,
            200,
            json!({"detail": "The role PROJECT.MEMBER has been disabled"}),
        )
        .await;
    }
    let listed = app
        .request(Method::GET, "/api/roles/?is_active=false", None, None)
        .await;
    assert_eq!(listed.headers()["x-result-count"], "1");
    assert_eq!(names(&json(listed).await), ["PROJECT.MEMBER"]);
    let all = app.request(Method::GET, ROLES, None, None).await;
    assert_eq!(
        all.headers()["x-result-count"],
        "6",
        "disabled roles stay listed"
    );
    assert_eq!(json(app.get(&path).await).await["is_active"], false);
    for _ in 0..2 {
        expect(
            send(
                &app,
                Method::POST,
                &format!("{path}enable/"),
                Some(&json!({"ignored": 1})),
            )
            .await,
            200,
            json!({"detail": "The role PROJECT.MEMBER has been enabled"}),
        )
        .await;
    }
    assert_eq!(json(app.get(&path).await).await["is_active"], true);
}

#[tokio::test]
async fn permission_changes_take_effect_on_the_next_request() {
    let app = TestApp::spawn().await;
    let customer = app.create_customer(&json!({"name": "Org"})).await;
    let customer_path = format!("/api/customers/{}/", customer["uuid"].as_str().unwrap());
    let editor = app.create_user("editor", false, false).await;
    let role = create(
        &app,
        &json!({"name": "Editor", "permissions": ["CUSTOMER.UPDATE"], "content_type": "customer"}),
    )
    .await;
    sql(
        &app,
        &format!(
            "INSERT INTO grants (uuid, user_id, role_id, customer_id, created) \
             SELECT gen_random_uuid(), u.id, r.id, c.id, now() FROM users u, roles r, customers c \
             WHERE u.username = 'editor' AND r.name = 'Editor' AND c.uuid = '{}'",
            customer["uuid"].as_str().unwrap()
        ),
    )
    .await;
    let rename = |name: &str| json!({ "name": name });
    let allowed = app
        .request(
            Method::PATCH,
            &customer_path,
            Some(&editor),
            Some(&rename("By editor")),
        )
        .await;
    assert_eq!(allowed.status(), 200);
    let response = send(
        &app,
        Method::PUT,
        &path_of(&role),
        Some(&json!({"name": "Editor", "permissions": ["CUSTOMER.LIST_USERS"], "content_type": "customer"})),
    )
    .await;
    assert_eq!(response.status(), 200);
    assert_eq!(json(response).await["users_count"], 1);
    let refused = app
        .request(
            Method::PATCH,
            &customer_path,
            Some(&editor),
            Some(&rename("Again")),
        )
        .await;
    assert_eq!(refused.status(), 403);
}
