-- Accounts, OAuth clients, grants and what hangs off a grant (codes, refresh tokens), the
-- revocation feed the gateways follow, and the audit log. realm is 'production' or 'sandbox'.
-- Secrets are never stored in the clear: passwords as argon2id PHC strings, client secrets sealed
-- with AES-256-GCM (bound to the client id), codes and refresh tokens as SHA-256 digests.

CREATE TABLE accounts (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  kind text NOT NULL CHECK (kind IN ('member', 'vendor', 'reviewer')),
  -- Members belong to one realm; vendors and reviewers to none ('').
  realm text NOT NULL DEFAULT '' CHECK (realm IN ('', 'production', 'sandbox')),
  username text NOT NULL CHECK (username <> ''),
  password_hash text NOT NULL,
  patient_id text,
  created_at timestamptz NOT NULL DEFAULT now(),
  CHECK ((kind = 'member') = (realm <> '')),
  CHECK ((kind = 'member') = (patient_id IS NOT NULL))
);
-- Usernames are case-insensitive and unique per kind and realm.
CREATE UNIQUE INDEX accounts_login ON accounts (kind, realm, lower(username));

CREATE TABLE clients (
  client_id text PRIMARY KEY,
  name text NOT NULL CHECK (name <> ''),
  type text NOT NULL CHECK (type IN ('confidential', 'public', 'backend')),
  secret_sealed bytea,
  redirect_uris text[] NOT NULL DEFAULT '{}',
  launch_url text NOT NULL DEFAULT '',
  scopes text NOT NULL DEFAULT '',
  realms text[] NOT NULL DEFAULT '{sandbox}' CHECK ('sandbox' = ANY (realms)),
  status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended')),
  status_reason text NOT NULL DEFAULT '',
  jwks text,
  owner_account_id uuid REFERENCES accounts (id),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CHECK ((type = 'confidential') = (secret_sealed IS NOT NULL)),
  CHECK ((type = 'backend') = (jwks IS NOT NULL))
);
CREATE INDEX clients_owner ON clients (owner_account_id);

-- A member's consent to a client in a realm. Re-authorizing updates the active grant.
CREATE TABLE grants (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  realm text NOT NULL CHECK (realm IN ('production', 'sandbox')),
  account_id uuid NOT NULL REFERENCES accounts (id),
  client_id text NOT NULL REFERENCES clients (client_id),
  scopes text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  revoked_at timestamptz,
  revoked_reason text NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX grants_active ON grants (realm, account_id, client_id) WHERE revoked_at IS NULL;
CREATE INDEX grants_client ON grants (client_id);

-- Single-use, short-lived; bound to client, redirect URI and PKCE challenge.
CREATE TABLE authorization_codes (
  code_hash bytea PRIMARY KEY,
  grant_id uuid NOT NULL REFERENCES grants (id),
  client_id text NOT NULL,
  redirect_uri text NOT NULL,
  code_challenge text NOT NULL,
  scopes text NOT NULL,
  nonce text NOT NULL DEFAULT '',
  expires_at timestamptz NOT NULL,
  used_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX authorization_codes_expiry ON authorization_codes (expires_at);

-- Rotated on every use; a family is the chain of rotations from one code, and presenting a
-- rotated-away token revokes the whole family (reuse detection).
CREATE TABLE refresh_tokens (
  token_hash bytea PRIMARY KEY,
  grant_id uuid NOT NULL REFERENCES grants (id),
  family_id uuid NOT NULL,
  scopes text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  rotated_at timestamptz,
  revoked_at timestamptz
);
CREATE INDEX refresh_tokens_grant ON refresh_tokens (grant_id);
CREATE INDEX refresh_tokens_family ON refresh_tokens (family_id);

-- What gateways must refuse before the tokens expire by themselves: a grant, a client, or one
-- access token (by jti). seq orders the feed; rows older than the longest access-token lifetime
-- can go.
CREATE TABLE revocations (
  seq bigserial PRIMARY KEY,
  kind text NOT NULL CHECK (kind IN ('grant', 'client', 'token')),
  subject text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- Every issuance, refusal, revocation and administrative change. No secrets, no PHI.
CREATE TABLE audit_log (
  id bigserial PRIMARY KEY,
  at timestamptz NOT NULL DEFAULT now(),
  event text NOT NULL,
  realm text NOT NULL DEFAULT '',
  client_id text NOT NULL DEFAULT '',
  account_id text NOT NULL DEFAULT '',
  grant_id text NOT NULL DEFAULT '',
  detail text NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_at ON audit_log (at);
