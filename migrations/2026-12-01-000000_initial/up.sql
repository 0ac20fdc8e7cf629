-- Tenancy's initial schema: users and tokens, customers, roles, projects and grants.
-- Text search on customers is backed by pg_trgm GIN indexes (spec 02 §7).

CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE TABLE users (
    id bigserial PRIMARY KEY,
    uuid uuid NOT NULL UNIQUE,
    username text NOT NULL UNIQUE CHECK (length(username) BETWEEN 1 AND 128),
    email text NOT NULL DEFAULT '',
    first_name text NOT NULL DEFAULT '',
    last_name text NOT NULL DEFAULT '',
    native_name text NOT NULL DEFAULT '',
    job_title text NOT NULL DEFAULT '',
    organization text NOT NULL DEFAULT '',
    phone_number text NOT NULL DEFAULT '',
    description text NOT NULL DEFAULT '',
    slug text NOT NULL UNIQUE,
    is_staff boolean NOT NULL DEFAULT false,
    is_support boolean NOT NULL DEFAULT false,
    is_active boolean NOT NULL DEFAULT true,
    notifications_enabled boolean NOT NULL DEFAULT true,
    preferred_language text NOT NULL DEFAULT '',
    token_lifetime integer CHECK (token_lifetime IS NULL OR token_lifetime >= 60),
    date_joined timestamptz NOT NULL,
    agreement_date timestamptz,
    password_hash text,
    modified timestamptz NOT NULL
);

-- API tokens: only the SHA-256 digest of the key is stored (spec 01 §2.1).
CREATE TABLE auth_tokens (
    id bigserial PRIMARY KEY,
    digest bytea NOT NULL UNIQUE CHECK (length(digest) = 32),
    user_id bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created timestamptz NOT NULL,
    last_used timestamptz NOT NULL
);
CREATE INDEX auth_tokens_user_id ON auth_tokens (user_id);

-- Failed logins per (username, client address), shared by every replica (spec 06 §2.1).
CREATE TABLE login_failures (
    username text NOT NULL,
    client_address text NOT NULL,
    failures integer NOT NULL,
    last_failure timestamptz NOT NULL,
    PRIMARY KEY (username, client_address)
);

CREATE TABLE customers (
    id bigserial PRIMARY KEY,
    uuid uuid NOT NULL UNIQUE,
    created timestamptz NOT NULL,
    modified timestamptz NOT NULL,
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 150),
    slug text NOT NULL UNIQUE CHECK (slug <> ''),
    backend_id text NOT NULL DEFAULT '',
    blocked boolean NOT NULL DEFAULT false,
    archived boolean NOT NULL DEFAULT false,
    display_billing_info_in_projects boolean NOT NULL DEFAULT true,
    default_tax_percent numeric(5, 2) NOT NULL DEFAULT 0
        CHECK (default_tax_percent BETWEEN 0 AND 200),
    accounting_start_date timestamptz NOT NULL,
    sponsor_number bigint CHECK (sponsor_number BETWEEN 0 AND 2147483647),
    max_service_accounts integer CHECK (max_service_accounts BETWEEN 0 AND 32767),
    project_metadata_checklist uuid,
    grace_period_days bigint CHECK (grace_period_days BETWEEN 0 AND 2147483647),
    user_email_patterns text[] NOT NULL DEFAULT '{}',
    user_affiliations text[] NOT NULL DEFAULT '{}',
    user_identity_sources text[] NOT NULL DEFAULT '{}',
    native_name text NOT NULL DEFAULT '',
    abbreviation text NOT NULL DEFAULT '',
    description text NOT NULL DEFAULT '',
    contact_details text NOT NULL DEFAULT '',
    agreement_number text NOT NULL DEFAULT '',
    email text NOT NULL DEFAULT '',
    phone_number text NOT NULL DEFAULT '',
    access_subnets text NOT NULL DEFAULT '',
    registration_code text NOT NULL DEFAULT '',
    homepage text NOT NULL DEFAULT '',
    domain text NOT NULL DEFAULT '',
    vat_code text NOT NULL DEFAULT '',
    postal text NOT NULL DEFAULT '',
    address text NOT NULL DEFAULT '',
    bank_name text NOT NULL DEFAULT '',
    latitude double precision CHECK (latitude BETWEEN -90 AND 90),
    longitude double precision CHECK (longitude BETWEEN -180 AND 180),
    bank_account text NOT NULL DEFAULT '',
    country text NOT NULL DEFAULT '',
    notification_emails text NOT NULL DEFAULT '',
    city text NOT NULL DEFAULT '',
    state text NOT NULL DEFAULT '',
    parish text NOT NULL DEFAULT '',
    street text NOT NULL DEFAULT '',
    house_nr text NOT NULL DEFAULT '',
    apartment_nr text NOT NULL DEFAULT '',
    household text NOT NULL DEFAULT '',
    project_slug_template text
);
-- Default list order is lower(name), then name byte-wise, then id (spec 01 §7.4).
CREATE INDEX customers_name_order ON customers (lower(name), name COLLATE "C", id);
CREATE INDEX customers_created ON customers (created);
CREATE INDEX customers_name_trgm ON customers USING gin (name gin_trgm_ops);
CREATE INDEX customers_native_name_trgm ON customers USING gin (native_name gin_trgm_ops);
CREATE INDEX customers_abbreviation_trgm ON customers USING gin (abbreviation gin_trgm_ops);
CREATE INDEX customers_domain_trgm ON customers USING gin (domain gin_trgm_ops);
CREATE INDEX customers_registration_code_trgm ON customers USING gin (registration_code gin_trgm_ops);
CREATE INDEX customers_agreement_number_trgm ON customers USING gin (agreement_number gin_trgm_ops);
CREATE INDEX customers_contact_details_trgm ON customers USING gin (contact_details gin_trgm_ops);

CREATE TABLE roles (
    id bigserial PRIMARY KEY,
    uuid uuid NOT NULL UNIQUE,
    name text NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 150),
    description text NOT NULL DEFAULT '',
    content_type text NOT NULL CHECK (content_type IN ('customer', 'project')),
    is_system_role boolean NOT NULL DEFAULT false,
    is_active boolean NOT NULL DEFAULT true,
    permissions text[] NOT NULL DEFAULT '{}'
);

-- System roles of spec 03 §3.
INSERT INTO roles (uuid, name, description, content_type, is_system_role, permissions) VALUES
    (gen_random_uuid(), 'CUSTOMER.OWNER', 'Organization owner', 'customer', true,
     ARRAY['CUSTOMER.UPDATE', 'CUSTOMER.LIST_USERS', 'PROJECT.LIST', 'PROJECT.CREATE',
           'PROJECT.UPDATE', 'PROJECT.DELETE', 'PROJECT.CREATE_PERMISSION',
           'PROJECT.UPDATE_PERMISSION', 'PROJECT.DELETE_PERMISSION']),
    (gen_random_uuid(), 'CUSTOMER.MANAGER', 'Organization manager', 'customer', true, '{}'),
    (gen_random_uuid(), 'CUSTOMER.SUPPORT', 'Organization support', 'customer', true,
     ARRAY['CUSTOMER.LIST_USERS']),
    (gen_random_uuid(), 'PROJECT.ADMIN', 'Project administrator', 'project', true,
     ARRAY['PROJECT.LIST']),
    (gen_random_uuid(), 'PROJECT.MANAGER', 'Project manager', 'project', true,
     ARRAY['PROJECT.LIST', 'PROJECT.UPDATE', 'PROJECT.CREATE_PERMISSION',
           'PROJECT.UPDATE_PERMISSION', 'PROJECT.DELETE_PERMISSION']),
    (gen_random_uuid(), 'PROJECT.MEMBER', 'Project member', 'project', true,
     ARRAY['PROJECT.LIST']);

CREATE TABLE projects (
    id bigserial PRIMARY KEY,
    uuid uuid NOT NULL UNIQUE,
    customer_id bigint NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 500),
    slug text NOT NULL,
    description text NOT NULL DEFAULT '',
    backend_id text NOT NULL DEFAULT '',
    start_date date,
    end_date date,
    end_date_requested_by bigint REFERENCES users (id) ON DELETE SET NULL,
    end_date_updated_at timestamptz,
    kind text NOT NULL DEFAULT 'default' CHECK (kind IN ('default', 'course', 'public')),
    staff_notes text NOT NULL DEFAULT '',
    grace_period_days bigint CHECK (grace_period_days >= 0),
    is_removed boolean NOT NULL DEFAULT false,
    created timestamptz NOT NULL,
    modified timestamptz NOT NULL,
    UNIQUE (customer_id, slug)
);
CREATE INDEX projects_active_by_customer ON projects (customer_id) WHERE NOT is_removed;

-- Role grants (Waldur's UserRole). Rows are kept after revocation as the role-change log.
CREATE TABLE grants (
    id bigserial PRIMARY KEY,
    uuid uuid NOT NULL UNIQUE,
    user_id bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role_id bigint NOT NULL REFERENCES roles (id),
    customer_id bigint REFERENCES customers (id) ON DELETE CASCADE,
    project_id bigint REFERENCES projects (id) ON DELETE CASCADE,
    created timestamptz NOT NULL,
    created_by bigint REFERENCES users (id) ON DELETE SET NULL,
    expiration_time timestamptz,
    is_active boolean NOT NULL DEFAULT true,
    revoked_at timestamptz,
    revoked_by bigint REFERENCES users (id) ON DELETE SET NULL,
    revoke_reason text NOT NULL DEFAULT '',
    CHECK ((customer_id IS NULL) <> (project_id IS NULL))
);
-- At most one not-revoked grant per (user, role, scope) (spec 03 §4.3).
CREATE UNIQUE INDEX grants_one_current_customer ON grants (user_id, role_id, customer_id)
    WHERE is_active AND customer_id IS NOT NULL;
CREATE UNIQUE INDEX grants_one_current_project ON grants (user_id, role_id, project_id)
    WHERE is_active AND project_id IS NOT NULL;
CREATE INDEX grants_by_customer ON grants (customer_id, user_id) WHERE is_active;
CREATE INDEX grants_by_project ON grants (project_id, user_id) WHERE is_active;
CREATE INDEX grants_by_user ON grants (user_id) WHERE is_active;
