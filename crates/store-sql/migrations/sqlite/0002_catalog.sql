-- The service-item catalog. Item standards, local elements and proposals are stored as JSON
-- documents of the domain types; the columns beside them are for filtering and concurrency.
CREATE TABLE item_versions (
    code TEXT NOT NULL,
    version INTEGER NOT NULL,
    region_code TEXT NOT NULL,
    state TEXT NOT NULL,
    effective_from TEXT NOT NULL,
    name TEXT NOT NULL,
    json TEXT NOT NULL,
    proposal_id TEXT NOT NULL,
    published_by TEXT NOT NULL,
    published_at TEXT NOT NULL,
    PRIMARY KEY (code, version)
);
CREATE TABLE implementations (
    code TEXT NOT NULL,
    region_code TEXT NOT NULL,
    json TEXT NOT NULL,
    revision INTEGER NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (code, region_code)
);
CREATE INDEX implementations_region ON implementations(region_code);
CREATE TABLE proposals (
    id TEXT PRIMARY KEY,
    region_code TEXT NOT NULL,
    status TEXT NOT NULL,
    json TEXT NOT NULL,
    revision INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX proposals_status ON proposals(status, created_at);
-- Published versions are immutable.
CREATE TRIGGER item_versions_immutable BEFORE UPDATE ON item_versions
BEGIN SELECT RAISE(ABORT, 'published item versions are immutable'); END;
