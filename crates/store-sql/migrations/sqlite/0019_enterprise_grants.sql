-- One licence for the city (一照通城): whom an enterprise authorises, through its electronic
-- business licence, to act for it — agents (办事人) who apply in its name and certificate
-- managers (证照管理员) who hold and show its certificates. A revoked grant keeps its row.
CREATE TABLE enterprise_grants (
    uscc TEXT NOT NULL,
    username TEXT NOT NULL,
    role TEXT NOT NULL,
    region_code TEXT NOT NULL,
    granted_by TEXT NOT NULL,
    granted_at TEXT NOT NULL,
    revoked_at TEXT,
    PRIMARY KEY (uscc, username, role)
);
CREATE INDEX enterprise_grants_user ON enterprise_grants(username);
