-- Partner systems (utility companies, other government systems): registered clients with an
-- app key and an HMAC secret, the nonces they used (replays are refused), the progress reports
-- already applied (idempotency), and the outbox of webhook deliveries to them.
CREATE TABLE partners (
    key TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    app_key TEXT NOT NULL UNIQUE,
    secret TEXT NOT NULL,
    webhook_url TEXT,
    active BIGINT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE partner_nonces (
    app_key TEXT NOT NULL,
    nonce TEXT NOT NULL,
    used_at TEXT NOT NULL,
    PRIMARY KEY (app_key, nonce)
);
CREATE TABLE partner_events (
    partner_key TEXT NOT NULL,
    idempotency_key TEXT NOT NULL,
    case_id TEXT NOT NULL,
    applied_at TEXT NOT NULL,
    PRIMARY KEY (partner_key, idempotency_key)
);
CREATE TABLE deliveries (
    id TEXT PRIMARY KEY,
    partner_key TEXT NOT NULL,
    event TEXT NOT NULL,
    case_id TEXT NOT NULL,
    idempotency_key TEXT NOT NULL UNIQUE,
    body TEXT NOT NULL,
    status TEXT NOT NULL,
    attempts BIGINT NOT NULL,
    next_attempt_at TEXT NOT NULL,
    locked_until TEXT,
    last_error TEXT,
    created_at TEXT NOT NULL,
    delivered_at TEXT
);
CREATE INDEX deliveries_due ON deliveries(status, next_attempt_at);
CREATE INDEX deliveries_partner ON deliveries(partner_key, created_at);
