-- Who read what: one row per access to member data by an app (a request that carried an OAuth
-- client), written in the request that made it, so a member can be shown who read their record.
-- outcome is the gRPC status code (0 OK). Kept apart from the resources: never part of a search.
CREATE TABLE audit_event (
  id bigserial PRIMARY KEY,
  at timestamptz NOT NULL DEFAULT now(),
  realm smallint NOT NULL,
  client_id text NOT NULL,
  user_id text NOT NULL,
  patient text NOT NULL,
  interaction text NOT NULL,
  type text NOT NULL,
  resources text[] NOT NULL,
  query text NOT NULL,
  outcome smallint NOT NULL,
  request_id text NOT NULL
);
CREATE INDEX audit_event_patient ON audit_event (realm, patient, at DESC, id DESC);
CREATE INDEX audit_event_client ON audit_event (client_id, at DESC);
