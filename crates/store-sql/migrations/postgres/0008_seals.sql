-- Electronic seals (电子印章) of the issuing departments: SM2 key pairs. One active key per
-- region; retired keys stay so that notices sealed earlier still verify.
CREATE TABLE seal_keys (
    key_id TEXT PRIMARY KEY,
    region_code TEXT NOT NULL,
    department TEXT NOT NULL,
    public_key TEXT NOT NULL,
    secret TEXT NOT NULL,
    created_at TEXT NOT NULL,
    active INTEGER NOT NULL
);
CREATE UNIQUE INDEX seal_keys_active ON seal_keys(region_code) WHERE active = 1;
