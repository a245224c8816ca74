-- Proactive cases (无感审批): offered by the platform when a registry change or a coming expiry
-- concerns a valid certificate; nothing changes until the holder confirms (继续办理). One open
-- offer per certificate version and kind.
CREATE TABLE proactive_cases (
    id TEXT PRIMARY KEY,
    identifier TEXT NOT NULL,
    kind TEXT NOT NULL,
    holder_id TEXT NOT NULL,
    region_code TEXT NOT NULL,
    status TEXT NOT NULL,
    data TEXT NOT NULL,
    created_at TEXT NOT NULL,
    decided_at TEXT,
    revision INTEGER NOT NULL
);
CREATE UNIQUE INDEX proactive_cases_open ON proactive_cases(identifier, kind) WHERE status = 'offered';
CREATE INDEX proactive_cases_holder ON proactive_cases(holder_id, created_at);
