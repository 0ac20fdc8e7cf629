//! The organization-group port and use cases (spec 04).

use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use tenancy_domain::error::{FieldError, ValidationErrors};
use tenancy_domain::org_group::{GroupChanges, OrganizationGroup, FIELD_ORDER};
use tenancy_domain::user::Actor;
use tracing::instrument;
use uuid::Uuid;

use crate::customers::OrderTerm;
use crate::error::{RepoError, UseCaseError};
use crate::paging::{Page, PageRequest};

/// The model name in 404 texts.
pub const MODEL: &str = "OrganizationGroup";

/// The body key of `update_organization_groups`.
pub const MEMBERSHIP_KEY: &str = "organization_groups";

/// The body of `update_organization_groups` as read from the wire: per item the group's
/// uuid or the hyperlink's field error; `Err` when the key is missing or not a list.
pub type GroupLinks = Result<Vec<Result<Uuid, FieldError>>, ValidationErrors>;

/// The field error for a hyperlink to a group that does not exist (spec 01 §5.3).
pub fn unknown_group_link() -> FieldError {
    FieldError::new("Invalid hyperlink - Object does not exist.")
}

/// A sort key of the group list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupOrderKey {
    /// `name`
    Name,
    /// `customers_count`
    CustomersCount,
}

impl GroupOrderKey {
    /// The key named `name` in `o`, if it is one.
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "name" => Some(Self::Name),
            "customers_count" => Some(Self::CustomersCount),
            _ => None,
        }
    }
}

/// A group list request (spec 04 §5.1).
#[derive(Debug, Clone, PartialEq)]
pub struct GroupQuery {
    /// `name` icontains.
    pub name: Option<String>,
    /// `name` exact.
    pub name_exact: Option<String>,
    /// Direct children of this group.
    pub parent: Option<Uuid>,
    /// Ordering; empty = by name.
    pub order: Vec<OrderTerm<GroupOrderKey>>,
    /// Which page.
    pub page: PageRequest,
}

/// Storage of organization groups and memberships.
#[cfg_attr(feature = "testing", mockall::automock)]
#[async_trait]
pub trait OrgGroupRepository: Send + Sync {
    /// One page of groups, with parents and counts, in a fixed number of statements.
    ///
    /// # Errors
    /// `Unavailable`.
    async fn list(&self, query: &GroupQuery) -> Result<Page<OrganizationGroup>, RepoError>;

    /// The group `uuid`.
    ///
    /// # Errors
    /// `NotFound`.
    async fn find(&self, uuid: Uuid) -> Result<OrganizationGroup, RepoError>;

    /// Which of `uuids` name no group.
    ///
    /// # Errors
    /// `Unavailable`.
    async fn missing(&self, uuids: &[Uuid]) -> Result<Vec<Uuid>, RepoError>;

    /// Whether the customer `customer` exists (so a bad body on an unknown customer is a
    /// 404, spec 01 §8.3).
    ///
    /// # Errors
    /// `Unavailable`.
    async fn customer_exists(&self, customer: Uuid) -> Result<bool, RepoError>;

    /// Stores a new group under `parent` (a root when `None`).
    ///
    /// # Errors
    /// `Domain(Invalid)` with a `parent` field error when the parent does not exist.
    async fn create(
        &self,
        name: String,
        parent: Option<Uuid>,
        now: DateTime<Utc>,
    ) -> Result<OrganizationGroup, RepoError>;

    /// Applies `changes` in one transaction. A parent change takes the tree lock, re-reads
    /// the new parent's ancestor chain and refuses a cycle with the domain's
    /// `check_parent`, so two concurrent moves can never build a cycle.
    ///
    /// # Errors
    /// `NotFound`; `Domain(Invalid)` with a `parent` field error for an unknown parent or
    /// a cycle.
    async fn update(
        &self,
        uuid: Uuid,
        changes: GroupChanges,
        now: DateTime<Utc>,
    ) -> Result<OrganizationGroup, RepoError>;

    /// Deletes the group, its whole subtree and their memberships, in one transaction.
    ///
    /// # Errors
    /// `NotFound`.
    async fn delete(&self, uuid: Uuid) -> Result<(), RepoError>;

    /// Replaces the customer's memberships with exactly `groups`, in one transaction.
    ///
    /// # Errors
    /// `NotFound` for an unknown customer; `Domain(Invalid)` keyed by item index for
    /// groups that do not exist (then nothing changes).
    async fn set_customer_groups(&self, customer: Uuid, groups: Vec<Uuid>)
        -> Result<(), RepoError>;
}

/// The group use cases.
#[derive(Clone)]
pub struct OrgGroups {
    repo: Arc<dyn OrgGroupRepository>,
}

fn repo_err(e: RepoError) -> UseCaseError {
    UseCaseError::from_repo(MODEL, e)
}

/// Writes are staff-only, and decided before any lookup (spec 04 §5).
fn ensure_staff(actor: &Actor) -> Result<(), UseCaseError> {
    if tenancy_domain::policy::can_manage_organization_groups(actor) {
        Ok(())
    } else {
        Err(UseCaseError::Denied)
    }
}

impl OrgGroups {
    /// The use cases over `repo`.
    pub fn new(repo: Arc<dyn OrgGroupRepository>) -> Self {
        Self { repo }
    }

    /// `GET /api/organization-groups/` (anyone, anonymous included).
    ///
    /// # Errors
    /// `ServiceUnavailable`.
    pub async fn list(&self, query: &GroupQuery) -> Result<Page<OrganizationGroup>, UseCaseError> {
        self.repo.list(query).await.map_err(repo_err)
    }

    /// `GET /api/organization-groups/{uuid}/`.
    ///
    /// # Errors
    /// `NotFound`.
    pub async fn retrieve(&self, uuid: Uuid) -> Result<OrganizationGroup, UseCaseError> {
        self.repo.find(uuid).await.map_err(repo_err)
    }

    /// `POST /api/organization-groups/` (staff).
    ///
    /// # Errors
    /// `Denied`, `Invalid`.
    #[instrument(skip_all)]
    pub async fn create(
        &self,
        actor: &Actor,
        changes: GroupChanges,
        type_errors: ValidationErrors,
    ) -> Result<OrganizationGroup, UseCaseError> {
        ensure_staff(actor)?;
        self.validate(&changes, type_errors, true).await?;
        let name = changes.name.unwrap_or_default();
        let parent = changes.parent.flatten();
        self.repo
            .create(name, parent, Utc::now())
            .await
            .map_err(repo_err)
    }

    /// `PUT` (`full`) or `PATCH` `/api/organization-groups/{uuid}/` (staff). `uuid` is
    /// `None` when the path segment is not a UUID: still 403 for non-staff, then 404.
    ///
    /// # Errors
    /// `Denied`, `NotFound`, `Invalid` (including cycles).
    #[instrument(skip_all)]
    pub async fn update(
        &self,
        actor: &Actor,
        uuid: Option<Uuid>,
        changes: GroupChanges,
        type_errors: ValidationErrors,
        full: bool,
    ) -> Result<OrganizationGroup, UseCaseError> {
        ensure_staff(actor)?;
        let uuid = uuid.ok_or(UseCaseError::NotFound(MODEL))?;
        self.repo.find(uuid).await.map_err(repo_err)?;
        self.validate(&changes, type_errors, full).await?;
        self.repo
            .update(uuid, changes, Utc::now())
            .await
            .map_err(repo_err)
    }

    /// `DELETE /api/organization-groups/{uuid}/` (staff): the subtree goes too.
    ///
    /// # Errors
    /// `Denied`, `NotFound`.
    #[instrument(skip_all)]
    pub async fn delete(&self, actor: &Actor, uuid: Option<Uuid>) -> Result<(), UseCaseError> {
        ensure_staff(actor)?;
        let uuid = uuid.ok_or(UseCaseError::NotFound(MODEL))?;
        self.repo.delete(uuid).await.map_err(repo_err)
    }

    /// `POST /api/customers/{uuid}/update_organization_groups/` (staff; spec 04 §7.1):
    /// replaces the customer's groups. `groups` are the resolved hyperlinks item by item,
    /// or the error of a body without a list.
    ///
    /// # Errors
    /// `Denied` (before the lookup), `NotFound` (customer, before any body error),
    /// `Invalid` with every item's error at once.
    #[instrument(skip_all)]
    pub async fn set_customer_groups(
        &self,
        actor: &Actor,
        customer: Option<Uuid>,
        groups: GroupLinks,
    ) -> Result<(), UseCaseError> {
        ensure_staff(actor)?;
        let not_found = || UseCaseError::NotFound(crate::customers::MODEL);
        let customer = customer.ok_or_else(not_found)?;
        let groups = match groups {
            Ok(items) if items.iter().all(Result::is_ok) => {
                items.into_iter().flatten().collect::<Vec<_>>()
            }
            invalid => {
                if !self
                    .repo
                    .customer_exists(customer)
                    .await
                    .map_err(repo_err)?
                {
                    return Err(not_found());
                }
                return Err(UseCaseError::Invalid(self.link_errors(invalid).await?));
            }
        };
        // Duplicates collapse in the adapter, which reports unknown groups by their index.
        self.repo
            .set_customer_groups(customer, groups)
            .await
            .map_err(|e| UseCaseError::from_repo(crate::customers::MODEL, e))?;
        tracing::info!(customer.uuid = %customer, "organization groups replaced");
        Ok(())
    }

    /// Every item error of a membership body with at least one unreadable link: the
    /// hyperlink errors plus "does not exist" for readable links to no group.
    async fn link_errors(&self, groups: GroupLinks) -> Result<ValidationErrors, UseCaseError> {
        let items = match groups {
            Err(errors) => return Ok(errors),
            Ok(items) => items,
        };
        let readable: Vec<Uuid> = items
            .iter()
            .filter_map(|r| r.as_ref().ok().copied())
            .collect();
        let missing = self.repo.missing(&readable).await.map_err(repo_err)?;
        let mut errors = ValidationErrors::new();
        for (index, item) in items.into_iter().enumerate() {
            match item {
                Err(error) => errors.add_item(MEMBERSHIP_KEY, index, error),
                Ok(uuid) if missing.contains(&uuid) => {
                    errors.add_item(MEMBERSHIP_KEY, index, unknown_group_link());
                }
                Ok(_) => {}
            }
        }
        Ok(errors)
    }

    /// The field rules plus the wire's type errors, all at once (spec 01 §8.2). When
    /// something already failed, an unknown parent is reported with it; otherwise the
    /// adapter checks the parent (and cycles) inside its transaction.
    async fn validate(
        &self,
        changes: &GroupChanges,
        type_errors: ValidationErrors,
        name_required: bool,
    ) -> Result<(), UseCaseError> {
        let mut errors = type_errors;
        if let Err(mut rule_errors) = changes.validate(name_required) {
            rule_errors.retain(|field| !errors.has(field));
            errors.merge(rule_errors);
        }
        if errors.is_empty() {
            return Ok(());
        }
        if let Some(Some(parent)) = changes.parent {
            if !errors.has("parent")
                && !self
                    .repo
                    .missing(&[parent])
                    .await
                    .map_err(repo_err)?
                    .is_empty()
            {
                errors.add("parent", unknown_group_link());
            }
        }
        errors.sort_by_field_order(FIELD_ORDER);
        Err(UseCaseError::Invalid(errors))
    }

    /// Checks the `organization_group_uuid` filter of the customer list: every value must
    /// be a UUID of an existing group (spec 04 §7.3).
    ///
    /// # Errors
    /// `Invalid` keyed by the parameter name, naming the first bad value.
    pub async fn resolve_filter(&self, values: &[String]) -> Result<Vec<Uuid>, UseCaseError> {
        let choice_error = |v: &str| {
            UseCaseError::Invalid(ValidationErrors::single(
                "organization_group_uuid",
                FieldError::new(format!(
                    "Select a valid choice. {v} is not one of the available choices."
                )),
            ))
        };
        let mut uuids = Vec::with_capacity(values.len());
        for value in values {
            match tenancy_domain::validate::uuid::parse_uuid(value) {
                Some(u) => uuids.push(u),
                None => return Err(choice_error(value)),
            }
        }
        let missing = self.repo.missing(&uuids).await.map_err(repo_err)?;
        if let Some(first) = values
            .iter()
            .zip(&uuids)
            .find(|(_, u)| missing.contains(u))
            .map(|(v, _)| v)
        {
            return Err(choice_error(first));
        }
        Ok(uuids)
    }
}
