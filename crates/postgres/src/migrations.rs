//! Embedded schema migrations, applied by `serve` before it binds and by `tenancy migrate`.

use diesel_async::async_connection_wrapper::AsyncConnectionWrapper;
use diesel_async::AsyncPgConnection;
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

/// The SQL migrations of the top-level `migrations/` directory, compiled into the binary.
pub const MIGRATIONS: EmbeddedMigrations = embed_migrations!("../../migrations");

/// A failure to connect or to apply a migration.
#[derive(Debug, thiserror::Error)]
#[error("database migration failed: {0}")]
pub struct MigrationError(String);

/// Applies every pending migration to the database at `database_url`.
///
/// Runs on the blocking pool: diesel's migration harness is synchronous.
///
/// # Errors
/// Connection failures and failing migrations.
pub async fn run_pending(database_url: &str) -> Result<Vec<String>, MigrationError> {
    let url = database_url.to_owned();
    tokio::task::spawn_blocking(move || {
        use diesel::Connection;
        let mut conn = AsyncConnectionWrapper::<AsyncPgConnection>::establish(&url)
            .map_err(|e| MigrationError(e.to_string()))?;
        let applied = conn
            .run_pending_migrations(MIGRATIONS)
            .map_err(|e| MigrationError(e.to_string()))?;
        Ok(applied.iter().map(|v| v.to_string()).collect())
    })
    .await
    .map_err(|e| MigrationError(e.to_string()))?
}

/// Reverts every applied migration (used by the up → down → up round-trip test).
///
/// # Errors
/// Connection failures and failing `down.sql` scripts.
pub async fn revert_all(database_url: &str) -> Result<(), MigrationError> {
    let url = database_url.to_owned();
    tokio::task::spawn_blocking(move || {
        use diesel::Connection;
        let mut conn = AsyncConnectionWrapper::<AsyncPgConnection>::establish(&url)
            .map_err(|e| MigrationError(e.to_string()))?;
        conn.revert_all_migrations(MIGRATIONS)
            .map_err(|e| MigrationError(e.to_string()))?;
        Ok(())
    })
    .await
    .map_err(|e| MigrationError(e.to_string()))?
}
