//! The connection pool and the mapping of database failures to [`RepoError`].

use std::time::Duration;

use diesel::result::{DatabaseErrorKind, Error as DieselError};
use diesel_async::pooled_connection::deadpool::{Object, Pool, PoolError};
use diesel_async::pooled_connection::{AsyncDieselConnectionManager, ManagerConfig};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl, SimpleAsyncConnection};
use futures::FutureExt;
use tenancy_ports::error::RepoError;

/// A pooled connection.
pub type Conn = Object<AsyncPgConnection>;

/// Pool settings.
#[derive(Debug, Clone)]
pub struct PoolConfig {
    /// Most connections open at once.
    pub max_size: usize,
    /// How long a request waits for a free connection before answering 503.
    pub wait_timeout: Duration,
    /// `statement_timeout` of every connection.
    pub statement_timeout: Duration,
}

impl Default for PoolConfig {
    fn default() -> Self {
        Self {
            max_size: 16,
            wait_timeout: Duration::from_secs(5),
            statement_timeout: Duration::from_secs(30),
        }
    }
}

/// The shared connection pool.
#[derive(Clone)]
pub struct Database {
    pool: Pool<AsyncPgConnection>,
}

impl std::fmt::Debug for Database {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The URL may hold a password: never print it.
        f.debug_struct("Database").finish_non_exhaustive()
    }
}

impl Database {
    /// A pool for `url`. Connections are opened lazily; each new one gets
    /// `statement_timeout` and `application_name = tenancy` (crates.io's connection hook).
    ///
    /// # Errors
    /// A message when the pool cannot be built.
    pub fn connect(url: &str, config: &PoolConfig) -> Result<Self, String> {
        let timeout_ms = config.statement_timeout.as_millis();
        let mut manager_config = ManagerConfig::<AsyncPgConnection>::default();
        manager_config.custom_setup = Box::new(move |url| {
            let url = url.to_owned();
            async move {
                let mut conn = AsyncPgConnection::establish(&url).await?;
                conn.batch_execute(&format!(
                    "SET statement_timeout = {timeout_ms}; SET application_name = 'tenancy'"
                ))
                .await
                .map_err(diesel::ConnectionError::CouldntSetupConfiguration)?;
                Ok(conn)
            }
            .boxed()
        });
        let manager = AsyncDieselConnectionManager::new_with_config(url, manager_config);
        let pool = Pool::builder(manager)
            .max_size(config.max_size)
            .wait_timeout(Some(config.wait_timeout))
            .create_timeout(Some(config.wait_timeout))
            .runtime(deadpool::Runtime::Tokio1)
            .build()
            .map_err(|e| e.to_string())?;
        Ok(Self { pool })
    }

    /// A connection from the pool.
    ///
    /// # Errors
    /// `Unavailable` on pool timeout or a refused connection.
    pub async fn conn(&self) -> Result<Conn, RepoError> {
        self.pool.get().await.map_err(pool_error)
    }

    /// Whether a connection can be checked out and answers (for `/health/ready`).
    pub async fn is_ready(&self) -> bool {
        match self.conn().await {
            Ok(mut conn) => diesel::sql_query("SELECT 1")
                .execute(&mut conn)
                .await
                .is_ok(),
            Err(_) => false,
        }
    }
}

fn pool_error(e: PoolError) -> RepoError {
    RepoError::Unavailable(e.to_string())
}

/// Messages of server conditions that mean "try again later" (SQLSTATE classes 08, 53 and
/// 57: connection loss, exhausted resources, shutdown, statement timeout). diesel-async
/// keeps only the message for these, not the code.
const UNAVAILABLE_MESSAGES: &[&str] = &[
    "statement timeout",
    "terminating connection",
    "the database system is",
    "too many connections",
    "connection",
    "out of memory",
    "could not",
];

/// Maps a diesel error: unique violations become `Conflict`; connection loss, timeouts,
/// read-only or shutting-down servers `Unavailable` (503, spec 01 §8.1); everything else
/// `Internal`.
pub fn map_err(e: DieselError) -> RepoError {
    match e {
        DieselError::NotFound => RepoError::NotFound,
        DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, info) => {
            RepoError::Conflict {
                constraint: info.constraint_name().unwrap_or("unique").to_owned(),
            }
        }
        DieselError::DatabaseError(DatabaseErrorKind::SerializationFailure, _) => {
            RepoError::Conflict {
                constraint: "serialization".into(),
            }
        }
        // 40P01: PostgreSQL aborted one of two transactions waiting on each other.
        DieselError::DatabaseError(DatabaseErrorKind::Unknown, info)
            if info.message().contains("deadlock detected") =>
        {
            RepoError::Conflict {
                constraint: "deadlock".into(),
            }
        }
        DieselError::DatabaseError(
            DatabaseErrorKind::ClosedConnection
            | DatabaseErrorKind::UnableToSendCommand
            | DatabaseErrorKind::ReadOnlyTransaction,
            info,
        ) => RepoError::Unavailable(info.message().to_owned()),
        DieselError::DatabaseError(DatabaseErrorKind::Unknown, info)
            if UNAVAILABLE_MESSAGES
                .iter()
                .any(|m| info.message().contains(m)) =>
        {
            RepoError::Unavailable(info.message().to_owned())
        }
        broken @ (DieselError::BrokenTransactionManager
        | DieselError::RollbackErrorOnCommit { .. }) => RepoError::Unavailable(broken.to_string()),
        other => RepoError::Internal(other.to_string()),
    }
}

/// Maps an error inside a transaction closure; domain refusals pass through.
#[derive(Debug)]
pub enum TxError {
    /// A database failure.
    Db(DieselError),
    /// A port-level outcome decided inside the transaction.
    Repo(RepoError),
}

impl From<DieselError> for TxError {
    fn from(e: DieselError) -> Self {
        TxError::Db(e)
    }
}

impl From<TxError> for RepoError {
    fn from(e: TxError) -> Self {
        match e {
            TxError::Db(d) => map_err(d),
            TxError::Repo(r) => r,
        }
    }
}
