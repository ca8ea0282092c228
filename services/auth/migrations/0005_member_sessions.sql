-- Members signed in to their connected-apps page ({prefix}/grants). The id is the cookie's value;
-- only its SHA-256 is kept. Sessions end at expires_at or at sign-out.
CREATE TABLE member_sessions (
  id_hash bytea PRIMARY KEY,
  realm text NOT NULL CHECK (realm IN ('production', 'sandbox')),
  account_id uuid NOT NULL REFERENCES accounts (id),
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL
);
CREATE INDEX member_sessions_expiry ON member_sessions (expires_at);
