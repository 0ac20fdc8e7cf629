//! Request validation as a whole (spec 02 §2, 01 §8.2): the required name, several errors
//! at once, and nothing stored after a 400. The per-field rules are in `text_rules` and
//! `value_rules`.

use serde_json::json;
use tenancy_tests::{json, TestApp};

use super::{assert_400, assert_creates_rejected, assert_patches_rejected, detail_path, keys, put};

#[tokio::test]
async fn create_without_a_valid_name_answers_400_and_stores_nothing() {
    let app = TestApp::spawn().await;
    assert_creates_rejected(
        &app,
        &[
            (json!({}), json!({"name": ["This field is required."]})),
            (
                json!({"name": ""}),
                json!({"name": ["This field may not be blank."]}),
            ),
            (
                json!({"name": "   "}),
                json!({"name": ["This field may not be blank."]}),
            ),
            (
                json!({"name": null}),
                json!({"name": ["This field may not be null."]}),
            ),
            (
                json!({"name": true}),
                json!({"name": ["Not a valid string."]}),
            ),
            (
                json!({"name": "x".repeat(151)}),
                json!({"name": ["Ensure this field has no more than 150 characters."]}),
            ),
        ],
    )
    .await;
}

#[tokio::test]
async fn a_name_of_150_characters_after_trimming_is_accepted() {
    let app = TestApp::spawn().await;
    let name = "n".repeat(150);
    let body = app
        .create_customer(&json!({"name": format!("  {name}  ")}))
        .await;
    assert_eq!(body["name"], name);
}

#[tokio::test]
async fn put_without_name_answers_400_and_stores_nothing() {
    let app = TestApp::spawn().await;
    let created = app.create_customer(&json!({"name": "Stays"})).await;
    let path = detail_path(&created);
    assert_400(
        put(&app, &path, &json!({"city": "Tartu"})).await,
        json!({"name": ["This field is required."]}),
    )
    .await;
    assert_eq!(json(app.get(&path).await).await, created);
}

#[tokio::test]
async fn every_bad_field_is_reported_at_once() {
    let app = TestApp::spawn().await;
    assert_creates_rejected(
        &app,
        &[(
            json!({"name": "", "email": "bad", "homepage": "nope", "blocked": "maybe",
                "latitude": 100, "country": "XX", "user_affiliations": [1, null],
                "unknown_key": "ignored", "uuid": "ignored"}),
            json!({"name": ["This field may not be blank."],
                "email": ["Enter a valid email address."],
                "homepage": ["Enter a valid URL."],
                "blocked": ["Must be a valid boolean."],
                "latitude": ["Ensure this value is less than or equal to 90."],
                "country": ["\"XX\" is not a valid choice."],
                "user_affiliations": {"1": ["This field may not be null."]}}),
        )],
    )
    .await;
}

#[tokio::test]
async fn field_errors_are_listed_in_the_representation_order() {
    let app = TestApp::spawn().await;
    let response = app
        .post(
            "/api/customers/",
            &json!({"country": "XX", "latitude": "x", "homepage": "nope", "email": "bad",
                "user_affiliations": "x", "blocked": "maybe", "image": "x", "backend_id": 1.5,
                "abbreviation": "x".repeat(13)}),
        )
        .await;
    assert_eq!(response.status(), 400);
    let body = json(response).await;
    assert_eq!(
        keys(&body),
        [
            "image",
            "blocked",
            "user_affiliations",
            "name",
            "abbreviation",
            "email",
            "homepage",
            "latitude",
            "country"
        ]
    );
    assert_eq!(app.customer_count().await, 0);
}

#[tokio::test]
async fn a_rejected_patch_changes_nothing_even_in_valid_fields() {
    let app = TestApp::spawn().await;
    let created = app
        .create_customer(&json!({"name": "Intact", "city": "Tartu"}))
        .await;
    assert_patches_rejected(
        &app,
        &created,
        &[
            (
                json!({"city": "Tallinn", "email": "bad"}),
                json!({"email": ["Enter a valid email address."]}),
            ),
            (
                json!({"name": "  ", "city": "Narva"}),
                json!({"name": ["This field may not be blank."]}),
            ),
        ],
    )
    .await;
}
