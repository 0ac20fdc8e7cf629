//! PostgreSQL-specific behaviour: active projects block deletion, counts come from the
//! database, and migrations round-trip.
#![expect(clippy::unwrap_used, reason = "test helpers outside #[test] functions")]

use chrono::Utc;
use tenancy_domain::customer::{check_delete, Customer, CustomerFields};
use tenancy_domain::error::DomainError;
use tenancy_domain::user::Actor;
use tenancy_ports::customers::CustomerRepository;
use tenancy_ports::error::RepoError;
use tenancy_postgres::customers::PgCustomerRepository;
use tenancy_postgres::db::{Database, PoolConfig};
use tenancy_postgres::migrations;
use tenancy_postgres::testing::TestDatabase;
use tokio_postgres::NoTls;

async fn sql(url: &str, statement: &str) -> Vec<tokio_postgres::Row> {
    let (client, connection) = tokio_postgres::connect(url, NoTls).await.unwrap();
    tokio::spawn(connection);
    client.query(statement, &[]).await.unwrap()
}

async fn add_project(url: &str, customer_id: i64, removed: bool) {
    sql(
        url,
        &format!(
            "INSERT INTO projects (uuid, customer_id, name, slug, is_removed, created, modified) \
             VALUES (gen_random_uuid(), {customer_id}, 'P', 'p-' || gen_random_uuid(), {removed}, now(), now())"
        ),
    )
    .await;
}

fn staff() -> Actor {
    Actor::new(1, uuid::Uuid::nil(), true, false)
}

#[tokio::test]
async fn active_projects_block_deletion_and_count_while_removed_ones_do_not() {
    let db = TestDatabase::new().await;
    let repo =
        PgCustomerRepository::new(Database::connect(db.url(), &PoolConfig::default()).unwrap());
    let customer = repo
        .create(CustomerFields::new("Busy".into(), Utc::now()), Utc::now())
        .await
        .unwrap();
    add_project(db.url(), customer.id, false).await;
    add_project(db.url(), customer.id, true).await;
    let (view, _) = repo
        .find_visible(&staff(), customer.uuid, Utc::now())
        .await
        .unwrap();
    assert_eq!(
        view.projects_count, 1,
        "soft-deleted projects are not counted"
    );
    let check = |c: &Customer, active: i64| check_delete(&c.fields, active);
    let refused = repo.delete_with(customer.id, Box::new(check)).await;
    assert!(matches!(
        refused,
        Err(RepoError::Domain(DomainError::Conflict(_)))
    ));
    sql(
        db.url(),
        &format!(
            "UPDATE projects SET is_removed = true WHERE customer_id = {}",
            customer.id
        ),
    )
    .await;
    repo.delete_with(customer.id, Box::new(check))
        .await
        .unwrap();
    let left = sql(db.url(), "SELECT count(*) FROM projects").await;
    assert_eq!(
        left[0].get::<_, i64>(0),
        0,
        "soft-deleted projects go with their customer"
    );
}

/// Tables, columns, indexes and constraints of the public schema, as comparable text.
async fn schema_dump(url: &str) -> Vec<String> {
    let rows = sql(
        url,
        "SELECT 'column ' || table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable || ' ' || coalesce(column_default, '') \
           FROM information_schema.columns WHERE table_schema = 'public' \
         UNION ALL SELECT 'index ' || indexdef FROM pg_indexes WHERE schemaname = 'public' \
         UNION ALL SELECT 'constraint ' || conrelid::regclass || ' ' || pg_get_constraintdef(oid) \
           FROM pg_constraint WHERE connamespace = 'public'::regnamespace \
         ORDER BY 1",
    )
    .await;
    rows.iter()
        .map(|r| r.get::<_, String>(0))
        .filter(|line| !line.contains("__diesel_schema_migrations"))
        .collect()
}

#[tokio::test]
async fn migrations_round_trip_up_down_up() {
    let db = TestDatabase::new().await;
    let before = schema_dump(db.url()).await;
    assert!(
        before.iter().any(|l| l.contains("customers_name_trgm")),
        "trigram index present"
    );
    migrations::revert_all(db.url()).await.unwrap();
    let empty = schema_dump(db.url()).await;
    assert!(
        empty.is_empty(),
        "down.sql leaves nothing behind: {empty:?}"
    );
    migrations::run_pending(db.url()).await.unwrap();
    assert_eq!(schema_dump(db.url()).await, before);
}

#[tokio::test]
async fn name_search_uses_the_trigram_index() {
    let db = TestDatabase::new().await;
    sql(
        db.url(),
        "INSERT INTO customers (uuid, created, modified, name, slug, accounting_start_date) \
         SELECT gen_random_uuid(), now(), now(), 'Customer ' || md5(i::text), 'c-' || i, now() FROM generate_series(1, 5000) i",
    )
    .await;
    let (client, connection) = tokio_postgres::connect(db.url(), NoTls).await.unwrap();
    tokio::spawn(connection);
    // On a table this small a sequential scan is cheaper; what matters is that the
    // predicate the adapter writes can use the index at all.
    client
        .batch_execute("ANALYZE customers; SET enable_seqscan = off")
        .await
        .unwrap();
    let plan = client
        .query(
            "EXPLAIN SELECT id FROM customers c WHERE c.name ILIKE '%81dc9bdb52%'",
            &[],
        )
        .await
        .unwrap();
    let text: Vec<String> = plan.iter().map(|r| r.get::<_, String>(0)).collect();
    assert!(
        text.iter().any(|l| l.contains("customers_name_trgm")),
        "{text:#?}"
    );
}
