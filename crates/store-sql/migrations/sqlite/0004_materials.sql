-- Uploaded material files: one row per upload (owner, name); the bytes are content-addressed in
-- the blob store, so identical files are stored once.
CREATE TABLE material_files (
    id TEXT PRIMARY KEY,
    owner_id TEXT NOT NULL,
    region_code TEXT NOT NULL,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    size INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    blob_key TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX material_files_owner ON material_files(owner_id, created_at);
CREATE INDEX material_files_sha256 ON material_files(sha256);
