//! The customer list filters `organization_group_uuid` and `organization_group_name`
//! (spec 04 §7.3), on `GET` and `HEAD /api/customers/`.

use reqwest::Method;
use serde_json::{json, Value};
use tenancy_tests::{json, TestApp};

use super::{assert_400, create_group, customer_names, dashed, result_count, set_groups, uuid_of};

/// Groups Education → Universities, and Health; customers in them.
/// - "Both": Education and Health
/// - "Edu": Education
/// - "Uni": Universities only
/// - "Nowhere": none
async fn fixture(app: &TestApp) -> (Value, Value, Value) {
    let education = create_group(app, "Education", None).await;
    let universities = create_group(app, "Universities", Some(&education)).await;
    let health = create_group(app, "Health care", None).await;
    let both = app.create_customer(&json!({"name": "Both"})).await;
    let edu = app.create_customer(&json!({"name": "Edu"})).await;
    let uni = app.create_customer(&json!({"name": "Uni"})).await;
    app.create_customer(&json!({"name": "Nowhere"})).await;
    set_groups(app, &both, &[&education, &health]).await;
    set_groups(app, &edu, &[&education]).await;
    set_groups(app, &uni, &[&universities]).await;
    (education, universities, health)
}

fn choice_error(value: &str) -> Value {
    json!({"organization_group_uuid": [
        format!("Select a valid choice. {value} is not one of the available choices.")
    ]})
}

#[tokio::test]
async fn group_uuid_matches_direct_members_and_repeats_are_or() {
    let app = TestApp::spawn().await;
    let (education, universities, health) = fixture(&app).await;
    let (e, u, h) = (
        uuid_of(&education),
        uuid_of(&universities),
        uuid_of(&health),
    );
    let cases: Vec<(String, &[&str])> = vec![
        (format!("organization_group_uuid={e}"), &["Both", "Edu"]),
        (
            format!("organization_group_uuid={}", dashed(e)),
            &["Both", "Edu"],
        ),
        (format!("organization_group_uuid={u}"), &["Uni"]),
        (format!("organization_group_uuid={h}"), &["Both"]),
        (
            format!("organization_group_uuid={e}&organization_group_uuid={h}"),
            &["Both", "Edu"],
        ),
        (
            format!("organization_group_uuid={h}&organization_group_uuid={u}"),
            &["Both", "Uni"],
        ),
        (format!("organization_group_uuid={h},{u}"), &["Both", "Uni"]),
        (
            format!("organization_group_uuid={e}&organization_group_uuid={e}"),
            &["Both", "Edu"],
        ),
        (format!("organization_group_uuid={e}&name=ed"), &["Edu"]),
        (
            "organization_group_uuid=".to_owned(),
            &["Both", "Edu", "Nowhere", "Uni"],
        ),
    ];
    for (query, expected) in cases {
        assert_eq!(customer_names(&app, &query).await, expected, "?{query}");
        let head = app
            .request(
                Method::HEAD,
                &format!("/api/customers/?{query}"),
                Some(&app.admin_token),
                None,
            )
            .await;
        assert_eq!(result_count(&head), expected.len() as u64, "HEAD ?{query}");
    }
}

#[tokio::test]
async fn an_unknown_or_malformed_group_uuid_is_400() {
    let app = TestApp::spawn().await;
    let (education, _, _) = fixture(&app).await;
    let e = uuid_of(&education);
    let unknown = "0123456789abcdef0123456789abcdef";
    let cases = [
        (
            format!("organization_group_uuid={unknown}"),
            unknown.to_owned(),
        ),
        (
            "organization_group_uuid=not-a-uuid".to_owned(),
            "not-a-uuid".to_owned(),
        ),
        (
            format!("organization_group_uuid={e}&organization_group_uuid={unknown}"),
            unknown.to_owned(),
        ),
        (
            format!("organization_group_uuid={e}&organization_group_uuid=bad"),
            "bad".to_owned(),
        ),
    ];
    for (query, value) in cases {
        let response = app.get(&format!("/api/customers/?{query}")).await;
        assert_400(response, choice_error(&value)).await;
        let head = app
            .request(
                Method::HEAD,
                &format!("/api/customers/?{query}"),
                Some(&app.admin_token),
                None,
            )
            .await;
        assert_eq!(head.status(), 400, "HEAD ?{query}");
    }
}

#[tokio::test]
async fn group_name_is_a_substring_of_any_direct_groups_name_without_duplicates() {
    let app = TestApp::spawn().await;
    fixture(&app).await;
    let cases: [(&str, &[&str]); 7] = [
        ("organization_group_name=EDUC", &["Both", "Edu"]),
        ("organization_group_name=univ", &["Uni"]),
        ("organization_group_name=care", &["Both"]),
        // "e" is in every group name: "Both" (two groups) is listed once.
        ("organization_group_name=e", &["Both", "Edu", "Uni"]),
        ("organization_group_name=zz", &[]),
        ("organization_group_name=e&name=bo", &["Both"]),
        ("organization_group_name=%25", &[]),
    ];
    for (query, expected) in cases {
        assert_eq!(customer_names(&app, query).await, expected, "?{query}");
    }
    let head = app
        .request(
            Method::HEAD,
            "/api/customers/?organization_group_name=e",
            Some(&app.admin_token),
            None,
        )
        .await;
    assert_eq!(result_count(&head), 3);
}

#[tokio::test]
async fn the_uuid_filter_applies_to_the_callers_visible_customers_only() {
    let app = TestApp::spawn().await;
    let (education, _, _) = fixture(&app).await;
    let token = app.create_user("nobody", false, false).await;
    let query = format!(
        "/api/customers/?organization_group_uuid={}",
        uuid_of(&education)
    );
    let response = app.request(Method::GET, &query, Some(&token), None).await;
    assert_eq!(response.status(), 200);
    assert_eq!(json(response).await, json!([]));
    let support = app.create_user("support", false, true).await;
    let response = app.request(Method::GET, &query, Some(&support), None).await;
    assert_eq!(super::names(response).await, ["Both", "Edu"]);
}
