//! Derived values stay right (spec 04 §4.4, §6, §11 item 11): `customers_count` and the
//! customers' nested `organization_groups` after membership changes, renames, moves and
//! deletions; the count covers direct members only, whoever can see them.

use serde_json::json;
use tenancy_tests::{json, TestApp};

use super::{
    create_group, delete, fetch, group_names, groups_of, path_of, set_groups, uuid_of, GROUPS,
};

#[tokio::test]
async fn counts_follow_membership_changes_and_exclude_descendants() {
    let app = TestApp::spawn().await;
    let parent = create_group(&app, "Parent", None).await;
    let child = create_group(&app, "Child", Some(&parent)).await;
    let c1 = app.create_customer(&json!({"name": "C1"})).await;
    let c2 = app
        .create_customer(&json!({"name": "C2", "archived": true}))
        .await;
    set_groups(&app, &c1, &[&child]).await;
    set_groups(&app, &c2, &[&child, &parent]).await;
    assert_eq!(fetch(&app, &child).await["customers_count"], 2);
    assert_eq!(
        fetch(&app, &parent).await["customers_count"],
        1,
        "children's members are not counted"
    );
    let counts = json(
        app.get(&format!("{GROUPS}?field=name&field=customers_count"))
            .await,
    )
    .await;
    assert_eq!(
        counts,
        json!([{"name": "Child", "customers_count": 2}, {"name": "Parent", "customers_count": 1}])
    );
    set_groups(&app, &c2, &[&parent]).await;
    assert_eq!(fetch(&app, &child).await["customers_count"], 1);
    assert_eq!(groups_of(&app, &c1).await[0]["customers_count"], 1);
    // Anonymous callers get the same count, though they cannot see any customer.
    let anonymous = app
        .request(reqwest::Method::GET, &path_of(&child), None, None)
        .await;
    assert_eq!(json(anonymous).await["customers_count"], 1);
    // Deleting a customer removes its memberships.
    let gone = app
        .request(
            reqwest::Method::DELETE,
            &format!("/api/customers/{}/", uuid_of(&c1)),
            Some(&app.admin_token),
            None,
        )
        .await;
    assert_eq!(gone.status(), 204);
    assert_eq!(fetch(&app, &child).await["customers_count"], 0);
}

#[tokio::test]
async fn nested_groups_follow_renames_moves_and_deletes() {
    let app = TestApp::spawn().await;
    let a = create_group(&app, "A", None).await;
    let b = create_group(&app, "B", Some(&a)).await;
    let other = create_group(&app, "Other", None).await;
    let customer = app.create_customer(&json!({"name": "Member"})).await;
    set_groups(&app, &customer, &[&b, &other]).await;

    // Rename of the parent: the child's parent_name changes inside the customer.
    app.patch(&path_of(&a), &json!({"name": "Renamed A"})).await;
    let nested = groups_of(&app, &customer).await;
    assert_eq!(nested[0]["parent_name"], "Renamed A");
    // Rename of a member group: the nested name and the order change.
    app.patch(&path_of(&other), &json!({"name": "0ther"})).await;
    let nested = groups_of(&app, &customer).await;
    assert_eq!(nested[0]["name"], "0ther");
    assert_eq!(nested[1]["name"], "B");
    // Move B under Other, then make it a root.
    app.patch(&path_of(&b), &json!({"parent": other["url"]}))
        .await;
    let nested = groups_of(&app, &customer).await;
    assert_eq!(nested[1], fetch(&app, &b).await);
    assert_eq!(nested[1]["parent_uuid"], other["uuid"]);
    assert_eq!(nested[1]["parent_name"], "0ther");
    app.patch(&path_of(&b), &json!({"parent": null})).await;
    let nested = groups_of(&app, &customer).await;
    assert_eq!(
        nested[1],
        json!({"uuid": b["uuid"], "url": b["url"], "name": "B", "parent": null,
            "customers_count": 1})
    );
    // Deleting Other (B is no longer below it) only drops that membership.
    assert_eq!(delete(&app, &path_of(&other)).await.status(), 204);
    let nested = groups_of(&app, &customer).await;
    assert_eq!(nested, json!([fetch(&app, &b).await]));
    // Move B back under A, then delete A: the subtree goes, memberships too.
    app.patch(&path_of(&b), &json!({"parent": a["url"]})).await;
    assert_eq!(delete(&app, &path_of(&a)).await.status(), 204);
    assert_eq!(groups_of(&app, &customer).await, json!([]));
    assert!(group_names(&app, "").await.is_empty());
    let filtered = app
        .get(&format!(
            "/api/customers/?organization_group_uuid={}",
            uuid_of(&b)
        ))
        .await;
    assert_eq!(
        filtered.status(),
        400,
        "a deleted group is no longer a valid choice"
    );
}
