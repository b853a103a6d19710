-- Platform resources: companies, connections, API keys and settings.
CREATE TABLE companies (
    id          TEXT PRIMARY KEY NOT NULL,
    name        TEXT NOT NULL,
    description TEXT,
    tags        TEXT NOT NULL DEFAULT '{}',
    platform    TEXT NOT NULL DEFAULT '',
    created     TEXT NOT NULL,
    last_sync   TEXT
);
CREATE INDEX companies_created ON companies (created, id);
CREATE INDEX companies_name ON companies (name, id);

CREATE TABLE connections (
    id              TEXT PRIMARY KEY NOT NULL,
    company_id      TEXT NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    integration_key TEXT NOT NULL,
    integration_id  TEXT NOT NULL,
    source_id       TEXT NOT NULL,
    source_type     TEXT NOT NULL,
    platform_name   TEXT NOT NULL,
    status          TEXT NOT NULL,
    created         TEXT NOT NULL,
    last_sync       TEXT,
    errors          TEXT NOT NULL DEFAULT '[]',
    connection_info TEXT,
    credentials     BYTEA,
    credentials_key TEXT
);
CREATE INDEX connections_company ON connections (company_id, created, id);
CREATE INDEX connections_status ON connections (status, company_id);

CREATE TABLE api_keys (
    id       TEXT PRIMARY KEY NOT NULL,
    name     TEXT,
    key_hash TEXT NOT NULL UNIQUE,
    masked   TEXT NOT NULL,
    created  TEXT NOT NULL
);

-- Client-wide settings documents (profile, CORS, profile sync settings), one JSON value each.
CREATE TABLE settings (
    name  TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
);

CREATE TABLE company_sync_settings (
    company_id TEXT PRIMARY KEY NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    value      TEXT NOT NULL
);
