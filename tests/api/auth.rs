use reqwest::Method;
use serde_json::json;
use tenancy_tests::{json, TestApp};

#[tokio::test]
async fn anonymous_customer_list_answers_401_with_www_authenticate() {
    let app = TestApp::spawn().await;
    let response = app
        .request(Method::GET, "/api/customers/", None, None)
        .await;
    assert_eq!(response.status(), 401);
    assert_eq!(response.headers()["www-authenticate"], "Token");
    assert_eq!(
        json(response).await,
        json!({"detail": "Authentication credentials were not provided."})
    );
}

#[tokio::test]
async fn unknown_token_answers_invalid_token() {
    let app = TestApp::spawn().await;
    let response = app
        .request(
            Method::GET,
            "/api/customers/",
            Some("0123456789abcdef0123456789abcdef01234567"),
            None,
        )
        .await;
    assert_eq!(response.status(), 401);
    assert_eq!(json(response).await, json!({"detail": "Invalid token."}));
}

#[tokio::test]
async fn password_login_issues_a_working_token_and_logout_revokes_it() {
    let app = TestApp::spawn().await;
    app.create_user_with_password("alice", "s3cret-password")
        .await;
    let response = app
        .request(
            Method::POST,
            "/api-auth/password/",
            None,
            Some(&json!({"username": "alice", "password": "s3cret-password"})),
        )
        .await;
    assert_eq!(response.status(), 200);
    let token = json(response).await["token"].as_str().unwrap().to_owned();
    assert_eq!(token.len(), 40);
    let me = app
        .request(Method::GET, "/api/users/me/", Some(&token), None)
        .await;
    assert_eq!(me.status(), 200);
    assert_eq!(json(me).await["username"], "alice");
    let out = app
        .request(Method::POST, "/api-auth/logout/", Some(&token), None)
        .await;
    assert_eq!(out.status(), 204);
    let after = app
        .request(Method::GET, "/api/users/me/", Some(&token), None)
        .await;
    assert_eq!(after.status(), 401);
}

#[tokio::test]
async fn wrong_password_is_401_and_the_fifth_attempt_is_locked_out() {
    let app = TestApp::spawn().await;
    app.create_user_with_password("bob", "right-password").await;
    let attempt = |password: &'static str| {
        let app = &app;
        async move {
            app.request(
                Method::POST,
                "/api-auth/password/",
                None,
                Some(&json!({"username": "bob", "password": password})),
            )
            .await
        }
    };
    for _ in 0..4 {
        let response = attempt("wrong-password").await;
        assert_eq!(response.status(), 401);
        assert_eq!(
            json(response).await,
            json!({"detail": "Invalid username/password."})
        );
    }
    let locked = attempt("right-password").await;
    assert_eq!(locked.status(), 401);
    assert_eq!(
        json(locked).await,
        json!({"detail": "Username is locked out. Try in 10 minutes."})
    );
}

#[tokio::test]
async fn login_requires_both_fields() {
    let app = TestApp::spawn().await;
    let response = app
        .request(
            Method::POST,
            "/api-auth/password/",
            None,
            Some(&json!({"username": ""})),
        )
        .await;
    assert_eq!(response.status(), 400);
    assert_eq!(
        json(response).await,
        json!({"username": ["This field may not be blank."], "password": ["This field is required."]})
    );
}

#[tokio::test]
async fn user_filters_with_nul_match_nothing_instead_of_failing() {
    let app = TestApp::spawn().await;
    let response = app.get("/api/users/?username=ad%00min&query=%00").await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["x-result-count"], "0");
}

#[tokio::test]
async fn staff_creates_a_user_without_a_usable_password_then_sets_one() {
    let app = TestApp::spawn().await;
    let response = app
        .post(
            "/api/users/",
            &json!({"username": "carol", "email": "carol@example.org"}),
        )
        .await;
    assert_eq!(response.status(), 201);
    let user = json(response).await;
    assert_eq!(user["has_usable_password"], false);
    let uuid = user["uuid"].as_str().unwrap().to_owned();
    let short = app
        .post(
            &format!("/api/users/{uuid}/change_password/"),
            &json!({"new_password": "short"}),
        )
        .await;
    assert_eq!(short.status(), 400);
    assert_eq!(
        json(short).await,
        json!({"new_password": ["This password is too short. It must contain at least 8 characters."]})
    );
    let set = app
        .post(
            &format!("/api/users/{uuid}/change_password/"),
            &json!({"new_password": "a good password"}),
        )
        .await;
    assert_eq!(set.status(), 200);
    let login = app
        .request(
            Method::POST,
            "/api-auth/password/",
            None,
            Some(&json!({"username": "carol", "password": "a good password"})),
        )
        .await;
    assert_eq!(login.status(), 200);
}

#[tokio::test]
async fn non_staff_cannot_create_users_and_see_only_themselves() {
    let app = TestApp::spawn().await;
    let token = app.create_user("dave", false, false).await;
    let create = app
        .request(
            Method::POST,
            "/api/users/",
            Some(&token),
            Some(&json!({"username": "eve", "email": "e@example.org"})),
        )
        .await;
    assert_eq!(create.status(), 403);
    let list = app
        .request(Method::GET, "/api/users/", Some(&token), None)
        .await;
    assert_eq!(list.headers()["x-result-count"], "1");
    let users = json(list).await;
    assert_eq!(users[0]["username"], "dave");
    assert!(
        users[0].get("is_staff").is_none(),
        "privileged keys are hidden from ordinary users"
    );
    assert!(
        users[0].get("token_lifetime").is_some(),
        "a user sees their own token lifetime"
    );
}

#[tokio::test]
async fn duplicate_username_is_a_field_error() {
    let app = TestApp::spawn().await;
    let response = app
        .post(
            "/api/users/",
            &json!({"username": "admin", "email": "a@example.org"}),
        )
        .await;
    assert_eq!(response.status(), 400);
    assert_eq!(
        json(response).await,
        json!({"username": ["user with this username already exists."]})
    );
}

async fn token_for_lifetime(app: &TestApp, lifetime: i32) -> String {
    let token = app.create_user("idle", false, false).await;
    tenancy_tests::sql(
        app,
        &format!("UPDATE users SET token_lifetime = {lifetime} WHERE username = 'idle'"),
    )
    .await;
    token
}

#[tokio::test]
async fn a_token_idle_longer_than_its_lifetime_has_expired() {
    let app = TestApp::spawn().await;
    let token = token_for_lifetime(&app, 3600).await;
    tenancy_tests::sql(
        &app,
        "UPDATE auth_tokens SET last_used = now() - interval '2 hours'",
    )
    .await;
    let response = app
        .request(Method::GET, "/api/users/me/", Some(&token), None)
        .await;
    assert_eq!(response.status(), 401);
    assert_eq!(
        json(response).await,
        json!({"detail": "Token has expired."})
    );
}

#[tokio::test]
async fn last_used_is_written_at_most_once_a_minute() {
    let app = TestApp::spawn().await;
    let token = token_for_lifetime(&app, 3600).await;
    let last_used = || async {
        let rows = tenancy_tests::sql(
            &app,
            "SELECT extract(epoch FROM now() - t.last_used)::float8 FROM auth_tokens t JOIN users u ON u.id = t.user_id WHERE u.username = 'idle'",
        )
        .await;
        rows[0].get::<_, f64>(0)
    };
    tenancy_tests::sql(&app, "UPDATE auth_tokens SET last_used = now() - interval '30 seconds' FROM users u WHERE u.id = user_id AND u.username = 'idle'").await;
    assert_eq!(
        app.request(Method::GET, "/api/users/me/", Some(&token), None)
            .await
            .status(),
        200
    );
    assert!(
        last_used().await >= 29.0,
        "a use within the minute writes nothing"
    );
    tenancy_tests::sql(&app, "UPDATE auth_tokens SET last_used = now() - interval '50 minutes' FROM users u WHERE u.id = user_id AND u.username = 'idle'").await;
    let me = app
        .request(Method::GET, "/api/users/me/", Some(&token), None)
        .await;
    assert_eq!(me.status(), 200);
    assert!(
        last_used().await < 5.0,
        "an older use is refreshed, keeping the token alive"
    );
    assert!(json(me).await["token_expires_at"].is_string());
}

#[tokio::test]
async fn a_deactivated_users_token_is_refused() {
    let app = TestApp::spawn().await;
    let token = app.create_user("gone", false, false).await;
    tenancy_tests::sql(
        &app,
        "UPDATE users SET is_active = false WHERE username = 'gone'",
    )
    .await;
    let response = app
        .request(Method::GET, "/api/customers/", Some(&token), None)
        .await;
    assert_eq!(response.status(), 401);
    assert_eq!(
        json(response).await,
        json!({"detail": "User inactive or deleted."})
    );
}
