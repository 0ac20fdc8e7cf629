//! A customer request body → [`CustomerChanges`]: JSON types here, field rules in the
//! domain.

use serde_json::{Map, Value};
use tenancy_domain::customer::CustomerChanges;
use tenancy_domain::error::{FieldError, ValidationErrors};

use crate::form::Form;

/// Reads every known key of a `CustomerRequest`/`PatchedCustomerRequest` body; unknown and
/// read-only keys are ignored. Type errors are returned together; the domain rules run
/// later, in the use case, so that permission is checked first.
pub fn changes(map: &Map<String, Value>) -> (CustomerChanges, ValidationErrors) {
    let mut f = Form::new(map);
    let changes = CustomerChanges {
        backend_id: f.string("backend_id"),
        blocked: f.boolean("blocked"),
        archived: f.boolean("archived"),
        display_billing_info_in_projects: f.boolean("display_billing_info_in_projects"),
        default_tax_percent: f.decimal_text("default_tax_percent"),
        accounting_start_date: f.datetime("accounting_start_date"),
        sponsor_number: f.nullable_integer("sponsor_number"),
        max_service_accounts: f.nullable_integer("max_service_accounts"),
        project_metadata_checklist: f.nullable_uuid("project_metadata_checklist"),
        grace_period_days: f.nullable_integer("grace_period_days"),
        user_email_patterns: f.string_list("user_email_patterns"),
        user_affiliations: f.string_list("user_affiliations"),
        user_identity_sources: f.string_list("user_identity_sources"),
        name: f.string("name"),
        slug: f.string("slug"),
        native_name: f.string("native_name"),
        abbreviation: f.string("abbreviation"),
        description: f.string("description"),
        contact_details: f.string("contact_details"),
        agreement_number: f.string("agreement_number"),
        email: f.string("email"),
        phone_number: f.string("phone_number"),
        access_subnets: f.string("access_subnets"),
        registration_code: f.string("registration_code"),
        homepage: f.string("homepage"),
        domain: f.string("domain"),
        vat_code: f.string("vat_code"),
        postal: f.string("postal"),
        address: f.string("address"),
        bank_name: f.string("bank_name"),
        latitude: f.nullable_number("latitude"),
        longitude: f.nullable_number("longitude"),
        bank_account: f.string("bank_account"),
        country: f.string("country"),
        notification_emails: f.string("notification_emails"),
        city: f.string("city"),
        state: f.string("state"),
        parish: f.string("parish"),
        street: f.string("street"),
        house_nr: f.string("house_nr"),
        apartment_nr: f.string("apartment_nr"),
        household: f.string("household"),
        project_slug_template: f.nullable_string("project_slug_template"),
    };
    // No images are stored: `null` is accepted and ignored, anything else is not a file.
    if matches!(f.value("image"), Some(v) if !v.is_null()) {
        f.add(
            "image",
            FieldError::new(
                "The submitted data was not a file. Check the encoding type on the form.",
            ),
        );
    }
    (changes, f.finish())
}
