//! An expired grant gives nothing from the instant it expires, with no background job
//! (spec 03 §4.1, §10 item 4).

use std::time::Duration;

use chrono::{SecondsFormat, Utc};
use reqwest::Method;
use serde_json::json;
use tenancy_tests::{json, TestApp};

use super::{customer, get_as, user_uuid};

#[tokio::test]
async fn a_grant_works_until_its_expiry_and_gives_nothing_after() {
    let app = TestApp::spawn().await;
    let org = customer(&app, "Org").await;
    let owner = app.create_user("owner", false, false).await;
    let uuid = user_uuid(&app, "owner").await;
    let expiry = Utc::now() + chrono::Duration::milliseconds(2500);
    let response = app
        .post(
            &format!("/api/customers/{org}/add_user/"),
            &json!({
                "user": uuid,
                "role": "CUSTOMER.OWNER",
                "expiration_time": expiry.to_rfc3339_opts(SecondsFormat::Micros, true)
            }),
        )
        .await;
    assert_eq!(response.status(), 201);

    let customer_path = format!("/api/customers/{org}/");
    let team_path = format!("/api/customers/{org}/list_users/");
    // Before: visible, updatable (CUSTOMER.UPDATE), counted, listed.
    assert_eq!(get_as(&app, &owner, &customer_path).await.status(), 200);
    let response = app
        .request(
            Method::PATCH,
            &customer_path,
            Some(&owner),
            Some(&json!({"name": "Renamed"})),
        )
        .await;
    assert_eq!(response.status(), 200);
    let body = json(app.get(&customer_path).await).await;
    assert_eq!(body["users_count"], 1);
    assert_eq!(app.get(&team_path).await.headers()["x-result-count"], "1");
    let list = json(get_as(&app, &owner, "/api/customers/?owned_by_current_user=true").await).await;
    assert_eq!(list.as_array().unwrap().len(), 1);

    let wait = (expiry - Utc::now()).to_std().unwrap_or_default() + Duration::from_millis(100);
    tokio::time::sleep(wait).await;

    // After: invisible, no rights, not counted, not listed — and the row is still there.
    assert_eq!(get_as(&app, &owner, &customer_path).await.status(), 404);
    let response = app
        .request(
            Method::PATCH,
            &customer_path,
            Some(&owner),
            Some(&json!({"name": "Again"})),
        )
        .await;
    assert_eq!(response.status(), 404);
    let body = json(app.get(&customer_path).await).await;
    assert_eq!(body["users_count"], 0);
    assert_eq!(body["name"], "Renamed");
    assert_eq!(app.get(&team_path).await.headers()["x-result-count"], "0");
    let list = json(get_as(&app, &owner, "/api/customers/").await).await;
    assert_eq!(list.as_array().unwrap().len(), 0);
    let rows = tenancy_tests::sql(&app, "SELECT is_active FROM grants").await;
    assert!(
        rows[0].get::<_, bool>(0),
        "nothing cleaned the row up; it simply stopped counting"
    );

    // The role can be granted again: the expired row is closed as `expired`.
    let response = app
        .post(
            &format!("/api/customers/{org}/add_user/"),
            &json!({"user": uuid, "role": "CUSTOMER.OWNER"}),
        )
        .await;
    assert_eq!(response.status(), 201);
    let rows = tenancy_tests::sql(
        &app,
        "SELECT revoke_reason, revoked_at = expiration_time FROM grants WHERE NOT is_active",
    )
    .await;
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].get::<_, String>(0), "expired");
    assert!(rows[0].get::<_, bool>(1));
    assert_eq!(get_as(&app, &owner, &customer_path).await.status(), 200);
}

#[tokio::test]
async fn an_expired_grant_cannot_be_updated_back_to_life() {
    let app = TestApp::spawn().await;
    let org = customer(&app, "Org").await;
    app.create_user("erin", false, false).await;
    let erin = user_uuid(&app, "erin").await;
    let response = app
        .post(
            &format!("/api/customers/{org}/add_user/"),
            &json!({"user": erin, "role": "CUSTOMER.OWNER", "expiration_time": "2099-01-01"}),
        )
        .await;
    assert_eq!(response.status(), 201);
    tenancy_tests::sql(
        &app,
        "UPDATE grants SET expiration_time = now() - interval '1 second'",
    )
    .await;
    let response = app
        .post(
            &format!("/api/customers/{org}/update_user/"),
            &json!({"user": erin, "role": "CUSTOMER.OWNER", "expiration_time": "2099-01-01"}),
        )
        .await;
    assert_eq!(response.status(), 400);
    assert_eq!(
        json(response).await,
        json!({"non_field_errors": ["User does not have this role in this scope."]})
    );
}
