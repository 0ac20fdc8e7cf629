//! `add_user`, `update_user`, `delete_user` and `list_users` on customers (spec 03 §5.1,
//! §5.3–§5.5).

use reqwest::Method;
use serde_json::{json, Value};
use tenancy_tests::{json, sql, TestApp};

use super::{customer, get_as, grant_customer, grant_rows, team_post, user_uuid};

#[tokio::test]
async fn staff_grant_ownership_with_an_expiry_and_list_users_shows_it() {
    let app = TestApp::spawn().await;
    let org = customer(&app, "Org").await;
    app.create_user("alice", false, false).await;
    let alice = user_uuid(&app, "alice").await;
    let response = app
        .post(
            &format!("/api/customers/{org}/add_user/"),
            &json!({"user": alice, "role": "CUSTOMER.OWNER", "expiration_time": "2099-12-31"}),
        )
        .await;
    assert_eq!(response.status(), 201);
    assert_eq!(
        json(response).await,
        json!({"expiration_time": "2099-12-31T00:00:00Z"})
    );
    let response = app.get(&format!("/api/customers/{org}/list_users/")).await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["x-result-count"], "1");
    let list = json(response).await;
    let item = &list[0];
    let keys: Vec<&str> = item
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        [
            "uuid",
            "created",
            "expiration_time",
            "role_name",
            "role_uuid",
            "user_email",
            "user_full_name",
            "user_username",
            "user_uuid",
            "user_image",
            "created_by_full_name",
            "created_by_uuid"
        ]
    );
    assert_eq!(item["role_name"], "CUSTOMER.OWNER");
    assert_eq!(item["user_uuid"], alice.as_str());
    assert_eq!(item["user_username"], "alice");
    assert_eq!(item["expiration_time"], "2099-12-31T00:00:00Z");
    let admin = user_uuid(&app, "admin").await;
    assert_eq!(item["created_by_uuid"], admin.as_str());
    assert_eq!(item["uuid"].as_str().unwrap().len(), 32);
}

#[tokio::test]
async fn grants_made_outside_the_api_carry_no_created_by_keys() {
    let app = TestApp::spawn().await;
    let org = customer(&app, "Org").await;
    app.create_user("bob", false, false).await;
    sql(
        &app,
        &format!(
            "INSERT INTO grants (uuid, user_id, role_id, customer_id, created) \
             SELECT gen_random_uuid(), u.id, r.id, c.id, now() FROM users u, roles r, customers c \
             WHERE u.username = 'bob' AND r.name = 'CUSTOMER.SUPPORT' AND c.uuid = '{org}'"
        ),
    )
    .await;
    let list = json(app.get(&format!("/api/customers/{org}/list_users/")).await).await;
    let item = list[0].as_object().unwrap();
    assert!(!item.contains_key("created_by_uuid"));
    assert!(!item.contains_key("created_by_full_name"));
    assert_eq!(item["expiration_time"], Value::Null);
}

#[tokio::test]
async fn owners_cannot_manage_customer_roles_until_staff_extend_the_owner_role() {
    let app = TestApp::spawn().await;
    let org = customer(&app, "Org").await;
    let owner = app.create_user("owner", false, false).await;
    app.create_user("carol", false, false).await;
    grant_customer(&app, "owner", "CUSTOMER.OWNER", &org).await;
    let carol = user_uuid(&app, "carol").await;
    let body = json!({"user": carol, "role": "CUSTOMER.SUPPORT"});
    let response = team_post(&app, &owner, "customers", &org, "add_user", &body).await;
    assert_eq!(response.status(), 403);
    // Staff add the permission to the role; it applies on the owner's next request.
    sql(
        &app,
        "UPDATE roles SET permissions = permissions || '{CUSTOMER.CREATE_PERMISSION}' \
         WHERE name = 'CUSTOMER.OWNER'",
    )
    .await;
    let response = team_post(&app, &owner, "customers", &org, "add_user", &body).await;
    assert_eq!(response.status(), 201);
    assert_eq!(json(response).await, json!({"expiration_time": null}));
    // Still no update or delete permission.
    let response = team_post(&app, &owner, "customers", &org, "delete_user", &body).await;
    assert_eq!(response.status(), 403);
}

#[tokio::test]
async fn every_field_error_is_reported_at_once_and_nothing_is_written() {
    let app = TestApp::spawn().await;
    let org = customer(&app, "Org").await;
    let path = format!("/api/customers/{org}/add_user/");
    let before = grant_rows(&app).await;
    let response = app.post(&path, &json!({})).await;
    assert_eq!(response.status(), 400);
    assert_eq!(
        json(response).await,
        json!({"role": ["This field is required."], "user": ["This field is required."]})
    );
    let response = app
        .post(
            &path,
            &json!({"role": "NO.SUCH", "user": "not-a-uuid", "expiration_time": "tomorrow"}),
        )
        .await;
    assert_eq!(response.status(), 400);
    assert_eq!(
        json(response).await,
        json!({
            "role": ["Role is not found."],
            "user": ["Must be a valid UUID."],
            "expiration_time": ["Datetime has wrong format. Use one of these formats instead: YYYY-MM-DD, YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z]."]
        })
    );
    let response = app
        .post(
            &path,
            &json!({"role": "CUSTOMER.OWNER", "user": "8f20242b638743b18a485f81ac685e13",
                    "expiration_time": "2020-01-01T00:00:00Z"}),
        )
        .await;
    assert_eq!(
        json(response).await,
        json!({
            "user": ["User is not found."],
            "expiration_time": ["Expiration time should be greater than current time."]
        })
    );
    assert_eq!(grant_rows(&app).await, before);
}

#[tokio::test]
async fn object_rules_refuse_duplicates_wrong_scopes_inactive_roles_and_restrictions() {
    let app = TestApp::spawn().await;
    let org = customer(&app, "Org").await;
    app.create_user("dave", false, false).await;
    let dave = user_uuid(&app, "dave").await;
    let path = format!("/api/customers/{org}/add_user/");
    let rule = |message: &str| json!({"non_field_errors": [message]});
    let add = |role: &str| json!({"user": dave, "role": role});

    // A role given by UUID (dashed form) works like its name.
    let roles = json(app.get("/api/roles/?name=CUSTOMER.OWNER").await).await;
    let owner_uuid = roles[0]["uuid"].as_str().unwrap().to_owned();
    let dashed = format!(
        "{}-{}-{}-{}-{}",
        &owner_uuid[..8],
        &owner_uuid[8..12],
        &owner_uuid[12..16],
        &owner_uuid[16..20],
        &owner_uuid[20..]
    );
    assert_eq!(app.post(&path, &add(&dashed)).await.status(), 201);
    let response = app.post(&path, &add("CUSTOMER.OWNER")).await;
    assert_eq!(response.status(), 400);
    assert_eq!(
        json(response).await,
        rule("User has already the same role in this scope.")
    );

    let response = app.post(&path, &add("PROJECT.ADMIN")).await;
    assert_eq!(
        json(response).await,
        rule("Role is not valid for this scope.")
    );

    sql(
        &app,
        "UPDATE roles SET is_active = false WHERE name = 'CUSTOMER.MANAGER'",
    )
    .await;
    let response = app.post(&path, &add("CUSTOMER.MANAGER")).await;
    assert_eq!(json(response).await, rule("Role is not active."));

    sql(
        &app,
        &format!("UPDATE customers SET user_email_patterns = '{{\".*@corp\\.example$\"}}' WHERE uuid = '{org}'"),
    )
    .await;
    let response = app.post(&path, &add("CUSTOMER.SUPPORT")).await;
    assert_eq!(
        json(response).await,
        rule(
            "User email, affiliation, or identity source does not match the customer restrictions."
        )
    );
    sql(
        &app,
        "UPDATE users SET email = 'dave@corp.example' WHERE username = 'dave'",
    )
    .await;
    assert_eq!(
        app.post(&path, &add("CUSTOMER.SUPPORT")).await.status(),
        201
    );
    // A user may hold several different roles on one scope.
    let list = json(app.get(&format!("/api/customers/{org}/list_users/")).await).await;
    assert_eq!(list.as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn blocked_customers_and_deactivated_targets_are_refused() {
    let app = TestApp::spawn().await;
    let org = customer(&app, "Org").await;
    let owner = app.create_user("owner", false, false).await;
    grant_customer(&app, "owner", "CUSTOMER.OWNER", &org).await;
    app.create_user("gone", false, false).await;
    let gone = user_uuid(&app, "gone").await;
    sql(
        &app,
        "UPDATE users SET is_active = false WHERE username = 'gone'",
    )
    .await;
    sql(
        &app,
        "UPDATE roles SET permissions = permissions || '{CUSTOMER.CREATE_PERMISSION}' \
         WHERE name = 'CUSTOMER.OWNER'",
    )
    .await;
    let body = json!({"user": gone, "role": "CUSTOMER.SUPPORT"});
    let response = team_post(&app, &owner, "customers", &org, "add_user", &body).await;
    assert_eq!(response.status(), 400);
    assert_eq!(
        json(response).await,
        json!({"non_field_errors": ["Only staff users can assign roles to deactivated users."]})
    );
    // Staff may.
    let path = format!("/api/customers/{org}/add_user/");
    assert_eq!(app.post(&path, &body).await.status(), 201);

    sql(
        &app,
        &format!("UPDATE customers SET blocked = true WHERE uuid = '{org}'"),
    )
    .await;
    let body = json!({"user": gone, "role": "CUSTOMER.MANAGER"});
    let response = app.post(&path, &body).await;
    assert_eq!(response.status(), 400);
    assert_eq!(
        json(response).await,
        json!({"non_field_errors": ["Customer is not available."]})
    );
}

#[tokio::test]
async fn update_user_extends_shortens_and_makes_permanent() {
    let app = TestApp::spawn().await;
    let org = customer(&app, "Org").await;
    app.create_user("erin", false, false).await;
    let erin = user_uuid(&app, "erin").await;
    let add = format!("/api/customers/{org}/add_user/");
    let update = format!("/api/customers/{org}/update_user/");
    let body =
        |expiry: Value| json!({"user": erin, "role": "CUSTOMER.OWNER", "expiration_time": expiry});
    assert_eq!(
        app.post(&add, &body(json!("2030-01-01T10:00:00+02:00")))
            .await
            .status(),
        201
    );
    let response = app.post(&update, &body(json!("2031-06-01"))).await;
    assert_eq!(response.status(), 200);
    assert_eq!(
        json(response).await,
        json!({"expiration_time": "2031-06-01T00:00:00Z"})
    );
    let response = app
        .post(&update, &body(json!("2029-01-01T08:30:00Z")))
        .await;
    assert_eq!(
        json(response).await,
        json!({"expiration_time": "2029-01-01T08:30:00Z"})
    );
    let response = app.post(&update, &body(Value::Null)).await;
    assert_eq!(json(response).await, json!({"expiration_time": null}));
    assert_eq!(
        app.post(&update, &body(json!("2029-01-01"))).await.status(),
        200
    );
    // Absent is permanent too.
    let response = app
        .post(&update, &json!({"user": erin, "role": "CUSTOMER.OWNER"}))
        .await;
    assert_eq!(json(response).await, json!({"expiration_time": null}));
    let list = json(app.get(&format!("/api/customers/{org}/list_users/")).await).await;
    assert_eq!(list[0]["expiration_time"], Value::Null);
    // A past expiry is a field error; a role the user does not hold is an object error.
    let response = app.post(&update, &body(json!("2001-01-01"))).await;
    assert_eq!(
        json(response).await,
        json!({"expiration_time": ["Expiration time should be greater than current time."]})
    );
    let response = app
        .post(&update, &json!({"user": erin, "role": "CUSTOMER.SUPPORT"}))
        .await;
    assert_eq!(response.status(), 400);
    assert_eq!(
        json(response).await,
        json!({"non_field_errors": ["User does not have this role in this scope."]})
    );
}

#[tokio::test]
async fn delete_user_revokes_keeps_the_log_and_is_idempotent() {
    let app = TestApp::spawn().await;
    let org = customer(&app, "Org").await;
    let owner = app.create_user("owner", false, false).await;
    grant_customer(&app, "owner", "CUSTOMER.OWNER", &org).await;
    let me = user_uuid(&app, "owner").await;
    let body = json!({"user": me, "role": "CUSTOMER.OWNER"});
    // Without the delete permission an owner cannot remove even their own grant.
    let response = team_post(&app, &owner, "customers", &org, "delete_user", &body).await;
    assert_eq!(response.status(), 403);
    sql(
        &app,
        "UPDATE roles SET permissions = permissions || '{CUSTOMER.DELETE_PERMISSION}' \
         WHERE name = 'CUSTOMER.OWNER'",
    )
    .await;
    let response = team_post(&app, &owner, "customers", &org, "delete_user", &body).await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.bytes().await.unwrap().len(), 0);
    let rows = sql(
        &app,
        "SELECT is_active, revoke_reason, revoked_by IS NOT NULL, revoked_at IS NOT NULL FROM grants",
    )
    .await;
    assert_eq!(
        rows.len(),
        1,
        "the revoked grant stays as the role-change log"
    );
    assert!(!rows[0].get::<_, bool>(0));
    assert_eq!(
        rows[0].get::<_, String>(1),
        "Manual user removal via delete_user API endpoint"
    );
    assert!(rows[0].get::<_, bool>(2), "revoked_by is the caller");
    assert!(rows[0].get::<_, bool>(3));
    // The owner no longer sees the customer.
    let response = get_as(&app, &owner, &format!("/api/customers/{org}/")).await;
    assert_eq!(response.status(), 404);
    // Revoking again is still 200 (as staff: the owner now cannot see the customer).
    let response = app
        .post(&format!("/api/customers/{org}/delete_user/"), &body)
        .await;
    assert_eq!(response.status(), 200);
}

#[tokio::test]
async fn list_users_filters_and_orders() {
    let app = TestApp::spawn().await;
    let org = customer(&app, "Org").await;
    for name in ["zoe", "adam", "mia"] {
        app.create_user(name, false, false).await;
    }
    sql(&app, "UPDATE users SET first_name = 'Zoë', last_name = 'Ångström', email = 'zoe@example.com' WHERE username = 'zoe'").await;
    grant_customer(&app, "zoe", "CUSTOMER.OWNER", &org).await;
    grant_customer(&app, "adam", "CUSTOMER.SUPPORT", &org).await;
    grant_customer(&app, "mia", "CUSTOMER.MANAGER", &org).await;
    let base = format!("/api/customers/{org}/list_users/");
    let names = |v: &Value| -> Vec<String> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|i| i["user_username"].as_str().unwrap().to_owned())
            .collect()
    };
    let list = json(app.get(&base).await).await;
    assert_eq!(names(&list), ["zoe", "adam", "mia"], "by creation");
    let list = json(app.get(&format!("{base}?o=username")).await).await;
    assert_eq!(names(&list), ["adam", "mia", "zoe"]);
    let list = json(app.get(&format!("{base}?o=-role")).await).await;
    assert_eq!(names(&list), ["adam", "zoe", "mia"]);
    let list = json(app.get(&format!("{base}?full_name=zoe%20angstr")).await).await;
    assert_eq!(names(&list), ["zoe"], "accents are folded on both sides");
    let list = json(app.get(&format!("{base}?search_string=EXAMPLE.com")).await).await;
    assert_eq!(names(&list), ["zoe"]);
    let list = json(
        app.get(&format!("{base}?role=CUSTOMER.OWNER,CUSTOMER.MANAGER"))
            .await,
    )
    .await;
    assert_eq!(names(&list), ["zoe", "mia"]);
    let adam = user_uuid(&app, "adam").await;
    let list = json(app.get(&format!("{base}?user={adam}")).await).await;
    assert_eq!(names(&list), ["adam"]);
    let list = json(
        app.get(&format!("{base}?user_url=http://x/api/users/{adam}/"))
            .await,
    )
    .await;
    assert_eq!(names(&list), ["adam"]);
    let list = json(app.get(&format!("{base}?user_url=nonsense")).await).await;
    assert_eq!(names(&list), Vec::<String>::new());
    let list = json(
        app.get(&format!(
            "{base}?username=mia&field=user_username&field=role_name"
        ))
        .await,
    )
    .await;
    assert_eq!(
        list,
        json!([{"role_name": "CUSTOMER.MANAGER", "user_username": "mia"}])
    );
    let response = app.get(&format!("{base}?user=nope")).await;
    assert_eq!(response.status(), 400);
    assert_eq!(
        json(response).await,
        json!({"user": ["Enter a valid UUID."]})
    );
    let response = app.get(&format!("{base}?o=bogus")).await;
    assert_eq!(
        json(response).await,
        json!({"o": ["Select a valid choice. bogus is not one of the available choices."]})
    );
    let response = app
        .request(
            Method::HEAD,
            &base,
            Some(&app.create_user("x", true, false).await),
            None,
        )
        .await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["x-result-count"], "3");
}

#[tokio::test]
async fn strangers_get_404_and_anonymous_401() {
    let app = TestApp::spawn().await;
    let org = customer(&app, "Org").await;
    let stranger = app.create_user("stranger", false, false).await;
    for path in [
        format!("/api/customers/{org}/list_users/"),
        format!("/api/customers/{org}/users/"),
    ] {
        assert_eq!(get_as(&app, &stranger, &path).await.status(), 404);
        assert_eq!(
            app.request(Method::GET, &path, None, None).await.status(),
            401
        );
    }
    let body = json!({"user": "8f20242b638743b18a485f81ac685e13", "role": "CUSTOMER.OWNER"});
    for action in ["add_user", "update_user", "delete_user"] {
        let response = team_post(&app, &stranger, "customers", &org, action, &body).await;
        assert_eq!(response.status(), 404);
        assert_eq!(
            json(response).await,
            json!({"detail": "No Customer matches the given query."})
        );
        let response = app
            .request(
                Method::POST,
                &format!("/api/customers/{org}/{action}/"),
                None,
                Some(&body),
            )
            .await;
        assert_eq!(response.status(), 401);
    }
    let response = app.post("/api/customers/not-a-uuid/add_user/", &body).await;
    assert_eq!(response.status(), 404);
}
