//! Races the database settles (spec 03 §8).

use futures::future::join_all;
use serde_json::json;
use tenancy_tests::{sql, TestApp};

use super::{customer, user_uuid};

#[tokio::test]
async fn fifty_parallel_add_user_calls_make_exactly_one_grant() {
    let app = TestApp::spawn().await;
    let org = customer(&app, "Org").await;
    app.create_user("target", false, false).await;
    let target = user_uuid(&app, "target").await;
    let path = format!("/api/customers/{org}/add_user/");
    let body = json!({"user": target, "role": "CUSTOMER.OWNER"});
    let responses = join_all((0..50).map(|_| app.post(&path, &body))).await;
    let mut created = 0;
    for response in responses {
        match response.status().as_u16() {
            201 => created += 1,
            400 => assert_eq!(
                response.json::<serde_json::Value>().await.unwrap(),
                json!({"non_field_errors": ["User has already the same role in this scope."]})
            ),
            other => panic!("unexpected status {other}"),
        }
    }
    assert_eq!(created, 1);
    let rows = sql(&app, "SELECT count(*) FROM grants").await;
    assert_eq!(rows[0].get::<_, i64>(0), 1);
}

#[tokio::test]
async fn revoke_racing_update_leaves_a_consistent_grant() {
    let app = TestApp::spawn().await;
    let org = customer(&app, "Org").await;
    app.create_user("target", false, false).await;
    let target = user_uuid(&app, "target").await;
    let add = format!("/api/customers/{org}/add_user/");
    let update = format!("/api/customers/{org}/update_user/");
    let delete = format!("/api/customers/{org}/delete_user/");
    for round in 0..10 {
        let body =
            json!({"user": target, "role": "CUSTOMER.OWNER", "expiration_time": "2090-01-01"});
        assert_eq!(app.post(&add, &body).await.status(), 201, "round {round}");
        let extend =
            json!({"user": target, "role": "CUSTOMER.OWNER", "expiration_time": "2095-01-01"});
        let (updated, revoked) = tokio::join!(app.post(&update, &extend), app.post(&delete, &body));
        assert_eq!(revoked.status(), 200);
        let rows = sql(
            &app,
            "SELECT is_active, extract(year FROM expiration_time)::int FROM grants ORDER BY id DESC LIMIT 1",
        )
        .await;
        assert!(!rows[0].get::<_, bool>(0), "the grant ends revoked");
        let year: i32 = rows[0].get(1);
        match updated.status().as_u16() {
            // The update committed first; the revocation then closed the extended grant.
            200 => assert_eq!(year, 2095),
            // The revocation committed first; the update found no current grant.
            400 => assert_eq!(year, 2090),
            other => panic!("unexpected status {other}"),
        }
    }
}
