//! The customer list filters that read grants (spec 02 §6.1).

use serde_json::Value;
use tenancy_tests::{json, TestApp};

use super::{customer, get_as, grant_customer, grant_project, project, user_uuid};

fn names(list: &Value) -> Vec<&str> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect()
}

#[tokio::test]
async fn grant_filters_select_by_the_callers_roles() {
    let app = TestApp::spawn().await;
    let owned = customer(&app, "Owned").await;
    let supported = customer(&app, "Supported").await;
    let via_project = customer(&app, "ViaProject").await;
    customer(&app, "Unrelated").await;
    let p = project(&app, &via_project, "P").await;
    let token = app.create_user("u", false, false).await;
    grant_customer(&app, "u", "CUSTOMER.OWNER", &owned).await;
    grant_customer(&app, "u", "CUSTOMER.SUPPORT", &supported).await;
    grant_project(&app, "u", "PROJECT.MANAGER", &p).await;
    let list = |query: &str| {
        let path = format!("/api/customers/?{query}");
        let app = &app;
        let token = token.clone();
        async move { json(get_as(app, &token, &path).await).await }
    };
    assert_eq!(names(&list("").await), ["Owned", "Supported", "ViaProject"]);
    assert_eq!(names(&list("owned_by_current_user=true").await), ["Owned"]);
    assert_eq!(
        names(&list("owned_by_current_user=false").await).len(),
        3,
        "false is not applied"
    );
    assert_eq!(
        names(&list("current_user_has_project_create_permission=true").await),
        ["Owned"],
        "project grants never count"
    );
    assert_eq!(
        names(&list("current_user_has_role=CUSTOMER.SUPPORT").await),
        ["Supported"]
    );
    assert_eq!(
        names(&list("current_user_has_role=CUSTOMER.SUPPORT,CUSTOMER.OWNER").await),
        ["Owned", "Supported"]
    );
    assert_eq!(
        names(
            &list("current_user_has_role=CUSTOMER.SUPPORT&current_user_has_role=CUSTOMER.OWNER")
                .await
        ),
        ["Owned", "Supported"]
    );
    assert_eq!(
        names(&list("current_user_has_role=PROJECT.MANAGER").await).len(),
        0
    );
    let roles = json(app.get("/api/roles/?name=CUSTOMER.OWNER").await).await;
    let owner_role = roles[0]["uuid"].as_str().unwrap().to_owned();
    assert_eq!(
        names(&list(&format!("current_user_has_role={owner_role}")).await),
        ["Owned"]
    );
    assert_eq!(names(&list("current_user_has_role=NOPE").await).len(), 0);
}

#[tokio::test]
async fn staff_without_grants_own_nothing_but_create_projects_everywhere() {
    let app = TestApp::spawn().await;
    customer(&app, "A").await;
    customer(&app, "B").await;
    let list = json(app.get("/api/customers/?owned_by_current_user=true").await).await;
    assert_eq!(names(&list).len(), 0);
    let list = json(
        app.get("/api/customers/?current_user_has_project_create_permission=true")
            .await,
    )
    .await;
    assert_eq!(names(&list), ["A", "B"]);
}

#[tokio::test]
async fn user_uuid_lists_what_that_user_can_see_within_the_callers_view() {
    let app = TestApp::spawn().await;
    let a = customer(&app, "A").await;
    let b = customer(&app, "B").await;
    customer(&app, "C").await;
    let p = project(&app, &b, "P").await;
    app.create_user("member", false, false).await;
    app.create_user("helper", false, true).await;
    grant_customer(&app, "member", "CUSTOMER.MANAGER", &a).await;
    grant_project(&app, "member", "PROJECT.ADMIN", &p).await;
    let member = user_uuid(&app, "member").await;
    let list = json(
        app.get(&format!("/api/customers/?user_uuid={member}"))
            .await,
    )
    .await;
    assert_eq!(names(&list), ["A", "B"]);
    let helper = user_uuid(&app, "helper").await;
    let list = json(
        app.get(&format!("/api/customers/?user_uuid={helper}"))
            .await,
    )
    .await;
    assert_eq!(
        names(&list),
        ["A", "B", "C"],
        "support users see everything"
    );
    let list = json(app.get("/api/customers/?user_uuid=garbage").await).await;
    assert_eq!(names(&list).len(), 0);
    let list = json(
        app.get("/api/customers/?user_uuid=8f20242b638743b18a485f81ac685e13")
            .await,
    )
    .await;
    assert_eq!(names(&list).len(), 0);
    // Intersected with the caller's view.
    let stranger = app.create_user("stranger", false, false).await;
    grant_customer(&app, "stranger", "CUSTOMER.OWNER", &a).await;
    let list = json(
        get_as(
            &app,
            &stranger,
            &format!("/api/customers/?user_uuid={member}"),
        )
        .await,
    )
    .await;
    assert_eq!(names(&list), ["A"]);
}
