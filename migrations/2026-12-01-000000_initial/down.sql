DROP TABLE grants;
DROP TABLE projects;
DROP TABLE roles;
DROP TABLE customers;
DROP TABLE login_failures;
DROP TABLE auth_tokens;
DROP TABLE users;
DROP EXTENSION IF EXISTS pg_trgm;
