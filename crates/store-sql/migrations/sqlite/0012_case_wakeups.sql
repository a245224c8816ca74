-- Durable workflow timers: when a case's process next needs waking (its earliest due timer),
-- and until when a node holds that wake-up (claimed with FOR UPDATE SKIP LOCKED on PostgreSQL),
-- so the timer scan reads only due cases and no two nodes fire the same one.
ALTER TABLE cases ADD COLUMN wake_at TEXT;
ALTER TABLE cases ADD COLUMN wake_lease TEXT;
CREATE INDEX cases_wake ON cases(wake_at);
