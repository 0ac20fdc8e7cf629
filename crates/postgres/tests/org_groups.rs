//! The organization-group tree on PostgreSQL: concurrent moves never build a cycle, deep
//! chains are checked without a query per level, and memberships keep counts right.
#![expect(clippy::unwrap_used, reason = "test helpers outside #[test] functions")]

use std::sync::Arc;

use chrono::Utc;
use tenancy_domain::customer::CustomerFields;
use tenancy_domain::error::DomainError;
use tenancy_domain::org_group::GroupChanges;
use tenancy_ports::customers::CustomerRepository;
use tenancy_ports::error::RepoError;
use tenancy_ports::org_groups::OrgGroupRepository;
use tenancy_postgres::customers::PgCustomerRepository;
use tenancy_postgres::db::{Database, PoolConfig};
use tenancy_postgres::org_groups::PgOrgGroupRepository;
use tenancy_postgres::testing::TestDatabase;
use uuid::Uuid;

fn repo(db: &TestDatabase) -> Arc<PgOrgGroupRepository> {
    Arc::new(PgOrgGroupRepository::new(
        Database::connect(db.url(), &PoolConfig::default()).unwrap(),
    ))
}

fn move_under(parent: Uuid) -> GroupChanges {
    GroupChanges {
        name: None,
        parent: Some(Some(parent)),
    }
}

fn parent_error(result: Result<tenancy_domain::org_group::OrganizationGroup, RepoError>) -> String {
    match result {
        Err(RepoError::Domain(DomainError::Invalid(errors))) => format!("{errors:?}"),
        other => panic!("expected a parent field error, got {other:?}"),
    }
}

/// Whether any group is its own ancestor (walks at most 10 000 steps).
async fn has_cycle(url: &str) -> bool {
    let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(connection);
    let rows = client
        .query(
            "WITH RECURSIVE up(start, id, depth) AS ( \
               SELECT id, parent_id, 1 FROM organization_groups WHERE parent_id IS NOT NULL \
               UNION ALL \
               SELECT up.start, g.parent_id, up.depth + 1 FROM up JOIN organization_groups g ON g.id = up.id \
               WHERE g.parent_id IS NOT NULL AND up.depth < 10000) \
             SELECT count(*) FROM up WHERE id = start",
            &[],
        )
        .await
        .unwrap();
    rows[0].get::<_, i64>(0) > 0
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn racing_opposite_moves_leave_exactly_one_and_never_a_cycle() {
    let db = TestDatabase::new().await;
    let groups = repo(&db);
    for round in 0..60 {
        let a = groups
            .create(format!("A{round}"), None, Utc::now())
            .await
            .unwrap();
        let b = groups
            .create(format!("B{round}"), None, Utc::now())
            .await
            .unwrap();
        let (first, second) = (groups.clone(), groups.clone());
        let a_under_b =
            tokio::spawn(async move { first.update(a.uuid, move_under(b.uuid), Utc::now()).await });
        let b_under_a =
            tokio::spawn(
                async move { second.update(b.uuid, move_under(a.uuid), Utc::now()).await },
            );
        let results = [a_under_b.await.unwrap(), b_under_a.await.unwrap()];
        let succeeded = results.iter().filter(|r| r.is_ok()).count();
        assert_eq!(
            succeeded, 1,
            "round {round}: exactly one move wins: {results:?}"
        );
        let loser = results.into_iter().find(|r| r.is_err()).unwrap();
        assert!(parent_error(loser).contains("cannot be a child of its own descendant"));
    }
    assert!(!has_cycle(db.url()).await);
}

#[tokio::test]
async fn a_deep_chain_refuses_moving_the_root_under_its_deepest_descendant() {
    let db = TestDatabase::new().await;
    let groups = repo(&db);
    let root = groups
        .create("root".into(), None, Utc::now())
        .await
        .unwrap();
    let mut parent = root.uuid;
    for depth in 0..200 {
        parent = groups
            .create(format!("level {depth}"), Some(parent), Utc::now())
            .await
            .unwrap()
            .uuid;
    }
    let refused = groups
        .update(root.uuid, move_under(parent), Utc::now())
        .await;
    assert!(parent_error(refused).contains("cannot be a child of its own descendant"));
    let itself = groups
        .update(root.uuid, move_under(root.uuid), Utc::now())
        .await;
    assert!(parent_error(itself).contains("cannot be parent of itself"));
    // Moving the deepest node to the root level is fine, and the rest stays a chain.
    let moved = groups
        .update(
            parent,
            GroupChanges {
                name: None,
                parent: Some(None),
            },
            Utc::now(),
        )
        .await
        .unwrap();
    assert!(moved.parent.is_none());
    assert!(!has_cycle(db.url()).await);
}

#[tokio::test]
async fn memberships_drive_counts_and_go_with_deleted_subtrees() {
    let db = TestDatabase::new().await;
    let pool = Database::connect(db.url(), &PoolConfig::default()).unwrap();
    let groups = PgOrgGroupRepository::new(pool.clone());
    let customers = PgCustomerRepository::new(pool);
    let education = groups
        .create("Education".into(), None, Utc::now())
        .await
        .unwrap();
    let universities = groups
        .create("Universities".into(), Some(education.uuid), Utc::now())
        .await
        .unwrap();
    let c1 = customers
        .create(CustomerFields::new("One".into(), Utc::now()), Utc::now())
        .await
        .unwrap();
    let c2 = customers
        .create(CustomerFields::new("Two".into(), Utc::now()), Utc::now())
        .await
        .unwrap();
    groups
        .set_customer_groups(
            c1.uuid,
            vec![universities.uuid, education.uuid, universities.uuid],
        )
        .await
        .unwrap();
    groups
        .set_customer_groups(c2.uuid, vec![universities.uuid])
        .await
        .unwrap();
    assert_eq!(
        groups
            .find(universities.uuid)
            .await
            .unwrap()
            .customers_count,
        2
    );
    assert_eq!(
        groups.find(education.uuid).await.unwrap().customers_count,
        1,
        "descendants' customers are not counted"
    );
    let unknown = Uuid::new_v4();
    let refused = groups
        .set_customer_groups(c2.uuid, vec![education.uuid, unknown])
        .await;
    assert!(matches!(
        refused,
        Err(RepoError::Domain(DomainError::Invalid(_)))
    ));
    assert_eq!(
        groups.find(education.uuid).await.unwrap().customers_count,
        1,
        "a refused replace changes nothing"
    );
    groups.delete(education.uuid).await.unwrap();
    assert!(
        matches!(
            groups.find(universities.uuid).await,
            Err(RepoError::NotFound)
        ),
        "the subtree goes too"
    );
    let staff = tenancy_domain::user::Actor::new(0, Uuid::nil(), true, false);
    let (view, _) = customers
        .find_visible(&staff, c1.uuid, Utc::now())
        .await
        .unwrap();
    assert!(
        view.organization_groups.is_empty(),
        "memberships go, customers stay"
    );
}
