-- The department (部门) a task belongs to, e.g. `370202-jtj`: staff of a department see and act
-- on the tasks of their department and on tasks of none (NULL: acceptance at the comprehensive
-- window, and tasks stored before departments routed work). The open-task list filters on it.
ALTER TABLE tasks ADD COLUMN department_id TEXT;
CREATE INDEX tasks_open_department ON tasks(region_code, candidate_role, status, department_id);
