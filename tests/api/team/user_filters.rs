//! `GET /api/users/` filters and ordering (spec 06 §1.5).

use serde_json::{json, Value};
use tenancy_tests::{json, sql, TestApp};

use super::{customer, grant_customer, grant_project, project};

fn usernames(list: &Value) -> Vec<&str> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|u| u["username"].as_str().unwrap())
        .collect()
}

#[tokio::test]
async fn user_list_filters_by_scope_role_text_and_date_and_orders() {
    let app = TestApp::spawn().await;
    let org = customer(&app, "Org").await;
    let other = customer(&app, "Other").await;
    let p = project(&app, &org, "P").await;
    for name in ["ann", "bob", "cid"] {
        app.create_user(name, false, false).await;
    }
    sql(&app, "UPDATE users SET first_name = 'Ánn', last_name = 'Zed', job_title = 'Chief', organization = 'ACME' WHERE username = 'ann'").await;
    sql(&app, "UPDATE users SET first_name = 'Bob', last_name = 'Young', email = 'bob@corp.example' WHERE username = 'bob'").await;
    grant_customer(&app, "ann", "CUSTOMER.OWNER", &org).await;
    grant_project(&app, "bob", "PROJECT.MEMBER", &p).await;
    grant_customer(&app, "cid", "CUSTOMER.SUPPORT", &other).await;
    let list = |query: &str| {
        let path = format!("/api/users/?{query}");
        let app = &app;
        async move { json(app.get(&path).await).await }
    };
    assert_eq!(
        usernames(&list(&format!("customer_uuid={org}")).await),
        ["ann", "bob"]
    );
    assert_eq!(
        usernames(&list(&format!("project_uuid={p}")).await),
        ["bob"]
    );
    assert_eq!(
        usernames(&list("customer_uuid=8f20242b638743b18a485f81ac685e13").await),
        Vec::<&str>::new()
    );
    assert_eq!(
        usernames(&list("organization_roles=CUSTOMER.OWNER").await),
        ["ann"]
    );
    assert_eq!(
        usernames(&list("organization_roles=CUSTOMER.SUPPORT&project_roles=PROJECT.MEMBER").await),
        ["bob", "cid"]
    );
    assert_eq!(
        usernames(&list("username_list=cid,ann").await),
        ["ann", "cid"]
    );
    assert_eq!(usernames(&list("username_list=").await), Vec::<&str>::new());
    assert_eq!(
        usernames(&list("full_name=ann%20z").await),
        ["ann"],
        "accents folded"
    );
    assert_eq!(usernames(&list("user_keyword=CORP").await), ["bob"]);
    assert_eq!(
        usernames(&list("query=xx%20young").await),
        ["bob"],
        "two words: the second may match the last name"
    );
    assert_eq!(
        usernames(&list("job_title=chie&organization=acm").await),
        ["ann"]
    );
    assert_eq!(
        usernames(&list("registration_method=default&username=cid").await),
        ["cid"]
    );
    assert_eq!(
        usernames(&list("registration_method=saml2").await),
        Vec::<&str>::new()
    );
    assert_eq!(
        usernames(&list("date_joined=2999-01-01").await),
        Vec::<&str>::new()
    );
    assert_eq!(
        usernames(&list("o=-username").await),
        ["cid", "bob", "ann", "admin"]
    );
    assert_eq!(
        usernames(&list("o=-full_name&username_list=bob,cid").await),
        ["bob", "cid"],
        "an empty first name sorts first"
    );
    for (query, key, message) in [
        ("customer_uuid=nope", "customer_uuid", "Enter a valid UUID."),
        ("modified=someday", "modified", "Enter a valid date/time."),
        (
            "o=shoe_size",
            "o",
            "Select a valid choice. shoe_size is not one of the available choices.",
        ),
    ] {
        let response = app.get(&format!("/api/users/?{query}")).await;
        assert_eq!(response.status(), 400, "{query}");
        assert_eq!(json(response).await, json!({ key: [message] }));
    }
}
