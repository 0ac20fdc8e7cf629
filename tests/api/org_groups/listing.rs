//! `GET`/`HEAD /api/organization-groups/`: the filters of spec 04 §5.1, ordering `o`,
//! pagination headers and the `HEAD` count (spec 01 §7).

use reqwest::Method;
use serde_json::{json, Value};
use tenancy_tests::{json, TestApp};

use super::{
    assert_400, create_group, dashed, group_names, result_count, set_groups, uuid_of, GROUPS,
};

/// Education → {Universities → {Technical}, Schools}; Health (root); "education dept" (root).
async fn tree(app: &TestApp) -> (Value, Value, Value, Value, Value) {
    let education = create_group(app, "Education", None).await;
    let universities = create_group(app, "Universities", Some(&education)).await;
    let technical = create_group(app, "Technical", Some(&universities)).await;
    let schools = create_group(app, "Schools", Some(&education)).await;
    let health = create_group(app, "Health", None).await;
    create_group(app, "education dept", None).await;
    (education, universities, technical, schools, health)
}

#[tokio::test]
async fn name_is_a_case_insensitive_substring_and_name_exact_is_exact() {
    let app = TestApp::spawn().await;
    tree(&app).await;
    let cases: [(&str, &[&str]); 9] = [
        ("name=EDUC", &["Education", "education dept"]),
        ("name=CAT", &["Education", "education dept"]),
        ("name=S", &["Schools", "Universities"]),
        ("name=nothing", &[]),
        ("name_exact=Education", &["Education"]),
        ("name_exact=education", &[]),
        ("name_exact=Educ", &[]),
        ("name=educ&name_exact=Education", &["Education"]),
        ("name=%25", &[]),
    ];
    for (query, expected) in cases {
        assert_eq!(group_names(&app, query).await, expected, "?{query}");
    }
}

#[tokio::test]
async fn parent_lists_direct_children_only_by_uuid_or_url() {
    let app = TestApp::spawn().await;
    let (education, universities, _, _, health) = tree(&app).await;
    let hex = uuid_of(&education);
    let url = education["url"].as_str().unwrap();
    let path = format!("{GROUPS}{hex}/");
    for value in [
        hex.to_owned(),
        dashed(hex),
        hex.to_uppercase(),
        url.to_owned(),
        path,
    ] {
        let query = format!("parent={}", urlencode(&value));
        assert_eq!(
            group_names(&app, &query).await,
            ["Schools", "Universities"],
            "?{query}"
        );
    }
    let grandchildren = format!("parent={}", uuid_of(&universities));
    assert_eq!(group_names(&app, &grandchildren).await, ["Technical"]);
    let leaf = format!("parent={}", uuid_of(&health));
    assert!(group_names(&app, &leaf).await.is_empty());
    let combined = format!("parent={hex}&name=school");
    assert_eq!(group_names(&app, &combined).await, ["Schools"]);
}

fn urlencode(value: &str) -> String {
    value.replace(':', "%3A").replace('/', "%2F")
}

#[tokio::test]
async fn an_unknown_parent_gives_an_empty_list_and_a_malformed_one_400() {
    let app = TestApp::spawn().await;
    tree(&app).await;
    let unknown = app
        .get(&format!("{GROUPS}?parent=0123456789abcdef0123456789abcdef"))
        .await;
    assert_eq!(unknown.status(), 200);
    assert_eq!(result_count(&unknown), 0);
    assert_eq!(json(unknown).await, json!([]));
    for value in [
        "not-a-uuid",
        "123",
        "/api/customers/0123456789abcdef0123456789abcdef/",
    ] {
        let response = app
            .get(&format!("{GROUPS}?parent={}", urlencode(value)))
            .await;
        assert_400(response, json!({"parent": ["Enter a valid UUID."]})).await;
    }
    let head = app
        .request(Method::HEAD, &format!("{GROUPS}?parent=bad"), None, None)
        .await;
    assert_eq!(head.status(), 400);
}

#[tokio::test]
async fn default_order_is_by_name_case_insensitively() {
    let app = TestApp::spawn().await;
    for name in ["beta", "Alpha", "alpha", "Gamma"] {
        create_group(&app, name, None).await;
    }
    assert_eq!(
        group_names(&app, "").await,
        ["Alpha", "alpha", "beta", "Gamma"]
    );
    assert_eq!(
        group_names(&app, "o=-name").await,
        ["Gamma", "beta", "alpha", "Alpha"]
    );
    assert_eq!(
        group_names(&app, "o=name").await,
        ["Alpha", "alpha", "beta", "Gamma"]
    );
    assert_eq!(
        group_names(&app, "o=unknown").await,
        ["Alpha", "alpha", "beta", "Gamma"]
    );
}

#[tokio::test]
async fn ordering_by_customers_count_both_ways_and_combined() {
    let app = TestApp::spawn().await;
    let one = create_group(&app, "One", None).await;
    let three = create_group(&app, "Three", None).await;
    let zero = create_group(&app, "Zero", None).await;
    let also_one = create_group(&app, "Also one", None).await;
    for i in 0..3 {
        let customer = app
            .create_customer(&json!({ "name": format!("C{i}") }))
            .await;
        match i {
            0 => set_groups(&app, &customer, &[&one, &three, &also_one]).await,
            _ => set_groups(&app, &customer, &[&three]).await,
        }
    }
    let _ = zero;
    assert_eq!(
        group_names(&app, "o=customers_count").await,
        ["Zero", "One", "Also one", "Three"],
        "ties keep creation order"
    );
    assert_eq!(
        group_names(&app, "o=-customers_count").await,
        ["Three", "One", "Also one", "Zero"]
    );
    assert_eq!(
        group_names(&app, "o=-customers_count,-name").await,
        ["Three", "One", "Also one", "Zero"]
    );
    assert_eq!(
        group_names(&app, "o=customers_count&o=-name").await,
        ["Zero", "One", "Also one", "Three"]
    );
    assert_eq!(
        group_names(&app, "o=bogus,-customers_count").await,
        ["Three", "One", "Also one", "Zero"]
    );
}

#[tokio::test]
async fn pages_carry_count_and_link_headers_and_head_counts_the_filtered_set() {
    let app = TestApp::spawn().await;
    for name in ["g1", "g2", "g3", "g4", "g5"] {
        create_group(&app, name, None).await;
    }
    let base = app.url(GROUPS);
    let response = app.get(&format!("{GROUPS}?page_size=2&page=2")).await;
    assert_eq!(response.status(), 200);
    assert_eq!(result_count(&response), 5);
    assert_eq!(
        response.headers()["link"].to_str().unwrap(),
        format!(
            "<{base}?page_size=2>; rel=\"first\", <{base}?page_size=2>; rel=\"prev\", \
             <{base}?page=3&page_size=2>; rel=\"next\", <{base}?page=3&page_size=2>; rel=\"last\""
        )
    );
    assert_eq!(super::names(response).await, ["g3", "g4"]);
    let single = app.get(GROUPS).await;
    assert_eq!(
        single.headers()["link"].to_str().unwrap(),
        format!("<{base}>; rel=\"first\", <{base}>; rel=\"last\"")
    );
    let beyond = app.get(&format!("{GROUPS}?page=4&page_size=2")).await;
    assert_eq!(beyond.status(), 404);
    assert_eq!(json(beyond).await, json!({"detail": "Invalid page."}));
    for (query, count) in [
        ("", 5),
        ("?name=g", 5),
        ("?name_exact=g2", 1),
        ("?name=zz", 0),
    ] {
        for token in [None, Some(app.admin_token.as_str())] {
            let head = app
                .request(Method::HEAD, &format!("{GROUPS}{query}"), token, None)
                .await;
            assert_eq!(head.status(), 200, "{query}");
            assert_eq!(result_count(&head), count, "{query}");
            assert!(head.headers().contains_key("link"));
            assert_eq!(head.bytes().await.unwrap().len(), 0);
        }
    }
}
