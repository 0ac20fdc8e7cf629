//! The customer port and the customer use cases (spec 02).

use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use tenancy_domain::customer::{
    check_delete, Customer, CustomerChanges, CustomerFields, REQUEST_FIELDS, STAFF_ONLY_FIELDS,
};
use tenancy_domain::error::{DomainError, FieldError, ValidationErrors};
use tenancy_domain::org_group::OrganizationGroup;
use tenancy_domain::policy::{self, Grants};
use tenancy_domain::user::Actor;
use tracing::instrument;
use uuid::Uuid;

use crate::error::{RepoError, UseCaseError};
use crate::org_groups::OrgGroups;
use crate::paging::{Page, PageRequest};
use crate::users::UserRepository;

/// The model name in 404 texts.
pub const MODEL: &str = "Customer";

/// A customer as one viewer sees it: the stored state plus the viewer-dependent counts of
/// spec 02 §3.2–3.3.
#[derive(Debug, Clone, PartialEq)]
pub struct CustomerView {
    /// The stored customer.
    pub customer: Customer,
    /// Active projects the viewer may count.
    pub projects_count: i64,
    /// Distinct active users holding effective grants the viewer may count.
    pub users_count: i64,
    /// The groups the customer belongs to, ordered by name (spec 04 §7.2).
    pub organization_groups: Vec<OrganizationGroup>,
}

/// The list filters of spec 02 §6.1 (all combine with AND). Text values are non-empty.
#[derive(Debug, Clone, Default, PartialEq)]
#[expect(
    missing_docs,
    reason = "each field is the query parameter of the same name"
)]
pub struct CustomerFilters {
    pub name: Option<String>,
    pub name_exact: Option<String>,
    pub native_name: Option<String>,
    pub abbreviation: Option<String>,
    pub contact_details: Option<String>,
    pub registration_code: Option<String>,
    pub agreement_number: Option<String>,
    pub backend_id: Option<String>,
    pub slug: Option<String>,
    pub archived: Option<bool>,
    /// Substring of several columns, or the uuid when the text is one.
    pub query: Option<String>,
    pub accounting_is_running: Option<bool>,
    /// `Some(true)`: customers with resources; `Some(false)`: without.
    pub has_resources: Option<bool>,
    /// Customers using offerings of this provider (a malformed value is dropped by the
    /// HTTP layer, as Waldur does).
    pub service_provider_uuid: Option<Uuid>,
    /// Only `true` is applied.
    pub is_service_provider: bool,
    /// Only `true` is applied.
    pub is_call_managing_organization: bool,
    /// Direct members of any of these groups (resolved by [`Customers::list`]).
    pub organization_group_uuid: Vec<Uuid>,
    /// Members of a group whose name contains this (icontains).
    pub organization_group_name: Option<String>,
    /// Only customers the caller owns (an effective `CUSTOMER.OWNER` grant; staff too).
    pub owned_by_current_user: bool,
    /// Only customers where a customer grant of the caller carries `PROJECT.CREATE`
    /// (cleared for staff by [`Customers::list`]).
    pub current_user_has_project_create_permission: bool,
    /// Only customers where the caller holds a customer grant of one of these roles
    /// (names, or UUIDs in any accepted form).
    pub current_user_has_role: Vec<String>,
    /// Only customers this user can see: `Some(None)` for a malformed UUID (matches
    /// nothing, as in Waldur).
    pub user_uuid: Option<Option<Uuid>>,
}

/// A sort key of the customer list (spec 02 §6.1 `o`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[expect(missing_docs, reason = "each variant is the `o` key of the same name")]
pub enum CustomerOrderKey {
    Abbreviation,
    AccountingStartDate,
    AgreementNumber,
    ContactDetails,
    Created,
    Description,
    Name,
    NativeName,
    RegistrationCode,
}

impl CustomerOrderKey {
    /// The key named `name` in `o`, if it is one.
    pub fn from_name(name: &str) -> Option<Self> {
        Some(match name {
            "abbreviation" => Self::Abbreviation,
            "accounting_start_date" => Self::AccountingStartDate,
            "agreement_number" => Self::AgreementNumber,
            "contact_details" => Self::ContactDetails,
            "created" => Self::Created,
            "description" => Self::Description,
            "name" => Self::Name,
            "native_name" => Self::NativeName,
            "registration_code" => Self::RegistrationCode,
            _ => return None,
        })
    }
}

/// One ordering term: a key and whether it is descending.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OrderTerm<K> {
    /// The key.
    pub key: K,
    /// `-key`.
    pub descending: bool,
}

/// A customer list request.
#[derive(Debug, Clone, PartialEq)]
pub struct CustomerQuery {
    /// Filters.
    pub filters: CustomerFilters,
    /// Ordering; empty = by name.
    pub order: Vec<OrderTerm<CustomerOrderKey>>,
    /// Which page.
    pub page: PageRequest,
    /// The request time (for `accounting_is_running` and grant expiry).
    pub now: DateTime<Utc>,
}

/// Read-modify-write step: receives the locked stored customer, returns its new fields.
///
/// Also receives what the viewer's effective grants carry on the customer, read in the
/// same transaction, so a permission revoked meanwhile is noticed (spec 03 §8).
pub type CustomerUpdate =
    Box<dyn FnOnce(&Customer, &Grants) -> Result<CustomerFields, RepoError> + Send>;

/// Delete check: receives the locked customer and its number of active projects.
pub type CustomerDeleteCheck = Box<dyn FnOnce(&Customer, i64) -> Result<(), DomainError> + Send>;

/// Storage of customers.
#[cfg_attr(feature = "testing", mockall::automock)]
#[async_trait]
pub trait CustomerRepository: Send + Sync {
    /// One page of the customers `viewer` may see (spec 02 §6.0), filtered and ordered,
    /// with their counts, in a fixed number of statements whatever the page size.
    ///
    /// # Errors
    /// `Unavailable` when the database is down. A page past the end is not an error: it
    /// comes back empty with the right `total`.
    async fn list(
        &self,
        viewer: &Actor,
        query: &CustomerQuery,
    ) -> Result<Page<CustomerView>, RepoError>;

    /// The customer `uuid` if `viewer` may see it, with the permissions the viewer's
    /// effective grants carry on it at `now`.
    ///
    /// # Errors
    /// `NotFound` when it does not exist or is invisible to `viewer`.
    async fn find_visible(
        &self,
        viewer: &Actor,
        uuid: Uuid,
        now: DateTime<Utc>,
    ) -> Result<(CustomerView, Grants), RepoError>;

    /// Stores a new customer in one transaction. An empty `slug` is generated from the name
    /// (spec 02 §5.1); concurrent creates that race for a generated number retry inside the
    /// adapter and never surface.
    ///
    /// # Errors
    /// `Conflict { constraint: "customers_slug_key" }` when a given slug is taken.
    async fn create(
        &self,
        fields: CustomerFields,
        now: DateTime<Utc>,
    ) -> Result<Customer, RepoError>;

    /// Locks the customer row, applies `update`, regenerates an emptied slug, writes and
    /// commits — check and write in one transaction, so concurrent updates of different
    /// fields both take effect.
    ///
    /// # Errors
    /// `NotFound` when the row is gone; `Domain` when `update` refuses; `Conflict` for a
    /// taken slug.
    async fn update_with(
        &self,
        id: i64,
        viewer: &Actor,
        now: DateTime<Utc>,
        update: CustomerUpdate,
    ) -> Result<Customer, RepoError>;

    /// Locks the customer row, counts its active projects, runs `check`, then deletes the
    /// customer and everything that belongs only to it, in one transaction (project
    /// creation locks the same row, so the count is exact).
    ///
    /// # Errors
    /// `NotFound` when the row is gone; `Domain` when `check` refuses.
    async fn delete_with(&self, id: i64, check: CustomerDeleteCheck) -> Result<(), RepoError>;
}

/// The customer use cases, built once at start-up.
#[derive(Clone)]
pub struct Customers {
    repo: Arc<dyn CustomerRepository>,
    users: Arc<dyn UserRepository>,
    groups: OrgGroups,
}

fn repo_err(e: RepoError) -> UseCaseError {
    match e {
        RepoError::Conflict { constraint } if constraint.contains("slug") => {
            UseCaseError::Invalid(ValidationErrors::single(
                "slug",
                FieldError::new("organization with this slug already exists."),
            ))
        }
        other => UseCaseError::from_repo(MODEL, other),
    }
}

/// Setting a checklist needs the checklists of spec 05 §6, which this service does not
/// store yet: every UUID names a checklist that does not exist.
fn check_checklist(changes: &CustomerChanges) -> Result<(), ValidationErrors> {
    if let Some(Some(uuid)) = changes.project_metadata_checklist {
        return Err(ValidationErrors::single(
            "project_metadata_checklist",
            FieldError::new(format!(
                "Object with uuid={} does not exist.",
                uuid.hyphenated()
            )),
        ));
    }
    Ok(())
}

/// Type errors from the wire layer and the domain rules' messages, in the serializer's
/// field order; a rule's message is added only for fields whose value was readable (a
/// field reported as "Not a valid string." is not also "required").
fn merge_results(
    type_errors: ValidationErrors,
    rules: Result<(), ValidationErrors>,
    checklist: Result<(), ValidationErrors>,
) -> Result<(), UseCaseError> {
    let mut errors = type_errors.clone();
    for result in [rules, checklist] {
        if let Err(e) = result {
            for (field, messages) in e.entries() {
                if !type_errors.has(field) {
                    let mut one = ValidationErrors::new();
                    match messages {
                        tenancy_domain::error::FieldMessages::List(list) => {
                            for m in list {
                                one.add(field, FieldError::new(m.clone()));
                            }
                        }
                        tenancy_domain::error::FieldMessages::Items(items) => {
                            for (i, list) in items {
                                for m in list {
                                    one.add_item(field, *i, FieldError::new(m.clone()));
                                }
                            }
                        }
                    }
                    errors.merge(one);
                }
            }
        }
    }
    errors.sort_by_field_order(REQUEST_FIELDS);
    errors.into_result(()).map_err(UseCaseError::Invalid)
}

impl Customers {
    /// The use cases over these ports.
    pub fn new(
        repo: Arc<dyn CustomerRepository>,
        users: Arc<dyn UserRepository>,
        groups: OrgGroups,
    ) -> Self {
        Self {
            repo,
            users,
            groups,
        }
    }

    /// `GET /api/customers/`. `group_filter` holds the raw `organization_group_uuid`
    /// values; each must name an existing group (spec 04 §7.3).
    ///
    /// # Errors
    /// `Invalid` for a bad group filter, `ServiceUnavailable` when the database is down.
    #[instrument(skip_all, fields(user.uuid = %actor.user_uuid()))]
    pub async fn list(
        &self,
        actor: &Actor,
        mut query: CustomerQuery,
        group_filter: &[String],
    ) -> Result<Page<CustomerView>, UseCaseError> {
        if !group_filter.is_empty() {
            query.filters.organization_group_uuid =
                self.groups.resolve_filter(group_filter).await?;
        }
        // Staff see every customer they could create projects in (spec 02 §6.1).
        if actor.is_staff() {
            query.filters.current_user_has_project_create_permission = false;
        }
        self.repo.list(actor, &query).await.map_err(repo_err)
    }

    /// `GET /api/customers/{uuid}/`.
    ///
    /// # Errors
    /// `NotFound` for unknown or invisible customers.
    #[instrument(skip_all, fields(customer.uuid = %uuid))]
    pub async fn retrieve(&self, actor: &Actor, uuid: Uuid) -> Result<CustomerView, UseCaseError> {
        let (view, _) = self
            .repo
            .find_visible(actor, uuid, Utc::now())
            .await
            .map_err(repo_err)?;
        Ok(view)
    }

    /// `POST /api/customers/` (staff only).
    ///
    /// # Errors
    /// `Denied` for non-staff (before any validation), `Invalid` with every bad field.
    #[instrument(skip_all, fields(user.uuid = %actor.user_uuid()))]
    /// `type_errors` are the body's JSON type errors, reported with the field rules once
    /// the caller is known to be allowed.
    pub async fn create(
        &self,
        actor: &Actor,
        changes: CustomerChanges,
        type_errors: ValidationErrors,
    ) -> Result<CustomerView, UseCaseError> {
        if !policy::can_create_customer(actor) {
            return Err(UseCaseError::Denied);
        }
        merge_results(
            type_errors,
            changes.validate(true, None),
            check_checklist(&changes),
        )?;
        let now = Utc::now();
        let mut changes = changes;
        if changes.domain.is_none() {
            // Waldur's default: the creating user's organization text (spec 02 §6.3).
            let creator = self
                .users
                .find_by_id(actor.user_id())
                .await
                .map_err(|e| UseCaseError::from_repo("User", e))?;
            changes.domain = Some(creator.organization);
        }
        let mut fields = CustomerFields::new(String::new(), now);
        changes.apply_to(&mut fields);
        let customer = self.repo.create(fields, now).await.map_err(repo_err)?;
        tracing::info!(customer.uuid = %customer.uuid, "customer created");
        Ok(CustomerView {
            customer,
            projects_count: 0,
            users_count: 0,
            organization_groups: Vec::new(),
        })
    }

    /// `PUT` (`full = true`) or `PATCH` `/api/customers/{uuid}/`.
    ///
    /// Order of checks (spec 02 §6.4): 404 → 403 → blocked/archived for non-staff (400 list)
    /// → field validation (400) → write.
    ///
    /// # Errors
    /// `NotFound`, `Denied`, `StateRule`, `Invalid`.
    #[instrument(skip_all, fields(customer.uuid = %uuid))]
    pub async fn update(
        &self,
        actor: &Actor,
        uuid: Uuid,
        changes: CustomerChanges,
        type_errors: ValidationErrors,
        full: bool,
    ) -> Result<CustomerView, UseCaseError> {
        let now = Utc::now();
        let (view, grants) = self
            .repo
            .find_visible(actor, uuid, now)
            .await
            .map_err(repo_err)?;
        if !policy::can_update_customer(actor, &grants) {
            return Err(UseCaseError::Denied);
        }
        let (changes, mut type_errors) = (changes, type_errors);
        let changes = if policy::may_write_staff_only_fields(actor) {
            changes
        } else {
            // Read-only for this caller: ignored, type errors included (spec 02 §2.4).
            type_errors.retain(|field| !STAFF_ONLY_FIELDS.contains(&field));
            changes.without_staff_only_fields()
        };
        let staff = actor.is_staff();
        if !staff {
            view.customer.fields.ensure_available()?;
        }
        merge_results(
            type_errors,
            changes.validate(full, Some(&view.customer.fields.country)),
            check_checklist(&changes),
        )?;
        let decider = actor.clone();
        let update: CustomerUpdate = Box::new(move |stored: &Customer, grants: &Grants| {
            // Re-checked on the locked row: the grant may have been revoked or the
            // customer blocked meanwhile.
            if !policy::can_update_customer(&decider, grants) {
                return Err(RepoError::Refused(Box::new(UseCaseError::Denied)));
            }
            if !staff {
                stored.fields.ensure_available()?;
            }
            changes
                .validate(full, Some(&stored.fields.country))
                .map_err(DomainError::Invalid)?;
            let mut fields = stored.fields.clone();
            changes.apply_to(&mut fields);
            Ok(fields)
        });
        self.repo
            .update_with(view.customer.id, actor, now, update)
            .await
            .map_err(repo_err)?;
        let (view, _) = self
            .repo
            .find_visible(actor, uuid, now)
            .await
            .map_err(repo_err)?;
        Ok(view)
    }

    /// `DELETE /api/customers/{uuid}/` (staff only; spec 02 §6.5).
    ///
    /// # Errors
    /// `NotFound`, `Denied`, `StateRule` (blocked/archived), `Conflict` (active projects).
    #[instrument(skip_all, fields(customer.uuid = %uuid))]
    pub async fn delete(&self, actor: &Actor, uuid: Uuid) -> Result<(), UseCaseError> {
        let (view, _) = self
            .repo
            .find_visible(actor, uuid, Utc::now())
            .await
            .map_err(repo_err)?;
        if !policy::can_delete_customer(actor) {
            return Err(UseCaseError::Denied);
        }
        let check: CustomerDeleteCheck =
            Box::new(|customer: &Customer, active| check_delete(&customer.fields, active));
        self.repo
            .delete_with(view.customer.id, check)
            .await
            .map_err(repo_err)?;
        tracing::info!(customer.uuid = %uuid, "customer deleted");
        Ok(())
    }
}
