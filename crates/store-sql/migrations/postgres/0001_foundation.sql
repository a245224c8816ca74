-- Foundation schema (PostgreSQL). Timestamps are UTC text `YYYY-MM-DDTHH:MM:SS.ffffffZ`,
-- fixed width so text order is time order. Booleans are 0/1 integers.
CREATE TABLE regions (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    parent TEXT
);
CREATE TABLE departments (
    id TEXT PRIMARY KEY,
    region_code TEXT NOT NULL REFERENCES regions(code),
    name_zh TEXT NOT NULL,
    name_en TEXT NOT NULL
);
CREATE INDEX departments_region ON departments(region_code);
CREATE TABLE service_windows (
    id TEXT PRIMARY KEY,
    region_code TEXT NOT NULL REFERENCES regions(code),
    department_id TEXT NOT NULL REFERENCES departments(id),
    number TEXT NOT NULL,
    name TEXT NOT NULL
);
CREATE TABLE users (
    id TEXT PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    kind TEXT NOT NULL,
    roles TEXT NOT NULL,
    region_code TEXT NOT NULL,
    department_id TEXT,
    password_hash TEXT NOT NULL,
    id_number TEXT,
    mobile TEXT,
    uscc TEXT,
    enterprise_name TEXT,
    disabled BIGINT NOT NULL DEFAULT 0,
    totp_secret TEXT,
    totp_enabled BIGINT NOT NULL DEFAULT 0,
    totp_exempt BIGINT NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    password_changed_at TEXT NOT NULL
);
CREATE INDEX users_region ON users(region_code);
CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id),
    channel TEXT NOT NULL,
    csrf_token TEXT NOT NULL,
    client_ip TEXT NOT NULL,
    created_at TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);
CREATE TABLE login_failures (
    id TEXT PRIMARY KEY,
    username TEXT NOT NULL,
    client_ip TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX login_failures_user ON login_failures(username, at);
CREATE TABLE security_alerts (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    subject TEXT NOT NULL,
    details TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE TABLE calendar_years (
    year BIGINT PRIMARY KEY,
    json TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    updated_by TEXT
);
CREATE TABLE blobs (
    hash TEXT PRIMARY KEY,
    size BIGINT NOT NULL,
    content BYTEA NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE audit_heads (
    region_code TEXT PRIMARY KEY,
    last_seq BIGINT NOT NULL,
    last_hash TEXT NOT NULL
);
CREATE TABLE audit_entries (
    id TEXT PRIMARY KEY,
    region_code TEXT NOT NULL,
    chain_seq BIGINT NOT NULL,
    at TEXT NOT NULL,
    actor_id TEXT,
    actor_name TEXT,
    action TEXT NOT NULL,
    object_type TEXT NOT NULL,
    object_id TEXT NOT NULL,
    client_ip TEXT,
    outcome TEXT NOT NULL,
    details TEXT NOT NULL,
    trace_id TEXT,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX audit_entries_chain ON audit_entries(region_code, chain_seq);
CREATE INDEX audit_entries_at ON audit_entries(at);
-- The audit log is append-only: the platform never updates or deletes an entry.
CREATE FUNCTION audit_entries_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit log is append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_entries_no_update BEFORE UPDATE OR DELETE ON audit_entries
FOR EACH ROW EXECUTE FUNCTION audit_entries_append_only();
