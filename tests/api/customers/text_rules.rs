//! The rules of spec 02 §2.2–2.3 for text fields: lengths, e-mail, URL, phone, notification
//! e-mails, access subnets, country and VAT, slugs.

use serde_json::json;
use tenancy_tests::TestApp;

use super::{assert_400, assert_creates_rejected, assert_patches_rejected, detail_path};

/// The plain string fields and their longest value (spec 02 §1).
const LENGTHS: [(&str, usize); 22] = [
    ("backend_id", 255),
    ("native_name", 160),
    ("abbreviation", 12),
    ("description", 2000),
    ("contact_details", 500),
    ("agreement_number", 160),
    ("registration_code", 160),
    ("domain", 255),
    ("postal", 20),
    ("address", 300),
    ("bank_name", 150),
    ("bank_account", 50),
    ("city", 100),
    ("state", 100),
    ("parish", 100),
    ("street", 200),
    ("house_nr", 100),
    ("apartment_nr", 100),
    ("household", 100),
    ("phone_number", 255),
    ("vat_code", 20),
    ("notification_emails", 640),
];

#[tokio::test]
async fn every_text_field_refuses_one_character_too_many() {
    let app = TestApp::spawn().await;
    let cases: Vec<_> = LENGTHS
        .iter()
        .map(|(field, max)| {
            (
                json!({"name": "L", *field: "1".repeat(max + 1)}),
                json!({ *field: [format!("Ensure this field has no more than {max} characters.")] }),
            )
        })
        .collect();
    assert_creates_rejected(&app, &cases).await;
    let mut body = json!({"name": "L"});
    for (field, max) in LENGTHS {
        if !matches!(field, "phone_number" | "vat_code" | "notification_emails") {
            body[field] = json!("é".repeat(max));
        }
    }
    let stored = app.create_customer(&body).await;
    assert_eq!(stored["description"], "é".repeat(2000));
}

#[tokio::test]
async fn contact_fields_must_be_well_formed() {
    let app = TestApp::spawn().await;
    let long_email = format!("{}@example.org", "a".repeat(70));
    assert_creates_rejected(
        &app,
        &[
            (
                json!({"name": "C", "email": "not-an-email"}),
                json!({"email": ["Enter a valid email address."]}),
            ),
            (
                json!({"name": "C", "email": long_email}),
                json!({"email": ["Ensure this field has no more than 75 characters."]}),
            ),
            (
                json!({"name": "C", "homepage": "example.org"}),
                json!({"homepage": ["Enter a valid URL."]}),
            ),
            (
                json!({"name": "C", "homepage": "mailto://example.org"}),
                json!({"homepage": ["Enter a valid URL."]}),
            ),
            (
                json!({"name": "C", "phone_number": "call me"}),
                json!({"phone_number": ["Invalid phone number format."]}),
            ),
            (
                json!({"name": "C", "notification_emails": "a@example.org, bad, worse"}),
                json!({"notification_emails": ["Invalid email address: bad"]}),
            ),
            (
                json!({"name": "C", "abbreviation": "x".repeat(13)}),
                json!({"abbreviation": ["Ensure this field has no more than 12 characters."]}),
            ),
            (
                json!({"name": "C", "city": null}),
                json!({"city": ["This field may not be null."]}),
            ),
        ],
    )
    .await;
}

#[tokio::test]
async fn valid_contact_fields_are_stored_trimmed() {
    let app = TestApp::spawn().await;
    let body = app
        .create_customer(&json!({"name": "C", "email": " a@example.org ",
            "homepage": "https://example.org/path", "phone_number": "+372 (5) 555-1234",
            "notification_emails": "a@example.org, , b@example.org",
            "access_subnets": "10.0.0.1/8, 2001:db8::/32"}))
        .await;
    assert_eq!(body["email"], "a@example.org");
    assert_eq!(body["homepage"], "https://example.org/path");
    assert_eq!(body["phone_number"], "+372 (5) 555-1234");
    assert_eq!(body["access_subnets"], "10.0.0.1/8, 2001:db8::/32");
}

#[tokio::test]
async fn access_subnets_lists_every_invalid_item() {
    let app = TestApp::spawn().await;
    assert_creates_rejected(
        &app,
        &[
            (
                json!({"name": "N", "access_subnets": "10.0.0.0/8, bad, 10/8, 10.0.0.1"}),
                json!({"access_subnets": ["The following items are invalid: bad, 10/8, 10.0.0.1"]}),
            ),
            (
                json!({"name": "N", "access_subnets": "10.0.0.0/33"}),
                json!({"access_subnets": ["The following items are invalid: 10.0.0.0/33"]}),
            ),
        ],
    )
    .await;
}

#[tokio::test]
async fn country_must_be_a_known_code_and_vat_follows_the_effective_country() {
    let app = TestApp::spawn().await;
    assert_creates_rejected(
        &app,
        &[
            (
                json!({"name": "V", "country": "XX"}),
                json!({"country": ["\"XX\" is not a valid choice."]}),
            ),
            (
                json!({"name": "V", "country": "EE", "vat_code": "EE123"}),
                json!({"vat_code": ["VAT number has invalid format."]}),
            ),
            (
                json!({"name": "V", "vat_code": "?"}),
                json!({"vat_code": ["VAT number has invalid format."]}),
            ),
        ],
    )
    .await;
    let estonian = app
        .create_customer(&json!({"name": "V", "country": "EE", "vat_code": "EE123456789"}))
        .await;
    assert_eq!(estonian["country_name"], "Estonia");
    // The stored country applies when the body has none.
    assert_patches_rejected(
        &app,
        &estonian,
        &[(
            json!({"vat_code": "DE123456789"}),
            json!({"vat_code": ["VAT number has invalid format."]}),
        )],
    )
    .await;
}

#[tokio::test]
async fn slugs_must_be_well_formed_and_unique() {
    let app = TestApp::spawn().await;
    let format = "Enter a valid \"slug\" consisting of letters, numbers, underscores or hyphens.";
    assert_creates_rejected(
        &app,
        &[
            (
                json!({"name": "S", "slug": "not a slug"}),
                json!({"slug": [format]}),
            ),
            (
                json!({"name": "S", "slug": "s".repeat(51)}),
                json!({"slug": ["Ensure this field has no more than 50 characters."]}),
            ),
        ],
    )
    .await;
    let taken = app
        .create_customer(&json!({"name": "S", "slug": "taken"}))
        .await;
    let exists = json!({"slug": ["organization with this slug already exists."]});
    assert_400(
        app.post("/api/customers/", &json!({"name": "T", "slug": "taken"}))
            .await,
        exists.clone(),
    )
    .await;
    assert_eq!(app.customer_count().await, 1);
    let other = app.create_customer(&json!({"name": "Other"})).await;
    assert_patches_rejected(&app, &other, &[(json!({"slug": "taken"}), exists)]).await;
    let same = app
        .patch(&detail_path(&taken), &json!({"slug": "taken"}))
        .await;
    assert_eq!(same.status(), 200, "a customer keeps its own slug");
}
