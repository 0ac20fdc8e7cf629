//! The changes a create, update or partial update asks for, and their validation.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::{CustomerFields, NAME_MAX};
use crate::error::{FieldError, ValidationErrors};
use crate::validate::cidr::AccessSubnets;
use crate::validate::country::CountryCode;
use crate::validate::decimal::parse_fixed_decimal;
use crate::validate::email::{Email, NotificationEmails};
use crate::validate::patterns::EmailPatterns;
use crate::validate::phone::PhoneNumber;
use crate::validate::slug::Slug;
use crate::validate::template::ProjectSlugTemplate;
use crate::validate::url::HttpUrl;
use crate::validate::vat::VatCode;

/// Requested changes to a customer. `None` = key absent (keep the stored value);
/// `Some(None)` on a nullable field = set it to `null`.
///
/// String values arrive trimmed (the wire layer trims, as DRF's `CharField` does).
#[derive(Debug, Clone, Default, PartialEq)]
#[expect(
    missing_docs,
    reason = "each field is the customer field of the same name"
)]
pub struct CustomerChanges {
    pub backend_id: Option<String>,
    pub blocked: Option<bool>,
    pub archived: Option<bool>,
    pub display_billing_info_in_projects: Option<bool>,
    /// Decimal text as sent (a JSON number is converted to its text by the wire layer).
    pub default_tax_percent: Option<String>,
    pub accounting_start_date: Option<DateTime<Utc>>,
    pub sponsor_number: Option<Option<i64>>,
    pub max_service_accounts: Option<Option<i64>>,
    pub project_metadata_checklist: Option<Option<Uuid>>,
    pub grace_period_days: Option<Option<i64>>,
    pub user_email_patterns: Option<Vec<String>>,
    pub user_affiliations: Option<Vec<String>>,
    pub user_identity_sources: Option<Vec<String>>,
    pub name: Option<String>,
    pub slug: Option<String>,
    pub native_name: Option<String>,
    pub abbreviation: Option<String>,
    pub description: Option<String>,
    pub contact_details: Option<String>,
    pub agreement_number: Option<String>,
    pub email: Option<String>,
    pub phone_number: Option<String>,
    pub access_subnets: Option<String>,
    pub registration_code: Option<String>,
    pub homepage: Option<String>,
    pub domain: Option<String>,
    pub vat_code: Option<String>,
    pub postal: Option<String>,
    pub address: Option<String>,
    pub bank_name: Option<String>,
    pub latitude: Option<Option<f64>>,
    pub longitude: Option<Option<f64>>,
    pub bank_account: Option<String>,
    pub country: Option<String>,
    pub notification_emails: Option<String>,
    pub city: Option<String>,
    pub state: Option<String>,
    pub parish: Option<String>,
    pub street: Option<String>,
    pub house_nr: Option<String>,
    pub apartment_nr: Option<String>,
    pub household: Option<String>,
    pub project_slug_template: Option<Option<String>>,
}

const INT_MAX: i64 = 2_147_483_647;

fn max_len(errors: &mut ValidationErrors, field: &str, value: &Option<String>, max: usize) {
    if let Some(v) = value {
        if v.chars().count() > max {
            errors.add(field, FieldError::too_long(max));
        }
    }
}

fn int_range(errors: &mut ValidationErrors, field: &str, value: Option<Option<i64>>, max: i64) {
    if let Some(Some(v)) = value {
        if v < 0 {
            errors.add(field, FieldError::min_value(0));
        } else if v > max {
            errors.add(field, FieldError::max_value(max));
        }
    }
}

fn float_range(errors: &mut ValidationErrors, field: &str, value: Option<Option<f64>>, bound: f64) {
    if let Some(Some(v)) = value {
        if v < -bound {
            errors.add(field, FieldError::min_value(-bound));
        } else if v > bound {
            errors.add(field, FieldError::max_value(bound));
        }
    }
}

/// Checks a non-blank value with a value-object parser; blank passes.
fn blank_or<T>(
    errors: &mut ValidationErrors,
    field: &str,
    value: &Option<String>,
    parse: impl Fn(&str) -> Result<T, FieldError>,
) {
    if let Some(v) = value {
        if !v.is_empty() {
            if let Err(e) = parse(v) {
                errors.add(field, e);
            }
        }
    }
}

/// The keys of a customer request body, in the order of the representation (spec 02 §1),
/// which is the order Waldur's serializer reports field errors in.
pub const REQUEST_FIELDS: &[&str] = &[
    "backend_id",
    "image",
    "blocked",
    "archived",
    "display_billing_info_in_projects",
    "default_tax_percent",
    "accounting_start_date",
    "sponsor_number",
    "max_service_accounts",
    "project_metadata_checklist",
    "grace_period_days",
    "user_email_patterns",
    "user_affiliations",
    "user_identity_sources",
    "name",
    "slug",
    "native_name",
    "abbreviation",
    "description",
    "contact_details",
    "agreement_number",
    "email",
    "phone_number",
    "access_subnets",
    "registration_code",
    "homepage",
    "domain",
    "vat_code",
    "postal",
    "address",
    "bank_name",
    "latitude",
    "longitude",
    "bank_account",
    "country",
    "notification_emails",
    "city",
    "state",
    "parish",
    "street",
    "house_nr",
    "apartment_nr",
    "household",
    "project_slug_template",
];

/// The keys only staff may write (spec 02 §1 column "Write" = S, plus `slug`).
pub const STAFF_ONLY_FIELDS: &[&str] = &[
    "blocked",
    "archived",
    "display_billing_info_in_projects",
    "default_tax_percent",
    "accounting_start_date",
    "sponsor_number",
    "max_service_accounts",
    "project_metadata_checklist",
    "grace_period_days",
    "user_email_patterns",
    "user_affiliations",
    "user_identity_sources",
    "slug",
    "agreement_number",
    "access_subnets",
    "domain",
    "project_slug_template",
];

impl CustomerChanges {
    /// Drops every staff-only key (spec 02 §2.4): for non-staff they are read-only and
    /// silently ignored.
    pub fn without_staff_only_fields(mut self) -> Self {
        self.blocked = None;
        self.archived = None;
        self.display_billing_info_in_projects = None;
        self.default_tax_percent = None;
        self.accounting_start_date = None;
        self.sponsor_number = None;
        self.max_service_accounts = None;
        self.project_metadata_checklist = None;
        self.grace_period_days = None;
        self.user_email_patterns = None;
        self.user_affiliations = None;
        self.user_identity_sources = None;
        self.slug = None;
        self.agreement_number = None;
        self.access_subnets = None;
        self.domain = None;
        self.project_slug_template = None;
        self
    }

    /// Applies spec 02 §2.2 to every present key and reports all failures at once.
    ///
    /// `name_required` is true for `POST` and `PUT`. `stored_country` is the customer's
    /// current country (for the VAT rule of §2.3), `None` on create.
    ///
    /// # Errors
    /// Every failing field, in the order of the customer representation.
    pub fn validate(
        &self,
        name_required: bool,
        stored_country: Option<&str>,
    ) -> Result<(), ValidationErrors> {
        let mut e = ValidationErrors::new();
        max_len(&mut e, "backend_id", &self.backend_id, 255);
        if let Some(text) = &self.default_tax_percent {
            match parse_fixed_decimal(text, 5, 2) {
                Ok(v) if v < 0 => e.add("default_tax_percent", FieldError::min_value(0)),
                Ok(v) if v > 20_000 => e.add("default_tax_percent", FieldError::max_value(200)),
                Ok(_) => {}
                Err(err) => e.add("default_tax_percent", err),
            }
        }
        int_range(&mut e, "sponsor_number", self.sponsor_number, INT_MAX);
        int_range(
            &mut e,
            "max_service_accounts",
            self.max_service_accounts,
            32_767,
        );
        int_range(&mut e, "grace_period_days", self.grace_period_days, INT_MAX);
        if let Some(patterns) = &self.user_email_patterns {
            if let Err(err) = EmailPatterns::parse(patterns) {
                e.add("user_email_patterns", err);
            }
        }
        match &self.name {
            None if name_required => e.add("name", FieldError::required()),
            Some(n) if n.is_empty() => e.add("name", FieldError::blank()),
            _ => max_len(&mut e, "name", &self.name, NAME_MAX),
        }
        if let Some(slug) = &self.slug {
            if !slug.is_empty() {
                if let Err(err) = Slug::parse(slug) {
                    e.add("slug", err);
                }
            }
        }
        max_len(&mut e, "native_name", &self.native_name, 160);
        max_len(&mut e, "abbreviation", &self.abbreviation, 12);
        max_len(&mut e, "description", &self.description, 2000);
        max_len(&mut e, "contact_details", &self.contact_details, 500);
        max_len(&mut e, "agreement_number", &self.agreement_number, 160);
        if self.email.as_ref().is_some_and(|v| v.chars().count() > 75) {
            max_len(&mut e, "email", &self.email, 75);
        } else {
            blank_or(&mut e, "email", &self.email, Email::parse);
        }
        max_len(&mut e, "phone_number", &self.phone_number, 255);
        blank_or(
            &mut e,
            "phone_number",
            &self.phone_number,
            PhoneNumber::parse,
        );
        if let Some(subnets) = &self.access_subnets {
            if let Err(err) = AccessSubnets::parse(subnets) {
                e.add("access_subnets", err);
            }
        }
        max_len(&mut e, "registration_code", &self.registration_code, 160);
        if self
            .homepage
            .as_ref()
            .is_some_and(|v| v.chars().count() > 255)
        {
            max_len(&mut e, "homepage", &self.homepage, 255);
        } else {
            blank_or(&mut e, "homepage", &self.homepage, HttpUrl::parse);
        }
        max_len(&mut e, "domain", &self.domain, 255);
        if self
            .vat_code
            .as_ref()
            .is_some_and(|v| v.chars().count() > 20)
        {
            max_len(&mut e, "vat_code", &self.vat_code, 20);
        } else {
            let country = self
                .country
                .as_deref()
                .or(stored_country)
                .unwrap_or_default()
                .to_owned();
            blank_or(&mut e, "vat_code", &self.vat_code, |v| {
                VatCode::check(v, &country)
            });
        }
        max_len(&mut e, "postal", &self.postal, 20);
        max_len(&mut e, "address", &self.address, 300);
        max_len(&mut e, "bank_name", &self.bank_name, 150);
        float_range(&mut e, "latitude", self.latitude, 90.0);
        float_range(&mut e, "longitude", self.longitude, 180.0);
        max_len(&mut e, "bank_account", &self.bank_account, 50);
        blank_or(&mut e, "country", &self.country, CountryCode::parse);
        if self
            .notification_emails
            .as_ref()
            .is_some_and(|v| v.chars().count() > 640)
        {
            max_len(
                &mut e,
                "notification_emails",
                &self.notification_emails,
                640,
            );
        } else {
            blank_or(
                &mut e,
                "notification_emails",
                &self.notification_emails,
                NotificationEmails::parse,
            );
        }
        for (field, value) in [
            ("city", &self.city),
            ("state", &self.state),
            ("parish", &self.parish),
            ("house_nr", &self.house_nr),
            ("apartment_nr", &self.apartment_nr),
            ("household", &self.household),
        ] {
            max_len(&mut e, field, value, 100);
        }
        max_len(&mut e, "street", &self.street, 200);
        if let Some(Some(template)) = &self.project_slug_template {
            if template.chars().count() > 255 {
                e.add("project_slug_template", FieldError::too_long(255));
            } else if !template.is_empty() {
                if let Err(err) = ProjectSlugTemplate::parse(template) {
                    e.add("project_slug_template", err);
                }
            }
        }
        e.into_result(())
    }

    /// Writes every present key into `fields`. Call after [`Self::validate`] succeeded.
    ///
    /// A `slug` of `""` is kept empty here: the adapter generates a new one from the name
    /// (spec 02 §5.1), because numbering needs the stored slugs.
    pub fn apply_to(self, f: &mut CustomerFields) {
        fn set<T>(target: &mut T, value: Option<T>) {
            if let Some(v) = value {
                *target = v;
            }
        }
        set(&mut f.backend_id, self.backend_id);
        set(&mut f.blocked, self.blocked);
        set(&mut f.archived, self.archived);
        set(
            &mut f.display_billing_info_in_projects,
            self.display_billing_info_in_projects,
        );
        if let Some(text) = self.default_tax_percent {
            if let Ok(v) = parse_fixed_decimal(&text, 5, 2) {
                f.default_tax_percent = v;
            }
        }
        set(&mut f.accounting_start_date, self.accounting_start_date);
        set(&mut f.sponsor_number, self.sponsor_number);
        set(&mut f.max_service_accounts, self.max_service_accounts);
        set(
            &mut f.project_metadata_checklist,
            self.project_metadata_checklist,
        );
        set(&mut f.grace_period_days, self.grace_period_days);
        set(&mut f.user_email_patterns, self.user_email_patterns);
        set(&mut f.user_affiliations, self.user_affiliations);
        set(&mut f.user_identity_sources, self.user_identity_sources);
        set(&mut f.name, self.name);
        set(&mut f.slug, self.slug);
        set(&mut f.native_name, self.native_name);
        set(&mut f.abbreviation, self.abbreviation);
        set(&mut f.description, self.description);
        set(&mut f.contact_details, self.contact_details);
        set(&mut f.agreement_number, self.agreement_number);
        set(&mut f.email, self.email);
        set(&mut f.phone_number, self.phone_number);
        set(&mut f.access_subnets, self.access_subnets);
        set(&mut f.registration_code, self.registration_code);
        set(&mut f.homepage, self.homepage);
        set(&mut f.domain, self.domain);
        set(&mut f.vat_code, self.vat_code);
        set(&mut f.postal, self.postal);
        set(&mut f.address, self.address);
        set(&mut f.bank_name, self.bank_name);
        set(&mut f.latitude, self.latitude);
        set(&mut f.longitude, self.longitude);
        set(&mut f.bank_account, self.bank_account);
        set(&mut f.country, self.country);
        set(&mut f.notification_emails, self.notification_emails);
        set(&mut f.city, self.city);
        set(&mut f.state, self.state);
        set(&mut f.parish, self.parish);
        set(&mut f.street, self.street);
        set(&mut f.house_nr, self.house_nr);
        set(&mut f.apartment_nr, self.apartment_nr);
        set(&mut f.household, self.household);
        if let Some(template) = self.project_slug_template {
            // `""` is stored as null (spec 02 §2.2).
            f.project_slug_template = template.filter(|t| !t.is_empty());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<Utc> {
        DateTime::from_timestamp(1_700_000_000, 0).unwrap()
    }

    #[test]
    fn name_is_required_on_create_but_not_on_patch() {
        let errors = CustomerChanges::default().validate(true, None).unwrap_err();
        assert!(errors.has("name"));
        assert!(CustomerChanges::default().validate(false, None).is_ok());
    }

    #[test]
    fn every_bad_field_is_reported_at_once() {
        let changes = CustomerChanges {
            name: Some(String::new()),
            email: Some("not-an-email".into()),
            homepage: Some("nope".into()),
            latitude: Some(Some(91.0)),
            abbreviation: Some("x".repeat(13)),
            ..Default::default()
        };
        let errors = changes.validate(true, None).unwrap_err();
        for field in ["name", "email", "homepage", "latitude", "abbreviation"] {
            assert!(errors.has(field), "{field} missing in {errors:?}");
        }
    }

    #[test]
    fn vat_uses_the_stored_country_when_the_body_has_none() {
        let changes = CustomerChanges {
            vat_code: Some("EE123".into()),
            ..Default::default()
        };
        assert!(changes.validate(false, Some("EE")).is_err());
        let good = CustomerChanges {
            vat_code: Some("EE123456789".into()),
            ..Default::default()
        };
        assert!(good.validate(false, Some("EE")).is_ok());
    }

    #[test]
    fn staff_only_fields_are_dropped_for_others() {
        let changes = CustomerChanges {
            domain: Some("x.org".into()),
            blocked: Some(true),
            name: Some("New".into()),
            ..Default::default()
        }
        .without_staff_only_fields();
        assert_eq!(changes.domain, None);
        assert_eq!(changes.blocked, None);
        assert_eq!(changes.name.as_deref(), Some("New"));
    }

    #[test]
    fn apply_keeps_absent_fields_and_stores_blank_template_as_null() {
        let mut fields = CustomerFields::new("Old".into(), now());
        fields.city = "Tartu".into();
        fields.project_slug_template = Some("{customer_slug}".into());
        CustomerChanges {
            name: Some("New".into()),
            project_slug_template: Some(Some(String::new())),
            default_tax_percent: Some("12.5".into()),
            ..Default::default()
        }
        .apply_to(&mut fields);
        assert_eq!(fields.name, "New");
        assert_eq!(fields.city, "Tartu");
        assert_eq!(fields.project_slug_template, None);
        assert_eq!(fields.default_tax_percent, 1250);
    }

    #[test]
    fn tax_percent_bounds() {
        for (text, ok) in [("0", true), ("200", true), ("200.01", false), ("-1", false)] {
            let changes = CustomerChanges {
                default_tax_percent: Some(text.into()),
                ..Default::default()
            };
            assert_eq!(changes.validate(false, None).is_ok(), ok, "{text}");
        }
    }
}
