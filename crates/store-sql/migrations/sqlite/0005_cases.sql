-- Cases (办件). The case document (form, materials, timeline, clock) is JSON of the domain
-- record; the columns beside it are for lookups, scoping and concurrency.
CREATE TABLE cases (
    id TEXT PRIMARY KEY,
    number TEXT NOT NULL UNIQUE,
    region_code TEXT NOT NULL,
    item_code TEXT NOT NULL,
    item_version INTEGER NOT NULL,
    applicant_id TEXT NOT NULL,
    status TEXT NOT NULL,
    idempotency_key TEXT NOT NULL,
    json TEXT NOT NULL,
    revision INTEGER NOT NULL,
    submitted_at TEXT NOT NULL,
    UNIQUE (applicant_id, idempotency_key)
);
CREATE INDEX cases_applicant ON cases(applicant_id, submitted_at);
CREATE INDEX cases_region_status ON cases(region_code, status);
-- The daily case-number sequence per region.
CREATE TABLE case_sequences (
    region_code TEXT NOT NULL,
    day TEXT NOT NULL,
    last INTEGER NOT NULL,
    PRIMARY KEY (region_code, day)
);
