-- Datasets (pull operations): one sync of one data type on one connection. The rows double as
-- the sync engine's jobs: `run_at` says when a worker may take it, `lease_owner` and
-- `lease_expires` who holds it until when.
CREATE TABLE datasets (
    id                 TEXT PRIMARY KEY NOT NULL,
    company_id         TEXT NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    connection_id      TEXT NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    data_type          TEXT NOT NULL,
    status             TEXT NOT NULL,
    status_description TEXT,
    error_message      TEXT,
    requested          TEXT NOT NULL,
    completed          TEXT,
    progress           BIGINT NOT NULL DEFAULT 0,
    run_at             TEXT NOT NULL,
    lease_owner        TEXT,
    lease_expires      TEXT,
    -- On a Complete dataset: where the next incremental fetch of this type starts.
    watermark          TEXT,
    attempts           BIGINT NOT NULL DEFAULT 0
);
-- At most one unfinished dataset per connection and data type: queueing another is a conflict
-- the database itself refuses, whichever API node asks.
CREATE UNIQUE INDEX datasets_one_in_progress ON datasets (connection_id, data_type)
    WHERE status IN ('Initial', 'Queued', 'Fetching', 'MapQueued', 'Mapping', 'ProcessingQueued',
                     'Processing', 'ValidationQueued', 'Validating');
-- History and data status of a company.
CREATE INDEX datasets_company ON datasets (company_id, data_type, requested, id);
CREATE INDEX datasets_company_requested ON datasets (company_id, requested, id);
-- Work that is due: only unfinished rows are indexed, so a worker's poll costs what is due.
CREATE INDEX datasets_due ON datasets (run_at)
    WHERE status IN ('Initial', 'Queued', 'Fetching', 'MapQueued', 'Mapping', 'ProcessingQueued',
                     'Processing', 'ValidationQueued', 'Validating');
