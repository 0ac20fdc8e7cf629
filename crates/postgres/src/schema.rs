//! Diesel table definitions, matching `migrations/` (kept by hand; the migration round-trip
//! test and the adapter tests catch drift).
#![allow(missing_docs)]

diesel::table! {
    users (id) {
        id -> Int8,
        uuid -> Uuid,
        username -> Text,
        email -> Text,
        first_name -> Text,
        last_name -> Text,
        native_name -> Text,
        job_title -> Text,
        organization -> Text,
        phone_number -> Text,
        description -> Text,
        slug -> Text,
        is_staff -> Bool,
        is_support -> Bool,
        is_active -> Bool,
        notifications_enabled -> Bool,
        preferred_language -> Text,
        token_lifetime -> Nullable<Int4>,
        date_joined -> Timestamptz,
        agreement_date -> Nullable<Timestamptz>,
        password_hash -> Nullable<Text>,
        modified -> Timestamptz,
    }
}

diesel::table! {
    auth_tokens (id) {
        id -> Int8,
        digest -> Bytea,
        user_id -> Int8,
        created -> Timestamptz,
        last_used -> Timestamptz,
    }
}

diesel::table! {
    login_failures (username, client_address) {
        username -> Text,
        client_address -> Text,
        failures -> Int4,
        last_failure -> Timestamptz,
    }
}

diesel::table! {
    customers (id) {
        id -> Int8,
        uuid -> Uuid,
        created -> Timestamptz,
        modified -> Timestamptz,
        name -> Text,
        slug -> Text,
        backend_id -> Text,
        blocked -> Bool,
        archived -> Bool,
        display_billing_info_in_projects -> Bool,
        default_tax_percent -> Numeric,
        accounting_start_date -> Timestamptz,
        sponsor_number -> Nullable<Int8>,
        max_service_accounts -> Nullable<Int4>,
        project_metadata_checklist -> Nullable<Uuid>,
        grace_period_days -> Nullable<Int8>,
        user_email_patterns -> Array<Text>,
        user_affiliations -> Array<Text>,
        user_identity_sources -> Array<Text>,
        native_name -> Text,
        abbreviation -> Text,
        description -> Text,
        contact_details -> Text,
        agreement_number -> Text,
        email -> Text,
        phone_number -> Text,
        access_subnets -> Text,
        registration_code -> Text,
        homepage -> Text,
        domain -> Text,
        vat_code -> Text,
        postal -> Text,
        address -> Text,
        bank_name -> Text,
        latitude -> Nullable<Float8>,
        longitude -> Nullable<Float8>,
        bank_account -> Text,
        country -> Text,
        notification_emails -> Text,
        city -> Text,
        state -> Text,
        parish -> Text,
        street -> Text,
        house_nr -> Text,
        apartment_nr -> Text,
        household -> Text,
        project_slug_template -> Nullable<Text>,
    }
}

diesel::table! {
    roles (id) {
        id -> Int8,
        uuid -> Uuid,
        name -> Text,
        description -> Text,
        content_type -> Text,
        is_system_role -> Bool,
        is_active -> Bool,
        permissions -> Array<Text>,
    }
}

diesel::table! {
    projects (id) {
        id -> Int8,
        uuid -> Uuid,
        customer_id -> Int8,
        name -> Text,
        slug -> Text,
        description -> Text,
        backend_id -> Text,
        start_date -> Nullable<Date>,
        end_date -> Nullable<Date>,
        end_date_requested_by -> Nullable<Int8>,
        end_date_updated_at -> Nullable<Timestamptz>,
        kind -> Text,
        staff_notes -> Text,
        grace_period_days -> Nullable<Int8>,
        is_removed -> Bool,
        created -> Timestamptz,
        modified -> Timestamptz,
    }
}

diesel::table! {
    grants (id) {
        id -> Int8,
        uuid -> Uuid,
        user_id -> Int8,
        role_id -> Int8,
        customer_id -> Nullable<Int8>,
        project_id -> Nullable<Int8>,
        created -> Timestamptz,
        created_by -> Nullable<Int8>,
        expiration_time -> Nullable<Timestamptz>,
        is_active -> Bool,
        revoked_at -> Nullable<Timestamptz>,
        revoked_by -> Nullable<Int8>,
        revoke_reason -> Text,
    }
}

diesel::joinable!(auth_tokens -> users (user_id));
diesel::joinable!(projects -> customers (customer_id));
diesel::joinable!(grants -> roles (role_id));

diesel::allow_tables_to_appear_in_same_query!(
    users,
    auth_tokens,
    login_failures,
    customers,
    roles,
    projects,
    grants,
);

diesel::table! {
    organization_groups (id) {
        id -> Int8,
        uuid -> Uuid,
        name -> Text,
        parent_id -> Nullable<Int8>,
        created -> Timestamptz,
        modified -> Timestamptz,
    }
}

diesel::table! {
    customer_organization_groups (customer_id, organization_group_id) {
        customer_id -> Int8,
        organization_group_id -> Int8,
    }
}

diesel::allow_tables_to_appear_in_same_query!(
    organization_groups,
    customer_organization_groups,
    customers,
);
