-- EHR launch (SMART App Launch 2): the Member Portal or the Developer Sandbox asks auth for a
-- launch context (CreateLaunch) and opens the app's launch URL with launch=<id>. Only the SHA-256
-- of the id is kept. A context lives a few minutes, is bound to the client, realm and patient it
-- was made for (and optionally to one member account), and is used up by the first authorization
-- that issues a code with it (used_at).
CREATE TABLE launch_contexts (
  id_hash bytea PRIMARY KEY,
  realm text NOT NULL CHECK (realm IN ('production', 'sandbox')),
  client_id text NOT NULL REFERENCES clients (client_id),
  patient_id text NOT NULL CHECK (patient_id <> ''),
  account_id uuid REFERENCES accounts (id),
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  used_at timestamptz
);
-- Old contexts are swept now and then; codes and requests that named one keep working without it
-- (by then they have long expired themselves).
CREATE INDEX launch_contexts_expiry ON launch_contexts (expires_at);

-- The launch an authorization request carries through login and consent, and then its code, so
-- that the token exchange answers with the launch's patient.
ALTER TABLE authorization_requests
  ADD COLUMN launch_hash bytea REFERENCES launch_contexts (id_hash) ON DELETE SET NULL;
ALTER TABLE authorization_codes
  ADD COLUMN launch_hash bytea REFERENCES launch_contexts (id_hash) ON DELETE SET NULL;
