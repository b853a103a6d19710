-- Which worker holds each connection: only the holder runs the connection's datasets (one at a
-- time, in the order they were queued), so only it refreshes the connection's tokens and spends
-- its rate budget. A worker takes the lease when it claims a dataset of the connection, renews
-- it with every heartbeat, and keeps it after the dataset ends until it expires, so the
-- connection's next dataset goes to the same worker. A dead worker's lease expires.
CREATE TABLE connection_leases (
    connection_id TEXT PRIMARY KEY NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    owner         TEXT NOT NULL,
    expires       TEXT NOT NULL
);
CREATE INDEX connection_leases_owner ON connection_leases (owner);

-- When a worker last claimed the dataset (its run started), for the pull history's audit.
ALTER TABLE datasets ADD COLUMN claimed TEXT;
