-- Bundles (一件事 / 一事全办): configuration documents, and bundle cases — one application for
-- the items of a bundle, whose sub-cases are ordinary cases that point back at it.
CREATE TABLE bundles (
    code TEXT PRIMARY KEY,
    json TEXT NOT NULL,
    revision BIGINT NOT NULL,
    updated_by TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE TABLE bundle_cases (
    id TEXT PRIMARY KEY,
    number TEXT NOT NULL UNIQUE,
    bundle_code TEXT NOT NULL,
    applicant_id TEXT NOT NULL,
    region_code TEXT NOT NULL,
    idempotency_key TEXT NOT NULL,
    json TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (applicant_id, idempotency_key)
);
