-- The by-resource indexes (used to replace a resource's rows, and by the planner to probe one
-- candidate's values when another condition drives a search) carry the parameter and its
-- values, so a probe is index-only instead of a visit to the table per candidate
-- (bench/directory.sh: specialty + location.address-city went from 282 ms, mostly such visits).
DROP INDEX search_token_resource;
CREATE INDEX search_token_resource ON search_token (realm, type, id, param) INCLUDE (code, system);
DROP INDEX search_string_resource;
CREATE INDEX search_string_resource ON search_string (realm, type, id, param) INCLUDE (norm);
DROP INDEX search_date_resource;
CREATE INDEX search_date_resource ON search_date (realm, type, id, param) INCLUDE (lo, hi);
DROP INDEX search_reference_resource;
CREATE INDEX search_reference_resource ON search_reference (realm, type, id, param)
  INCLUDE (target_type, target_id);
DROP INDEX search_quantity_resource;
CREATE INDEX search_quantity_resource ON search_quantity (realm, type, id, param) INCLUDE (value);
DROP INDEX search_uri_resource;
CREATE INDEX search_uri_resource ON search_uri (realm, type, id, param) INCLUDE (uri);
