-- Accounting records: one JSON document per (connection, data type, record id), as served.
--
-- `record_sets` interns (company, data type): every company-scoped list reads one set, and
-- the small integer keeps each index entry short (a company id is 36 bytes of text).
CREATE TABLE record_sets (
    set_id     INTEGER PRIMARY KEY,
    company_id TEXT NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    data_type  TEXT NOT NULL,
    UNIQUE (company_id, data_type)
);

-- `doc` is the document in SQLite's binary JSONB format: `json(doc)` gives back exactly the
-- compact text written (numbers keep their digits, members their order), and the query
-- language's JSON functions read it without parsing text, which is what makes a scan over
-- paths without a key column affordable. The `k_*` columns and `is_deleted` hold precomputed query keys of a few hot paths per
-- data type (see `records::keys`), filled by the writer exactly as the query language reads
-- the document: date-times as UTC milliseconds, numbers as byte-sortable text keys, strings
-- and enums with ASCII letters lowercased. They come before `doc`, so checking them reads the
-- start of a row only.
CREATE TABLE records (
    pk                   INTEGER PRIMARY KEY,
    set_id               INTEGER NOT NULL REFERENCES record_sets (set_id) ON DELETE CASCADE,
    connection_id        TEXT NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    id                   TEXT NOT NULL,
    -- Our last write of the record (fixed-width UTC text), also served as `modifiedDate`.
    modified_date        TEXT NOT NULL,
    -- The document's `sourceModifiedDate` as the source wrote it (any of Codat's forms).
    source_modified_date TEXT,
    -- `metadata.isDeleted` as the query language reads it: 1, 0, or NULL when not a boolean.
    is_deleted           INTEGER,
    -- SHA-256 of the document without `modifiedDate`: unchanged content is not rewritten.
    content_hash         BLOB NOT NULL,
    k_modified           INTEGER,
    k_source_modified    INTEGER,
    k_date1              INTEGER,
    k_date2              INTEGER,
    k_date3              INTEGER,
    k_num1               TEXT,
    k_num2               TEXT,
    k_text1              TEXT,
    k_text2              TEXT,
    k_text3              TEXT,
    doc                  BLOB NOT NULL
);
-- Identity (the upsert's conflict target), the default order (id) and plain counts.
CREATE UNIQUE INDEX records_identity ON records (set_id, id, connection_id);
-- Deleting a connection deletes its records. New rows append (rowids grow).
CREATE INDEX records_connection ON records (connection_id);
-- Sort keys, each ending in id so `ORDER BY key [DESC], id [DESC] LIMIT n` is one index scan.
-- `k_modified` grows with time, so its index also appends.
CREATE INDEX records_modified ON records (set_id, k_modified, id);
CREATE INDEX records_date1 ON records (set_id, k_date1, id);
-- The status-like key with the main date, then the other hot keys: `status=X` ordered by the
-- main date needs no sort, and `status=X` with conditions on these keys is counted from the
-- index alone. (Every index costs the writer about one page per row, so there are few.)
CREATE INDEX records_text1 ON records (set_id, k_text1, k_date1, id, k_num1, k_num2, k_date2);
-- The counterparty (`customerRef.id`, `supplierRef.id`).
CREATE INDEX records_text3 ON records (set_id, k_text3, id);

-- How many records each connection holds in each set, so an unfiltered list (the most common
-- read) counts without visiting a million index entries. The writer adds what it inserts;
-- the trigger takes off whatever is deleted (cascades included), so the counts stay exact.
CREATE TABLE record_counts (
    set_id        INTEGER NOT NULL REFERENCES record_sets (set_id) ON DELETE CASCADE,
    connection_id TEXT NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    records       INTEGER NOT NULL,
    PRIMARY KEY (set_id, connection_id)
);
CREATE INDEX record_counts_connection ON record_counts (connection_id);
CREATE TRIGGER records_uncounted AFTER DELETE ON records BEGIN
    UPDATE record_counts SET records = records - 1
    WHERE set_id = OLD.set_id AND connection_id = OLD.connection_id;
END;
