//! Writes racing a delete (spec 01 §8.1: a handled error, never a 500): adding members to,
//! or children under, a group that is being deleted either succeeds before the delete
//! (and the cascade takes the rows) or sees the group gone and answers 400.

use reqwest::{Method, RequestBuilder, Response};
use serde_json::json;
use tenancy_tests::{json, TestApp};

use super::{create_group, groups_of, path_of, update_path, GROUPS};

/// Sends every request at once and waits for all the answers, in order.
async fn all_at_once(requests: Vec<RequestBuilder>) -> Vec<Response> {
    let tasks: Vec<_> = requests
        .into_iter()
        .map(|request| tokio::spawn(request.send()))
        .collect();
    let mut responses = Vec::with_capacity(tasks.len());
    for task in tasks {
        responses.push(task.await.unwrap().unwrap());
    }
    responses
}

#[tokio::test]
async fn memberships_and_children_racing_a_delete_never_fail_with_500() {
    let app = TestApp::spawn().await;
    let customer = app.create_customer(&json!({"name": "Racer"})).await;
    for round in 0..15 {
        let group = create_group(&app, &format!("Doomed {round}"), None).await;
        let link = json!({"organization_groups": [group["url"]]});
        let child = json!({"name": "Child", "parent": group["url"]});
        let responses = all_at_once(vec![
            app.raw(Method::POST, &update_path(&customer)).json(&link),
            app.raw(Method::POST, GROUPS).json(&child),
            app.raw(Method::DELETE, &path_of(&group)),
            app.raw(Method::POST, &update_path(&customer)).json(&link),
            app.raw(Method::POST, GROUPS).json(&child),
        ])
        .await;
        let statuses: Vec<u16> = responses.iter().map(|r| r.status().as_u16()).collect();
        assert_eq!(statuses[2], 204, "round {round}: {statuses:?}");
        for (i, status) in statuses.iter().enumerate() {
            let allowed: &[u16] = match i {
                2 => &[204],
                1 | 4 => &[201, 400],
                _ => &[200, 400],
            };
            assert!(allowed.contains(status), "round {round}: {statuses:?}");
        }
        assert_eq!(groups_of(&app, &customer).await, json!([]), "round {round}");
        assert_eq!(super::all_groups(&app).await, json!([]), "round {round}");
    }
    let _ = json;
}
