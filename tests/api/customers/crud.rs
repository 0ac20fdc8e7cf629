//! The seed's customer examples (list, retrieve, create, update, partial update, delete) and
//! the representation of spec 02 §1.

use reqwest::Method;
use serde_json::{json, Value};
use tenancy_tests::{json, TestApp};

use super::{detail_path, keys, put, result_count, SPEC_KEYS};

/// `2026-11-22T18:28:25.563545Z` or `2026-11-22T18:28:25Z` (spec 01 §6).
fn is_waldur_datetime(text: &str) -> bool {
    let b = text.as_bytes();
    let digits = |range: std::ops::Range<usize>| range.into_iter().all(|i| b[i].is_ascii_digit());
    let head = b.len() >= 20
        && digits(0..4)
        && b[4] == b'-'
        && digits(5..7)
        && b[7] == b'-'
        && digits(8..10)
        && b[10] == b'T'
        && digits(11..13)
        && b[13] == b':'
        && digits(14..16)
        && b[16] == b':'
        && digits(17..19);
    head && (b.len() == 20 && b[19] == b'Z'
        || b.len() == 27 && b[19] == b'.' && digits(20..26) && b[26] == b'Z')
}

fn is_hex_uuid(text: &str) -> bool {
    text.len() == 32
        && text
            .bytes()
            .all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(&c))
}

/// What `{"name": "my-awesome-customer"}` creates, without the keys that differ per run.
fn seed_defaults() -> Value {
    serde_json::from_str(
        r#"{
        "organization_groups": [], "display_name": "my-awesome-customer", "backend_id": "",
        "image": null, "blocked": false, "archived": false,
        "display_billing_info_in_projects": true, "default_tax_percent": "0.00",
        "projects_count": 0, "users_count": 0, "sponsor_number": null, "country_name": null,
        "max_service_accounts": 0, "project_metadata_checklist": null,
        "grace_period_days": null, "user_email_patterns": [], "user_affiliations": [],
        "user_identity_sources": [], "default_affiliations": [],
        "name": "my-awesome-customer", "slug": "my-aweso-1", "native_name": "",
        "abbreviation": "", "description": "", "contact_details": "", "agreement_number": "",
        "email": "", "phone_number": "", "access_subnets": "", "registration_code": "",
        "homepage": "", "domain": "", "vat_code": "", "postal": "", "address": "",
        "bank_name": "", "latitude": null, "longitude": null, "bank_account": "",
        "country": "", "notification_emails": "", "city": "", "state": "", "parish": "",
        "street": "", "house_nr": "", "apartment_nr": "", "household": "",
        "project_slug_template": null, "payment_profiles": [], "customer_credit": null,
        "customer_unallocated_credit": null, "has_affiliate_links": false,
        "is_service_provider": false, "service_provider": null,
        "service_provider_uuid": null, "call_managing_organization_uuid": null,
        "billing_price_estimate": {"total": 0.0, "current": 0.0, "tax": 0.0, "tax_current": 0.0},
        "has_active_helpdesk": false
    }"#,
    )
    .unwrap()
}

/// Asserts the shape rules every customer body obeys, whoever asks.
fn assert_customer_shape(app: &TestApp, body: &Value) {
    assert_eq!(keys(body), SPEC_KEYS.to_vec());
    let uuid = body["uuid"].as_str().unwrap();
    assert!(is_hex_uuid(uuid), "{uuid}");
    assert_eq!(body["url"], app.url(&format!("/api/customers/{uuid}/")));
    for key in ["created", "accounting_start_date"] {
        let text = body[key].as_str().unwrap();
        assert!(is_waldur_datetime(text), "{key} = {text}");
    }
    assert!(body["country"].is_string(), "country is never null");
    assert!(body["billing_price_estimate"].is_object());
}

/// Drops the keys that differ per run, for comparison with [`seed_defaults`].
fn without_volatile(mut body: Value) -> Value {
    let map = body.as_object_mut().unwrap();
    for key in ["url", "uuid", "created", "accounting_start_date"] {
        map.remove(key);
    }
    body
}

#[tokio::test]
async fn seed_create_answers_201_with_location_and_every_default() {
    let app = TestApp::spawn().await;
    let response = app
        .post("/api/customers/", &json!({"name": "my-awesome-customer"}))
        .await;
    assert_eq!(response.status(), 201);
    assert_eq!(response.headers()["content-type"], "application/json");
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    let body = json(response).await;
    assert_customer_shape(&app, &body);
    assert_eq!(body["url"], location);
    assert_eq!(
        body["accounting_start_date"], body["created"],
        "accounting starts at creation"
    );
    assert_eq!(without_volatile(body), seed_defaults());
}

#[tokio::test]
async fn capture_org_create_generates_capture_1_and_displays_the_abbreviation() {
    let app = TestApp::spawn().await;
    let body = app
        .create_customer(
            &json!({"name": "Capture Org", "email": "capture@example.org",
            "native_name": "Capture native", "abbreviation": "CAP"}),
        )
        .await;
    assert_eq!(body["slug"], "capture--1");
    assert_eq!(body["display_name"], "CAP");
    assert_eq!(body["native_name"], "Capture native");
    assert_eq!(body["email"], "capture@example.org");
}

#[tokio::test]
async fn seed_list_answers_a_bare_array_in_spec_key_order_with_a_count() {
    let app = TestApp::spawn().await;
    let created = app
        .create_customer(&json!({"name": "my-awesome-customer"}))
        .await;
    let response = app.get("/api/customers/").await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "application/json");
    assert_eq!(result_count(&response), 1);
    let list = json(response).await;
    assert_eq!(list, json!([created]));
    assert_customer_shape(&app, &list[0]);
}

#[tokio::test]
async fn seed_retrieve_by_dashed_uuid_answers_the_created_representation() {
    let app = TestApp::spawn().await;
    let created = app
        .create_customer(&json!({"name": "my-awesome-customer"}))
        .await;
    let hex = created["uuid"].as_str().unwrap();
    let dashed = format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    );
    for path in [
        format!("/api/customers/{dashed}/"),
        format!("/api/customers/{}/", hex.to_uppercase()),
        detail_path(&created),
    ] {
        let response = app.get(&path).await;
        assert_eq!(response.status(), 200, "{path}");
        assert_eq!(response.headers()["content-type"], "application/json");
        let body = json(response).await;
        assert_customer_shape(&app, &body);
        assert_eq!(body, created, "{path}");
    }
}

#[tokio::test]
async fn seed_put_renames_and_answers_the_full_representation() {
    let app = TestApp::spawn().await;
    let created = app.create_customer(&json!({"name": "Before"})).await;
    let response = put(
        &app,
        &detail_path(&created),
        &json!({"name": "my-awesome-customer"}),
    )
    .await;
    assert_eq!(response.status(), 200);
    let body = json(response).await;
    assert_customer_shape(&app, &body);
    let mut expected = created.clone();
    expected["name"] = json!("my-awesome-customer");
    expected["display_name"] = json!("my-awesome-customer");
    assert_eq!(body, expected, "only the name changes; the slug is kept");
    assert_eq!(json(app.get(&detail_path(&created)).await).await, expected);
}

#[tokio::test]
async fn put_keeps_omitted_fields() {
    let app = TestApp::spawn().await;
    let created = app
        .create_customer(
            &json!({"name": "Keep", "city": "Tartu", "email": "a@example.org",
            "latitude": 58.38, "user_affiliations": ["staff"], "default_tax_percent": "20.00"}),
        )
        .await;
    let body = json(put(&app, &detail_path(&created), &json!({"name": "Kept"})).await).await;
    assert_eq!(body["name"], "Kept");
    for key in [
        "city",
        "email",
        "latitude",
        "user_affiliations",
        "default_tax_percent",
        "slug",
    ] {
        assert_eq!(body[key], created[key], "{key}");
    }
}

#[tokio::test]
async fn seed_patch_without_a_body_is_a_no_op_200() {
    let app = TestApp::spawn().await;
    let created = app.create_customer(&json!({"name": "Same"})).await;
    let response = app
        .request(
            Method::PATCH,
            &detail_path(&created),
            Some(&app.admin_token),
            None,
        )
        .await;
    assert_eq!(response.status(), 200);
    assert_eq!(json(response).await, created);
}

#[tokio::test]
async fn patch_with_an_empty_object_is_a_no_op_200() {
    let app = TestApp::spawn().await;
    let created = app.create_customer(&json!({"name": "Same"})).await;
    let response = app.patch(&detail_path(&created), &json!({})).await;
    assert_eq!(response.status(), 200);
    let body = json(response).await;
    assert_customer_shape(&app, &body);
    assert_eq!(body, created);
}

#[tokio::test]
async fn patch_changes_only_the_keys_sent() {
    let app = TestApp::spawn().await;
    let created = app
        .create_customer(&json!({"name": "Partial", "city": "Tartu"}))
        .await;
    let body = json(
        app.patch(
            &detail_path(&created),
            &json!({"abbreviation": " PA ", "country": "EE", "latitude": null}),
        )
        .await,
    )
    .await;
    let mut expected = created.clone();
    expected["abbreviation"] = json!("PA");
    expected["display_name"] = json!("PA");
    expected["country"] = json!("EE");
    expected["country_name"] = json!("Estonia");
    assert_eq!(body, expected);
}

#[tokio::test]
async fn staff_unblocks_a_blocked_customer_with_patch() {
    let app = TestApp::spawn().await;
    let created = app
        .create_customer(&json!({"name": "Frozen", "blocked": true, "archived": true}))
        .await;
    assert_eq!(created["blocked"], true);
    let path = detail_path(&created);
    let unblocked = app
        .patch(&path, &json!({"blocked": false, "city": "Tartu"}))
        .await;
    assert_eq!(unblocked.status(), 200);
    let body = json(unblocked).await;
    assert_eq!(body["blocked"], false);
    assert_eq!(body["archived"], true);
    assert_eq!(body["city"], "Tartu");
}

#[tokio::test]
async fn seed_delete_answers_204_without_a_body_and_the_customer_is_gone() {
    let app = TestApp::spawn().await;
    let created = app.create_customer(&json!({"name": "Doomed"})).await;
    let path = detail_path(&created);
    let response = app
        .request(Method::DELETE, &path, Some(&app.admin_token), None)
        .await;
    assert_eq!(response.status(), 204);
    assert_eq!(response.bytes().await.unwrap().len(), 0);
    let gone = app.get(&path).await;
    assert_eq!(gone.status(), 404);
    assert_eq!(
        json(gone).await,
        json!({"detail": "No Customer matches the given query."})
    );
    assert_eq!(app.customer_count().await, 0);
}

#[tokio::test]
async fn blocked_or_archived_customers_cannot_be_deleted_even_by_staff() {
    let app = TestApp::spawn().await;
    for (body, message) in [
        (
            json!({"name": "B", "blocked": true}),
            "Blocked organization is not available.",
        ),
        (
            json!({"name": "A", "archived": true}),
            "Archived organization is not available.",
        ),
        (
            json!({"name": "AB", "blocked": true, "archived": true}),
            "Blocked organization is not available.",
        ),
    ] {
        let created = app.create_customer(&body).await;
        let response = app
            .request(
                Method::DELETE,
                &detail_path(&created),
                Some(&app.admin_token),
                None,
            )
            .await;
        assert_eq!(response.status(), 400);
        assert_eq!(json(response).await, json!([message]));
        assert_eq!(app.get(&detail_path(&created)).await.status(), 200);
    }
}
