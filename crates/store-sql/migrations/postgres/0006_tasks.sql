-- Tasks (待办): one row per step a person must act on. The workflow engine creates them; the
-- candidate role and region decide whose to-do list shows them.
CREATE TABLE tasks (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL,
    region_code TEXT NOT NULL,
    step TEXT NOT NULL,
    name TEXT NOT NULL,
    candidate_role TEXT NOT NULL,
    assignee TEXT,
    status TEXT NOT NULL,
    outcome TEXT,
    opinion TEXT,
    completed_by TEXT,
    due_on TEXT,
    created_at TEXT NOT NULL,
    completed_at TEXT,
    revision BIGINT NOT NULL,
    -- The workflow engine's task id, for tasks of a BPMN process.
    engine_task BIGINT
);
-- Published processes (BPMN XML), immutable per (key, version).
CREATE TABLE processes (
    key TEXT NOT NULL,
    version BIGINT NOT NULL,
    region_code TEXT NOT NULL,
    xml TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (key, version)
);
CREATE INDEX tasks_open ON tasks(region_code, candidate_role, status);
CREATE INDEX tasks_case ON tasks(case_id, created_at);
