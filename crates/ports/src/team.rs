//! The team port and use cases: who holds which role on a customer or project, and the
//! `list_users` / `users` / `add_user` / `update_user` / `delete_user` actions (spec 03 §5).

use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use tenancy_domain::error::{FieldError, ValidationErrors, NON_FIELD_ERRORS};
use tenancy_domain::policy::{self, Grants, Permission};
use tenancy_domain::role::{Role, ScopeType};
use tenancy_domain::team::{
    self, check_add, check_expiration, check_own_grant, messages, team_authority, Grantee,
    TeamAction, UserRestrictions,
};
use tenancy_domain::user::Actor;
use uuid::Uuid;

use crate::customers::OrderTerm;
use crate::error::{RepoError, UseCaseError};
use crate::paging::{Page, PageRequest};

/// The customer or project whose team a request reads or changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScopeRef {
    /// A customer, by UUID.
    Customer(Uuid),
    /// A project, by UUID.
    Project(Uuid),
}

impl ScopeRef {
    /// The scope type.
    pub fn kind(self) -> ScopeType {
        match self {
            ScopeRef::Customer(_) => ScopeType::Customer,
            ScopeRef::Project(_) => ScopeType::Project,
        }
    }

    /// The model name of 404 texts.
    pub fn model(self) -> &'static str {
        match self {
            ScopeRef::Customer(_) => "Customer",
            ScopeRef::Project(_) => "Project",
        }
    }

    /// The scope's UUID.
    pub fn uuid(self) -> Uuid {
        match self {
            ScopeRef::Customer(u) | ScopeRef::Project(u) => u,
        }
    }
}

/// A scope the caller can see, with what the caller's grants carry on it.
#[derive(Debug, Clone)]
pub struct TeamScope {
    /// Customer or project.
    pub kind: ScopeType,
    /// Internal id of the customer or project.
    pub id: i64,
    /// The customer, or the project's customer.
    pub customer_id: i64,
    /// The customer is neither blocked nor archived.
    pub customer_available: bool,
    /// The customer's restrictions on new grantees (spec 03 §5.6).
    pub restrictions: UserRestrictions,
    /// Permissions of the caller's effective grants on the customer.
    pub on_customer: Grants,
    /// Permissions of the caller's effective grants on the project (empty for customers).
    pub on_project: Grants,
}

/// A role named in a request: a UUID (looked up by UUID only) or an exact name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RoleRef {
    /// By UUID.
    Uuid(Uuid),
    /// By exact name.
    Name(String),
}

impl RoleRef {
    /// `value` as a UUID when it parses as one (any form of spec 01 §5.1), else a name.
    pub fn parse(value: &str) -> Self {
        match tenancy_domain::validate::uuid::parse_uuid(value) {
            Some(uuid) => RoleRef::Uuid(uuid),
            None => RoleRef::Name(value.to_owned()),
        }
    }
}

/// The user a change targets.
#[derive(Debug, Clone)]
pub struct TargetUser {
    /// Internal id.
    pub id: i64,
    /// Public id.
    pub uuid: Uuid,
    /// What the grant rules need to know.
    pub grantee: Grantee,
}

/// The triple's current grant, locked by the change's transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CurrentGrant {
    /// Internal id.
    pub id: i64,
    /// Its expiry.
    pub expiration_time: Option<DateTime<Utc>>,
}

/// Everything a change is decided on, read inside its transaction.
#[derive(Debug, Clone)]
pub struct ChangeContext {
    /// The scope (visible to the caller, locked against deletion).
    pub scope: TeamScope,
    /// The role named by the request, when it exists.
    pub role: Option<Role>,
    /// The user named by the request, when it exists.
    pub user: Option<TargetUser>,
    /// The current grant of (user, role, scope), when there is one.
    pub current: Option<CurrentGrant>,
}

/// A team change as the adapter carries it out.
#[derive(Debug, Clone, PartialEq)]
pub struct TeamChange {
    /// Whose team.
    pub scope: ScopeRef,
    /// What to do.
    pub action: TeamAction,
    /// The role, if the request named one.
    pub role: Option<RoleRef>,
    /// The user, if the request named a well-formed UUID.
    pub user: Option<Uuid>,
    /// The new expiry (`None` = permanent); ignored by revocations.
    pub expiration_time: Option<DateTime<Utc>>,
    /// The request time.
    pub now: DateTime<Utc>,
}

/// The decision step a change runs inside the adapter's transaction, after reading (and
/// locking) the rows it is decided on and before writing.
pub type TeamCheck = Box<dyn FnOnce(&ChangeContext) -> Result<(), UseCaseError> + Send>;

/// A sort key of `list_users` (spec 03 §5.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GrantOrderKey {
    /// `username`
    Username,
    /// `full_name`: first name, then last name
    FullName,
    /// `native_name`
    NativeName,
    /// `email`
    Email,
    /// `expiration_time`
    ExpirationTime,
    /// `created`
    Created,
    /// `role`: the role name
    Role,
}

impl GrantOrderKey {
    /// The key named `name` in `o`.
    pub fn from_name(name: &str) -> Option<Self> {
        Some(match name {
            "username" => Self::Username,
            "full_name" => Self::FullName,
            "native_name" => Self::NativeName,
            "email" => Self::Email,
            "expiration_time" => Self::ExpirationTime,
            "created" => Self::Created,
            "role" => Self::Role,
            _ => return None,
        })
    }
}

/// A `list_users` request (spec 03 §5.1).
#[derive(Debug, Clone, PartialEq)]
pub struct GrantQuery {
    /// `user` / `user_url`: only this user's grants.
    pub user: Option<Uuid>,
    /// A filter that cannot match (an unresolvable `user_url`).
    pub nothing: bool,
    /// `username`, exact.
    pub username: Option<String>,
    /// `full_name`, accent-folded icontains.
    pub full_name: Option<String>,
    /// `native_name`, icontains.
    pub native_name: Option<String>,
    /// `user_slug`, icontains.
    pub user_slug: Option<String>,
    /// `role`: grants of any of these roles.
    pub roles: Vec<RoleRef>,
    /// `search_string`: first name, last name, e-mail or username icontains.
    pub search_string: Option<String>,
    /// Ordering; empty = by creation.
    pub order: Vec<OrderTerm<GrantOrderKey>>,
    /// Which page.
    pub page: PageRequest,
    /// The request time (which grants are current).
    pub now: DateTime<Utc>,
}

/// One effective grant of a scope (`UserRoleDetails`).
#[derive(Debug, Clone, PartialEq)]
#[expect(
    missing_docs,
    reason = "each field is the UserRoleDetails key of the same name in spec 03 §5.1"
)]
pub struct GrantView {
    pub uuid: Uuid,
    pub created: DateTime<Utc>,
    pub expiration_time: Option<DateTime<Utc>>,
    pub role_name: String,
    pub role_uuid: Uuid,
    pub user_email: String,
    pub user_full_name: String,
    pub user_username: String,
    pub user_uuid: Uuid,
    /// The granting user's full name and UUID; `None` for grants made by the system.
    pub created_by: Option<(String, Uuid)>,
}

/// A `users` request (spec 03 §5.2).
#[derive(Debug, Clone, PartialEq)]
#[expect(
    missing_docs,
    reason = "each field is the query parameter of the same name in spec 03 §5.2"
)]
pub struct MemberQuery {
    pub username: Option<String>,
    pub full_name: Option<String>,
    pub user_keyword: Option<String>,
    pub email: Option<String>,
    pub native_name: Option<String>,
    pub organization: Option<String>,
    pub job_title: Option<String>,
    pub phone_number: Option<String>,
    pub description: Option<String>,
    pub civil_number: Option<String>,
    pub registration_method: Option<String>,
    pub is_active: Option<bool>,
    pub date_joined: Option<DateTime<Utc>>,
    pub modified: Option<DateTime<Utc>>,
    pub agreement_date: Option<DateTime<Utc>>,
    pub organization_role: Vec<String>,
    pub project_role: Vec<String>,
    /// `o=concatenated_name` (`Some(false)`) or `-concatenated_name` (`Some(true)`).
    pub concatenated_name_descending: Option<bool>,
    /// Which page.
    pub page: PageRequest,
    /// The request time.
    pub now: DateTime<Utc>,
}

/// One effective project grant of a member (`NestedProjectPermission`).
#[derive(Debug, Clone, PartialEq)]
#[expect(
    missing_docs,
    reason = "the keys of NestedProjectPermission, spec 03 §5.2"
)]
pub struct MemberProject {
    pub uuid: Uuid,
    pub name: String,
    pub role_name: String,
    pub expiration_time: Option<DateTime<Utc>>,
}

/// A person of the organization (`CustomerUser`).
#[derive(Debug, Clone, PartialEq)]
#[expect(missing_docs, reason = "the keys of CustomerUser, spec 03 §5.2")]
pub struct Member {
    pub uuid: Uuid,
    pub username: String,
    pub full_name: String,
    pub email: String,
    /// Role and expiry of the earliest effective grant on the customer.
    pub customer_role: Option<(String, Option<DateTime<Utc>>)>,
    pub projects: Vec<MemberProject>,
}

/// Storage of grants.
#[cfg_attr(feature = "testing", mockall::automock)]
#[async_trait]
pub trait TeamRepository: Send + Sync {
    /// The scope, if `viewer` can see it (spec 02 §6.0, 06 §4.2), with the viewer's
    /// permissions on it.
    ///
    /// # Errors
    /// `NotFound` when unknown, invisible or (projects) soft-deleted.
    async fn find_scope(
        &self,
        viewer: &Actor,
        scope: ScopeRef,
        now: DateTime<Utc>,
    ) -> Result<TeamScope, RepoError>;

    /// One page of the effective grants on `scope`.
    ///
    /// # Errors
    /// `Unavailable`.
    async fn list_grants(
        &self,
        scope: &TeamScope,
        query: &GrantQuery,
    ) -> Result<Page<GrantView>, RepoError>;

    /// One page of the active users with an effective grant on customer `customer_id` or
    /// one of its active projects, in a fixed number of statements.
    ///
    /// # Errors
    /// `Unavailable`.
    async fn list_members(
        &self,
        customer_id: i64,
        query: &MemberQuery,
    ) -> Result<Page<Member>, RepoError>;

    /// In one transaction: reads and locks the scope (visible to `viewer`), the role, the
    /// user and the triple's current grant, runs `check`, then carries out the change.
    /// Returns the grant's expiry afterwards.
    ///
    /// # Errors
    /// `NotFound` for an invisible scope; `Refused` with `check`'s answer; `Conflict`
    /// when a concurrent `add_user` won the unique index.
    async fn change(
        &self,
        viewer: &Actor,
        change: &TeamChange,
        check: TeamCheck,
    ) -> Result<Option<DateTime<Utc>>, RepoError>;
}

/// A team change request as parsed from the body: values that parsed, and the field
/// errors of those that did not (reported after the 404 and 403 checks, spec 03 §5.0).
#[derive(Debug, Clone, Default)]
pub struct TeamRequest {
    /// `role`, when present and a string.
    pub role: Option<RoleRef>,
    /// `user`, when present and a UUID.
    pub user: Option<Uuid>,
    /// `expiration_time` (`None` = absent or `null`).
    pub expiration_time: Option<DateTime<Utc>>,
    /// Errors found while parsing the body.
    pub errors: ValidationErrors,
}

/// The team use cases.
#[derive(Clone)]
pub struct Team {
    repo: Arc<dyn TeamRepository>,
}

fn non_field(message: &str) -> UseCaseError {
    UseCaseError::Invalid(ValidationErrors::single(
        NON_FIELD_ERRORS,
        FieldError::new(message),
    ))
}

/// The steps of spec 03 §5.0 after the scope lookup: 403, unavailable customer, field
/// errors, object-level rules.
fn decide(
    actor: &Actor,
    action: TeamAction,
    errors: ValidationErrors,
    expiration_time: Option<DateTime<Utc>>,
    request: (bool, bool),
    now: DateTime<Utc>,
    ctx: &ChangeContext,
) -> Result<(), UseCaseError> {
    let (role_named, user_named) = request;
    let scope = &ctx.scope;
    let authority = team_authority(
        actor,
        scope.kind,
        action,
        &scope.on_customer,
        &scope.on_project,
    )
    .ok_or(UseCaseError::Denied)?;
    if !scope.customer_available {
        return Err(non_field(messages::CUSTOMER_UNAVAILABLE));
    }
    let mut errors = errors;
    if role_named && ctx.role.is_none() {
        errors.add("role", FieldError::new(messages::ROLE_NOT_FOUND));
    }
    if user_named && ctx.user.is_none() {
        errors.add("user", FieldError::new(messages::USER_NOT_FOUND));
    }
    if let Err(e) = check_expiration(expiration_time, now) {
        errors.add("expiration_time", e);
    }
    if !errors.is_empty() {
        return Err(UseCaseError::Invalid(errors));
    }
    let (Some(role), Some(user)) = (&ctx.role, &ctx.user) else {
        return Err(UseCaseError::Internal(
            "role or user missing after validation".into(),
        ));
    };
    check_own_grant(authority, user.uuid == actor.user_uuid()).map_err(non_field)?;
    match action {
        TeamAction::Add => check_add(
            actor,
            &user.grantee,
            role,
            scope.kind,
            ctx.current.is_some(),
            &scope.restrictions,
        )
        .map_err(non_field),
        TeamAction::Update if ctx.current.is_none() => Err(non_field(messages::NO_SUCH_GRANT)),
        TeamAction::Update | TeamAction::Revoke => Ok(()),
    }
}

impl Team {
    /// The use cases over `repo`.
    pub fn new(repo: Arc<dyn TeamRepository>) -> Self {
        Self { repo }
    }

    async fn scope(&self, actor: &Actor, scope: ScopeRef) -> Result<TeamScope, UseCaseError> {
        self.repo
            .find_scope(actor, scope, Utc::now())
            .await
            .map_err(|e| UseCaseError::from_repo(scope.model(), e))
    }

    /// `GET …/list_users/`: anyone who can see the scope (spec 03 §5.1, §5.7).
    ///
    /// # Errors
    /// `NotFound` for an invisible scope.
    pub async fn list_grants(
        &self,
        actor: &Actor,
        scope: ScopeRef,
        query: &GrantQuery,
    ) -> Result<Page<GrantView>, UseCaseError> {
        let found = self.scope(actor, scope).await?;
        self.repo
            .list_grants(&found, query)
            .await
            .map_err(|e| UseCaseError::from_repo(scope.model(), e))
    }

    /// `GET /api/customers/{uuid}/users/`: staff, support or `CUSTOMER.LIST_USERS`
    /// (spec 03 §5.2).
    ///
    /// # Errors
    /// `NotFound` for an invisible customer, `Denied` without the permission.
    pub async fn list_members(
        &self,
        actor: &Actor,
        customer: Uuid,
        query: &MemberQuery,
    ) -> Result<Page<Member>, UseCaseError> {
        let scope = self.scope(actor, ScopeRef::Customer(customer)).await?;
        if !actor.is_support()
            && !policy::has(actor, &scope.on_customer, Permission::CustomerListUsers)
        {
            return Err(UseCaseError::Denied);
        }
        self.repo
            .list_members(scope.id, query)
            .await
            .map_err(|e| UseCaseError::from_repo("Customer", e))
    }

    /// `add_user`, `update_user` or `delete_user` on `scope` (spec 03 §5.3–§5.5, §5.7):
    /// decided and written in one transaction. Returns the grant's expiry afterwards.
    ///
    /// # Errors
    /// `NotFound`, `Denied`, `Invalid` in the order of spec 03 §5.0.
    pub async fn change(
        &self,
        actor: &Actor,
        scope: ScopeRef,
        action: TeamAction,
        request: TeamRequest,
    ) -> Result<Option<DateTime<Utc>>, UseCaseError> {
        let now = Utc::now();
        let change = TeamChange {
            scope,
            action,
            role: request.role.clone(),
            user: request.user,
            expiration_time: request.expiration_time,
            now,
        };
        let named = (request.role.is_some(), request.user.is_some());
        let decider = actor.clone();
        let errors = request.errors;
        let expiration_time = request.expiration_time;
        let check: TeamCheck =
            Box::new(move |ctx| decide(&decider, action, errors, expiration_time, named, now, ctx));
        match self.repo.change(actor, &change, check).await {
            // Two `add_user` calls raced past the duplicate check: the loser hits the
            // unique index over current grants (spec 03 §8).
            Err(RepoError::Conflict { constraint })
                if constraint.starts_with("grants_one_current") =>
            {
                Err(non_field(messages::DUPLICATE))
            }
            other => other.map_err(|e| UseCaseError::from_repo(scope.model(), e)),
        }
    }
}

/// Re-exported so adapters and handlers name the same revocation texts.
pub use team::{REASON_EXPIRED, REASON_MANUAL};
