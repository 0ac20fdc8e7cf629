//! The user port and the user use cases (spec 06 §1).

use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use tenancy_domain::error::{FieldError, ValidationErrors};
use tenancy_domain::policy;
use tenancy_domain::user::{check_password, Actor, NewUser, TokenKey, TokenUse, User};
use tracing::instrument;
use uuid::Uuid;

use crate::auth::PasswordHasher;
use crate::error::{RepoError, UseCaseError};
use crate::paging::{Page, PageRequest};

/// The model name in 404 texts.
pub const MODEL: &str = "User";

/// A token found by its digest.
#[derive(Debug, Clone, PartialEq)]
pub struct TokenRecord {
    /// Internal token id.
    pub id: i64,
    /// The token's owner.
    pub user: User,
    /// Idle-expiry state.
    pub usage: TokenUse,
}

/// A stored password hash, for login.
#[derive(Debug, Clone, PartialEq)]
pub struct Credentials {
    /// The user.
    pub user: User,
    /// PHC string, `None` = no usable password.
    pub password_hash: Option<String>,
}

/// The user list filters (spec 06 §1.5).
#[derive(Debug, Clone, Default, PartialEq)]
#[expect(
    missing_docs,
    reason = "each field is the query parameter of the same name"
)]
pub struct UserFilters {
    pub username: Option<String>,
    pub email: Option<String>,
    pub full_name: Option<String>,
    pub query: Option<String>,
    pub is_active: Option<bool>,
    pub is_staff: Option<bool>,
    pub is_support: Option<bool>,
    /// `Some(empty)` matches nothing.
    pub username_list: Option<Vec<String>>,
    pub user_keyword: Option<String>,
    pub native_name: Option<String>,
    pub organization: Option<String>,
    pub job_title: Option<String>,
    pub phone_number: Option<String>,
    pub description: Option<String>,
    pub civil_number: Option<String>,
    pub registration_method: Option<String>,
    pub customer_uuid: Option<Uuid>,
    pub project_uuid: Option<Uuid>,
    pub organization_roles: Vec<String>,
    pub project_roles: Vec<String>,
    pub date_joined: Option<DateTime<Utc>>,
    pub modified: Option<DateTime<Utc>>,
    pub agreement_date: Option<DateTime<Utc>>,
}

/// A sort key of the user list (spec 06 §1.5 `o`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[expect(missing_docs, reason = "each variant is the `o` key of the same name")]
pub enum UserOrderKey {
    FullName,
    NativeName,
    Email,
    PhoneNumber,
    Description,
    Organization,
    JobTitle,
    Username,
    IsActive,
    RegistrationMethod,
    IsStaff,
    IsSupport,
}

impl UserOrderKey {
    /// The key named `name` in `o`.
    pub fn from_name(name: &str) -> Option<Self> {
        Some(match name {
            "full_name" => Self::FullName,
            "native_name" => Self::NativeName,
            "email" => Self::Email,
            "phone_number" => Self::PhoneNumber,
            "description" => Self::Description,
            "organization" => Self::Organization,
            "job_title" => Self::JobTitle,
            "username" => Self::Username,
            "is_active" => Self::IsActive,
            "registration_method" => Self::RegistrationMethod,
            "is_staff" => Self::IsStaff,
            "is_support" => Self::IsSupport,
            _ => return None,
        })
    }
}

/// A user list request.
#[derive(Debug, Clone, PartialEq)]
pub struct UserQuery {
    /// Filters.
    pub filters: UserFilters,
    /// Ordering; empty = by username.
    pub order: Vec<crate::customers::OrderTerm<UserOrderKey>>,
    /// Which page.
    pub page: PageRequest,
    /// The request time (grant expiry).
    pub now: DateTime<Utc>,
}

/// One effective grant of a user, as the `permissions` of a user representation shows it
/// (spec 06 §1.3).
#[derive(Debug, Clone, PartialEq)]
#[expect(
    missing_docs,
    reason = "each field is the Permission key of the same name in spec 06 §1.3"
)]
pub struct UserPermission {
    /// The holder's internal id (to group a page's grants by user).
    pub user_id: i64,
    pub uuid: Uuid,
    pub user_uuid: Uuid,
    pub user_name: String,
    pub user_slug: String,
    pub user_username: String,
    pub user_email: String,
    pub created: DateTime<Utc>,
    pub expiration_time: Option<DateTime<Utc>>,
    /// The granting user's full name and username; `None` for system grants.
    pub created_by: Option<(String, String)>,
    pub role_name: String,
    pub role_uuid: Uuid,
    pub role_description: String,
    pub scope_type: tenancy_domain::role::ScopeType,
    pub scope_uuid: Uuid,
    pub scope_name: String,
    pub customer_uuid: Uuid,
    pub customer_name: String,
}

/// Storage of users, tokens and login failures.
#[cfg_attr(feature = "testing", mockall::automock)]
#[async_trait]
pub trait UserRepository: Send + Sync {
    /// Creates a user (slug generated from the username) and, when `token` is given, one API
    /// token, in one transaction.
    ///
    /// # Errors
    /// `Conflict { constraint: "users_username_key" }` when the username is taken.
    async fn create(
        &self,
        user: NewUser,
        password_hash: Option<String>,
        token: Option<[u8; 32]>,
        now: DateTime<Utc>,
    ) -> Result<User, RepoError>;

    /// How many users exist (the first start of `serve` bootstraps `admin` when none).
    ///
    /// # Errors
    /// `Unavailable`.
    async fn count(&self) -> Result<u64, RepoError>;

    /// The user with this internal id.
    ///
    /// # Errors
    /// `NotFound`.
    async fn find_by_id(&self, id: i64) -> Result<User, RepoError>;

    /// The user `uuid` if `viewer` may see them (spec 06 §1.4).
    ///
    /// # Errors
    /// `NotFound` when unknown or invisible.
    async fn find_visible(
        &self,
        viewer: &Actor,
        uuid: Uuid,
        now: DateTime<Utc>,
    ) -> Result<User, RepoError>;

    /// The effective grants of the users `user_ids` at `now`, ordered by creation — one
    /// statement for a whole page of users.
    ///
    /// # Errors
    /// `Unavailable`.
    async fn permissions_of(
        &self,
        user_ids: &[i64],
        now: DateTime<Utc>,
    ) -> Result<Vec<UserPermission>, RepoError>;

    /// One page of the users `viewer` may see, ordered by username.
    ///
    /// # Errors
    /// `Unavailable`.
    async fn list(&self, viewer: &Actor, query: &UserQuery) -> Result<Page<User>, RepoError>;

    /// One indexed lookup of a token digest.
    ///
    /// # Errors
    /// `Unavailable`; an unknown digest is `Ok(None)`.
    async fn find_token(&self, digest: [u8; 32]) -> Result<Option<TokenRecord>, RepoError>;

    /// Moves a token's "last used" time to `now`.
    ///
    /// # Errors
    /// `Unavailable`.
    async fn touch_token(&self, token_id: i64, now: DateTime<Utc>) -> Result<(), RepoError>;

    /// Stores a new token for `user_id`.
    ///
    /// # Errors
    /// `NotFound` when the user is gone.
    async fn add_token(
        &self,
        user_id: i64,
        digest: [u8; 32],
        now: DateTime<Utc>,
    ) -> Result<(), RepoError>;

    /// Deletes the token with this digest (logout).
    ///
    /// # Errors
    /// `Unavailable`.
    async fn delete_token(&self, digest: [u8; 32]) -> Result<(), RepoError>;

    /// The user named exactly `username` and their password hash.
    ///
    /// # Errors
    /// `Unavailable`; unknown is `Ok(None)`.
    async fn credentials(&self, username: &str) -> Result<Option<Credentials>, RepoError>;

    /// Sets a user's password hash.
    ///
    /// # Errors
    /// `NotFound`.
    async fn set_password(
        &self,
        user_id: i64,
        password_hash: String,
        now: DateTime<Utc>,
    ) -> Result<(), RepoError>;

    /// Failed attempts of (username, client address) and the time of the last one.
    ///
    /// # Errors
    /// `Unavailable`.
    async fn login_failures(
        &self,
        username: &str,
        client: &str,
    ) -> Result<Option<(i32, DateTime<Utc>)>, RepoError>;

    /// Counts one more attempt of (username, client address) atomically and returns the
    /// count: failures older than `window` are forgotten first, and the window restarts at
    /// `now`. Counting before the password check makes parallel guesses queue on one row.
    ///
    /// # Errors
    /// `Unavailable`.
    async fn record_login_failure(
        &self,
        username: &str,
        client: &str,
        now: DateTime<Utc>,
        window: chrono::Duration,
    ) -> Result<i32, RepoError>;

    /// Forgets the failures of (username, client address).
    ///
    /// # Errors
    /// `Unavailable`.
    async fn reset_login_failures(&self, username: &str, client: &str) -> Result<(), RepoError>;
}

/// A new token key from the operating system's random source.
pub fn new_token_key() -> TokenKey {
    TokenKey::from_random_bytes(rand::random())
}

/// The user use cases.
#[derive(Clone)]
pub struct Users {
    repo: Arc<dyn UserRepository>,
    hasher: Arc<dyn PasswordHasher>,
    default_token_lifetime: Option<i32>,
}

fn repo_err(e: RepoError) -> UseCaseError {
    match e {
        RepoError::Conflict { constraint } if constraint.contains("username") => {
            UseCaseError::Invalid(ValidationErrors::single(
                "username",
                FieldError::new("user with this username already exists."),
            ))
        }
        other => UseCaseError::from_repo(MODEL, other),
    }
}

impl Users {
    /// The use cases; API-created users get `default_token_lifetime` (spec 01 §2.3).
    pub fn new(
        repo: Arc<dyn UserRepository>,
        hasher: Arc<dyn PasswordHasher>,
        default_token_lifetime: Option<i32>,
    ) -> Self {
        Self {
            repo,
            hasher,
            default_token_lifetime,
        }
    }

    /// `POST /api/users/` (staff only). The user has no usable password and no token.
    ///
    /// # Errors
    /// `Denied`, `Invalid`.
    #[instrument(skip_all)]
    ///
    /// `type_errors` are the body's JSON type errors, reported once the caller is known to
    /// be allowed (403 before 400).
    pub async fn create(
        &self,
        actor: &Actor,
        mut user: NewUser,
        type_errors: ValidationErrors,
    ) -> Result<User, UseCaseError> {
        if !policy::can_manage_users(actor) {
            return Err(UseCaseError::Denied);
        }
        user.token_lifetime = self.default_token_lifetime;
        let mut errors = type_errors;
        if let Err(mut rules) = user.validate(true) {
            rules.retain(|field| !errors.has(field));
            errors.merge(rules);
        }
        errors.into_result(()).map_err(UseCaseError::Invalid)?;
        self.repo
            .create(user, None, None, Utc::now())
            .await
            .map_err(repo_err)
    }

    /// `tenancy create-user` and the first start of `serve`: a user with an optional
    /// password and one token, returned in clear exactly once.
    ///
    /// # Errors
    /// `Invalid` (bad username, e-mail or password, username taken).
    pub async fn create_with_token(
        &self,
        user: NewUser,
        password: Option<String>,
    ) -> Result<(User, TokenKey), UseCaseError> {
        let mut errors = match user.validate(false) {
            Ok(()) => ValidationErrors::new(),
            Err(e) => e,
        };
        if let Some(p) = &password {
            if let Err(e) = check_password(p) {
                errors.add("password", e);
            }
        }
        errors.into_result(()).map_err(UseCaseError::Invalid)?;
        let hash = match password {
            Some(p) => Some(self.hasher.hash(p).await.map_err(UseCaseError::Internal)?),
            None => None,
        };
        let key = new_token_key();
        let user = self
            .repo
            .create(user, hash, Some(key.digest()), Utc::now())
            .await
            .map_err(repo_err)?;
        Ok((user, key))
    }

    /// Whether no user exists yet.
    ///
    /// # Errors
    /// `ServiceUnavailable`.
    pub async fn is_empty(&self) -> Result<bool, UseCaseError> {
        Ok(self.repo.count().await.map_err(repo_err)? == 0)
    }

    /// `GET /api/users/`.
    ///
    /// # Errors
    /// `ServiceUnavailable`.
    pub async fn list(&self, actor: &Actor, query: &UserQuery) -> Result<Page<User>, UseCaseError> {
        if !actor.sees_everything()
            && (query.filters.is_staff.is_some() || query.filters.is_support.is_some())
        {
            // Waldur: these filters yield nothing for ordinary callers (spec 06 §1.5).
            return Ok(Page {
                items: Vec::new(),
                total: 0,
                number: 1,
            });
        }
        self.repo.list(actor, query).await.map_err(repo_err)
    }

    /// `GET /api/users/{uuid}/`.
    ///
    /// # Errors
    /// `NotFound`.
    pub async fn retrieve(&self, actor: &Actor, uuid: Uuid) -> Result<User, UseCaseError> {
        self.repo
            .find_visible(actor, uuid, Utc::now())
            .await
            .map_err(repo_err)
    }

    /// The effective grants of `users` (spec 06 §1.3), for users the caller has already
    /// been allowed to see.
    ///
    /// # Errors
    /// `ServiceUnavailable`.
    pub async fn permissions(&self, users: &[i64]) -> Result<Vec<UserPermission>, UseCaseError> {
        if users.is_empty() {
            return Ok(Vec::new());
        }
        self.repo
            .permissions_of(users, Utc::now())
            .await
            .map_err(repo_err)
    }

    /// `GET /api/users/me/`.
    ///
    /// # Errors
    /// `NotFound` when the caller was deleted meanwhile.
    pub async fn me(&self, actor: &Actor) -> Result<User, UseCaseError> {
        self.repo
            .find_by_id(actor.user_id())
            .await
            .map_err(repo_err)
    }

    /// `POST /api/users/{uuid}/change_password/` (staff only; spec 06 §1.7).
    ///
    /// # Errors
    /// `NotFound`, `Denied`, `Invalid`.
    #[instrument(skip_all, fields(user.uuid = %uuid))]
    pub async fn change_password(
        &self,
        actor: &Actor,
        uuid: Uuid,
        new_password: Result<String, ValidationErrors>,
    ) -> Result<(), UseCaseError> {
        let user = self
            .repo
            .find_visible(actor, uuid, Utc::now())
            .await
            .map_err(repo_err)?;
        if !policy::can_manage_users(actor) {
            return Err(UseCaseError::Denied);
        }
        let password = new_password.map_err(UseCaseError::Invalid)?;
        check_password(&password)
            .map_err(|e| UseCaseError::Invalid(ValidationErrors::single("new_password", e)))?;
        let hash = self
            .hasher
            .hash(password)
            .await
            .map_err(UseCaseError::Internal)?;
        self.repo
            .set_password(user.id, hash, Utc::now())
            .await
            .map_err(repo_err)
    }
}
