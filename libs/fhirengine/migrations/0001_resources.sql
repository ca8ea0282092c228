-- Resources of every type in one table, current version only; all versions in resource_history.
-- realm: 1 production, 2 sandbox, 3 directory (planapi.fhir.v1.Realm). content is NULL once
-- deleted. Search index tables arrive with search.
CREATE TABLE resource (
  realm smallint NOT NULL,
  type text NOT NULL,
  id text NOT NULL,
  version integer NOT NULL CHECK (version > 0),
  last_updated timestamptz NOT NULL,
  deleted boolean NOT NULL DEFAULT false,
  content jsonb,
  PRIMARY KEY (realm, type, id),
  CHECK (deleted = (content IS NULL))
);
CREATE INDEX resource_type_last_updated ON resource (realm, type, last_updated);

CREATE TABLE resource_history (
  realm smallint NOT NULL,
  type text NOT NULL,
  id text NOT NULL,
  version integer NOT NULL CHECK (version > 0),
  last_updated timestamptz NOT NULL,
  deleted boolean NOT NULL,
  content jsonb,
  PRIMARY KEY (realm, type, id, version),
  CHECK (deleted = (content IS NULL))
);
