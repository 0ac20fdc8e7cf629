//! The rules of spec 02 §2.2 for non-text values: decimals, coordinates, integers, lists,
//! regular expressions, the project slug template, the checklist reference and the image.

use serde_json::{json, Value};
use tenancy_tests::{json, TestApp};

use super::{assert_creates_rejected, detail_path};

#[tokio::test]
async fn default_tax_percent_is_checked_for_digits_places_and_bounds() {
    let app = TestApp::spawn().await;
    let tax = |value: Value, message: &str| {
        (
            json!({"name": "T", "default_tax_percent": value}),
            json!({"default_tax_percent": [message]}),
        )
    };
    assert_creates_rejected(
        &app,
        &[
            tax(json!("abc"), "A valid number is required."),
            tax(json!(true), "A valid number is required."),
            tax(
                json!(123_456),
                "Ensure that there are no more than 5 digits in total.",
            ),
            tax(
                json!("1.234"),
                "Ensure that there are no more than 2 decimal places.",
            ),
            tax(json!("NaN"), "A valid number is required."),
            tax(
                json!("1000"),
                "Ensure that there are no more than 3 digits before the decimal point.",
            ),
            tax(
                json!(-1),
                "Ensure this value is greater than or equal to 0.",
            ),
            tax(
                json!("200.01"),
                "Ensure this value is less than or equal to 200.",
            ),
        ],
    )
    .await;
    let ok = app
        .create_customer(&json!({"name": "T", "default_tax_percent": 12.5}))
        .await;
    assert_eq!(ok["default_tax_percent"], "12.50");
}

#[tokio::test]
async fn coordinates_must_be_numbers_within_their_ranges() {
    let app = TestApp::spawn().await;
    assert_creates_rejected(
        &app,
        &[
            (
                json!({"name": "G", "latitude": 90.5, "longitude": -180.5}),
                json!({"latitude": ["Ensure this value is less than or equal to 90."],
                    "longitude": ["Ensure this value is greater than or equal to -180."]}),
            ),
            (
                json!({"name": "G", "latitude": "north", "longitude": [1]}),
                json!({"latitude": ["A valid number is required."],
                    "longitude": ["A valid number is required."]}),
            ),
        ],
    )
    .await;
    let ok = app
        .create_customer(&json!({"name": "G", "latitude": "58.38", "longitude": -180}))
        .await;
    assert_eq!(ok["latitude"], 58.38);
    assert_eq!(ok["longitude"], -180.0);
}

#[tokio::test]
async fn integer_fields_have_their_bounds() {
    let app = TestApp::spawn().await;
    assert_creates_rejected(
        &app,
        &[
            (
                json!({"name": "I", "sponsor_number": -1, "grace_period_days": 2_147_483_648_i64,
                    "max_service_accounts": 32_768}),
                json!({"sponsor_number": ["Ensure this value is greater than or equal to 0."],
                    "grace_period_days": ["Ensure this value is less than or equal to 2147483647."],
                    "max_service_accounts": ["Ensure this value is less than or equal to 32767."]}),
            ),
            (
                json!({"name": "I", "sponsor_number": "many", "max_service_accounts": 1.5,
                    "grace_period_days": "1e3"}),
                json!({"sponsor_number": ["A valid integer is required."],
                    "max_service_accounts": ["A valid integer is required."],
                    "grace_period_days": ["A valid integer is required."]}),
            ),
            (
                json!({"name": "I", "sponsor_number": "99999999999999999999",
                    "grace_period_days": 18_446_744_073_709_551_615_u64}),
                json!({"sponsor_number": ["Ensure this value is less than or equal to 2147483647."],
                    "grace_period_days": ["Ensure this value is less than or equal to 2147483647."]}),
            ),
        ],
    )
    .await;
    let ok = app
        .create_customer(
            &json!({"name": "I", "sponsor_number": "7", "grace_period_days": 3.0,
            "max_service_accounts": null}),
        )
        .await;
    assert_eq!(ok["sponsor_number"], 7);
    assert_eq!(ok["grace_period_days"], 3);
    assert_eq!(ok["max_service_accounts"], Value::Null);
}

#[tokio::test]
async fn user_email_patterns_must_be_valid_and_safe_regexes() {
    let app = TestApp::spawn().await;
    assert_creates_rejected(
        &app,
        &[
            (
                json!({"name": "P", "user_email_patterns": [".*@ok\\.org", "(", ""]}),
                json!({"user_email_patterns": ["Invalid regex patterns: ['(', '']"]}),
            ),
            (
                json!({"name": "P", "user_email_patterns": ["(a+)+@x"]}),
                json!({"user_email_patterns":
                    ["Potentially dangerous patterns (nested quantifiers or too long): ['(a+)+@x']"]}),
            ),
            (
                json!({"name": "P", "user_email_patterns": "not-a-list"}),
                json!({"user_email_patterns": ["Expected a list of items but got type \"str\"."]}),
            ),
        ],
    )
    .await;
}

#[tokio::test]
async fn list_fields_report_bad_items_by_index() {
    let app = TestApp::spawn().await;
    assert_creates_rejected(
        &app,
        &[
            (
                json!({"name": "L", "user_affiliations": ["staff", true, {"a": 1}],
                    "user_identity_sources": {"a": 1}}),
                json!({"user_affiliations": {"1": ["Not a valid string."], "2": ["Not a valid string."]},
                    "user_identity_sources": ["Expected a list of items but got type \"dict\"."]}),
            ),
            (
                json!({"name": "L", "user_affiliations": null}),
                json!({"user_affiliations": ["This field may not be null."]}),
            ),
        ],
    )
    .await;
    let ok = app
        .create_customer(&json!({"name": "L", "user_affiliations": ["staff", 5]}))
        .await;
    assert_eq!(ok["user_affiliations"], json!(["staff", "5"]));
}

#[tokio::test]
async fn project_slug_template_allows_known_placeholders_only() {
    let app = TestApp::spawn().await;
    let allowed = "Allowed: counter, counter_padded, customer_slug, month, project_name, year";
    assert_creates_rejected(
        &app,
        &[
            (
                json!({"name": "P", "project_slug_template": "{team}-{a}-{counter}"}),
                json!({"project_slug_template": [format!("Invalid placeholders: a, team. {allowed}")]}),
            ),
            (
                json!({"name": "P", "project_slug_template": "{customer_slug"}),
                json!({"project_slug_template":
                    ["Invalid template format: expected '}' before end of string"]}),
            ),
        ],
    )
    .await;
    let ok = app
        .create_customer(
            &json!({"name": "P", "project_slug_template": "{customer_slug}-{counter}"}),
        )
        .await;
    assert_eq!(ok["project_slug_template"], "{customer_slug}-{counter}");
    let cleared = json(
        app.patch(&detail_path(&ok), &json!({"project_slug_template": ""}))
            .await,
    )
    .await;
    assert_eq!(cleared["project_slug_template"], Value::Null);
}

#[tokio::test]
async fn a_non_null_image_is_not_a_file_and_null_is_ignored() {
    let app = TestApp::spawn().await;
    assert_creates_rejected(
        &app,
        &[(
            json!({"name": "Img", "image": "https://example.org/logo.png"}),
            json!({"image": ["The submitted data was not a file. Check the encoding type on the form."]}),
        )],
    )
    .await;
    let ok = app
        .create_customer(&json!({"name": "Img", "image": null}))
        .await;
    assert_eq!(ok["image"], Value::Null);
}

#[tokio::test]
async fn project_metadata_checklist_must_name_an_existing_checklist() {
    // No checklists exist yet (05 §6), so every well-formed UUID names a missing one.
    let app = TestApp::spawn().await;
    assert_creates_rejected(
        &app,
        &[
            (
                json!({"name": "K", "project_metadata_checklist": "not-a-uuid"}),
                json!({"project_metadata_checklist": ["Must be a valid UUID."]}),
            ),
            (
                json!({"name": "K", "project_metadata_checklist": 5}),
                json!({"project_metadata_checklist": ["Must be a valid UUID."]}),
            ),
            (
                json!({"name": "K",
                    "project_metadata_checklist": "5d08cbca-f2be-407b-ab09-f6d256dd9485"}),
                json!({"project_metadata_checklist":
                    ["Object with uuid=5d08cbca-f2be-407b-ab09-f6d256dd9485 does not exist."]}),
            ),
        ],
    )
    .await;
    let cleared = app
        .create_customer(&json!({"name": "K", "project_metadata_checklist": null}))
        .await;
    assert_eq!(cleared["project_metadata_checklist"], Value::Null);
}
