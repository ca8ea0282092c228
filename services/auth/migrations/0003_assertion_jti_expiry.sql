-- Expired client assertion ids are swept now and then; without an index each sweep would read the
-- whole table, which grows with every backend token request.
CREATE INDEX assertion_jtis_expiry ON assertion_jtis (expires_at);
