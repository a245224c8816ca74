-- Hardening after review: TOTP replay protection, per-key sign-in serialisation, a unique
-- position per audit entry, and chain heads that only move forward.
ALTER TABLE users ADD COLUMN totp_last_step INTEGER NOT NULL DEFAULT 0;
CREATE TABLE login_locks (
    username TEXT NOT NULL,
    client_ip TEXT NOT NULL,
    PRIMARY KEY (username, client_ip)
);
DROP INDEX audit_entries_chain;
CREATE UNIQUE INDEX audit_entries_chain ON audit_entries(region_code, chain_seq);
CREATE TRIGGER audit_heads_forward_only BEFORE UPDATE ON audit_heads
WHEN NEW.last_seq <= OLD.last_seq
BEGIN SELECT RAISE(ABORT, 'audit chain heads only move forward'); END;
CREATE TRIGGER audit_heads_no_delete BEFORE DELETE ON audit_heads
BEGIN SELECT RAISE(ABORT, 'audit chain heads are never deleted'); END;
