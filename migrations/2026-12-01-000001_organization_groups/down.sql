DROP TABLE customer_organization_groups;
DROP TABLE organization_groups;
