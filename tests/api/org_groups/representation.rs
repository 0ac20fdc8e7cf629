//! The group representation (spec 04 §2.1): roots omit `parent_uuid`/`parent_name`,
//! children carry them, `parent_name` is computed on read; retrieve and its 404s.

use reqwest::Method;
use serde_json::json;
use tenancy_tests::{json, TestApp};

use super::{create_group, fetch, keys, path_of, uuid_of, GROUPS};

#[tokio::test]
async fn a_root_has_a_null_parent_and_no_parent_uuid_or_name_keys() {
    let app = TestApp::spawn().await;
    let response = app.post(GROUPS, &json!({"name": "Education"})).await;
    assert_eq!(response.status(), 201);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    let created = json(response).await;
    let uuid = uuid_of(&created).to_owned();
    assert_eq!(uuid.len(), 32);
    assert!(uuid
        .bytes()
        .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()));
    let url = app.url(&format!("{GROUPS}{uuid}/"));
    let expected = json!({
        "uuid": uuid, "url": url, "name": "Education", "parent": null, "customers_count": 0,
    });
    assert_eq!(created, expected);
    assert_eq!(
        keys(&created),
        ["uuid", "url", "name", "parent", "customers_count"]
    );
    assert_eq!(location, url);
    assert_eq!(fetch(&app, &created).await, expected);
    let list = json(app.get(GROUPS).await).await;
    assert_eq!(list, json!([expected]));
    assert_eq!(keys(&list[0]), keys(&created));
}

#[tokio::test]
async fn a_child_names_its_parent_by_url_uuid_and_name() {
    let app = TestApp::spawn().await;
    let parent = create_group(&app, "Education", None).await;
    let child = create_group(&app, "Universities", Some(&parent)).await;
    let expected = json!({
        "uuid": child["uuid"],
        "url": app.url(&path_of(&child)),
        "name": "Universities",
        "parent": parent["url"],
        "parent_uuid": parent["uuid"],
        "parent_name": "Education",
        "customers_count": 0,
    });
    assert_eq!(child, expected);
    assert_eq!(
        keys(&child),
        [
            "uuid",
            "url",
            "name",
            "parent",
            "parent_uuid",
            "parent_name",
            "customers_count"
        ]
    );
    assert_eq!(fetch(&app, &child).await, expected);
}

#[tokio::test]
async fn parent_name_follows_a_rename_of_the_parent_at_once() {
    let app = TestApp::spawn().await;
    let parent = create_group(&app, "Education", None).await;
    let child = create_group(&app, "Universities", Some(&parent)).await;
    let renamed = app
        .patch(&path_of(&parent), &json!({"name": "Learning"}))
        .await;
    assert_eq!(renamed.status(), 200);
    assert_eq!(json(renamed).await["name"], "Learning");
    assert_eq!(fetch(&app, &child).await["parent_name"], "Learning");
    let children = json(
        app.get(&format!("{GROUPS}?parent={}", uuid_of(&parent)))
            .await,
    )
    .await;
    assert_eq!(children[0]["parent_name"], "Learning");
}

#[tokio::test]
async fn an_unknown_or_malformed_uuid_is_404() {
    let app = TestApp::spawn().await;
    create_group(&app, "Existing", None).await;
    for path in [
        format!("{GROUPS}0123456789abcdef0123456789abcdef/"),
        format!("{GROUPS}not-a-uuid/"),
    ] {
        for token in [None, Some(app.admin_token.as_str())] {
            let response = app.request(Method::GET, &path, token, None).await;
            assert_eq!(response.status(), 404, "{path}");
            assert_eq!(
                json(response).await,
                json!({"detail": "No OrganizationGroup matches the given query."})
            );
        }
    }
}

#[tokio::test]
async fn the_dashed_uuid_form_retrieves_the_same_group() {
    let app = TestApp::spawn().await;
    let group = create_group(&app, "Dashed", None).await;
    let path = format!("{GROUPS}{}/", super::dashed(uuid_of(&group)));
    assert_eq!(json(app.get(&path).await).await, group);
}

#[tokio::test]
async fn field_selects_keys_on_retrieve_list_and_write_responses() {
    let app = TestApp::spawn().await;
    let parent = create_group(&app, "Parent", None).await;
    let child = create_group(&app, "Child", Some(&parent)).await;
    let selected = json(
        app.get(&format!(
            "{}?field=parent_name&field=uuid&field=bogus",
            path_of(&child)
        ))
        .await,
    )
    .await;
    assert_eq!(keys(&selected), ["uuid", "parent_name"]);
    assert_eq!(
        selected,
        json!({"uuid": child["uuid"], "parent_name": "Parent"})
    );
    // A root selected for its parent keys still omits them.
    let root = json(
        app.get(&format!(
            "{}?field=parent_uuid&field=name",
            path_of(&parent)
        ))
        .await,
    )
    .await;
    assert_eq!(root, json!({"name": "Parent"}));
    let list = json(
        app.get(&format!("{GROUPS}?field=name&field=customers_count"))
            .await,
    )
    .await;
    assert_eq!(
        list,
        json!([{"name": "Child", "customers_count": 0}, {"name": "Parent", "customers_count": 0}])
    );
    let unknown_only = json(app.get(&format!("{}?field=nope", path_of(&parent))).await).await;
    assert_eq!(unknown_only, parent);
    let created = app
        .post(&format!("{GROUPS}?field=name"), &json!({"name": "Made"}))
        .await;
    assert_eq!(created.status(), 201);
    assert_eq!(json(created).await, json!({"name": "Made"}));
    let patched = app
        .patch(
            &format!("{}?field=uuid", path_of(&child)),
            &json!({"name": "Kid"}),
        )
        .await;
    assert_eq!(json(patched).await, json!({"uuid": child["uuid"]}));
}

#[tokio::test]
async fn read_only_and_unknown_keys_in_a_body_are_ignored() {
    let app = TestApp::spawn().await;
    let response = app
        .post(
            GROUPS,
            &json!({"name": "Plain", "uuid": "0123456789abcdef0123456789abcdef",
                "url": "http://x/", "parent_uuid": "0123456789abcdef0123456789abcdef",
                "parent_name": "Fake", "customers_count": 7, "colour": "blue"}),
        )
        .await;
    assert_eq!(response.status(), 201);
    let body = json(response).await;
    assert_ne!(body["uuid"], "0123456789abcdef0123456789abcdef");
    assert_eq!(
        keys(&body),
        ["uuid", "url", "name", "parent", "customers_count"]
    );
    assert_eq!(body["customers_count"], 0);
    assert_eq!(body["parent"], json!(null));
}

#[tokio::test]
async fn head_on_a_group_answers_200_without_a_body() {
    let app = TestApp::spawn().await;
    let group = create_group(&app, "Headed", None).await;
    let response = app
        .request(Method::HEAD, &path_of(&group), None, None)
        .await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.bytes().await.unwrap().len(), 0);
}

#[tokio::test]
async fn unsupported_methods_are_405_with_an_allow_header() {
    let app = TestApp::spawn().await;
    let group = create_group(&app, "Methods", None).await;
    let customer = app.create_customer(&json!({"name": "C"})).await;
    let cases = [
        (Method::POST, path_of(&group)),
        (Method::PUT, GROUPS.to_owned()),
        (Method::DELETE, GROUPS.to_owned()),
        (Method::GET, super::update_path(&customer)),
    ];
    for (method, path) in cases {
        let response = app
            .request(
                method.clone(),
                &path,
                Some(&app.admin_token),
                Some(&json!({})),
            )
            .await;
        assert_eq!(response.status(), 405, "{method} {path}");
        assert!(response.headers().contains_key("allow"), "{method} {path}");
        assert_eq!(
            json(response).await,
            json!({ "detail": format!("Method \"{method}\" not allowed.") })
        );
    }
    assert_eq!(fetch(&app, &group).await, group);
}
