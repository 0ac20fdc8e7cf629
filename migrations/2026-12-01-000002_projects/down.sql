DROP INDEX projects_slug_prefix;
DROP INDEX projects_lower_name;
DROP INDEX projects_slug_trgm;
DROP INDEX projects_name_trgm;
