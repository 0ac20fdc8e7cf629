-- Organization groups (spec 04): a forest over parent_id, and customers' memberships.

CREATE TABLE organization_groups (
    id bigserial PRIMARY KEY,
    uuid uuid NOT NULL UNIQUE,
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 150),
    -- Deleting a group deletes its whole subtree (spec 04 §4.3).
    parent_id bigint REFERENCES organization_groups (id) ON DELETE CASCADE,
    created timestamptz NOT NULL,
    modified timestamptz NOT NULL,
    CHECK (parent_id IS DISTINCT FROM id)
);
CREATE INDEX organization_groups_parent ON organization_groups (parent_id);
CREATE INDEX organization_groups_name_order ON organization_groups (lower(name), name COLLATE "C", id);
CREATE INDEX organization_groups_name_trgm ON organization_groups USING gin (name gin_trgm_ops);

CREATE TABLE customer_organization_groups (
    customer_id bigint NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    organization_group_id bigint NOT NULL REFERENCES organization_groups (id) ON DELETE CASCADE,
    PRIMARY KEY (customer_id, organization_group_id)
);
CREATE INDEX customer_organization_groups_group ON customer_organization_groups (organization_group_id);
