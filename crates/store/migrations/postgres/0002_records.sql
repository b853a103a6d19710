-- Accounting records: one JSON document per (connection, data type, record id), as served.
--
-- `record_sets` interns (company, data type): every company-scoped list reads one set, and
-- the small integer keeps each index entry short.
CREATE TABLE record_sets (
    set_id     BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    company_id TEXT NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    data_type  TEXT NOT NULL,
    UNIQUE (company_id, data_type)
);

-- `doc` is the exact JSON text served to clients. JSONB would not keep it: it reorders keys,
-- respaces, and rewrites numbers such as `1.0E+2` or `-0`. `doc_q` is the same document as
-- JSONB for the query language's paths that have no key column (arrays the schema does not
-- let clients query are left out of it). The `k_*` columns and `is_deleted` hold precomputed
-- query keys of a few hot paths per data type (see `records::keys`), filled by the writer
-- exactly as the query language reads the document. Text keys and ids are `COLLATE "C"`, so
-- they compare bytewise as on SQLite and the indexes serve the lowered comparisons and orders.
CREATE TABLE records (
    set_id               BIGINT NOT NULL REFERENCES record_sets (set_id) ON DELETE CASCADE,
    connection_id        TEXT NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    id                   TEXT COLLATE "C" NOT NULL,
    -- Our last write of the record (fixed-width UTC text), also served as `modifiedDate`.
    modified_date        TEXT NOT NULL,
    -- The document's `sourceModifiedDate` as the source wrote it (any of Codat's forms).
    source_modified_date TEXT,
    -- `metadata.isDeleted` as the query language reads it: true, false, or NULL.
    is_deleted           BOOLEAN,
    -- SHA-256 of the document without `modifiedDate`: unchanged content is not rewritten.
    content_hash         BYTEA NOT NULL,
    k_modified           BIGINT,
    k_source_modified    BIGINT,
    k_date1              BIGINT,
    k_date2              BIGINT,
    k_date3              BIGINT,
    k_num1               TEXT COLLATE "C",
    k_num2               TEXT COLLATE "C",
    k_text1              TEXT COLLATE "C",
    k_text2              TEXT COLLATE "C",
    k_text3              TEXT COLLATE "C",
    doc                  TEXT NOT NULL,
    doc_q                JSONB NOT NULL,
    -- Identity (the upsert's conflict target), the default order (id) and plain counts.
    PRIMARY KEY (set_id, id, connection_id)
);
-- A row too big for a page's fair share (about 2 kB) moves `doc` out of line, uncompressed
-- (read back only for the rows served), before it would compress `doc_q`: scans of `doc_q`
-- then read it in place instead of decompressing it from the TOAST table for every row.
ALTER TABLE records ALTER COLUMN doc SET STORAGE EXTERNAL;
ALTER TABLE records ALTER COLUMN doc_q SET STORAGE MAIN;
-- Deleting a connection deletes its records.
CREATE INDEX records_connection ON records (connection_id);
-- Sort keys, each ending in id. `NULLS FIRST` is the query language's ascending order
-- (missing values first); scanned backwards an index gives the descending order
-- (`DESC NULLS LAST, id DESC`).
CREATE INDEX records_modified ON records (set_id, k_modified NULLS FIRST, id);
CREATE INDEX records_date1 ON records (set_id, k_date1 NULLS FIRST, id);
-- The status-like key with the main date, carrying the other hot keys: `status=X` ordered by
-- the main date needs no sort, and `status=X` with conditions on these keys is counted from
-- the index alone.
CREATE INDEX records_text1 ON records (set_id, k_text1, k_date1 NULLS FIRST, id)
    INCLUDE (k_num1, k_num2, k_date2);
-- The counterparty (`customerRef.id`, `supplierRef.id`).
CREATE INDEX records_text3 ON records (set_id, k_text3, id);

-- How many records each connection holds in each set, so an unfiltered list (the most common
-- read) counts without visiting a million index entries. The writer adds what it inserts;
-- the trigger takes off whatever is deleted (cascades included), so the counts stay exact.
CREATE TABLE record_counts (
    set_id        BIGINT NOT NULL REFERENCES record_sets (set_id) ON DELETE CASCADE,
    connection_id TEXT NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    records       BIGINT NOT NULL,
    PRIMARY KEY (set_id, connection_id)
);
CREATE INDEX record_counts_connection ON record_counts (connection_id);
CREATE FUNCTION records_uncounted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE record_counts c SET records = c.records - d.n
    FROM (SELECT set_id, connection_id, COUNT(*) AS n FROM deleted_records
          GROUP BY set_id, connection_id) d
    WHERE c.set_id = d.set_id AND c.connection_id = d.connection_id;
    RETURN NULL;
END
$$;
CREATE TRIGGER records_uncounted AFTER DELETE ON records
    REFERENCING OLD TABLE AS deleted_records
    FOR EACH STATEMENT EXECUTE FUNCTION records_uncounted();
