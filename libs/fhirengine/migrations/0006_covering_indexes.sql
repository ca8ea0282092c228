-- The value indexes carry the resource id, so the subqueries a search runs on them
-- (`id IN (SELECT id FROM search_token WHERE ...)`) are index-only scans instead of a heap
-- visit per matching row. Measured with bench/directory.sh: broad searches were dominated by
-- those visits.
DROP INDEX search_token_value;
CREATE INDEX search_token_value ON search_token (realm, type, param, code, system) INCLUDE (id);
DROP INDEX search_string_value;
CREATE INDEX search_string_value ON search_string (realm, type, param, norm text_pattern_ops)
  INCLUDE (id);
DROP INDEX search_date_value;
CREATE INDEX search_date_value ON search_date (realm, type, param, lo, hi) INCLUDE (id);
DROP INDEX search_reference_value;
CREATE INDEX search_reference_value ON search_reference (realm, type, param, target_id, target_type)
  INCLUDE (id);
DROP INDEX search_reference_target;
CREATE INDEX search_reference_target ON search_reference (realm, target_type, target_id)
  INCLUDE (type, param, id);
DROP INDEX search_quantity_value;
CREATE INDEX search_quantity_value ON search_quantity (realm, type, param, value) INCLUDE (id);
DROP INDEX search_uri_value;
CREATE INDEX search_uri_value ON search_uri (realm, type, param, uri) INCLUDE (id);
