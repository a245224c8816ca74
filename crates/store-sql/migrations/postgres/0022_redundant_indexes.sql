-- Two indexes that other indexes begin with: tasks_open_department (0013) serves every lookup
-- of tasks_open, and certificates_holder_type (0021) every lookup of certificates_holder.
-- Each was written on every task step and certificate issued, for nothing.
DROP INDEX IF EXISTS tasks_open;
DROP INDEX IF EXISTS certificates_holder;
