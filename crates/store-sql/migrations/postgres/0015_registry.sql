-- Shared-data registries (共享数据源) served by the platform itself: the demo registries
-- loaded by `shenpi demo`, or copies imported from other systems. One row per record, its
-- fields as JSON; `name` is kept apart for look-ups by name (e.g. duplicate company names).
CREATE TABLE registry_records (
    kind TEXT NOT NULL,
    key TEXT NOT NULL,
    region_code TEXT NOT NULL,
    name TEXT NOT NULL,
    data TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (kind, key)
);
CREATE INDEX registry_records_name ON registry_records (kind, name);
