//! The customer (organization): its stored state, the changes a request may make, and the
//! rules that validate them.
//!
//! A request body becomes a [`CustomerChanges`] in the wire layer (JSON types only);
//! [`CustomerChanges::validate`] then applies Waldur's field rules and collects every
//! failure; [`CustomerChanges::apply_to`] produces the new state.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::error::DomainError;
use crate::validate::country::country_name;

/// Longest customer name, after trimming.
pub const NAME_MAX: usize = 150;

/// The stored, editable state of a customer (the non-computed fields of spec 02 §1).
///
/// Fields are public because this is a record of stored values; every way the service
/// changes it goes through [`CustomerChanges::validate`].
#[derive(Debug, Clone, PartialEq)]
pub struct CustomerFields {
    /// Organization name, 1–150 characters.
    pub name: String,
    /// URL-friendly unique identifier; staff-only.
    pub slug: String,
    /// Identifier in another application.
    pub backend_id: String,
    /// Staff-only freeze flag.
    pub blocked: bool,
    /// Staff-only archive flag.
    pub archived: bool,
    /// Stored only.
    pub display_billing_info_in_projects: bool,
    /// Tax percent in hundredths (`1250` = 12.50 %), 0 … 20000.
    pub default_tax_percent: i64,
    /// Start of accounting.
    pub accounting_start_date: DateTime<Utc>,
    /// External sponsor id.
    pub sponsor_number: Option<i64>,
    /// Stored only.
    pub max_service_accounts: Option<i64>,
    /// UUID of a project-metadata checklist.
    pub project_metadata_checklist: Option<Uuid>,
    /// Extra days after a project's end date.
    pub grace_period_days: Option<i64>,
    /// Regular expressions restricting who may be granted roles.
    pub user_email_patterns: Vec<String>,
    /// Affiliations restricting who may be granted roles.
    pub user_affiliations: Vec<String>,
    /// Identity sources restricting who may be granted roles.
    pub user_identity_sources: Vec<String>,
    /// Name in the native language.
    pub native_name: String,
    /// Short name; becomes the display name when set.
    pub abbreviation: String,
    /// Free text.
    pub description: String,
    /// Free text.
    pub contact_details: String,
    /// Staff-only.
    pub agreement_number: String,
    /// Blank or a valid address.
    pub email: String,
    /// Blank or a phone number.
    pub phone_number: String,
    /// Comma-separated CIDR list; staff-only.
    pub access_subnets: String,
    /// Registration code.
    pub registration_code: String,
    /// Blank or a valid URL.
    pub homepage: String,
    /// Staff-only.
    pub domain: String,
    /// VAT number.
    pub vat_code: String,
    /// Postal code.
    pub postal: String,
    /// Address.
    pub address: String,
    /// Bank name.
    pub bank_name: String,
    /// −90 … 90.
    pub latitude: Option<f64>,
    /// −180 … 180.
    pub longitude: Option<f64>,
    /// Bank account.
    pub bank_account: String,
    /// `""` or a code of the country table.
    pub country: String,
    /// Comma-separated e-mail list.
    pub notification_emails: String,
    /// City.
    pub city: String,
    /// State.
    pub state: String,
    /// Parish.
    pub parish: String,
    /// Street.
    pub street: String,
    /// House number.
    pub house_nr: String,
    /// Apartment number.
    pub apartment_nr: String,
    /// Household.
    pub household: String,
    /// Template for project slugs; staff-only.
    pub project_slug_template: Option<String>,
}

impl CustomerFields {
    /// The defaults of spec 02 §1 for a new customer named `name`, created at `now`.
    pub fn new(name: String, now: DateTime<Utc>) -> Self {
        Self {
            name,
            slug: String::new(),
            backend_id: String::new(),
            blocked: false,
            archived: false,
            display_billing_info_in_projects: true,
            default_tax_percent: 0,
            accounting_start_date: now,
            sponsor_number: None,
            max_service_accounts: Some(0),
            project_metadata_checklist: None,
            grace_period_days: None,
            user_email_patterns: Vec::new(),
            user_affiliations: Vec::new(),
            user_identity_sources: Vec::new(),
            native_name: String::new(),
            abbreviation: String::new(),
            description: String::new(),
            contact_details: String::new(),
            agreement_number: String::new(),
            email: String::new(),
            phone_number: String::new(),
            access_subnets: String::new(),
            registration_code: String::new(),
            homepage: String::new(),
            domain: String::new(),
            vat_code: String::new(),
            postal: String::new(),
            address: String::new(),
            bank_name: String::new(),
            latitude: None,
            longitude: None,
            bank_account: String::new(),
            country: String::new(),
            notification_emails: String::new(),
            city: String::new(),
            state: String::new(),
            parish: String::new(),
            street: String::new(),
            house_nr: String::new(),
            apartment_nr: String::new(),
            household: String::new(),
            project_slug_template: None,
        }
    }

    /// `abbreviation` if set, else `"<name> (<domain>)"` if a domain is set, else `name`
    /// (Waldur's model rule, spec 02 §3.1).
    pub fn display_name(&self) -> String {
        if !self.abbreviation.is_empty() {
            self.abbreviation.clone()
        } else if !self.domain.is_empty() {
            format!("{} ({})", self.name, self.domain)
        } else {
            self.name.clone()
        }
    }

    /// The English name of `country`, or `None` when no country is set.
    pub fn country_name(&self) -> Option<&'static str> {
        country_name(&self.country)
    }

    /// The state rule for writes by non-staff (spec 02 §4): blocked wins over archived.
    ///
    /// # Errors
    /// [`DomainError::Unavailable`] with Waldur's message when the customer is frozen.
    pub fn ensure_available(&self) -> Result<(), DomainError> {
        ensure_available(self.blocked, self.archived)
    }
}

/// The state rule of spec 02 §4 on the two flags: blocked wins over archived. Used by
/// customer writes and by everything done inside a customer (projects, 06 §4.3–§4.6).
///
/// # Errors
/// [`DomainError::Unavailable`] with Waldur's message when the customer is frozen.
pub fn ensure_available(blocked: bool, archived: bool) -> Result<(), DomainError> {
    if blocked {
        Err(DomainError::Unavailable(
            "Blocked organization is not available.".into(),
        ))
    } else if archived {
        Err(DomainError::Unavailable(
            "Archived organization is not available.".into(),
        ))
    } else {
        Ok(())
    }
}

/// A stored customer.
#[derive(Debug, Clone, PartialEq)]
pub struct Customer {
    /// Internal id (never on the wire).
    pub id: i64,
    /// Public identifier.
    pub uuid: Uuid,
    /// Creation time.
    pub created: DateTime<Utc>,
    /// Stored fields.
    pub fields: CustomerFields,
}

/// Whether the customer may be deleted: staff only (checked by the caller), not while
/// blocked or archived, and not while it has active projects (spec 02 §6.5).
///
/// `active_projects` counts the customer's projects that are active by the one definition
/// of spec 06 §4.1, [`crate::project::is_active_project`] (the adapter counts rows whose
/// `is_removed` equals [`crate::project::ACTIVE_IS_REMOVED`]).
///
/// # Errors
/// [`DomainError::Unavailable`] for a blocked/archived customer, [`DomainError::Conflict`]
/// when `active_projects > 0`.
pub fn check_delete(customer: &CustomerFields, active_projects: i64) -> Result<(), DomainError> {
    customer.ensure_available()?;
    if active_projects > 0 {
        return Err(DomainError::Conflict(
            "Cannot delete organization with existing projects".into(),
        ));
    }
    Ok(())
}

mod changes;
pub use changes::{CustomerChanges, REQUEST_FIELDS, STAFF_ONLY_FIELDS};
