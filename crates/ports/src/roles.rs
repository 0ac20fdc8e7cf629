//! The role port and the use cases of `/api/roles/` (spec 03 §7): reads for anyone,
//! writes for staff.

use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use tenancy_domain::error::{DomainError, ValidationErrors};
use tenancy_domain::role::{
    check_delete, check_update, NewRole, Role, RoleChanges, RoleWrite, ScopeType,
};
use tenancy_domain::user::Actor;
use tracing::instrument;
use uuid::Uuid;

use crate::customers::OrderTerm;
use crate::error::{RepoError, UseCaseError};
use crate::paging::{Page, PageRequest};

/// The model name in 404 texts.
pub const MODEL: &str = "Role";

/// A role with the number of its current grants, when the caller may see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleView {
    /// The role.
    pub role: Role,
    /// Current grants of the role (staff and support only; `None` for everyone else).
    pub users_count: Option<i64>,
}

/// A sort key of the role list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RoleOrderKey {
    /// `name`
    Name,
    /// `is_active`
    IsActive,
    /// `users_count`
    UsersCount,
    /// `scope` (= `content_type`)
    Scope,
    /// `origin`: system roles before custom roles
    Origin,
}

impl RoleOrderKey {
    /// The key named `name` in `o`.
    pub fn from_name(name: &str) -> Option<Self> {
        Some(match name {
            "name" => Self::Name,
            "is_active" => Self::IsActive,
            "users_count" => Self::UsersCount,
            "scope" => Self::Scope,
            "origin" => Self::Origin,
            _ => return None,
        })
    }
}

/// A role list request (spec 03 §7.2).
#[derive(Debug, Clone, PartialEq)]
#[expect(
    missing_docs,
    reason = "each field is the query parameter of the same name"
)]
pub struct RoleQuery {
    pub name: Option<String>,
    pub description: Option<String>,
    pub is_active: Option<bool>,
    pub is_system_role: Option<bool>,
    pub content_type: Option<ScopeType>,
    /// Name or description icontains.
    pub query: Option<String>,
    /// Ordering; empty = by name.
    pub order: Vec<OrderTerm<RoleOrderKey>>,
    /// Which page.
    pub page: PageRequest,
    /// The request time (grant expiry for `users_count`).
    pub now: DateTime<Utc>,
}

/// Update rule: receives the role as locked in the adapter's transaction and its number of
/// current grants read in that transaction; returns the role to store.
pub type RoleUpdateCheck = Box<dyn FnOnce(&Role, i64) -> Result<Role, DomainError> + Send>;

/// Delete rule: receives the locked role and its number of current grants.
pub type RoleDeleteCheck = Box<dyn FnOnce(&Role, i64) -> Result<(), DomainError> + Send>;

/// Storage of roles.
#[cfg_attr(feature = "testing", mockall::automock)]
#[async_trait]
pub trait RoleRepository: Send + Sync {
    /// One page of roles with their current-grant counts, in a fixed number of statements.
    ///
    /// # Errors
    /// `Unavailable`.
    async fn list(&self, query: &RoleQuery) -> Result<Page<(Role, i64)>, RepoError>;

    /// The role `uuid` with its current-grant count at `now`.
    ///
    /// # Errors
    /// `NotFound`.
    async fn find(&self, uuid: Uuid, now: DateTime<Utc>) -> Result<(Role, i64), RepoError>;

    /// Stores a new custom role, in one transaction.
    ///
    /// # Errors
    /// `Domain(Invalid)` with `Name should be unique.` when the name is taken (the unique
    /// violation itself, so two concurrent creates cannot both succeed).
    async fn create(&self, role: NewRole) -> Result<Role, RepoError>;

    /// Locks the role row `FOR UPDATE` (grant inserts wait for it), counts its current
    /// grants at `now`, runs `update` and stores the role it returns, in one transaction.
    /// Returns the stored role with that count.
    ///
    /// # Errors
    /// `NotFound` when the row is gone; `Domain` when `update` refuses; `Domain(Invalid)`
    /// with `Name should be unique.` for a taken name.
    async fn update_with(
        &self,
        id: i64,
        update: RoleUpdateCheck,
        now: DateTime<Utc>,
    ) -> Result<(Role, i64), RepoError>;

    /// Locks the role row `FOR UPDATE`, counts its current grants at `now`, runs `check`,
    /// then deletes the role's remaining (revoked or expired) grant rows and the role, in
    /// one transaction.
    ///
    /// # Errors
    /// `NotFound` when the row is gone; `Domain` when `check` refuses.
    async fn delete_with(
        &self,
        id: i64,
        check: RoleDeleteCheck,
        now: DateTime<Utc>,
    ) -> Result<(), RepoError>;

    /// Sets the role's active flag (idempotent) and returns the stored role.
    ///
    /// # Errors
    /// `NotFound`.
    async fn set_active(&self, uuid: Uuid, active: bool) -> Result<Role, RepoError>;
}

/// The role use cases.
#[derive(Clone)]
pub struct Roles {
    repo: Arc<dyn RoleRepository>,
}

/// `users_count` is shown to staff and support only (spec 03 §7.1).
fn view(actor: Option<&Actor>, (role, count): (Role, i64)) -> RoleView {
    RoleView {
        role,
        users_count: actor.filter(|a| a.sees_everything()).map(|_| count),
    }
}

fn repo_err(e: RepoError) -> UseCaseError {
    UseCaseError::from_repo(MODEL, e)
}

/// Role writes are staff-only, decided before any lookup (spec 03 §7): a non-staff write
/// on an unknown or malformed UUID is a 403 too.
fn ensure_staff(actor: &Actor) -> Result<(), UseCaseError> {
    if tenancy_domain::policy::can_manage_roles(actor) {
        Ok(())
    } else {
        Err(UseCaseError::Denied)
    }
}

impl Roles {
    /// The use cases over `repo`.
    pub fn new(repo: Arc<dyn RoleRepository>) -> Self {
        Self { repo }
    }

    /// `GET /api/roles/` (anyone, anonymous included).
    ///
    /// # Errors
    /// `ServiceUnavailable`.
    pub async fn list(
        &self,
        actor: Option<&Actor>,
        query: &RoleQuery,
    ) -> Result<Page<RoleView>, UseCaseError> {
        let page = self
            .repo
            .list(query)
            .await
            .map_err(|e| UseCaseError::from_repo(MODEL, e))?;
        Ok(Page {
            items: page.items.into_iter().map(|r| view(actor, r)).collect(),
            total: page.total,
            number: page.number,
        })
    }

    /// `GET /api/roles/{uuid}/`.
    ///
    /// # Errors
    /// `NotFound`.
    pub async fn retrieve(
        &self,
        actor: Option<&Actor>,
        uuid: Uuid,
    ) -> Result<RoleView, UseCaseError> {
        let found = self
            .repo
            .find(uuid, Utc::now())
            .await
            .map_err(|e| UseCaseError::from_repo(MODEL, e))?;
        Ok(view(actor, found))
    }
    /// `POST /api/roles/` (staff): a custom role from a `RoleModifyRequest` body.
    /// `type_errors` are the wire's JSON type errors, reported with the field rules.
    ///
    /// # Errors
    /// `Denied`, `Invalid` (every field at once; then `Name should be unique.`).
    #[instrument(skip_all)]
    pub async fn create(
        &self,
        actor: &Actor,
        changes: RoleChanges,
        type_errors: ValidationErrors,
    ) -> Result<RoleView, UseCaseError> {
        ensure_staff(actor)?;
        let new = changes
            .validate_create(type_errors)
            .map_err(UseCaseError::Invalid)?;
        let role = self.repo.create(new).await.map_err(repo_err)?;
        tracing::info!(role.uuid = %role.uuid, role.name = %role.name, "role created");
        Ok(view(Some(actor), (role, 0)))
    }

    /// `PUT /api/roles/{uuid}/` (staff): replaces name, description, scope, active flag
    /// and permissions; absent optional keys keep their values. `uuid` is `None` when the
    /// path segment is not a UUID (403 for non-staff, then 404).
    ///
    /// # Errors
    /// `Denied`, `NotFound`, `Invalid` (field rules, then the system-role and in-use rules
    /// checked on the locked row).
    pub async fn update(
        &self,
        actor: &Actor,
        uuid: Option<Uuid>,
        changes: RoleChanges,
        type_errors: ValidationErrors,
    ) -> Result<RoleView, UseCaseError> {
        self.write(actor, uuid, changes, type_errors, RoleWrite::Replace)
            .await
    }

    /// `PATCH /api/roles/{uuid}/` (staff): only `name`, `description` and `is_active`.
    ///
    /// # Errors
    /// As [`Self::update`].
    pub async fn partial_update(
        &self,
        actor: &Actor,
        uuid: Option<Uuid>,
        changes: RoleChanges,
        type_errors: ValidationErrors,
    ) -> Result<RoleView, UseCaseError> {
        self.write(actor, uuid, changes, type_errors, RoleWrite::Partial)
            .await
    }

    #[instrument(skip_all, fields(write = ?write))]
    async fn write(
        &self,
        actor: &Actor,
        uuid: Option<Uuid>,
        changes: RoleChanges,
        type_errors: ValidationErrors,
        write: RoleWrite,
    ) -> Result<RoleView, UseCaseError> {
        ensure_staff(actor)?;
        let uuid = uuid.ok_or(UseCaseError::NotFound(MODEL))?;
        let now = Utc::now();
        // The lookup comes before body validation (spec 01 §8.3): an unknown role is a
        // 404 whatever the body.
        let (role, _) = self.repo.find(uuid, now).await.map_err(repo_err)?;
        let update = changes
            .validate(write, type_errors)
            .map_err(UseCaseError::Invalid)?;
        let check: RoleUpdateCheck = Box::new(move |locked: &Role, current_grants| {
            check_update(locked, &update, current_grants)?;
            Ok(update.apply_to(locked))
        });
        let stored = self
            .repo
            .update_with(role.id, check, now)
            .await
            .map_err(repo_err)?;
        tracing::info!(role.uuid = %uuid, "role updated");
        Ok(view(Some(actor), stored))
    }

    /// `DELETE /api/roles/{uuid}/` (staff): only a custom role without current grants;
    /// its revoked and expired grant rows go with it.
    ///
    /// # Errors
    /// `Denied`, `NotFound`, `StateRule` (`Destroying of system role is not available.`,
    /// `Role is still used.`).
    #[instrument(skip_all)]
    pub async fn delete(&self, actor: &Actor, uuid: Option<Uuid>) -> Result<(), UseCaseError> {
        ensure_staff(actor)?;
        let uuid = uuid.ok_or(UseCaseError::NotFound(MODEL))?;
        let now = Utc::now();
        let (role, _) = self.repo.find(uuid, now).await.map_err(repo_err)?;
        let check: RoleDeleteCheck = Box::new(check_delete);
        self.repo
            .delete_with(role.id, check, now)
            .await
            .map_err(repo_err)?;
        tracing::info!(role.uuid = %uuid, "role deleted");
        Ok(())
    }

    /// `POST /api/roles/{uuid}/enable/` (staff; idempotent). Returns the role.
    ///
    /// # Errors
    /// `Denied`, `NotFound`.
    pub async fn enable(&self, actor: &Actor, uuid: Option<Uuid>) -> Result<Role, UseCaseError> {
        self.set_active(actor, uuid, true).await
    }

    /// `POST /api/roles/{uuid}/disable/` (staff; idempotent): no new grants of the role;
    /// existing grants keep working.
    ///
    /// # Errors
    /// `Denied`, `NotFound`.
    pub async fn disable(&self, actor: &Actor, uuid: Option<Uuid>) -> Result<Role, UseCaseError> {
        self.set_active(actor, uuid, false).await
    }

    #[instrument(skip_all, fields(active))]
    async fn set_active(
        &self,
        actor: &Actor,
        uuid: Option<Uuid>,
        active: bool,
    ) -> Result<Role, UseCaseError> {
        ensure_staff(actor)?;
        let uuid = uuid.ok_or(UseCaseError::NotFound(MODEL))?;
        let role = self.repo.set_active(uuid, active).await.map_err(repo_err)?;
        tracing::info!(role.uuid = %uuid, active, "role activation set");
        Ok(role)
    }
}
