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
}

fn unavailable(e: RepoError) -> UseCaseError {
    UseCaseError::from_repo("User", e)
}

impl Auth {
    /// The use cases over these ports.
    pub fn new(users: Arc<dyn UserRepository>, hasher: Arc<dyn PasswordHasher>) -> Self {
        Self { users, hasher }
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

    /// `POST /api/auth/password/`: a new token for valid credentials (spec 06 §2.1).
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
        if let Some((failures, last)) = self
            .users
            .login_failures(&username, client)
            .await
            .map_err(unavailable)?
        {
            if failures >= LOCKOUT_FAILURES && now - last < LOCKOUT_WINDOW {
                return Err(UseCaseError::Unauthenticated(
                    "Username is locked out. Try in 10 minutes.",
                ));
            }
        }
        let credentials = self
            .users
            .credentials(&username)
            .await
            .map_err(unavailable)?;
        let verified = match &credentials {
            Some(c) => match &c.password_hash {
                Some(hash) => self.hasher.verify(password, hash.clone()).await,
                None => false,
            },
            None => false,
        };
        let Some(credentials) = credentials.filter(|_| verified) else {
            self.users
                .record_login_failure(&username, client, now)
                .await
                .map_err(unavailable)?;
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
