-- When each data type of each connection is next synced on schedule (`syncSchedule` hours).
-- A scheduler tick reads only the rows that are due, through `sync_schedules_due`, so its
-- cost follows what is due, not how many companies there are.
CREATE TABLE sync_schedules (
    connection_id TEXT NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    data_type     TEXT NOT NULL,
    company_id    TEXT NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    next_run_at   TEXT NOT NULL,
    PRIMARY KEY (connection_id, data_type)
);
CREATE INDEX sync_schedules_due ON sync_schedules (next_run_at);
