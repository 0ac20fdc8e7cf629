//! `POST /api/customers/{uuid}/update_organization_groups/` (spec 04 §7.1) and the customer
//! field `organization_groups` (§7.2).

use serde_json::{json, Value};
use tenancy_tests::{json, TestApp};

use super::{
    assert_400, create_group, fetch, group_names_of, groups_of, set_groups, update_path, uuid_of,
    GROUPS,
};

const UNKNOWN: &str = "0123456789abcdef0123456789abcdef";

/// Three root groups and a customer.
async fn fixture(app: &TestApp) -> (Value, Value, Value, Value) {
    let a = create_group(app, "Alpha", None).await;
    let b = create_group(app, "Beta", None).await;
    let c = create_group(app, "Gamma", None).await;
    let customer = app.create_customer(&json!({"name": "Member"})).await;
    (a, b, c, customer)
}

#[tokio::test]
async fn the_list_replaces_the_set_and_an_empty_list_clears_it() {
    let app = TestApp::spawn().await;
    let (a, b, c, customer) = fixture(&app).await;
    assert_eq!(groups_of(&app, &customer).await, json!([]));
    set_groups(&app, &customer, &[&b, &a]).await;
    assert_eq!(group_names_of(&app, &customer).await, ["Alpha", "Beta"]);
    set_groups(&app, &customer, &[&c, &b]).await;
    assert_eq!(group_names_of(&app, &customer).await, ["Beta", "Gamma"]);
    set_groups(&app, &customer, &[]).await;
    assert_eq!(groups_of(&app, &customer).await, json!([]));
    for group in [&a, &b, &c] {
        assert_eq!(fetch(&app, group).await["customers_count"], 0);
    }
}

#[tokio::test]
async fn duplicates_collapse_and_any_link_spelling_is_accepted() {
    let app = TestApp::spawn().await;
    let (a, b, _, customer) = fixture(&app).await;
    let hex = uuid_of(&a);
    let body = json!({"organization_groups": [
        a["url"],
        format!("{GROUPS}{hex}/"),
        format!("https://elsewhere.example{GROUPS}{}/", super::dashed(hex)),
        format!("{GROUPS}{}", hex.to_uppercase()),
        b["url"],
        b["url"],
    ]});
    let response = app.post(&update_path(&customer), &body).await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.bytes().await.unwrap().len(), 0);
    assert_eq!(group_names_of(&app, &customer).await, ["Alpha", "Beta"]);
    assert_eq!(fetch(&app, &a).await["customers_count"], 1);
    assert_eq!(fetch(&app, &b).await["customers_count"], 1);
}

#[tokio::test]
async fn bad_bodies_are_400_and_change_nothing() {
    let app = TestApp::spawn().await;
    let (a, b, _, customer) = fixture(&app).await;
    set_groups(&app, &customer, &[&a]).await;
    let before = groups_of(&app, &customer).await;
    let unknown = format!("{GROUPS}{UNKNOWN}/");
    let cases = [
        (
            json!({}),
            json!({"organization_groups": ["This field is required."]}),
        ),
        (
            json!({"groups": []}),
            json!({"organization_groups": ["This field is required."]}),
        ),
        (
            json!({"organization_groups": a["url"]}),
            json!({"organization_groups": ["Expected a list of items but got type \"str\"."]}),
        ),
        (
            json!({"organization_groups": {"0": a["url"]}}),
            json!({"organization_groups": ["Expected a list of items but got type \"dict\"."]}),
        ),
        (
            json!({"organization_groups": null}),
            json!({"organization_groups": ["Expected a list of items but got type \"NoneType\"."]}),
        ),
        (
            json!({"organization_groups": [b["url"], unknown]}),
            json!({"organization_groups": {"1": ["Invalid hyperlink - Object does not exist."]}}),
        ),
        (
            json!({"organization_groups": [uuid_of(&b), b["url"]]}),
            json!({"organization_groups": {"0": ["Invalid hyperlink - No URL match."]}}),
        ),
        (
            json!({"organization_groups": [b["url"], format!("/api/customers/{}/", uuid_of(&customer)), 7]}),
            json!({"organization_groups": {
                "1": ["Invalid hyperlink - No URL match."],
                "2": ["Incorrect type. Expected URL string, received int."]}}),
        ),
        (
            json!({"organization_groups": ["nope", unknown]}),
            json!({"organization_groups": {
                "0": ["Invalid hyperlink - No URL match."],
                "1": ["Invalid hyperlink - Object does not exist."]}}),
        ),
        (
            json!({"organization_groups": [null]}),
            json!({"organization_groups": {"0": ["Incorrect type. Expected URL string, received NoneType."]}}),
        ),
    ];
    for (body, expected) in cases {
        let response = app.post(&update_path(&customer), &body).await;
        assert_eq!(response.status(), 400, "{body}");
        assert_eq!(json(response).await, expected, "{body}");
    }
    assert_eq!(groups_of(&app, &customer).await, before, "nothing changed");
    assert_eq!(fetch(&app, &a).await["customers_count"], 1);
    assert_eq!(fetch(&app, &b).await["customers_count"], 0);
    assert_400(
        app.post(&update_path(&customer), &json!(["not an object"]))
            .await,
        json!({"non_field_errors": ["Invalid data. Expected a dictionary, but got list."]}),
    )
    .await;
}

#[tokio::test]
async fn blocked_and_archived_customers_may_change_groups() {
    let app = TestApp::spawn().await;
    let (a, _, _, _) = fixture(&app).await;
    let blocked = app
        .create_customer(&json!({"name": "Blocked", "blocked": true}))
        .await;
    let archived = app
        .create_customer(&json!({"name": "Archived", "archived": true}))
        .await;
    for customer in [&blocked, &archived] {
        set_groups(&app, customer, &[&a]).await;
        assert_eq!(group_names_of(&app, customer).await, ["Alpha"]);
    }
    assert_eq!(fetch(&app, &a).await["customers_count"], 2);
}

#[tokio::test]
async fn the_customer_field_nests_full_group_objects_ordered_by_name() {
    let app = TestApp::spawn().await;
    let root = create_group(&app, "zeta root", None).await;
    let child = create_group(&app, "Child", Some(&root)).await;
    let other = create_group(&app, "alpha", None).await;
    let customer = app.create_customer(&json!({"name": "Member"})).await;
    let second = app.create_customer(&json!({"name": "Second"})).await;
    set_groups(&app, &customer, &[&root, &child, &other]).await;
    set_groups(&app, &second, &[&root]).await;
    let nested = groups_of(&app, &customer).await;
    let expected = json!([
        fetch(&app, &other).await,
        fetch(&app, &child).await,
        fetch(&app, &root).await,
    ]);
    assert_eq!(nested, expected);
    assert_eq!(
        nested[2],
        json!({"uuid": root["uuid"], "url": root["url"], "name": "zeta root",
            "parent": null, "customers_count": 2}),
        "a root has no parent keys; the count is the real one"
    );
    assert_eq!(nested[1]["parent_name"], "zeta root");
    assert_eq!(nested[1]["customers_count"], 1);
    // The same objects in the list, with `field`, and ignored on customer writes.
    let list = json(app.get("/api/customers/?name_exact=Member").await).await;
    assert_eq!(list[0]["organization_groups"], expected);
    let selected = json(
        app.get(&format!(
            "/api/customers/{}/?field=organization_groups",
            uuid_of(&customer)
        ))
        .await,
    )
    .await;
    assert_eq!(selected, json!({ "organization_groups": expected }));
    let patched = app
        .patch(
            &format!("/api/customers/{}/", uuid_of(&customer)),
            &json!({"organization_groups": [], "name": "Member"}),
        )
        .await;
    assert_eq!(patched.status(), 200);
    assert_eq!(json(patched).await["organization_groups"], expected);
    let created = app
        .create_customer(&json!({"name": "New", "organization_groups": [root["url"]]}))
        .await;
    assert_eq!(created["organization_groups"], json!([]));
}
