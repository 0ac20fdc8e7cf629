//! The port contract suites against PostgreSQL, plus adapter-specific behaviour.
#![expect(clippy::unwrap_used, reason = "test helpers outside #[test] functions")]

use std::sync::Arc;

use tenancy_ports::testing::{
    customer_repository_contract, team_repository_contract, user_repository_contract, Factory,
    Repositories,
};
use tenancy_postgres::customers::PgCustomerRepository;
use tenancy_postgres::db::{Database, PoolConfig};
use tenancy_postgres::team::PgTeamRepository;
use tenancy_postgres::testing::TestDatabase;
use tenancy_postgres::users::PgUserRepository;

fn factory() -> Factory {
    Arc::new(|| {
        Box::pin(async {
            let db = TestDatabase::new().await;
            let pool = Database::connect(db.url(), &PoolConfig::default()).unwrap();
            Repositories {
                customers: Arc::new(PgCustomerRepository::new(pool.clone())),
                users: Arc::new(PgUserRepository::new(pool.clone())),
                team: Arc::new(PgTeamRepository::new(pool)),
                guard: Box::new(db),
            }
        })
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn customer_repository_keeps_its_contract_on_postgres() {
    customer_repository_contract(factory()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn user_repository_keeps_its_contract_on_postgres() {
    user_repository_contract(factory()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn team_repository_keeps_its_contract_on_postgres() {
    team_repository_contract(factory()).await;
}
