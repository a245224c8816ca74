-- Expiry reminders (无感提醒) of certificates: one row per certificate version and threshold
-- (days before expiry), so each threshold fires exactly once whichever node scans; the
-- deliveries through each channel (in-app, log, SMS and e-mail webhooks) are kept with it.
CREATE TABLE cert_reminders (
    identifier TEXT NOT NULL,
    threshold INTEGER NOT NULL,
    region_code TEXT NOT NULL,
    holder_id TEXT NOT NULL,
    valid_until TEXT NOT NULL,
    created_at TEXT NOT NULL,
    deliveries TEXT NOT NULL,
    PRIMARY KEY (identifier, threshold)
);
