-- Hardening after review: TOTP replay protection, per-key sign-in serialisation, a unique
-- position per audit entry, chain heads that only move forward, no TRUNCATE of the audit log.
ALTER TABLE users ADD COLUMN totp_last_step BIGINT NOT NULL DEFAULT 0;
CREATE TABLE login_locks (
    username TEXT NOT NULL,
    client_ip TEXT NOT NULL,
    PRIMARY KEY (username, client_ip)
);
DROP INDEX audit_entries_chain;
CREATE UNIQUE INDEX audit_entries_chain ON audit_entries(region_code, chain_seq);
CREATE FUNCTION audit_heads_forward_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'audit chain heads are never deleted';
    END IF;
    IF NEW.last_seq <= OLD.last_seq THEN
        RAISE EXCEPTION 'audit chain heads only move forward';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_heads_forward_only BEFORE UPDATE OR DELETE ON audit_heads
FOR EACH ROW EXECUTE FUNCTION audit_heads_forward_only();
CREATE TRIGGER audit_entries_no_truncate BEFORE TRUNCATE ON audit_entries
FOR EACH STATEMENT EXECUTE FUNCTION audit_entries_append_only();
CREATE TRIGGER audit_heads_no_truncate BEFORE TRUNCATE ON audit_heads
FOR EACH STATEMENT EXECUTE FUNCTION audit_entries_append_only();
