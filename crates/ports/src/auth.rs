//! Authentication: token checks, login and logout (spec 01 §2, 06 §2).

use std::sync::Arc;

use async_trait::async_trait;
use chrono::{Duration, Utc};
use tenancy_domain::user::{Actor, TokenKey, TokenUse, User};
use tracing::instrument;

use crate::error::{RepoError, UseCaseError};
use crate::users::{new_token_key, UserRepository};

/// Password hashing; implementations run the hash on a blocking pool.
#[cfg_attr(feature = "testing", mockall::automock)]
#[async_trait]
pub trait PasswordHasher: Send + Sync {
    /// A PHC string for `password`.
    ///
    /// # Errors
    /// A message when hashing fails.
    async fn hash(&self, password: String) -> Result<String, String>;

    /// Whether `password` matches `hash` (a malformed hash matches nothing).
    async fn verify(&self, password: String, hash: String) -> bool;
}

/// Failed attempts after which a (username, client) pair is locked out.
pub const LOCKOUT_FAILURES: i32 = 4;

/// How long a lock-out lasts after the last failure.
pub const LOCKOUT_WINDOW: Duration = Duration::minutes(10);

/// An authenticated request's principal and token state.
#[derive(Debug, Clone, PartialEq)]
pub struct Authenticated {
    /// Who is calling.
    pub actor: Actor,
    /// The calling user.
    pub user: User,
    /// The token's expiry state after this use.
    pub token: TokenUse,
}

/// Authentication use cases.
#[derive(Clone)]
pub struct Auth {
    users: Arc<dyn UserRepository>,
    hasher: Arc<dyn PasswordHasher>,
    dummy: Arc<std::sync::OnceLock<String>>,
}

fn unavailable(e: RepoError) -> UseCaseError {
    UseCaseError::from_repo("User", e)
}

impl Auth {
    /// The use cases over these ports.
    pub fn new(users: Arc<dyn UserRepository>, hasher: Arc<dyn PasswordHasher>) -> Self {
        Self {
            users,
            hasher,
            dummy: Arc::new(std::sync::OnceLock::new()),
        }
    }

    /// Checks a presented key: one indexed lookup of its digest; "last used" is written at
    /// most once a minute (spec 01 §2.3).
    ///
    /// # Errors
    /// `Unauthenticated` with the texts of spec 01 §2.4.
    pub async fn authenticate(&self, key: &TokenKey) -> Result<Authenticated, UseCaseError> {
        let now = Utc::now();
        let record = self
            .users
            .find_token(key.digest())
            .await
            .map_err(unavailable)?
            .ok_or(UseCaseError::Unauthenticated("Invalid token."))?;
        if !record.user.is_active {
            return Err(UseCaseError::Unauthenticated("User inactive or deleted."));
        }
        if record.usage.is_expired_at(now) {
            // Unusable from now on, even if the owner's lifetime is raised later.
            self.users
                .delete_token(key.digest())
                .await
                .map_err(unavailable)?;
            return Err(UseCaseError::Unauthenticated("Token has expired."));
        }
        let mut usage = record.usage;
        if usage.needs_refresh_at(now) {
            self.users
                .touch_token(record.id, now)
                .await
                .map_err(unavailable)?;
            usage.last_used = now;
        }
        let user = record.user;
        Ok(Authenticated {
            actor: Actor::new(user.id, user.uuid, user.is_staff, user.is_support),
            user,
            token: usage,
        })
    }

    /// `POST /api-auth/password/`: a new token for valid credentials (spec 06 §2.1).
    ///
    /// The attempt is counted before the password is checked (one atomic upsert), so
    /// parallel guesses cannot slip past the lock-out; a success forgets the count. A
    /// password hash is verified even for unknown users, so timing does not tell which
    /// usernames exist.
    ///
    /// # Errors
    /// `Unauthenticated` for lock-out, bad credentials and disabled accounts.
    #[instrument(skip_all)]
    pub async fn login(
        &self,
        username: &str,
        password: String,
        client: &str,
    ) -> Result<TokenKey, UseCaseError> {
        let now = Utc::now();
        let username = username.to_lowercase();
        let attempts = self
            .users
            .record_login_failure(&username, client, now, LOCKOUT_WINDOW)
            .await
            .map_err(unavailable)?;
        if attempts > LOCKOUT_FAILURES {
            return Err(UseCaseError::Unauthenticated(
                "Username is locked out. Try in 10 minutes.",
            ));
        }
        let credentials = self
            .users
            .credentials(&username)
            .await
            .map_err(unavailable)?;
        let stored = credentials.as_ref().and_then(|c| c.password_hash.clone());
        let usable = stored.is_some();
        let hash = match stored {
            Some(hash) => hash,
            None => self.dummy_hash().await?,
        };
        let verified = self.hasher.verify(password, hash).await && usable;
        let Some(credentials) = credentials.filter(|_| verified) else {
            tracing::info!("login failed");
            return Err(UseCaseError::Unauthenticated("Invalid username/password."));
        };
        if !credentials.user.is_active {
            return Err(UseCaseError::Unauthenticated("User account is disabled."));
        }
        self.users
            .reset_login_failures(&username, client)
            .await
            .map_err(unavailable)?;
        let key = new_token_key();
        self.users
            .add_token(credentials.user.id, key.digest(), now)
            .await
            .map_err(unavailable)?;
        tracing::info!(user.uuid = %credentials.user.uuid, "login succeeded");
        Ok(key)
    }

    /// A hash of a random password, computed once, to verify against when a user has no
    /// usable password (or does not exist).
    async fn dummy_hash(&self) -> Result<String, UseCaseError> {
        if let Some(hash) = self.dummy.get() {
            return Ok(hash.clone());
        }
        let hash = self
            .hasher
            .hash(new_token_key().expose().to_owned())
            .await
            .map_err(UseCaseError::Internal)?;
        Ok(self.dummy.get_or_init(|| hash).clone())
    }

    /// `POST /api-auth/logout/`: deletes the presented token.
    ///
    /// # Errors
    /// `ServiceUnavailable`.
    pub async fn logout(&self, key: &TokenKey) -> Result<(), UseCaseError> {
        self.users
            .delete_token(key.digest())
            .await
            .map_err(unavailable)
    }
}
