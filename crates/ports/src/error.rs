//! Errors of ports and use cases.

use tenancy_domain::error::{DomainError, ValidationErrors};

/// What a repository may report. No adapter type (diesel, pool) crosses a port.
#[derive(Debug, thiserror::Error)]
pub enum RepoError {
    /// The object does not exist (or the actor may not see it).
    #[error("not found")]
    NotFound,
    /// A uniqueness or concurrency conflict the adapter could not resolve; `constraint`
    /// names the violated constraint.
    #[error("conflict on {constraint}")]
    Conflict {
        /// The database constraint (or rule) that was violated.
        constraint: String,
    },
    /// The database cannot be reached right now (pool timeout, connection refused).
    #[error("database unavailable: {0}")]
    Unavailable(String),
    /// A domain rule refused the change inside the adapter's transaction.
    #[error(transparent)]
    Domain(#[from] DomainError),
    /// A bug or an unexpected database answer.
    #[error("internal error: {0}")]
    Internal(String),
    /// A use case's check, run inside the adapter's transaction, refused the request
    /// (e.g. 404 or 403 decided on rows read and locked by that transaction).
    #[error(transparent)]
    Refused(Box<UseCaseError>),
}

/// What a use case may report; the HTTP layer maps each variant to one status.
#[derive(Debug, thiserror::Error)]
pub enum UseCaseError {
    /// 404 with the object-specific text (`No Customer matches the given query.`).
    #[error("{0} not found")]
    NotFound(&'static str),
    /// 403: authenticated but not allowed.
    #[error("permission denied")]
    Denied,
    /// 400 field map.
    #[error(transparent)]
    Invalid(ValidationErrors),
    /// 400 bare list of messages (a state rule such as a blocked customer).
    #[error("{0}")]
    StateRule(String),
    /// 409 with a detail message.
    #[error("{0}")]
    Conflict(String),
    /// 401 with a detail message (login and token failures).
    #[error("{0}")]
    Unauthenticated(&'static str),
    /// 503: the database is unavailable.
    #[error("service unavailable: {0}")]
    ServiceUnavailable(String),
    /// 500.
    #[error("internal error: {0}")]
    Internal(String),
}

impl From<DomainError> for UseCaseError {
    fn from(e: DomainError) -> Self {
        match e {
            DomainError::Invalid(v) => UseCaseError::Invalid(v),
            DomainError::Unavailable(m) => UseCaseError::StateRule(m),
            DomainError::Conflict(m) => UseCaseError::Conflict(m),
        }
    }
}

impl UseCaseError {
    /// Maps a repository error, naming the model for a 404.
    pub fn from_repo(model: &'static str, e: RepoError) -> Self {
        match e {
            RepoError::NotFound => UseCaseError::NotFound(model),
            RepoError::Conflict { constraint } => {
                // The constraint name is internal: log it, never send it.
                tracing::warn!(db.constraint = %constraint, "unresolved write conflict");
                UseCaseError::Conflict("The object was changed concurrently, try again.".into())
            }
            RepoError::Unavailable(m) => UseCaseError::ServiceUnavailable(m),
            RepoError::Domain(d) => d.into(),
            RepoError::Internal(m) => UseCaseError::Internal(m),
            RepoError::Refused(e) => *e,
        }
    }
}
