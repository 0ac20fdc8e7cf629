-- Project list filters and ordering (spec 06 §4.7): `name`/`query` icontains use the
-- trigram indexes, the default order `lower(name)`, and the default slug rule scans slugs
-- of all projects by prefix.
CREATE INDEX projects_name_trgm ON projects USING gin (name gin_trgm_ops);
CREATE INDEX projects_slug_trgm ON projects USING gin (slug gin_trgm_ops);
CREATE INDEX projects_lower_name ON projects (lower(name));
CREATE INDEX projects_slug_prefix ON projects (slug text_pattern_ops);
