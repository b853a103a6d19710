-- Requests each API key has made (reserved, in chunks, by the API nodes) on each UTC day: the
-- daily client quota is enforced against this row, so every node on one database shares it.
-- `key_hash` is the key's SHA-256 (as in api_keys), never the key. Rows of past days are
-- deleted as new days begin.
CREATE TABLE api_quota_usage (
    key_hash TEXT NOT NULL,
    day      TEXT NOT NULL,
    used     BIGINT NOT NULL,
    PRIMARY KEY (key_hash, day)
);
