//! Body validation (spec 04 §2.3, 01 §5.3, §8.2): `name` rules, `parent` hyperlink errors,
//! all field errors at once, and nothing stored or changed after a 400.

use serde_json::{json, Value};
use tenancy_tests::{json, TestApp};

use super::{all_groups, assert_400, create_group, path_of, put, uuid_of, GROUPS};

const NO_MATCH: &str = "Invalid hyperlink - No URL match.";
const NO_OBJECT: &str = "Invalid hyperlink - Object does not exist.";
const UNKNOWN: &str = "0123456789abcdef0123456789abcdef";

fn name_cases() -> Vec<(Value, Value)> {
    vec![
        (json!({}), json!({"name": ["This field is required."]})),
        (
            json!({"parent": null}),
            json!({"name": ["This field is required."]}),
        ),
        (
            json!({"name": null}),
            json!({"name": ["This field may not be null."]}),
        ),
        (
            json!({"name": ""}),
            json!({"name": ["This field may not be blank."]}),
        ),
        // Names are trimmed first (DRF), so whitespace only is blank, as on customers and
        // in the SDK scenario.
        (
            json!({"name": "   "}),
            json!({"name": ["This field may not be blank."]}),
        ),
        (
            json!({"name": " \t\n "}),
            json!({"name": ["This field may not be blank."]}),
        ),
        (
            json!({"name": "x".repeat(151)}),
            json!({"name": ["Ensure this field has no more than 150 characters."]}),
        ),
        (
            json!({"name": ["list"]}),
            json!({"name": ["Not a valid string."]}),
        ),
    ]
}

/// Hyperlink failures for `parent`, given an existing group's uuid.
fn parent_cases(existing: &str) -> Vec<(Value, &'static str)> {
    vec![
        (json!(existing), NO_MATCH),
        (json!(format!("/api/customers/{existing}/")), NO_MATCH),
        (
            json!(format!(
                "http://h/api/organization-groups/{existing}/extra/"
            )),
            NO_MATCH,
        ),
        (json!("http://h"), NO_MATCH),
        (json!(""), NO_MATCH),
        (json!(format!("{GROUPS}{UNKNOWN}/")), NO_OBJECT),
        (
            json!(format!(
                "http://elsewhere:1/api/organization-groups/{UNKNOWN}/"
            )),
            NO_OBJECT,
        ),
        (json!(format!("{GROUPS}not-a-uuid/")), NO_OBJECT),
        (
            json!(5),
            "Incorrect type. Expected URL string, received int.",
        ),
        (
            json!(1.5),
            "Incorrect type. Expected URL string, received float.",
        ),
        (
            json!(true),
            "Incorrect type. Expected URL string, received bool.",
        ),
        (
            json!([]),
            "Incorrect type. Expected URL string, received list.",
        ),
        (
            json!({}),
            "Incorrect type. Expected URL string, received dict.",
        ),
    ]
}

#[tokio::test]
async fn create_rejects_bad_names_and_stores_nothing() {
    let app = TestApp::spawn().await;
    for (body, expected) in name_cases() {
        let response = app.post(GROUPS, &body).await;
        assert_eq!(response.status(), 400, "{body}");
        assert_eq!(json(response).await, expected, "{body}");
    }
    assert_eq!(all_groups(&app).await, json!([]));
}

#[tokio::test]
async fn names_are_trimmed_not_unique_and_may_be_150_characters() {
    let app = TestApp::spawn().await;
    let trimmed = json(app.post(GROUPS, &json!({"name": "  Padded  "})).await).await;
    assert_eq!(trimmed["name"], "Padded");
    let long = "é".repeat(150);
    let response = app.post(GROUPS, &json!({ "name": long })).await;
    assert_eq!(response.status(), 201);
    assert_eq!(json(response).await["name"], long);
    let padded_long = format!(" {} ", "y".repeat(150));
    assert_eq!(
        app.post(GROUPS, &json!({ "name": padded_long }))
            .await
            .status(),
        201
    );
    let parent = create_group(&app, "Twin", None).await;
    create_group(&app, "Twin", None).await;
    create_group(&app, "Twin", Some(&parent)).await;
    create_group(&app, "Twin", Some(&parent)).await;
    assert_eq!(super::group_names(&app, "name_exact=Twin").await.len(), 4);
}

#[tokio::test]
async fn create_rejects_bad_parent_links_and_stores_nothing() {
    let app = TestApp::spawn().await;
    let existing = create_group(&app, "Existing", None).await;
    let before = all_groups(&app).await;
    for (link, message) in parent_cases(uuid_of(&existing)) {
        let body = json!({"name": "New", "parent": link});
        assert_400(
            app.post(GROUPS, &body).await,
            json!({ "parent": [message] }),
        )
        .await;
    }
    assert_eq!(all_groups(&app).await, before);
}

#[tokio::test]
async fn every_field_error_is_reported_at_once() {
    let app = TestApp::spawn().await;
    let existing = create_group(&app, "Existing", None).await;
    let before = all_groups(&app).await;
    let cases = [
        (
            json!({"parent": 5}),
            json!({"name": ["This field is required."],
            "parent": ["Incorrect type. Expected URL string, received int."]}),
        ),
        (
            json!({"name": "", "parent": "nope"}),
            json!({"name": ["This field may not be blank."],
            "parent": [NO_MATCH]}),
        ),
        (
            json!({"name": "   ", "parent": format!("{GROUPS}{UNKNOWN}/")}),
            json!({"name": ["This field may not be blank."], "parent": [NO_OBJECT]}),
        ),
    ];
    for (body, expected) in &cases {
        let response = app.post(GROUPS, body).await;
        assert_eq!(response.status(), 400, "{body}");
        assert_eq!(&json(response).await, expected, "POST {body}");
        let response = put(&app, &path_of(&existing), body).await;
        assert_eq!(&json(response).await, expected, "PUT {body}");
    }
    assert_eq!(all_groups(&app).await, before);
}

#[tokio::test]
async fn updates_reject_bad_names_and_parents_and_change_nothing() {
    let app = TestApp::spawn().await;
    let parent = create_group(&app, "Parent", None).await;
    let child = create_group(&app, "Child", Some(&parent)).await;
    let path = path_of(&child);
    let before = all_groups(&app).await;
    for (body, expected) in name_cases() {
        let response = put(&app, &path, &body).await;
        assert_eq!(response.status(), 400, "PUT {body}");
        assert_eq!(json(response).await, expected, "PUT {body}");
        if body.get("name").is_some() {
            let response = app.patch(&path, &body).await;
            assert_eq!(json(response).await, expected, "PATCH {body}");
        }
    }
    for (link, message) in parent_cases(uuid_of(&parent)) {
        let expected = json!({ "parent": [message] });
        let response = app
            .patch(&path, &json!({ "parent": link, "name": "Renamed" }))
            .await;
        assert_eq!(json(response).await, expected, "PATCH parent={link}");
        let response = put(&app, &path, &json!({ "parent": link, "name": "Renamed" })).await;
        assert_eq!(json(response).await, expected, "PUT parent={link}");
    }
    assert_eq!(all_groups(&app).await, before);
    // An empty PATCH changes nothing and answers the representation.
    let response = app.patch(&path, &json!({})).await;
    assert_eq!(response.status(), 200);
    assert_eq!(json(response).await, super::fetch(&app, &child).await);
}

#[tokio::test]
async fn a_body_that_is_not_an_object_is_400() {
    let app = TestApp::spawn().await;
    for body in [json!(["a"]), json!("name"), json!(5)] {
        let response = app.post(GROUPS, &body).await;
        assert_eq!(response.status(), 400, "{body}");
    }
    assert_eq!(all_groups(&app).await, json!([]));
}
