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
