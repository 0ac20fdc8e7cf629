//! The role port and the read use cases of `/api/roles/` (spec 03 §7).

use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use tenancy_domain::role::{Role, ScopeType};
use tenancy_domain::user::Actor;
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
}
