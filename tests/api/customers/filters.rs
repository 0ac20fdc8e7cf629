//! The list filters of spec 02 §6.1, each with a matching and a non-matching value.
//! Filters that need grants, organization groups or the usage model of 05 §5.4 arrive with
//! those features; until then no customer has resources or provides offerings.

use serde_json::{json, Value};
use tenancy_tests::TestApp;

use super::list_names;

const BOTH: [&str; 2] = ["Alpha Org", "Beta Org"];
const ALPHA: [&str; 1] = ["Alpha Org"];
const BETA: [&str; 1] = ["Beta Org"];
const NONE: [&str; 0] = [];

/// Alpha (running accounting, not archived) and Beta (accounting in the future, archived).
async fn create_fixture(app: &TestApp) -> (Value, Value) {
    let alpha = app
        .create_customer(&json!({"name": "Alpha Org", "native_name": "Alfa Natiiv",
            "abbreviation": "ALF", "contact_details": "Call Alice", "registration_code": "REG-1",
            "agreement_number": "AGR-One", "backend_id": "be-1", "slug": "alpha-slug",
            "domain": "alpha.example", "accounting_start_date": "2020-01-01T00:00:00Z"}))
        .await;
    let beta = app
        .create_customer(&json!({"name": "Beta Org", "native_name": "Beeta",
            "abbreviation": "BET", "contact_details": "Ask Bob", "registration_code": "REG-2",
            "agreement_number": "agr-two", "backend_id": "be-2", "slug": "beta-slug",
            "archived": true, "accounting_start_date": "2999-01-01T00:00:00Z"}))
        .await;
    (alpha, beta)
}

/// Asserts the names listed for each query.
async fn assert_lists(app: &TestApp, cases: &[(&str, &[&str])]) {
    for (query, expected) in cases {
        assert_eq!(&list_names(app, query).await, expected, "?{query}");
    }
}

#[tokio::test]
async fn icontains_text_filters_match_substrings_in_any_case() {
    let app = TestApp::spawn().await;
    create_fixture(&app).await;
    assert_lists(
        &app,
        &[
            ("name=alpha", &ALPHA),
            ("name=ORG", &BOTH),
            ("name=%20beta%20", &BETA),
            ("name=gamma", &NONE),
            ("name=", &BOTH),
            ("native_name=natiiv", &ALPHA),
            ("native_name=xyz", &NONE),
            ("abbreviation=bet", &BETA),
            ("abbreviation=zz", &NONE),
            ("contact_details=BOB", &BETA),
            ("contact_details=carol", &NONE),
        ],
    )
    .await;
}

#[tokio::test]
async fn exact_text_filters_match_whole_values_case_sensitively() {
    let app = TestApp::spawn().await;
    create_fixture(&app).await;
    assert_lists(
        &app,
        &[
            ("name_exact=Alpha%20Org", &ALPHA),
            ("name_exact=alpha%20org", &NONE),
            ("name_exact=Alpha", &NONE),
            ("registration_code=REG-1", &ALPHA),
            ("registration_code=REG", &NONE),
            ("registration_code=reg-1", &NONE),
            ("agreement_number=agr-two", &BETA),
            ("agreement_number=AGR-TWO", &NONE),
            ("backend_id=be-2", &BETA),
            ("backend_id=be", &NONE),
            ("slug=alpha-slug", &ALPHA),
            ("slug=alpha", &NONE),
        ],
    )
    .await;
}

#[tokio::test]
async fn like_wildcards_in_a_name_filter_are_literal() {
    let app = TestApp::spawn().await;
    for name in ["100% pure", "1000 pure", "a_b", "axb", "back\\slash"] {
        app.create_customer(&json!({ "name": name })).await;
    }
    assert_lists(
        &app,
        &[
            ("name=%25", &["100% pure"]),
            ("name=0%25%20p", &["100% pure"]),
            ("name=_", &["a_b"]),
            ("name=a_b", &["a_b"]),
            ("name=%5C", &["back\\slash"]),
            ("query=%25", &["100% pure"]),
            ("query=_", &["a_b"]),
        ],
    )
    .await;
}

#[tokio::test]
async fn archived_filter_takes_booleans_and_ignores_other_values() {
    let app = TestApp::spawn().await;
    create_fixture(&app).await;
    assert_lists(
        &app,
        &[
            ("archived=true", &BETA),
            ("archived=True", &BETA),
            ("archived=1", &BETA),
            ("archived=false", &ALPHA),
            ("archived=0", &ALPHA),
            ("archived=maybe", &BOTH),
            ("archived=", &BOTH),
        ],
    )
    .await;
}

#[tokio::test]
async fn query_searches_several_columns_and_the_uuid() {
    let app = TestApp::spawn().await;
    let (_, beta) = create_fixture(&app).await;
    let hex = beta["uuid"].as_str().unwrap();
    let dashed = format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    );
    let by_hex = format!("query={hex}");
    let by_dashed = format!("query={dashed}");
    assert_lists(
        &app,
        &[
            ("query=alpha%20o", &ALPHA),
            ("query=natiiv", &ALPHA),
            ("query=alf", &ALPHA),
            ("query=ALPHA.EXAMPLE", &ALPHA),
            ("query=reg-2", &BETA),
            ("query=org", &BOTH),
            ("query=nothing", &NONE),
            (&by_hex, &BETA),
            (&by_dashed, &BETA),
            ("query=0123456789abcdef0123456789abcdef", &NONE),
        ],
    )
    .await;
}

#[tokio::test]
async fn query_matches_agreement_numbers_case_sensitively() {
    let app = TestApp::spawn().await;
    create_fixture(&app).await;
    assert_lists(
        &app,
        &[
            ("query=AGR", &ALPHA),
            ("query=agr", &BETA),
            ("query=R-O", &ALPHA),
            ("query=r-o", &NONE),
        ],
    )
    .await;
}

#[tokio::test]
async fn accounting_is_running_compares_the_start_with_now() {
    let app = TestApp::spawn().await;
    create_fixture(&app).await;
    assert_lists(
        &app,
        &[
            ("accounting_is_running=true", &ALPHA),
            ("accounting_is_running=false", &BETA),
            ("accounting_is_running=sometimes", &BOTH),
        ],
    )
    .await;
}

#[tokio::test]
async fn usage_filters_match_nothing_while_no_customer_has_resources() {
    let app = TestApp::spawn().await;
    let (alpha, _) = create_fixture(&app).await;
    let provider = format!("service_provider_uuid={}", alpha["uuid"].as_str().unwrap());
    assert_lists(
        &app,
        &[
            ("has_resources=true", &NONE),
            ("has_resources=", &NONE),
            ("has_resources=anything", &NONE),
            ("has_resources=false", &BOTH),
            ("has_resources=0", &BOTH),
            ("is_service_provider=true", &NONE),
            ("is_service_provider=false", &BOTH),
            ("is_service_provider=maybe", &BOTH),
            ("is_call_managing_organization=true", &NONE),
            ("is_call_managing_organization=false", &BOTH),
            (&provider, &NONE),
            ("service_provider_uuid=not-a-uuid", &BOTH),
        ],
    )
    .await;
}

#[tokio::test]
async fn filters_combine_with_and_and_unknown_parameters_are_ignored() {
    let app = TestApp::spawn().await;
    create_fixture(&app).await;
    assert_lists(
        &app,
        &[
            ("name=org&archived=false", &ALPHA),
            ("name=alpha&archived=true", &NONE),
            ("name=org&name=beta", &BETA),
            ("colour=blue", &BOTH),
        ],
    )
    .await;
}

#[tokio::test]
async fn a_nul_character_in_a_text_filter_matches_nothing() {
    let app = TestApp::spawn().await;
    create_fixture(&app).await;
    assert_lists(
        &app,
        &[
            ("name=a%00", &NONE),
            ("name_exact=Alpha%00", &NONE),
            ("slug=%00", &NONE),
            ("query=org%00", &NONE),
        ],
    )
    .await;
}
