-- Business rules (业务规则): GoRules JDM documents with their stored test cases, one row per
-- version; a version is never changed.
CREATE TABLE rules (
    key TEXT NOT NULL,
    version INTEGER NOT NULL,
    name TEXT NOT NULL,
    purpose TEXT NOT NULL,
    document TEXT NOT NULL,
    tests TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (key, version)
);
