-- The service-item catalog. Item standards, local elements and proposals are stored as JSON
-- documents of the domain types; the columns beside them are for filtering and concurrency.
CREATE TABLE item_versions (
    code TEXT NOT NULL,
    version BIGINT NOT NULL,
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
    revision BIGINT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (code, region_code)
);
CREATE INDEX implementations_region ON implementations(region_code);
CREATE TABLE proposals (
    id TEXT PRIMARY KEY,
    region_code TEXT NOT NULL,
    status TEXT NOT NULL,
    json TEXT NOT NULL,
    revision BIGINT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX proposals_status ON proposals(status, created_at);
-- Published versions are immutable.
CREATE FUNCTION item_versions_immutable() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'published item versions are immutable';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER item_versions_immutable BEFORE UPDATE ON item_versions
FOR EACH ROW EXECUTE FUNCTION item_versions_immutable();
