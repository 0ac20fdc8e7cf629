//! Tree rules (spec 04 §4, §5.4–5.6): no cycles (self, child, grandchild), PUT without
//! `parent` keeps it, `parent: null` detaches, moves carry the subtree, deletes cascade.

use reqwest::Method;
use serde_json::{json, Value};
use tenancy_tests::{json, TestApp};

use super::{
    all_groups, assert_400, create_group, delete, fetch, group_names, group_names_of, path_of, put,
    set_groups, uuid_of, GROUPS,
};

const SELF: &str = "Organization group cannot be parent of itself.";
const DESCENDANT: &str = "Organization group cannot be a child of its own descendant.";

/// A → B → C (C is A's grandchild).
async fn chain(app: &TestApp) -> (Value, Value, Value) {
    let a = create_group(app, "A", None).await;
    let b = create_group(app, "B", Some(&a)).await;
    let c = create_group(app, "C", Some(&b)).await;
    (a, b, c)
}

#[tokio::test]
async fn a_group_cannot_become_its_own_parent() {
    let app = TestApp::spawn().await;
    let (a, b, _) = chain(&app).await;
    let before = all_groups(&app).await;
    for group in [&a, &b] {
        let body = json!({"parent": group["url"]});
        assert_400(
            app.patch(&path_of(group), &body).await,
            json!({"parent": [SELF]}),
        )
        .await;
        let full = json!({"name": "Renamed", "parent": group["url"]});
        assert_400(
            put(&app, &path_of(group), &full).await,
            json!({"parent": [SELF]}),
        )
        .await;
    }
    assert_eq!(
        all_groups(&app).await,
        before,
        "nothing changed, not even the name"
    );
}

#[tokio::test]
async fn a_group_cannot_move_under_its_child_or_grandchild() {
    let app = TestApp::spawn().await;
    let (a, b, c) = chain(&app).await;
    let before = all_groups(&app).await;
    for (group, target) in [(&a, &b), (&a, &c), (&b, &c)] {
        let body = json!({"name": "Renamed", "parent": target["url"]});
        assert_400(
            app.patch(&path_of(group), &body).await,
            json!({"parent": [DESCENDANT]}),
        )
        .await;
        assert_400(
            put(&app, &path_of(group), &body).await,
            json!({"parent": [DESCENDANT]}),
        )
        .await;
    }
    // The relative path and the dashed uuid spelling are the same group.
    let dashed = format!("{GROUPS}{}/", super::dashed(uuid_of(&c)));
    assert_400(
        app.patch(&path_of(&a), &json!({"parent": dashed})).await,
        json!({"parent": [DESCENDANT]}),
    )
    .await;
    assert_eq!(all_groups(&app).await, before, "nothing changed");
}

#[tokio::test]
async fn moves_to_siblings_ancestors_and_other_branches_are_allowed() {
    let app = TestApp::spawn().await;
    let (a, b, c) = chain(&app).await;
    let other = create_group(&app, "Other", None).await;
    // C up to A (its grandparent): allowed.
    let moved = json(app.patch(&path_of(&c), &json!({"parent": a["url"]})).await).await;
    assert_eq!(moved["parent_uuid"], a["uuid"]);
    assert_eq!(moved["parent_name"], "A");
    // B (with no children now) under C, its former child: no cycle any more.
    let moved = json(app.patch(&path_of(&b), &json!({"parent": c["url"]})).await).await;
    assert_eq!(moved["parent_uuid"], c["uuid"]);
    // A moves under Other with its whole subtree A → C → B.
    let response = app
        .patch(&path_of(&a), &json!({"parent": other["url"]}))
        .await;
    assert_eq!(response.status(), 200);
    assert_eq!(fetch(&app, &c).await["parent_uuid"], a["uuid"]);
    assert_eq!(fetch(&app, &b).await["parent_uuid"], c["uuid"]);
    // Now Other cannot go under B (B is Other's great-great-grandchild).
    assert_400(
        app.patch(&path_of(&other), &json!({"parent": b["url"]}))
            .await,
        json!({"parent": [DESCENDANT]}),
    )
    .await;
}

#[tokio::test]
async fn put_without_parent_keeps_it_and_null_detaches() {
    let app = TestApp::spawn().await;
    let (a, b, _) = chain(&app).await;
    let kept = put(&app, &path_of(&b), &json!({"name": "B2"})).await;
    assert_eq!(kept.status(), 200);
    let kept = json(kept).await;
    assert_eq!(kept["name"], "B2");
    assert_eq!(kept["parent"], a["url"]);
    assert_eq!(kept["parent_uuid"], a["uuid"]);
    let renamed = json(app.patch(&path_of(&b), &json!({"name": "B3"})).await).await;
    assert_eq!(
        renamed["parent_uuid"], a["uuid"],
        "PATCH without parent keeps it"
    );
    let detached = put(&app, &path_of(&b), &json!({"name": "B4", "parent": null})).await;
    assert_eq!(detached.status(), 200);
    let detached = json(detached).await;
    assert_eq!(
        detached,
        json!({"uuid": b["uuid"], "url": b["url"], "name": "B4", "parent": null,
            "customers_count": 0})
    );
    assert_eq!(fetch(&app, &b).await, detached);
    let reattached = json(app.patch(&path_of(&b), &json!({"parent": a["url"]})).await).await;
    assert_eq!(reattached["parent_name"], "A");
    let root = json(app.patch(&path_of(&b), &json!({"parent": null})).await).await;
    assert_eq!(root["parent"], json!(null));
    assert!(root.get("parent_uuid").is_none());
    let query = format!("parent={}", uuid_of(&a));
    assert!(group_names(&app, &query).await.is_empty());
}

#[tokio::test]
async fn deleting_a_group_deletes_its_subtree_and_memberships_but_not_customers() {
    let app = TestApp::spawn().await;
    let (a, b, c) = chain(&app).await;
    let sibling = create_group(&app, "Sibling", None).await;
    let in_b = app.create_customer(&json!({"name": "In B"})).await;
    let in_c_and_sibling = app
        .create_customer(&json!({"name": "In C and sibling"}))
        .await;
    set_groups(&app, &in_b, &[&b]).await;
    set_groups(&app, &in_c_and_sibling, &[&c, &sibling]).await;
    let response = delete(&app, &path_of(&b)).await;
    assert_eq!(response.status(), 204);
    assert_eq!(response.bytes().await.unwrap().len(), 0);
    for gone in [&b, &c] {
        assert_eq!(app.get(&path_of(gone)).await.status(), 404);
    }
    assert_eq!(group_names(&app, "").await, ["A", "Sibling"]);
    assert_eq!(fetch(&app, &a).await["customers_count"], 0);
    assert_eq!(fetch(&app, &sibling).await["customers_count"], 1);
    assert_eq!(app.customer_count().await, 2, "customers remain");
    assert!(group_names_of(&app, &in_b).await.is_empty());
    assert_eq!(group_names_of(&app, &in_c_and_sibling).await, ["Sibling"]);
    assert_eq!(
        tenancy_tests::sql(&app, "SELECT 1 FROM customer_organization_groups")
            .await
            .len(),
        1,
        "only the sibling membership is left"
    );
    // A second delete is a 404; deleting the root takes the rest.
    assert_eq!(delete(&app, &path_of(&b)).await.status(), 404);
    assert_eq!(delete(&app, &path_of(&a)).await.status(), 204);
    assert_eq!(group_names(&app, "").await, ["Sibling"]);
    let head = app.request(Method::HEAD, GROUPS, None, None).await;
    assert_eq!(super::result_count(&head), 1);
}
