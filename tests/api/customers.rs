//! The customer endpoints (spec 02), black-box: status, headers and exact bodies.
//!
//! Submodules by concern: the seed CRUD examples and the response shape (`crud`), computed
//! keys, URLs and methods (`representation`), slugs (`slugs`), request validation as a
//! whole (`validation`) and per field (`text_rules`, `value_rules`), body handling
//! (`body`), who may do what (`access`), pagination, `HEAD`, `field` and `o` (`listing`),
//! the list filters (`filters`), and concurrent writes (`concurrency`).

mod access;
mod body;
mod concurrency;
mod crud;
mod filters;
mod listing;
mod representation;
mod slugs;
mod text_rules;
mod validation;
mod value_rules;

use reqwest::{Method, Response};
use serde_json::Value;
use tenancy_tests::{json, TestApp};

/// The keys of a customer, in the order of spec 02 §1.
pub const SPEC_KEYS: [&str; 63] = [
    "url",
    "uuid",
    "created",
    "organization_groups",
    "display_name",
    "backend_id",
    "image",
    "blocked",
    "archived",
    "display_billing_info_in_projects",
    "default_tax_percent",
    "accounting_start_date",
    "projects_count",
    "users_count",
    "sponsor_number",
    "country_name",
    "max_service_accounts",
    "project_metadata_checklist",
    "grace_period_days",
    "user_email_patterns",
    "user_affiliations",
    "user_identity_sources",
    "default_affiliations",
    "name",
    "slug",
    "native_name",
    "abbreviation",
    "description",
    "contact_details",
    "agreement_number",
    "email",
    "phone_number",
    "access_subnets",
    "registration_code",
    "homepage",
    "domain",
    "vat_code",
    "postal",
    "address",
    "bank_name",
    "latitude",
    "longitude",
    "bank_account",
    "country",
    "notification_emails",
    "city",
    "state",
    "parish",
    "street",
    "house_nr",
    "apartment_nr",
    "household",
    "project_slug_template",
    "payment_profiles",
    "customer_credit",
    "customer_unallocated_credit",
    "has_affiliate_links",
    "is_service_provider",
    "service_provider",
    "service_provider_uuid",
    "call_managing_organization_uuid",
    "billing_price_estimate",
    "has_active_helpdesk",
];

/// The keys of a JSON object, in the order they were sent.
pub fn keys(value: &Value) -> Vec<&str> {
    value
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect()
}

/// `/api/customers/{uuid}/` of a customer representation.
pub fn detail_path(customer: &Value) -> String {
    format!("/api/customers/{}/", customer["uuid"].as_str().unwrap())
}

/// The `X-Result-Count` header.
pub fn result_count(response: &Response) -> u64 {
    response.headers()["x-result-count"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap()
}

/// The `Link` header.
pub fn link(response: &Response) -> String {
    response.headers()["link"].to_str().unwrap().to_owned()
}

/// The `name` of every item of a list response.
pub async fn names(response: Response) -> Vec<String> {
    assert_eq!(response.status(), 200);
    json(response)
        .await
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap().to_owned())
        .collect()
}

/// The names the admin gets from `GET /api/customers/?<query>`.
pub async fn list_names(app: &TestApp, query: &str) -> Vec<String> {
    names(app.get(&format!("/api/customers/?{query}")).await).await
}

/// `PUT` JSON as admin.
pub async fn put(app: &TestApp, path: &str, body: &Value) -> Response {
    app.request(Method::PUT, path, Some(&app.admin_token), Some(body))
        .await
}

/// Asserts a 400 with exactly `expected` as body.
pub async fn assert_400(response: Response, expected: Value) {
    assert_eq!(response.status(), 400);
    assert_eq!(json(response).await, expected);
}

/// Each `(body, expected error map)` is refused on create, and no customer is stored.
pub async fn assert_creates_rejected(app: &TestApp, cases: &[(Value, Value)]) {
    for (body, expected) in cases {
        let response = app.post("/api/customers/", body).await;
        assert_eq!(response.status(), 400, "{body}");
        assert_eq!(&json(response).await, expected, "{body}");
    }
    assert_eq!(app.customer_count().await, 0, "nothing stored after a 400");
}

/// Each PATCH body is refused on `customer`, which stays exactly as it was.
pub async fn assert_patches_rejected(app: &TestApp, customer: &Value, cases: &[(Value, Value)]) {
    let path = detail_path(customer);
    for (body, expected) in cases {
        let response = app.patch(&path, body).await;
        assert_eq!(response.status(), 400, "{body}");
        assert_eq!(&json(response).await, expected, "{body}");
    }
    assert_eq!(&json(app.get(&path).await).await, customer);
}
