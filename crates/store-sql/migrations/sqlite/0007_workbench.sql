-- The workbench (统一待办): delegation, co-signers, the chain of steps, copies (抄送),
-- notifications and application drafts.

-- 委派: the user who delegated the task and gets it back when the delegate resolves it.
ALTER TABLE tasks ADD COLUMN owner TEXT;
-- 'step' (a process step) or 'cosign' (加签: a colleague's opinion asked before the step ends).
ALTER TABLE tasks ADD COLUMN kind TEXT NOT NULL DEFAULT 'step';
-- The task whose completion (or, for a co-signer, whose holder) opened this one.
ALTER TABLE tasks ADD COLUMN parent_id TEXT;
CREATE INDEX tasks_parent ON tasks(parent_id);
CREATE INDEX tasks_assignee ON tasks(assignee, status);

-- 抄送: a copy of a task's case sent to a colleague for information.
CREATE TABLE task_copies (
    id TEXT PRIMARY KEY,
    task_id TEXT NOT NULL,
    case_id TEXT NOT NULL,
    recipient TEXT NOT NULL,
    sent_by TEXT NOT NULL,
    note TEXT NOT NULL,
    created_at TEXT NOT NULL,
    read_at TEXT,
    UNIQUE (task_id, recipient)
);
CREATE INDEX task_copies_recipient ON task_copies(recipient, created_at);

-- Notifications in the platform: a recipient is a user name or 'role:<role>@<region>'.
-- A (case, kind) pair with a key fires once: one warning per threshold.
CREATE TABLE notifications (
    id TEXT PRIMARY KEY,
    recipient TEXT NOT NULL,
    case_id TEXT,
    kind TEXT NOT NULL,
    once_key TEXT UNIQUE,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at TEXT NOT NULL,
    read_at TEXT
);
CREATE INDEX notifications_recipient ON notifications(recipient, created_at);

-- Application drafts (草稿) of applicants.
CREATE TABLE case_drafts (
    id TEXT PRIMARY KEY,
    owner_id TEXT NOT NULL,
    item_code TEXT NOT NULL,
    region_code TEXT NOT NULL,
    json TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    revision INTEGER NOT NULL
);
CREATE INDEX case_drafts_owner ON case_drafts(owner_id, updated_at);
