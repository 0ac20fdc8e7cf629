//! Request bodies on the customer endpoints (spec 01 §4.1–4.2): parse errors, media types,
//! size, and DRF's type coercions.

use reqwest::Method;
use serde_json::json;
use tenancy_tests::{json, TestApp};

use super::{assert_400, detail_path};

#[tokio::test]
async fn malformed_json_answers_400_with_a_parse_error_detail_and_stores_nothing() {
    let app = TestApp::spawn().await;
    let response = app
        .raw(Method::POST, "/api/customers/")
        .header("Content-Type", "application/json")
        .body(r#"{"name": "x""#)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    assert_eq!(response.headers()["content-type"], "application/json");
    let body = json(response).await;
    assert_eq!(super::keys(&body), vec!["detail"]);
    let detail = body["detail"].as_str().unwrap();
    assert!(detail.starts_with("JSON parse error - "), "{detail}");
    assert!(detail.len() > "JSON parse error - ".len(), "{detail}");
    assert_eq!(app.customer_count().await, 0);
}

#[tokio::test]
async fn a_body_that_is_not_an_object_answers_non_field_errors() {
    let app = TestApp::spawn().await;
    for (raw, type_name) in [
        (r#"[{"name": "x"}]"#, "list"),
        (r#""x""#, "str"),
        ("5", "int"),
        ("1.5", "float"),
        ("true", "bool"),
        ("null", "NoneType"),
    ] {
        let response = app
            .raw(Method::POST, "/api/customers/")
            .header("Content-Type", "application/json")
            .body(raw)
            .send()
            .await
            .unwrap();
        assert_400(
            response,
            json!({"non_field_errors":
                [format!("Invalid data. Expected a dictionary, but got {type_name}.")]}),
        )
        .await;
    }
    assert_eq!(app.customer_count().await, 0);
}

#[tokio::test]
async fn form_bodies_answer_415_with_the_media_type() {
    let app = TestApp::spawn().await;
    let response = app
        .raw(Method::POST, "/api/customers/")
        .form(&[("name", "Form Org")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 415);
    assert_eq!(
        json(response).await,
        json!({"detail": "Unsupported media type \"application/x-www-form-urlencoded\" in request."})
    );
    let multipart = app
        .raw(Method::POST, "/api/customers/")
        .header("Content-Type", "multipart/form-data; boundary=x")
        .body("--x--")
        .send()
        .await
        .unwrap();
    assert_eq!(multipart.status(), 415);
    for media in [
        "text/plain",
        "application/merge-patch+json",
        "application/xml",
    ] {
        let response = app
            .raw(Method::POST, "/api/customers/")
            .header("Content-Type", media)
            .body(r#"{"name": "Typed"}"#)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 415, "{media}");
        assert_eq!(
            json(response).await,
            json!({"detail": format!("Unsupported media type \"{media}\" in request.")})
        );
    }
    assert_eq!(
        json(multipart).await,
        json!({"detail": "Unsupported media type \"multipart/form-data; boundary=x\" in request."})
    );
    assert_eq!(app.customer_count().await, 0);
}

#[tokio::test]
async fn json_with_a_utf8_charset_or_without_a_content_type_is_parsed() {
    let app = TestApp::spawn().await;
    let with_charset = app
        .raw(Method::POST, "/api/customers/")
        .header("Content-Type", "application/json; charset=utf-8")
        .body(r#"{"name": "Charset"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(with_charset.status(), 201);
    let untyped = app
        .raw(Method::POST, "/api/customers/")
        .body(r#"{"name": "Untyped"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(untyped.status(), 201);
}

#[tokio::test]
async fn a_body_over_one_mebibyte_answers_413_and_stores_nothing() {
    let app = TestApp::spawn().await;
    let big = json!({"name": "Big", "description": "x".repeat(1024 * 1024)});
    let response = app.post("/api/customers/", &big).await;
    assert_eq!(response.status(), 413);
    assert_eq!(
        json(response).await,
        json!({"detail": "Request body is too large."})
    );
    assert_eq!(app.customer_count().await, 0);
}

#[tokio::test]
async fn a_body_of_exactly_one_mebibyte_is_read() {
    let app = TestApp::spawn().await;
    let skeleton = r#"{"name": "Big", "description": ""}"#;
    let padding = "x".repeat(1024 * 1024 - skeleton.len());
    let exact = format!(r#"{{"name": "Big", "description": "{padding}"}}"#);
    assert_eq!(exact.len(), 1024 * 1024);
    let response = app
        .raw(Method::POST, "/api/customers/")
        .header("Content-Type", "application/json")
        .body(exact)
        .send()
        .await
        .unwrap();
    assert_400(
        response,
        json!({"description": ["Ensure this field has no more than 2000 characters."]}),
    )
    .await;
    let over = format!(r#"{{"name": "Big", "description": "{padding}x"}}"#);
    let response = app
        .raw(Method::POST, "/api/customers/")
        .header("Content-Type", "application/json")
        .body(over)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 413);
}

#[tokio::test]
async fn an_empty_post_body_reports_the_required_name() {
    let app = TestApp::spawn().await;
    let response = app
        .raw(Method::POST, "/api/customers/")
        .header("Content-Type", "application/json")
        .send()
        .await
        .unwrap();
    assert_400(response, json!({"name": ["This field is required."]})).await;
}

#[tokio::test]
async fn a_number_is_accepted_as_a_string() {
    let app = TestApp::spawn().await;
    let body = app
        .create_customer(&json!({"name": 5, "postal": 12345, "description": 1.5}))
        .await;
    assert_eq!(body["name"], "5");
    assert_eq!(body["postal"], "12345");
    assert_eq!(body["description"], "1.5");
}

#[tokio::test]
async fn booleans_accept_drf_spellings_and_refuse_others() {
    let app = TestApp::spawn().await;
    let body = app
        .create_customer(&json!({"name": "B", "blocked": "TRUE", "archived": 1,
            "display_billing_info_in_projects": "0"}))
        .await;
    assert_eq!(body["blocked"], true);
    assert_eq!(body["archived"], true);
    assert_eq!(body["display_billing_info_in_projects"], false);
    for value in [json!("maybe"), json!(2), json!([]), json!("yes")] {
        assert_400(
            app.patch(&detail_path(&body), &json!({"blocked": value}))
                .await,
            json!({"blocked": ["Must be a valid boolean."]}),
        )
        .await;
    }
    assert_400(
        app.patch(&detail_path(&body), &json!({"archived": null}))
            .await,
        json!({"archived": ["This field may not be null."]}),
    )
    .await;
}

#[tokio::test]
async fn accounting_start_date_takes_iso_input_and_answers_utc() {
    let app = TestApp::spawn().await;
    let body = app
        .create_customer(
            &json!({"name": "D", "accounting_start_date": "2026-12-31T02:00:00.500+02:00"}),
        )
        .await;
    assert_eq!(body["accounting_start_date"], "2026-12-31T00:00:00.500000Z");
    let naive = json(
        app.patch(
            &detail_path(&body),
            &json!({"accounting_start_date": "2027-01-02 03:04"}),
        )
        .await,
    )
    .await;
    assert_eq!(naive["accounting_start_date"], "2027-01-02T03:04:00Z");
    assert_400(
        app.patch(&detail_path(&body), &json!({"accounting_start_date": "tomorrow"}))
            .await,
        json!({"accounting_start_date": ["Datetime has wrong format. Use one of these formats instead: YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z]."]}),
    )
    .await;
    for text in ["aéééééé", "2026-01-01T00:00+aéb", "2026-01-01T00:0é"] {
        assert_400(
            app.patch(&detail_path(&body), &json!({"accounting_start_date": text}))
                .await,
            json!({"accounting_start_date": ["Datetime has wrong format. Use one of these formats instead: YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z]."]}),
        )
        .await;
    }
}

#[tokio::test]
async fn read_only_and_unknown_keys_are_ignored() {
    let app = TestApp::spawn().await;
    let body = app
        .create_customer(
            &json!({"name": "R", "uuid": "00000000000000000000000000000000",
            "projects_count": 99, "is_service_provider": true, "whatever": [1, 2]}),
        )
        .await;
    assert_ne!(body["uuid"], "00000000000000000000000000000000");
    assert_eq!(body["projects_count"], 0);
    assert_eq!(body["is_service_provider"], false);
}

#[tokio::test]
async fn text_with_a_nul_character_is_refused_not_a_server_error() {
    let app = TestApp::spawn().await;
    let response = app
        .post("/api/customers/", &json!({"name": "nul\u{0}name"}))
        .await;
    assert_400(
        response,
        json!({"name": ["Null characters are not allowed."]}),
    )
    .await;
    assert_eq!(app.customer_count().await, 0);
}
