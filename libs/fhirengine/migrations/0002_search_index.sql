-- Search index: rows extracted from each current resource by its search parameters
-- (libs/fhirsearch), written in the transaction that writes the resource and replaced with it.
-- One table per search parameter type, none per resource type. Dates are microseconds since
-- 1970-01-01 UTC with inclusive ends; open ends are the bigint extremes.
CREATE TABLE search_token (
  realm smallint NOT NULL, type text NOT NULL, id text NOT NULL, param text NOT NULL,
  system text NOT NULL, code text NOT NULL, display text NOT NULL
);
CREATE INDEX search_token_value ON search_token (realm, type, param, code, system);
CREATE INDEX search_token_resource ON search_token (realm, type, id);

CREATE TABLE search_string (
  realm smallint NOT NULL, type text NOT NULL, id text NOT NULL, param text NOT NULL,
  norm text NOT NULL, exact text NOT NULL
);
CREATE INDEX search_string_value ON search_string (realm, type, param, norm text_pattern_ops);
CREATE INDEX search_string_resource ON search_string (realm, type, id);

CREATE TABLE search_date (
  realm smallint NOT NULL, type text NOT NULL, id text NOT NULL, param text NOT NULL,
  lo bigint NOT NULL, hi bigint NOT NULL
);
CREATE INDEX search_date_value ON search_date (realm, type, param, lo, hi);
CREATE INDEX search_date_resource ON search_date (realm, type, id);

CREATE TABLE search_reference (
  realm smallint NOT NULL, type text NOT NULL, id text NOT NULL, param text NOT NULL,
  target_type text NOT NULL, target_id text NOT NULL, url text NOT NULL
);
CREATE INDEX search_reference_value ON search_reference (realm, type, param, target_id, target_type);
-- Reverse lookups: _revinclude, _has and "who references this".
CREATE INDEX search_reference_target ON search_reference (realm, target_type, target_id);
CREATE INDEX search_reference_resource ON search_reference (realm, type, id);

CREATE TABLE search_number (
  realm smallint NOT NULL, type text NOT NULL, id text NOT NULL, param text NOT NULL,
  value double precision NOT NULL
);
CREATE INDEX search_number_value ON search_number (realm, type, param, value);
CREATE INDEX search_number_resource ON search_number (realm, type, id);

CREATE TABLE search_quantity (
  realm smallint NOT NULL, type text NOT NULL, id text NOT NULL, param text NOT NULL,
  value double precision NOT NULL, system text NOT NULL, code text NOT NULL, unit text NOT NULL
);
CREATE INDEX search_quantity_value ON search_quantity (realm, type, param, value);
CREATE INDEX search_quantity_resource ON search_quantity (realm, type, id);

CREATE TABLE search_uri (
  realm smallint NOT NULL, type text NOT NULL, id text NOT NULL, param text NOT NULL,
  uri text NOT NULL
);
CREATE INDEX search_uri_value ON search_uri (realm, type, param, uri);
CREATE INDEX search_uri_resource ON search_uri (realm, type, id);

-- The patient compartment (CompartmentDefinition-patient): which resources each patient's
-- compartment holds. Patient-scoped requests are confined by joining on it.
CREATE TABLE compartment (
  realm smallint NOT NULL, patient text NOT NULL, type text NOT NULL, id text NOT NULL,
  PRIMARY KEY (realm, patient, type, id)
);
CREATE INDEX compartment_resource ON compartment (realm, type, id);
