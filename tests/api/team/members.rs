//! `GET /api/customers/{uuid}/users/`: the people of an organization (spec 03 §5.2).

use serde_json::{json, Value};
use tenancy_tests::{json, sql, TestApp};

use super::{customer, get_as, grant_customer, grant_project, project};

fn usernames(list: &Value) -> Vec<&str> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|u| u["username"].as_str().unwrap())
        .collect()
}

#[tokio::test]
async fn members_are_users_with_customer_or_project_grants_with_nested_projects() {
    let app = TestApp::spawn().await;
    let org = customer(&app, "Org").await;
    let other = customer(&app, "Other").await;
    let beta = project(&app, &org, "Beta").await;
    let alpha = project(&app, &org, "Alpha").await;
    let elsewhere = project(&app, &other, "Elsewhere").await;
    for name in ["olga", "pete", "sam", "inactive", "outsider"] {
        app.create_user(name, false, false).await;
    }
    sql(
        &app,
        "UPDATE users SET first_name = 'Olga', last_name = 'Owner' WHERE username = 'olga'",
    )
    .await;
    grant_customer(&app, "olga", "CUSTOMER.OWNER", &org).await;
    grant_project(&app, "olga", "PROJECT.ADMIN", &beta).await;
    grant_project(&app, "pete", "PROJECT.MEMBER", &beta).await;
    grant_project(&app, "pete", "PROJECT.MANAGER", &alpha).await;
    grant_customer(&app, "sam", "CUSTOMER.SUPPORT", &org).await;
    grant_customer(&app, "inactive", "CUSTOMER.OWNER", &org).await;
    grant_project(&app, "outsider", "PROJECT.ADMIN", &elsewhere).await;
    sql(
        &app,
        "UPDATE users SET is_active = false WHERE username = 'inactive'",
    )
    .await;

    let response = app.get(&format!("/api/customers/{org}/users/")).await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["x-result-count"], "3");
    let list = json(response).await;
    assert_eq!(usernames(&list), ["olga", "pete", "sam"]);
    let olga = &list[0];
    let keys: Vec<&str> = olga
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        [
            "url",
            "uuid",
            "username",
            "full_name",
            "email",
            "role_name",
            "projects",
            "expiration_time",
            "image"
        ]
    );
    assert_eq!(olga["full_name"], "Olga Owner");
    assert_eq!(olga["role_name"], "CUSTOMER.OWNER");
    assert_eq!(olga["expiration_time"], Value::Null);
    assert!(olga["url"]
        .as_str()
        .unwrap()
        .ends_with(&format!("/api/users/{}/", olga["uuid"].as_str().unwrap())));
    assert_eq!(olga["projects"].as_array().unwrap().len(), 1);
    assert_eq!(olga["projects"][0]["uuid"], beta.as_str());
    assert_eq!(olga["projects"][0]["role_name"], "PROJECT.ADMIN");
    let pete = &list[1];
    assert_eq!(pete["role_name"], Value::Null, "project grants only");
    let projects: Vec<(&str, &str)> = pete["projects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["name"].as_str().unwrap(),
                p["role_name"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        projects,
        [("Alpha", "PROJECT.MANAGER"), ("Beta", "PROJECT.MEMBER")]
    );
    assert!(pete["projects"][0]["url"]
        .as_str()
        .unwrap()
        .ends_with(&format!("/api/projects/{alpha}/")));
    assert_eq!(pete["projects"][0]["expiration_time"], Value::Null);

    // Soft-deleted projects do not count.
    sql(
        &app,
        &format!("UPDATE projects SET is_removed = true WHERE uuid = '{alpha}'"),
    )
    .await;
    let list = json(app.get(&format!("/api/customers/{org}/users/")).await).await;
    assert_eq!(list[1]["projects"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn members_filters_and_concatenated_name_order() {
    let app = TestApp::spawn().await;
    let org = customer(&app, "Org").await;
    let p = project(&app, &org, "P").await;
    for (name, first, last, email) in [
        ("u1", "Zed", "Adams", "zed@corp.example"),
        ("u2", "Ann", "Érdi", "ann@example.com"),
        ("u3", "Bob", "Baker", "bob@example.com"),
    ] {
        app.create_user(name, false, false).await;
        sql(
            &app,
            &format!("UPDATE users SET first_name = '{first}', last_name = '{last}', email = '{email}', job_title = 'Eng {name}' WHERE username = '{name}'"),
        )
        .await;
    }
    grant_customer(&app, "u1", "CUSTOMER.OWNER", &org).await;
    grant_customer(&app, "u2", "CUSTOMER.MANAGER", &org).await;
    grant_project(&app, "u3", "PROJECT.ADMIN", &p).await;
    let base = format!("/api/customers/{org}/users/");
    let list = |query: &str| {
        let path = format!("{base}?{query}");
        let app = &app;
        async move { json(app.get(&path).await).await }
    };
    assert_eq!(
        usernames(&list("o=concatenated_name").await),
        ["u2", "u3", "u1"]
    );
    assert_eq!(
        usernames(&list("o=-concatenated_name").await),
        ["u1", "u3", "u2"]
    );
    assert_eq!(
        usernames(&list("o=email").await),
        ["u1", "u2", "u3"],
        "other keys keep the default"
    );
    assert_eq!(usernames(&list("full_name=ann%20erdi").await), ["u2"]);
    assert_eq!(usernames(&list("user_keyword=CORP").await), ["u1"]);
    assert_eq!(usernames(&list("email=example.com").await), ["u2", "u3"]);
    assert_eq!(usernames(&list("username=u3").await), ["u3"]);
    assert_eq!(usernames(&list("job_title=eng%20u2").await), ["u2"]);
    assert_eq!(
        usernames(&list("organization_role=CUSTOMER.OWNER").await),
        ["u1"]
    );
    assert_eq!(usernames(&list("project_role=PROJECT.ADMIN").await), ["u3"]);
    assert_eq!(
        usernames(&list("organization_role=CUSTOMER.MANAGER&project_role=PROJECT.ADMIN").await),
        ["u2", "u3"]
    );
    assert_eq!(
        usernames(&list("is_active=false").await),
        Vec::<&str>::new()
    );
    assert_eq!(
        usernames(&list("registration_method=default").await).len(),
        3
    );
    assert_eq!(
        usernames(&list("date_joined=2000-01-01T00:00:00Z").await).len(),
        3
    );
    assert_eq!(
        usernames(&list("date_joined=2999-01-01T00:00:00Z").await).len(),
        0
    );
    assert_eq!(
        list("field=username&field=role_name&username=u1").await,
        json!([{"username": "u1", "role_name": "CUSTOMER.OWNER"}])
    );
    let response = app.get(&format!("{base}?modified=yesterday")).await;
    assert_eq!(response.status(), 400);
    assert_eq!(
        json(response).await,
        json!({"modified": ["Enter a valid date/time."]})
    );
}

#[tokio::test]
async fn owners_and_customer_support_may_list_members_managers_and_project_roles_may_not() {
    let app = TestApp::spawn().await;
    let org = customer(&app, "Org").await;
    let p = project(&app, &org, "P").await;
    let mut tokens = Vec::new();
    for (name, role, on_project) in [
        ("owner", "CUSTOMER.OWNER", false),
        ("support_role", "CUSTOMER.SUPPORT", false),
        ("manager", "CUSTOMER.MANAGER", false),
        ("pm", "PROJECT.MANAGER", true),
        ("admin_role", "PROJECT.ADMIN", true),
    ] {
        tokens.push((name, app.create_user(name, false, false).await));
        if on_project {
            grant_project(&app, name, role, &p).await;
        } else {
            grant_customer(&app, name, role, &org).await;
        }
    }
    let global_support = app.create_user("global_support", false, true).await;
    let path = format!("/api/customers/{org}/users/");
    for (name, token) in &tokens {
        let expected = match *name {
            "owner" | "support_role" => 200,
            _ => 403,
        };
        let response = get_as(&app, token, &path).await;
        assert_eq!(response.status(), expected, "{name}");
        if expected == 403 {
            assert_eq!(
                json(response).await,
                json!({"detail": "You do not have permission to perform this action."})
            );
        }
    }
    assert_eq!(get_as(&app, &global_support, &path).await.status(), 200);
}
