-- Every change to a client row is announced on the channel '<schema>_clients' with the client id
-- as payload, when its transaction commits. Each auth replica caches client rows for the token
-- endpoint and drops an entry as soon as this notification arrives, so a suspension, a secret
-- rotation or new keys take effect on every replica at once, whoever made the change (the admin
-- API of any replica, or an operator with SQL).
CREATE FUNCTION notify_client_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify(TG_TABLE_SCHEMA || '_clients',
                    CASE WHEN TG_OP = 'DELETE' THEN OLD.client_id ELSE NEW.client_id END);
  RETURN NULL;
END
$$;
CREATE TRIGGER clients_notify AFTER INSERT OR UPDATE OR DELETE ON clients
  FOR EACH ROW EXECUTE FUNCTION notify_client_change();
