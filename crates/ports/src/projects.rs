//! The project port and the project use cases (spec 06 §4).

use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use tenancy_domain::customer::ensure_available;
use tenancy_domain::error::{DomainError, FieldError, FieldMessages, ValidationErrors};
use tenancy_domain::policy::{self, Grants};
use tenancy_domain::project::{
    Project, ProjectChanges, ProjectFields, REQUEST_FIELDS, STAFF_ONLY_FIELDS,
};
use tenancy_domain::user::Actor;
use tracing::instrument;
use uuid::Uuid;

use crate::customers::OrderTerm;
use crate::error::{RepoError, UseCaseError};
use crate::paging::{Page, PageRequest};

/// The model name in 404 texts.
pub const MODEL: &str = "Project";

/// The body key of the project's customer hyperlink.
pub const CUSTOMER_KEY: &str = "customer";

/// The customer fields a project representation and the project rules need.
#[derive(Debug, Clone, PartialEq)]
#[expect(
    missing_docs,
    reason = "each field is the customer field of the same name"
)]
pub struct ProjectCustomer {
    /// Internal id.
    pub id: i64,
    pub uuid: Uuid,
    pub name: String,
    pub slug: String,
    pub native_name: String,
    pub abbreviation: String,
    pub display_billing_info_in_projects: bool,
    pub grace_period_days: Option<i64>,
    pub blocked: bool,
    pub archived: bool,
}

impl ProjectCustomer {
    /// The blocked/archived rule (spec 06 §4.3: `400 ["Blocked organization is not
    /// available."]`).
    ///
    /// # Errors
    /// [`DomainError::Unavailable`] when the customer is frozen.
    pub fn ensure_available(&self) -> Result<(), DomainError> {
        ensure_available(self.blocked, self.archived)
    }
}

/// A project as the representation of spec 06 §4.9 needs it.
#[derive(Debug, Clone, PartialEq)]
pub struct ProjectView {
    /// The stored project.
    pub project: Project,
    /// Its customer.
    pub customer: ProjectCustomer,
    /// UUID of the user who last set `end_date`, if still there.
    pub end_date_requested_by: Option<Uuid>,
    /// Resources in state `OK` or `Updating` (05 §5.4; none are stored yet, so 0).
    pub resources_count: i64,
}

/// What the viewer's effective grants carry on a project and on its customer.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProjectGrants {
    /// Permissions of the viewer's grants on the project.
    pub project: Grants,
    /// Permissions of the viewer's grants on the project's customer.
    pub customer: Grants,
}

/// A user-valued filter (`user_uuid`, `user_uuid_with_active_role`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserFilter {
    /// That user.
    User(Uuid),
    /// A malformed value: matches nothing (spec 06 §4.7).
    Nothing,
}

/// The list filters of spec 06 §4.7 (all combine with AND). Text values are non-empty.
#[derive(Debug, Clone, Default, PartialEq)]
#[expect(
    missing_docs,
    reason = "each field is the query parameter of the same name"
)]
pub struct ProjectFilters {
    /// Any of these customers.
    pub customer: Vec<Uuid>,
    pub name: Option<String>,
    pub name_exact: Option<String>,
    pub slug: Option<String>,
    pub description: Option<String>,
    pub backend_id: Option<String>,
    /// Name or slug icontains, or the uuid when the text is one.
    pub query: Option<String>,
    pub customer_name: Option<String>,
    pub customer_native_name: Option<String>,
    pub customer_abbreviation: Option<String>,
    /// Only projects whose customer the viewer owns or that the viewer manages.
    pub can_manage: bool,
    /// Only projects the viewer administers.
    pub can_admin: bool,
    /// Role names or UUIDs: projects where the viewer holds an effective grant of one.
    pub current_user_has_role: Vec<String>,
    pub user_uuid: Option<UserFilter>,
    pub user_uuid_with_active_role: Option<UserFilter>,
    /// Soft-deleted projects are included (visibility still applies).
    pub include_terminated: bool,
    pub is_removed: Option<bool>,
    /// Exclude projects whose end date is before today.
    pub conceal_finished_projects: bool,
    pub created: Option<DateTime<Utc>>,
    pub modified: Option<DateTime<Utc>>,
    pub created_before: Option<DateTime<Utc>>,
    pub modified_before: Option<DateTime<Utc>>,
    pub accounting_is_running: Option<bool>,
}

/// A sort key of the project list (spec 06 §4.7 `o`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[expect(missing_docs, reason = "each variant is the `o` key of the same name")]
pub enum ProjectOrderKey {
    Name,
    Created,
    CustomerName,
    CustomerNativeName,
    CustomerAbbreviation,
    EndDate,
    StartDate,
    /// Accepted, no effect (no billing).
    EstimatedCost,
}

impl ProjectOrderKey {
    /// The key named `name` in `o`, if it is one.
    pub fn from_name(name: &str) -> Option<Self> {
        Some(match name {
            "name" => Self::Name,
            "created" => Self::Created,
            "customer_name" => Self::CustomerName,
            "customer_native_name" => Self::CustomerNativeName,
            "customer_abbreviation" => Self::CustomerAbbreviation,
            "end_date" => Self::EndDate,
            "start_date" => Self::StartDate,
            "estimated_cost" => Self::EstimatedCost,
            _ => return None,
        })
    }
}

/// A project list request.
#[derive(Debug, Clone, PartialEq)]
pub struct ProjectQuery {
    /// Filters.
    pub filters: ProjectFilters,
    /// Ordering; empty = by name.
    pub order: Vec<OrderTerm<ProjectOrderKey>>,
    /// Which page.
    pub page: PageRequest,
    /// The request time (grant expiry, `conceal_finished_projects`, accounting).
    pub now: DateTime<Utc>,
}

/// Re-check on the customer row locked (shared) by the create transaction.
pub type ProjectCreateCheck = Box<dyn FnOnce(&ProjectCustomer) -> Result<(), DomainError> + Send>;

/// Read-modify-write step: receives the locked project and its customer, returns the new
/// fields.
pub type ProjectUpdate =
    Box<dyn FnOnce(&Project, &ProjectCustomer) -> Result<ProjectFields, DomainError> + Send>;

/// Delete check on the locked project and its customer.
pub type ProjectDeleteCheck =
    Box<dyn FnOnce(&Project, &ProjectCustomer) -> Result<(), DomainError> + Send>;

/// Storage of projects.
#[cfg_attr(feature = "testing", mockall::automock)]
#[async_trait]
pub trait ProjectRepository: Send + Sync {
    /// One page of the projects `viewer` may see (spec 06 §4.2), filtered and ordered: one
    /// statement for the count and one for the page, whatever the page size.
    ///
    /// # Errors
    /// `Unavailable` when the database is down.
    async fn list(
        &self,
        viewer: &Actor,
        query: &ProjectQuery,
    ) -> Result<Page<ProjectView>, RepoError>;

    /// The project `uuid` if `viewer` may see it (soft-deleted ones only with
    /// `include_terminated`), with the permissions the viewer's effective grants carry on
    /// the project and on its customer at `now`.
    ///
    /// # Errors
    /// `NotFound` when it does not exist or is invisible.
    async fn find_visible(
        &self,
        viewer: &Actor,
        uuid: Uuid,
        include_terminated: bool,
        now: DateTime<Utc>,
    ) -> Result<(ProjectView, ProjectGrants), RepoError>;

    /// The customer `uuid` if `viewer` may see it (02 §6.0), with the permissions the
    /// viewer's effective grants carry on it.
    ///
    /// # Errors
    /// `NotFound` when it does not exist or is invisible.
    async fn find_customer(
        &self,
        viewer: &Actor,
        uuid: Uuid,
        now: DateTime<Utc>,
    ) -> Result<(ProjectCustomer, Grants), RepoError>;

    /// Stores a new project in customer `customer_id` in one transaction that holds a
    /// shared lock on the customer row (customer deletion takes an exclusive one), runs
    /// `check` on it and generates an empty slug (spec 06 §4.5) inside the transaction.
    ///
    /// # Errors
    /// `NotFound` when the customer is gone; `Domain` when `check` refuses;
    /// `Conflict { constraint: "projects_customer_id_slug_key" }` for a taken given slug.
    async fn create(
        &self,
        customer_id: i64,
        fields: ProjectFields,
        check: ProjectCreateCheck,
        now: DateTime<Utc>,
    ) -> Result<Project, RepoError>;

    /// Locks the active project row (`FOR UPDATE`) and its customer (`FOR SHARE`), applies
    /// `update`, writes and commits.
    ///
    /// # Errors
    /// `NotFound` when the project is gone or soft-deleted; `Domain` when `update` refuses;
    /// `Conflict` for a taken slug.
    async fn update_with(
        &self,
        id: i64,
        update: ProjectUpdate,
        now: DateTime<Utc>,
    ) -> Result<Project, RepoError>;

    /// Locks the active project row, runs `check`, sets `is_removed` and revokes every
    /// current grant on the project (`revoked_by` = `by_user_id`, reason `Project has been
    /// deleted`), in one transaction (spec 06 §4.6, 03 §4.5).
    ///
    /// # Errors
    /// `NotFound` when the project is gone or already soft-deleted; `Domain` when `check`
    /// refuses.
    async fn soft_delete(
        &self,
        id: i64,
        by_user_id: i64,
        check: ProjectDeleteCheck,
        now: DateTime<Utc>,
    ) -> Result<(), RepoError>;
}

/// The project use cases, built once at start-up.
#[derive(Clone)]
pub struct Projects {
    repo: Arc<dyn ProjectRepository>,
}

/// The field error for a `customer` link that names no customer the caller can see.
pub fn unknown_customer_link() -> FieldError {
    FieldError::new("Invalid hyperlink - Object does not exist.")
}

fn repo_err(e: RepoError) -> UseCaseError {
    match e {
        RepoError::Conflict { constraint } if constraint.contains("slug") => {
            UseCaseError::Invalid(ValidationErrors::single(
                "slug",
                FieldError::new("project with this slug already exists."),
            ))
        }
        other => UseCaseError::from_repo(MODEL, other),
    }
}

/// The JSON type errors and the domain rules' messages, in the representation's field
/// order; a rule's message is added only for fields whose value was readable.
fn merge(
    type_errors: ValidationErrors,
    rules: Result<(), ValidationErrors>,
) -> Result<(), UseCaseError> {
    let mut errors = type_errors.clone();
    if let Err(rules) = rules {
        for (field, messages) in rules.entries() {
            if type_errors.has(field) {
                continue;
            }
            if let FieldMessages::List(list) = messages {
                for m in list {
                    errors.add(field, FieldError::new(m.clone()));
                }
            }
        }
    }
    errors.sort_by_field_order(REQUEST_FIELDS);
    errors.into_result(()).map_err(UseCaseError::Invalid)
}

/// Staff-only keys (and their type errors) are ignored for everyone else (spec 06 §4.3).
fn drop_staff_only(
    actor: &Actor,
    changes: ProjectChanges,
    mut type_errors: ValidationErrors,
) -> (ProjectChanges, ValidationErrors) {
    if policy::may_write_project_staff_fields(actor) {
        (changes, type_errors)
    } else {
        type_errors.retain(|field| !STAFF_ONLY_FIELDS.contains(&field));
        (changes.without_staff_only_fields(), type_errors)
    }
}

fn today(now: DateTime<Utc>) -> NaiveDate {
    now.date_naive()
}

impl Projects {
    /// The use cases over `repo`.
    pub fn new(repo: Arc<dyn ProjectRepository>) -> Self {
        Self { repo }
    }

    /// `GET /api/projects/`.
    ///
    /// # Errors
    /// `ServiceUnavailable` when the database is down.
    #[instrument(skip_all, fields(user.uuid = %actor.user_uuid()))]
    pub async fn list(
        &self,
        actor: &Actor,
        query: ProjectQuery,
    ) -> Result<Page<ProjectView>, UseCaseError> {
        self.repo.list(actor, &query).await.map_err(repo_err)
    }

    /// `GET /api/projects/{uuid}/`; soft-deleted projects only with `include_terminated`.
    ///
    /// # Errors
    /// `NotFound` for unknown or invisible projects.
    #[instrument(skip_all, fields(project.uuid = %uuid))]
    pub async fn retrieve(
        &self,
        actor: &Actor,
        uuid: Uuid,
        include_terminated: bool,
    ) -> Result<ProjectView, UseCaseError> {
        let (view, _) = self
            .repo
            .find_visible(actor, uuid, include_terminated, Utc::now())
            .await
            .map_err(repo_err)?;
        Ok(view)
    }

    /// `POST /api/projects/`. `customer` is the UUID of the body's `customer` hyperlink;
    /// `None` when it is absent or unreadable (then `type_errors` says why, or it is
    /// required).
    ///
    /// Order of checks (spec 06 §4.3): field validation with the customer lookup (400, all
    /// fields) → 403 without `PROJECT.CREATE` → blocked/archived (400 list) → 403 for a
    /// non-null `end_date` without `PROJECT.DELETE` → write.
    ///
    /// # Errors
    /// `Invalid`, `Denied`, `StateRule`.
    #[instrument(skip_all, fields(user.uuid = %actor.user_uuid()))]
    pub async fn create(
        &self,
        actor: &Actor,
        changes: ProjectChanges,
        customer: Option<Uuid>,
        type_errors: ValidationErrors,
    ) -> Result<ProjectView, UseCaseError> {
        let now = Utc::now();
        let (changes, mut type_errors) = drop_staff_only(actor, changes, type_errors);
        let found = match customer {
            Some(uuid) => match self.repo.find_customer(actor, uuid, now).await {
                Ok(found) => Some(found),
                Err(RepoError::NotFound) => {
                    type_errors.add(CUSTOMER_KEY, unknown_customer_link());
                    None
                }
                Err(e) => return Err(repo_err(e)),
            },
            None => {
                if !type_errors.has(CUSTOMER_KEY) {
                    type_errors.add(CUSTOMER_KEY, FieldError::required());
                }
                None
            }
        };
        merge(type_errors, changes.validate(true, today(now)))?;
        let Some((customer, grants)) = found else {
            return Err(UseCaseError::Internal(
                "customer missing after validation".into(),
            ));
        };
        if !policy::can_create_project(actor, &grants) {
            return Err(UseCaseError::Denied);
        }
        customer.ensure_available()?;
        if changes.sets_end_date(None) && !policy::may_set_end_date(actor, &grants) {
            return Err(UseCaseError::Denied);
        }
        let mut fields = ProjectFields::new(String::new());
        changes.apply_to(&mut fields, actor.user_id(), now);
        let end_date_set = fields.end_date_requested_by.is_some();
        let check: ProjectCreateCheck =
            Box::new(|locked: &ProjectCustomer| locked.ensure_available());
        let project = self
            .repo
            .create(customer.id, fields, check, now)
            .await
            .map_err(repo_err)?;
        tracing::info!(project.uuid = %project.uuid, customer.uuid = %customer.uuid, "project created");
        Ok(ProjectView {
            project,
            customer,
            end_date_requested_by: end_date_set.then(|| actor.user_uuid()),
            resources_count: 0,
        })
    }

    /// `PUT` (`full = true`) or `PATCH` `/api/projects/{uuid}/`.
    ///
    /// Order of checks (spec 06 §4.4): 404 → 403 → blocked/archived (400 list) → field
    /// validation (400) → 403 for a new non-null `end_date` without `PROJECT.DELETE` on the
    /// customer → write. `customer` in the body is ignored.
    ///
    /// # Errors
    /// `NotFound`, `Denied`, `StateRule`, `Invalid`.
    #[instrument(skip_all, fields(project.uuid = %uuid))]
    pub async fn update(
        &self,
        actor: &Actor,
        uuid: Uuid,
        changes: ProjectChanges,
        type_errors: ValidationErrors,
        full: bool,
    ) -> Result<ProjectView, UseCaseError> {
        let now = Utc::now();
        let (view, grants) = self
            .repo
            .find_visible(actor, uuid, false, now)
            .await
            .map_err(repo_err)?;
        if !policy::can_update_project(actor, &grants.project, &grants.customer) {
            return Err(UseCaseError::Denied);
        }
        view.customer.ensure_available()?;
        let (changes, mut type_errors) = drop_staff_only(actor, changes, type_errors);
        type_errors.retain(|field| field != CUSTOMER_KEY);
        let changes = changes.without_locked_start_date(&view.project.fields, today(now));
        merge(type_errors, changes.validate(full, today(now)))?;
        if changes.sets_end_date(Some(&view.project.fields))
            && !policy::may_set_end_date(actor, &grants.customer)
        {
            return Err(UseCaseError::Denied);
        }
        let actor_id = actor.user_id();
        let update: ProjectUpdate =
            Box::new(move |stored: &Project, customer: &ProjectCustomer| {
                // Re-checked on the locked rows: the customer may have been blocked meanwhile.
                customer.ensure_available()?;
                let changes = changes.without_locked_start_date(&stored.fields, today(now));
                let mut fields = stored.fields.clone();
                changes.apply_to(&mut fields, actor_id, now);
                Ok(fields)
            });
        self.repo
            .update_with(view.project.id, update, now)
            .await
            .map_err(repo_err)?;
        let (view, _) = self
            .repo
            .find_visible(actor, uuid, false, now)
            .await
            .map_err(repo_err)?;
        Ok(view)
    }

    /// `DELETE /api/projects/{uuid}/`: soft deletion (spec 06 §4.6).
    ///
    /// Order: 404 (invisible or already soft-deleted) → 403 → blocked/archived (400 list)
    /// → active resources (409) → soft delete with its grants revoked.
    ///
    /// # Errors
    /// `NotFound`, `Denied`, `StateRule`.
    #[instrument(skip_all, fields(project.uuid = %uuid))]
    pub async fn delete(&self, actor: &Actor, uuid: Uuid) -> Result<(), UseCaseError> {
        let now = Utc::now();
        let (view, grants) = self
            .repo
            .find_visible(actor, uuid, false, now)
            .await
            .map_err(repo_err)?;
        if !policy::can_delete_project(actor, &grants.customer) {
            return Err(UseCaseError::Denied);
        }
        view.customer.ensure_available()?;
        // FIXME(spec 05 §5.4): resources are not stored yet, so "the project has a resource
        // whose state is not Terminated → 409 Project contains active resources. Please
        // remove them before deleting project." cannot happen. Add that check to `check`
        // (under the project lock) when the resource tables arrive.
        let check: ProjectDeleteCheck =
            Box::new(|_: &Project, customer: &ProjectCustomer| customer.ensure_available());
        self.repo
            .soft_delete(view.project.id, actor.user_id(), check, now)
            .await
            .map_err(repo_err)?;
        tracing::info!(project.uuid = %uuid, "project soft-deleted");
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tenancy_domain::policy::Permission;
    use tenancy_domain::project::ProjectFields;

    fn actor(staff: bool) -> Actor {
        Actor::new(5, Uuid::from_u128(5), staff, false)
    }

    fn customer(blocked: bool) -> ProjectCustomer {
        ProjectCustomer {
            id: 1,
            uuid: Uuid::from_u128(1),
            name: "C".into(),
            slug: "c-1".into(),
            native_name: String::new(),
            abbreviation: String::new(),
            display_billing_info_in_projects: true,
            grace_period_days: None,
            blocked,
            archived: false,
        }
    }

    fn view(blocked: bool) -> ProjectView {
        ProjectView {
            project: Project {
                id: 9,
                uuid: Uuid::from_u128(9),
                customer_id: 1,
                created: Utc::now(),
                modified: Utc::now(),
                is_removed: false,
                fields: ProjectFields::new("P".into()),
            },
            customer: customer(blocked),
            end_date_requested_by: None,
            resources_count: 0,
        }
    }

    fn owner() -> Grants {
        Grants::new(vec![
            Permission::ProjectCreate,
            Permission::ProjectUpdate,
            Permission::ProjectDelete,
        ])
    }

    fn named(name: &str) -> ProjectChanges {
        ProjectChanges {
            name: Some(name.into()),
            ..Default::default()
        }
    }

    fn with_customer(repo: &mut MockProjectRepository, blocked: bool, grants: Grants) {
        repo.expect_find_customer()
            .returning(move |_, _, _| Ok((customer(blocked), grants.clone())));
    }

    fn projects(repo: MockProjectRepository) -> Projects {
        Projects::new(Arc::new(repo))
    }

    #[tokio::test]
    async fn create_validates_the_body_before_permission_and_reports_every_field() {
        let mut repo = MockProjectRepository::new();
        with_customer(&mut repo, false, Grants::default());
        repo.expect_create().never();
        let err = projects(repo)
            .create(
                &actor(false),
                named(""),
                Some(Uuid::from_u128(1)),
                ValidationErrors::new(),
            )
            .await
            .unwrap_err();
        assert!(matches!(err, UseCaseError::Invalid(e) if e.has("name")));
    }

    #[tokio::test]
    async fn an_invisible_customer_is_a_field_error_with_the_others() {
        let mut repo = MockProjectRepository::new();
        repo.expect_find_customer()
            .returning(|_, _, _| Err(RepoError::NotFound));
        let err = projects(repo)
            .create(
                &actor(false),
                named(""),
                Some(Uuid::from_u128(1)),
                ValidationErrors::new(),
            )
            .await
            .unwrap_err();
        let UseCaseError::Invalid(e) = err else {
            panic!("expected 400")
        };
        let fields: Vec<&str> = e.entries().iter().map(|(f, _)| f.as_str()).collect();
        assert_eq!(fields, ["name", "customer"]);
    }

    #[tokio::test]
    async fn create_order_403_then_blocked_then_end_date() {
        let mut repo = MockProjectRepository::new();
        with_customer(&mut repo, true, Grants::default());
        repo.expect_create().never();
        let err = projects(repo)
            .create(
                &actor(false),
                named("P"),
                Some(Uuid::from_u128(1)),
                ValidationErrors::new(),
            )
            .await
            .unwrap_err();
        assert!(matches!(err, UseCaseError::Denied));

        let mut repo = MockProjectRepository::new();
        with_customer(&mut repo, true, owner());
        repo.expect_create().never();
        let err = projects(repo)
            .create(
                &actor(false),
                named("P"),
                Some(Uuid::from_u128(1)),
                ValidationErrors::new(),
            )
            .await
            .unwrap_err();
        assert!(
            matches!(err, UseCaseError::StateRule(m) if m == "Blocked organization is not available.")
        );

        let mut repo = MockProjectRepository::new();
        with_customer(
            &mut repo,
            false,
            Grants::new(vec![Permission::ProjectCreate]),
        );
        repo.expect_create().never();
        let mut changes = named("P");
        changes.end_date = Some(Some(Utc::now().date_naive()));
        let err = projects(repo)
            .create(
                &actor(false),
                changes,
                Some(Uuid::from_u128(1)),
                ValidationErrors::new(),
            )
            .await
            .unwrap_err();
        assert!(matches!(err, UseCaseError::Denied));
    }

    #[tokio::test]
    async fn non_staff_slugs_are_ignored_and_staff_slugs_kept() {
        for staff in [false, true] {
            let mut repo = MockProjectRepository::new();
            with_customer(&mut repo, false, owner());
            repo.expect_create()
                .withf(move |_, fields, _, _| fields.slug == if staff { "given" } else { "" })
                .returning(|customer_id, fields, _, now| {
                    Ok(Project {
                        id: 1,
                        uuid: Uuid::from_u128(2),
                        customer_id,
                        created: now,
                        modified: now,
                        is_removed: false,
                        fields,
                    })
                });
            let mut changes = named("P");
            changes.slug = Some("given".into());
            projects(repo)
                .create(
                    &actor(staff),
                    changes,
                    Some(Uuid::from_u128(1)),
                    ValidationErrors::new(),
                )
                .await
                .unwrap();
        }
    }

    #[tokio::test]
    async fn update_order_404_403_blocked_validation() {
        let mut repo = MockProjectRepository::new();
        repo.expect_find_visible()
            .returning(|_, _, _, _| Ok((view(true), ProjectGrants::default())));
        repo.expect_update_with().never();
        let err = projects(repo)
            .update(
                &actor(false),
                Uuid::from_u128(9),
                named(""),
                ValidationErrors::new(),
                false,
            )
            .await
            .unwrap_err();
        assert!(
            matches!(err, UseCaseError::Denied),
            "403 before blocked and body"
        );

        let mut repo = MockProjectRepository::new();
        repo.expect_find_visible().returning(|_, _, _, _| {
            Ok((
                view(true),
                ProjectGrants {
                    project: Grants::new(vec![Permission::ProjectUpdate]),
                    customer: Grants::default(),
                },
            ))
        });
        repo.expect_update_with().never();
        let err = projects(repo)
            .update(
                &actor(false),
                Uuid::from_u128(9),
                named(""),
                ValidationErrors::new(),
                false,
            )
            .await
            .unwrap_err();
        assert!(
            matches!(err, UseCaseError::StateRule(_)),
            "blocked before body"
        );
    }

    #[tokio::test]
    async fn a_project_manager_may_not_set_the_end_date() {
        let mut repo = MockProjectRepository::new();
        repo.expect_find_visible().returning(|_, _, _, _| {
            Ok((
                view(false),
                ProjectGrants {
                    project: Grants::new(vec![Permission::ProjectUpdate]),
                    customer: Grants::default(),
                },
            ))
        });
        repo.expect_update_with().never();
        let changes = ProjectChanges {
            end_date: Some(Some(Utc::now().date_naive())),
            ..Default::default()
        };
        let err = projects(repo)
            .update(
                &actor(false),
                Uuid::from_u128(9),
                changes,
                ValidationErrors::new(),
                false,
            )
            .await
            .unwrap_err();
        assert!(matches!(err, UseCaseError::Denied));
    }

    #[tokio::test]
    async fn delete_needs_project_delete_on_the_customer() {
        let mut repo = MockProjectRepository::new();
        repo.expect_find_visible().returning(|_, _, _, _| {
            Ok((
                view(false),
                ProjectGrants {
                    project: Grants::new(vec![Permission::ProjectUpdate]),
                    customer: Grants::default(),
                },
            ))
        });
        repo.expect_soft_delete().never();
        let err = projects(repo)
            .delete(&actor(false), Uuid::from_u128(9))
            .await
            .unwrap_err();
        assert!(matches!(err, UseCaseError::Denied));

        let mut repo = MockProjectRepository::new();
        repo.expect_find_visible().returning(|_, _, _, _| {
            Ok((
                view(false),
                ProjectGrants {
                    project: Grants::default(),
                    customer: owner(),
                },
            ))
        });
        repo.expect_soft_delete()
            .withf(|id, by, _, _| *id == 9 && *by == 5)
            .returning(|_, _, _, _| Ok(()));
        projects(repo)
            .delete(&actor(false), Uuid::from_u128(9))
            .await
            .unwrap();
    }
}
