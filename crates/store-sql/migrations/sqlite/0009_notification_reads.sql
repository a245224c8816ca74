-- Read state of notifications per reader: a notification addressed to a role pool
-- (role:reviewer@370202) is read by each member on their own, so one member's reading it does
-- not mark it read for the others. The old per-notification column stays for history only.
CREATE TABLE notification_reads (
    notification_id TEXT NOT NULL,
    reader TEXT NOT NULL,
    read_at TEXT NOT NULL,
    PRIMARY KEY (notification_id, reader)
);
INSERT INTO notification_reads (notification_id, reader, read_at)
    SELECT id, recipient, read_at FROM notifications
    WHERE read_at IS NOT NULL AND recipient NOT LIKE 'role:%';
