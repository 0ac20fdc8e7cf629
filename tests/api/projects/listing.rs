//! The representation, list filters and ordering (spec 06 §4.7, §4.9).

use reqwest::Method;
use serde_json::{json, Value};
use tenancy_tests::{json, sql, TestApp};

use super::*;

const KEYS: [&str; 29] = [
    "url",
    "uuid",
    "name",
    "slug",
    "customer",
    "customer_uuid",
    "customer_name",
    "customer_slug",
    "customer_native_name",
    "customer_abbreviation",
    "description",
    "customer_display_billing_info_in_projects",
    "created",
    "type",
    "type_name",
    "type_uuid",
    "backend_id",
    "start_date",
    "end_date",
    "end_date_requested_by",
    "end_date_updated_at",
    "resources_count",
    "kind",
    "is_removed",
    "staff_notes",
    "grace_period_days",
    "customer_grace_period_days",
    "effective_end_date",
    "is_in_grace_period",
];

#[tokio::test]
async fn the_representation_has_the_spec_keys_in_order() {
    let app = TestApp::spawn().await;
    let customer = app
        .create_customer(&json!({"name": "Acme", "native_name": "Akme", "abbreviation": "AC"}))
        .await;
    let project = create_project(&app, &customer, "P").await;
    let keys: Vec<&str> = project
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(keys, KEYS);
    let uuid = uuid_of(&project);
    assert_eq!(uuid.len(), 32);
    assert_eq!(project["url"], app.url(&format!("/api/projects/{uuid}/")));
    assert_eq!(project["customer_native_name"], "Akme");
    assert_eq!(project["customer_abbreviation"], "AC");
    assert_eq!(project["customer_slug"], customer["slug"]);
    assert_eq!(project["customer_display_billing_info_in_projects"], true);
    assert_eq!(project["type"], Value::Null);
    assert_eq!(project["kind"], "default");
    assert_eq!(project["resources_count"], 0);
    assert_eq!(project["staff_notes"], "");
    assert_eq!(project["is_removed"], false);
    assert_eq!(project["effective_end_date"], Value::Null);
    let owner = app.create_user("owner", false, false).await;
    grant_customer(&app, "owner", "CUSTOMER.OWNER", &customer, false).await;
    let seen = json(call(&app, Method::GET, &path_of(&project), &owner, None).await).await;
    let owner_keys: Vec<&str> = seen
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    let expected: Vec<&str> = KEYS
        .iter()
        .copied()
        .filter(|k| *k != "staff_notes")
        .collect();
    assert_eq!(owner_keys, expected);
    let selected = json(
        app.get(&format!(
            "{}?field=name&field=uuid&field=nope",
            path_of(&project)
        ))
        .await,
    )
    .await;
    assert_eq!(selected, json!({"uuid": uuid, "name": "P"}));
}

#[tokio::test]
async fn filters() {
    let app = TestApp::spawn().await;
    let acme = app
        .create_customer(&json!({"name": "Acme", "native_name": "Akme", "abbreviation": "AC"}))
        .await;
    let other = app.create_customer(&json!({"name": "Other"})).await;
    let alpha = create_project(&app, &acme, "Alpha 50%").await;
    let beta = create_project(&app, &acme, "Beta").await;
    let gamma = create_project(&app, &other, "Gamma").await;
    app.patch(
        &path_of(&beta),
        &json!({"description": "The Second", "backend_id": "B-1"}),
    )
    .await;
    let owner = app.create_user("owner", false, false).await;
    grant_customer(&app, "owner", "CUSTOMER.OWNER", &acme, false).await;
    let manager = app.create_user("manager", false, false).await;
    grant_project(&app, "manager", "PROJECT.MANAGER", &gamma).await;
    grant_project(&app, "manager", "PROJECT.ADMIN", &alpha).await;

    let admin = app.admin_token.clone();
    let acme_hex = uuid_of(&acme).to_owned();
    let cases: Vec<(String, &str, Vec<&str>)> = vec![
        (
            format!("customer={}", dashed(&acme_hex)),
            &admin,
            vec!["Alpha 50%", "Beta"],
        ),
        (
            format!("customer={acme_hex},{}", uuid_of(&other)),
            &admin,
            vec!["Alpha 50%", "Beta", "Gamma"],
        ),
        ("name=ALP".into(), &admin, vec!["Alpha 50%"]),
        ("name=%25".into(), &admin, vec!["Alpha 50%"]),
        ("name_exact=beta".into(), &admin, vec![]),
        ("name_exact=Beta".into(), &admin, vec!["Beta"]),
        (
            format!("slug={}", beta["slug"].as_str().unwrap()),
            &admin,
            vec!["Beta"],
        ),
        ("description=second".into(), &admin, vec!["Beta"]),
        ("backend_id=B-1".into(), &admin, vec!["Beta"]),
        ("backend_id=b-1".into(), &admin, vec![]),
        ("query=gam".into(), &admin, vec!["Gamma"]),
        (
            format!("query={}", dashed(uuid_of(&alpha))),
            &admin,
            vec!["Alpha 50%"],
        ),
        (
            "customer_name=acm".into(),
            &admin,
            vec!["Alpha 50%", "Beta"],
        ),
        (
            "customer_native_name=akm".into(),
            &admin,
            vec!["Alpha 50%", "Beta"],
        ),
        (
            "customer_abbreviation=ac".into(),
            &admin,
            vec!["Alpha 50%", "Beta"],
        ),
        ("can_manage=true".into(), &owner, vec!["Alpha 50%", "Beta"]),
        ("can_manage=false".into(), &manager, vec!["Gamma"]),
        (
            "can_manage=maybe".into(),
            &manager,
            vec!["Alpha 50%", "Gamma"],
        ),
        ("can_admin=true".into(), &manager, vec!["Alpha 50%"]),
        ("can_admin=true".into(), &admin, vec![]),
        (
            "current_user_has_role=PROJECT.MANAGER".into(),
            &manager,
            vec!["Gamma"],
        ),
        (
            "current_user_has_role=PROJECT.MEMBER,PROJECT.ADMIN".into(),
            &manager,
            vec!["Alpha 50%"],
        ),
        ("user_uuid=nope".into(), &admin, vec![]),
        ("user_uuid_with_active_role=nope".into(), &admin, vec![]),
        (
            "is_removed=false".into(),
            &admin,
            vec!["Alpha 50%", "Beta", "Gamma"],
        ),
        (
            "created=2000-01-01T00:00:00Z".into(),
            &admin,
            vec!["Alpha 50%", "Beta", "Gamma"],
        ),
        ("created_before=2000-01-01".into(), &admin, vec![]),
        (
            "created_before=2999-01-01".into(),
            &admin,
            vec!["Alpha 50%", "Beta", "Gamma"],
        ),
        ("modified_before=2000-01-01T00:00".into(), &admin, vec![]),
        (
            "accounting_is_running=true".into(),
            &admin,
            vec!["Alpha 50%", "Beta", "Gamma"],
        ),
        (
            "unknown=1&affiliation_uuid=x".into(),
            &admin,
            vec!["Alpha 50%", "Beta", "Gamma"],
        ),
    ];
    for (query, token, expected) in cases {
        assert_eq!(
            listed(&app, &format!("/api/projects/?{query}"), token).await,
            expected,
            "{query}"
        );
    }
    let role_uuid: String = sql(
        &app,
        "SELECT replace(uuid::text, '-', '') FROM roles WHERE name = 'PROJECT.ADMIN'",
    )
    .await[0]
        .get(0);
    assert_eq!(
        listed(
            &app,
            &format!("/api/projects/?current_user_has_role={role_uuid}"),
            &manager
        )
        .await,
        ["Alpha 50%"]
    );
    let manager_uuid: String = sql(
        &app,
        "SELECT replace(uuid::text, '-', '') FROM users WHERE username = 'manager'",
    )
    .await[0]
        .get(0);
    assert_eq!(
        listed(
            &app,
            &format!("/api/projects/?user_uuid={manager_uuid}"),
            &admin
        )
        .await,
        ["Alpha 50%", "Gamma"]
    );
    assert_eq!(
        listed(
            &app,
            &format!("/api/projects/?user_uuid={manager_uuid}"),
            &owner
        )
        .await,
        ["Alpha 50%"],
        "intersected with the caller's"
    );
    assert_eq!(
        listed(
            &app,
            &format!(
                "/api/projects/?user_uuid_with_active_role={}",
                dashed(&manager_uuid)
            ),
            &admin
        )
        .await,
        ["Alpha 50%", "Gamma"]
    );
    sql(
        &app,
        &format!(
            "UPDATE projects SET end_date = (now() AT TIME ZONE 'UTC')::date - 1 WHERE uuid = '{}'",
            uuid_of(&gamma)
        ),
    )
    .await;
    assert_eq!(
        listed(
            &app,
            "/api/projects/?conceal_finished_projects=true",
            &admin
        )
        .await,
        ["Alpha 50%", "Beta"]
    );
    for (query, key, message) in [
        ("customer=nope", "customer", "Enter a valid UUID."),
        ("created=yesterday", "created", "Enter a valid date/time."),
        (
            "modified_before=x",
            "modified_before",
            "Enter a valid date/time.",
        ),
        (
            "o=colour",
            "o",
            "Select a valid choice. colour is not one of the available choices.",
        ),
    ] {
        let response = app.get(&format!("/api/projects/?{query}")).await;
        assert_eq!(response.status(), 400, "{query}");
        assert_eq!(json(response).await, json!({ key: [message] }));
    }
}

#[tokio::test]
async fn ordering_and_paging() {
    let app = TestApp::spawn().await;
    let zed = app
        .create_customer(&json!({"name": "Zed", "abbreviation": "A"}))
        .await;
    let abc = app
        .create_customer(&json!({"name": "abc", "abbreviation": "Z"}))
        .await;
    create_project(&app, &zed, "b").await;
    create_project(&app, &abc, "C").await;
    create_project(&app, &zed, "a").await;
    let later = app
        .post(PROJECTS, &json!({"name": "d", "customer": abc["url"], "start_date": "2999-01-01", "end_date": "2999-06-01"}))
        .await;
    assert_eq!(later.status(), 201);
    let admin = app.admin_token.clone();
    for (o, expected) in [
        ("", vec!["a", "b", "C", "d"]),
        ("-name", vec!["d", "C", "b", "a"]),
        ("created", vec!["b", "C", "a", "d"]),
        ("-created", vec!["d", "a", "C", "b"]),
        ("customer_name,name", vec!["C", "d", "a", "b"]),
        ("-customer_abbreviation,-name", vec!["d", "C", "b", "a"]),
        ("end_date,name", vec!["d", "a", "b", "C"]),
        ("-start_date,name", vec!["a", "b", "C", "d"]),
        ("estimated_cost", vec!["a", "b", "C", "d"]),
    ] {
        assert_eq!(
            listed(&app, &format!("/api/projects/?o={o}"), &admin).await,
            expected,
            "o={o}"
        );
    }
    let repeated = listed(&app, "/api/projects/?o=customer_name&o=-name", &admin).await;
    assert_eq!(repeated, ["d", "C", "b", "a"]);
    let page = app.get("/api/projects/?page_size=3&page=2").await;
    assert_eq!(page.status(), 200);
    assert_eq!(page.headers()["x-result-count"], "4");
    assert!(page.headers()["link"]
        .to_str()
        .unwrap()
        .contains("rel=\"first\""));
    assert_eq!(names(&json(page).await), ["d"]);
    assert_eq!(
        app.get("/api/projects/?page=3&page_size=3").await.status(),
        404
    );
}
