-- Team lists filter full names without accents on either side, as Waldur does
-- (spec 03 §5.1 `full_name`). `unaccent` is a trusted extension (PostgreSQL 13+), so a
-- database owner may create it.
CREATE EXTENSION IF NOT EXISTS unaccent;
