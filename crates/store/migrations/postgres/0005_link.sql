-- Hosted Link: one row per OAuth authorization in flight. The `state` sent to the platform
-- is never stored, only its SHA-256 (`state_hash`), so a database read cannot replay a
-- callback. A row is single use (`used_at`) and expires (`expires_at`, Unix seconds).
-- No foreign keys: a callback for a deleted company or connection must still find its row to
-- say so; rows are swept an hour after they expire.
CREATE TABLE link_states (
    state_hash      TEXT PRIMARY KEY NOT NULL,
    company_id      TEXT NOT NULL,
    connection_id   TEXT NOT NULL,
    integration_key TEXT NOT NULL,
    -- The PKCE code verifier, sealed by SecretBox (context `link_state:{state_hash}`).
    verifier        BYTEA,
    verifier_key    TEXT,
    -- Custom redirect parameters carried from the Link URL's query string (JSON object).
    params          TEXT NOT NULL DEFAULT '{}',
    -- Hash of the browser-binding cookie set when the flow started.
    browser_hash    TEXT NOT NULL,
    created         TEXT NOT NULL,
    expires_at      BIGINT NOT NULL,
    used_at         TEXT,
    -- When one grant covers several organisations: the sealed tenants awaiting the owner's
    -- choice, and the hash of the single-use token of the choice form.
    choice_hash     TEXT UNIQUE,
    tenants         BYTEA,
    tenants_key     TEXT
);
CREATE INDEX link_states_expiry ON link_states (expires_at);
