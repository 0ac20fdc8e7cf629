//! `GET`/`HEAD /api/customers/`: pagination and its headers (spec 01 §7.1–7.3), `field`
//! (§7.5) and `o` (§7.4, spec 02 §6.1).

use reqwest::Method;
use serde_json::json;
use tenancy_tests::{json, TestApp};

use super::{keys, link, list_names, names, result_count, SPEC_KEYS};

async fn create_named(app: &TestApp, names: &[&str]) {
    for name in names {
        app.create_customer(&json!({ "name": name })).await;
    }
}

/// `Link` entries for `rel → query` pairs, in the given order.
fn links(app: &TestApp, entries: &[(&str, &str)]) -> String {
    entries
        .iter()
        .map(|(rel, query)| {
            let url = if query.is_empty() {
                app.url("/api/customers/")
            } else {
                app.url(&format!("/api/customers/?{query}"))
            };
            format!("<{url}>; rel=\"{rel}\"")
        })
        .collect::<Vec<_>>()
        .join(", ")
}

#[tokio::test]
async fn pages_carry_first_prev_next_and_last_links_as_waldur_writes_them() {
    let app = TestApp::spawn().await;
    create_named(&app, &["c1", "c2", "c3", "c4", "c5"]).await;
    let cases = [
        (
            "page_size=2",
            vec!["c1", "c2"],
            vec![
                ("first", "page_size=2"),
                ("next", "page=2&page_size=2"),
                ("last", "page=3&page_size=2"),
            ],
        ),
        (
            "page_size=2&page=2",
            vec!["c3", "c4"],
            vec![
                ("first", "page_size=2"),
                ("prev", "page_size=2"),
                ("next", "page=3&page_size=2"),
                ("last", "page=3&page_size=2"),
            ],
        ),
        (
            "page=3&page_size=2",
            vec!["c5"],
            vec![
                ("first", "page_size=2"),
                ("prev", "page=2&page_size=2"),
                ("last", "page=3&page_size=2"),
            ],
        ),
        (
            "page=last&page_size=2",
            vec!["c5"],
            vec![
                ("first", "page_size=2"),
                ("prev", "page=2&page_size=2"),
                ("last", "page=3&page_size=2"),
            ],
        ),
        (
            "",
            vec!["c1", "c2", "c3", "c4", "c5"],
            vec![("first", ""), ("last", "")],
        ),
    ];
    for (query, expected_names, expected_links) in cases {
        let response = app.get(&format!("/api/customers/?{query}")).await;
        assert_eq!(result_count(&response), 5, "{query}");
        assert_eq!(link(&response), links(&app, &expected_links), "{query}");
        assert_eq!(names(response).await, expected_names, "{query}");
    }
}

#[tokio::test]
async fn link_urls_keep_every_parameter_sorted_and_form_encoded() {
    let app = TestApp::spawn().await;
    create_named(&app, &["a b 1", "a b 2", "a b 3"]).await;
    let response = app
        .get("/api/customers/?page_size=1&o=name,-created&name=a%20b&field=uuid&field=name&page=2")
        .await;
    assert_eq!(
        link(&response),
        links(
            &app,
            &[
                (
                    "first",
                    "field=uuid&field=name&name=a+b&o=name%2C-created&page_size=1"
                ),
                (
                    "prev",
                    "field=uuid&field=name&name=a+b&o=name%2C-created&page_size=1"
                ),
                (
                    "next",
                    "field=uuid&field=name&name=a+b&o=name%2C-created&page=3&page_size=1"
                ),
                (
                    "last",
                    "field=uuid&field=name&name=a+b&o=name%2C-created&page=3&page_size=1"
                ),
            ]
        )
    );
    assert_eq!(names(response).await, vec!["a b 2"]);
}

#[tokio::test]
async fn an_empty_list_is_page_one_with_first_and_last_links() {
    let app = TestApp::spawn().await;
    let response = app.get("/api/customers/").await;
    assert_eq!(response.status(), 200);
    assert_eq!(result_count(&response), 0);
    assert_eq!(link(&response), links(&app, &[("first", ""), ("last", "")]));
    assert_eq!(json(response).await, json!([]));
    let last = app.get("/api/customers/?page=last").await;
    assert_eq!(last.status(), 200);
    assert_eq!(json(last).await, json!([]));
}

#[tokio::test]
async fn pages_that_do_not_exist_answer_404_invalid_page() {
    let app = TestApp::spawn().await;
    create_named(&app, &["only"]).await;
    for query in [
        "page=999", "page=2", "page=0", "page=-1", "page=abc", "page=1.5",
    ] {
        let response = app.get(&format!("/api/customers/?{query}")).await;
        assert_eq!(response.status(), 404, "{query}");
        assert_eq!(
            json(response).await,
            json!({"detail": "Invalid page."}),
            "{query}"
        );
    }
    let head = app
        .request(
            Method::HEAD,
            "/api/customers/?page=999",
            Some(&app.admin_token),
            None,
        )
        .await;
    assert_eq!(head.status(), 404);
}

#[tokio::test]
async fn page_size_that_is_not_a_positive_integer_means_ten_and_large_ones_are_accepted() {
    let app = TestApp::spawn().await;
    let all: Vec<String> = (10..22).map(|n| format!("c{n}")).collect();
    let refs: Vec<&str> = all.iter().map(String::as_str).collect();
    create_named(&app, &refs).await;
    for size in ["0", "-5", "abc", ""] {
        let response = app.get(&format!("/api/customers/?page_size={size}")).await;
        assert_eq!(result_count(&response), 12);
        let query = format!("page=2&page_size={size}");
        assert!(
            link(&response).contains(&format!("?{query}>; rel=\"next\"")),
            "{size}: {}",
            link(&response)
        );
        assert_eq!(names(response).await, all[..10].to_vec(), "{size}");
    }
    // Beyond 300 the size is cut to 300, which still holds every item here: one page.
    let huge = "99999999999999999999999";
    let response = app.get(&format!("/api/customers/?page_size={huge}")).await;
    let query = format!("page_size={huge}");
    assert_eq!(
        link(&response),
        links(&app, &[("first", &query), ("last", &query)])
    );
    assert_eq!(names(response).await, all);
    let response = app.get("/api/customers/?page_size=5000").await;
    assert_eq!(
        link(&response),
        links(
            &app,
            &[("first", "page_size=5000"), ("last", "page_size=5000")]
        )
    );
    assert_eq!(names(response).await, all);
}

#[tokio::test]
async fn head_answers_the_count_and_links_of_get_without_a_body() {
    let app = TestApp::spawn().await;
    create_named(&app, &["h1", "h2", "h3", "zed"]).await;
    for query in ["", "?page_size=2&page=2", "?name=h", "?name=zzz"] {
        let path = format!("/api/customers/{query}");
        let get = app.get(&path).await;
        let head = app
            .request(Method::HEAD, &path, Some(&app.admin_token), None)
            .await;
        assert_eq!(head.status(), 200, "{query}");
        assert_eq!(result_count(&head), result_count(&get), "{query}");
        assert_eq!(link(&head), link(&get), "{query}");
        assert_eq!(head.bytes().await.unwrap().len(), 0, "{query}");
    }
    let filtered = app
        .request(
            Method::HEAD,
            "/api/customers/?name=h",
            Some(&app.admin_token),
            None,
        )
        .await;
    assert_eq!(result_count(&filtered), 3);
}

#[tokio::test]
async fn field_selects_keys_in_representation_order_and_ignores_unknown_names() {
    let app = TestApp::spawn().await;
    let created = app.create_customer(&json!({"name": "Fields"})).await;
    let path = super::detail_path(&created);
    let exact = json(app.get(&format!("{path}?field=uuid&field=name")).await).await;
    assert_eq!(exact, json!({"uuid": created["uuid"], "name": "Fields"}));
    let reordered = json(
        app.get(&format!(
            "{path}?field=name&field=bogus&field=url&field=uuid"
        ))
        .await,
    )
    .await;
    assert_eq!(keys(&reordered), vec!["url", "uuid", "name"]);
    for query in ["field=bogus", "field=uuid,name", "field="] {
        let body = json(app.get(&format!("{path}?{query}")).await).await;
        assert_eq!(keys(&body), SPEC_KEYS.to_vec(), "{query}");
    }
    let list = json(
        app.get("/api/customers/?field=billing_price_estimate&field=has_active_helpdesk")
            .await,
    )
    .await;
    assert_eq!(
        list,
        json!([{"billing_price_estimate": {"total": 0.0, "current": 0.0, "tax": 0.0, "tax_current": 0.0},
            "has_active_helpdesk": false}])
    );
}

/// Three customers whose values order differently for every `o` key.
async fn create_ordering_fixture(app: &TestApp) {
    for (name, abbreviation, agreement, contact, description, native, registration, start) in [
        (
            "apple",
            "b",
            "c",
            "a",
            "b",
            "c",
            "a",
            "2026-03-01T00:00:00Z",
        ),
        (
            "Banana",
            "a",
            "b",
            "c",
            "a",
            "b",
            "c",
            "2026-01-01T00:00:00Z",
        ),
        (
            "cherry",
            "c",
            "a",
            "b",
            "c",
            "a",
            "b",
            "2026-02-01T00:00:00Z",
        ),
    ] {
        app.create_customer(&json!({"name": name, "abbreviation": abbreviation,
            "agreement_number": agreement, "contact_details": contact,
            "description": description, "native_name": native,
            "registration_code": registration, "accounting_start_date": start}))
            .await;
    }
}

#[tokio::test]
async fn every_ordering_key_sorts_both_ways() {
    let app = TestApp::spawn().await;
    create_ordering_fixture(&app).await;
    for (key, ascending) in [
        ("name", ["apple", "Banana", "cherry"]),
        ("abbreviation", ["Banana", "apple", "cherry"]),
        ("agreement_number", ["cherry", "Banana", "apple"]),
        ("contact_details", ["apple", "cherry", "Banana"]),
        ("description", ["Banana", "apple", "cherry"]),
        ("native_name", ["cherry", "Banana", "apple"]),
        ("registration_code", ["apple", "cherry", "Banana"]),
        ("accounting_start_date", ["Banana", "cherry", "apple"]),
        ("created", ["apple", "Banana", "cherry"]),
    ] {
        assert_eq!(
            list_names(&app, &format!("o={key}")).await,
            ascending,
            "{key}"
        );
        let mut descending = ascending.to_vec();
        descending.reverse();
        assert_eq!(
            list_names(&app, &format!("o=-{key}")).await,
            descending,
            "-{key}"
        );
    }
}

#[tokio::test]
async fn default_order_is_by_name_case_insensitively() {
    let app = TestApp::spawn().await;
    create_named(&app, &["cherry", "Banana", "apple", "Apricot"]).await;
    assert_eq!(
        list_names(&app, "").await,
        ["apple", "Apricot", "Banana", "cherry"]
    );
}

#[tokio::test]
async fn unknown_ordering_keys_are_dropped_silently() {
    let app = TestApp::spawn().await;
    create_ordering_fixture(&app).await;
    let by_name = ["apple", "Banana", "cherry"];
    for query in ["o=bogus", "o=-bogus", "o=uuid", "o=", "o=,"] {
        assert_eq!(list_names(&app, query).await, by_name, "{query}");
    }
    assert_eq!(
        list_names(&app, "o=bogus,-name").await,
        ["cherry", "Banana", "apple"]
    );
    assert_eq!(
        list_names(&app, "o=-bogus&o=abbreviation").await,
        ["Banana", "apple", "cherry"]
    );
}

#[tokio::test]
async fn several_ordering_keys_apply_in_turn_comma_separated_or_repeated() {
    let app = TestApp::spawn().await;
    for (name, description) in [("a1", "same"), ("b", "other"), ("a2", "same")] {
        app.create_customer(&json!({"name": name, "description": description}))
            .await;
    }
    for query in ["o=description,-name", "o=description&o=-name"] {
        assert_eq!(list_names(&app, query).await, ["b", "a2", "a1"], "{query}");
    }
}
