-- The OAuth flow's short-lived state. An authorization request waits here between authorize,
-- login and consent; it is bound to the browser that started it (browser_hash: the SHA-256 of a
-- SameSite cookie), so another site cannot post the login or consent forms for it.
CREATE TABLE authorization_requests (
  id_hash bytea PRIMARY KEY,
  browser_hash bytea NOT NULL,
  realm text NOT NULL CHECK (realm IN ('production', 'sandbox')),
  client_id text NOT NULL REFERENCES clients (client_id),
  redirect_uri text NOT NULL,
  scopes text NOT NULL,
  state text NOT NULL,
  code_challenge text NOT NULL,
  nonce text NOT NULL DEFAULT '',
  account_id uuid REFERENCES accounts (id),
  expires_at timestamptz NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX authorization_requests_expiry ON authorization_requests (expires_at);

-- Login attempts, for throttling per account name and per address. Failures only matter.
CREATE TABLE login_attempts (
  id bigserial PRIMARY KEY,
  at timestamptz NOT NULL DEFAULT now(),
  realm text NOT NULL,
  username text NOT NULL,
  address text NOT NULL,
  success boolean NOT NULL
);
CREATE INDEX login_attempts_username ON login_attempts (realm, username, at);
CREATE INDEX login_attempts_address ON login_attempts (address, at);

-- What a code issued, so that presenting it twice revokes exactly that (RFC 6749 §4.1.2).
ALTER TABLE authorization_codes ADD COLUMN access_jti text NOT NULL DEFAULT '';
ALTER TABLE authorization_codes ADD COLUMN refresh_family uuid;

-- Client assertion ids already seen (private_key_jwt replay protection), until they expire.
CREATE TABLE assertion_jtis (
  client_id text NOT NULL,
  jti text NOT NULL,
  expires_at timestamptz NOT NULL,
  PRIMARY KEY (client_id, jti)
);
