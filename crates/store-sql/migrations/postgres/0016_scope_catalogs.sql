-- Business-scope catalogues (经营范围规范表述目录) imported from the national file, one row per
-- version with the checked entries as a JSON document; the newest version is in force. Without
-- any row the platform uses the curated list it ships.
CREATE TABLE scope_catalogs (
    version BIGINT PRIMARY KEY,
    label TEXT NOT NULL,
    source TEXT NOT NULL,
    entries BIGINT NOT NULL,
    json TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    imported_by TEXT NOT NULL,
    imported_at TEXT NOT NULL
);
