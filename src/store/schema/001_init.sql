-- vigie schema, version 1: users and tokens, organisations, incidents and what hangs off
-- them (timeline, notes, observables, playbook steps), playbooks, intake log, audit log.
-- Timestamps are RFC 3339 UTC text; JSON-valued columns hold compact JSON text.

CREATE TABLE user (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    role TEXT NOT NULL CHECK (role IN ('admin', 'analyst', 'reader')),
    password_hash TEXT,                -- Argon2id (libsodium crypto_pwhash_str), NULL: none set
    created TEXT NOT NULL,
    disabled INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE token (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES user(id),
    hash BLOB NOT NULL UNIQUE,         -- SHA-256 of the secret; the secret is shown once
    label TEXT NOT NULL DEFAULT '',
    created TEXT NOT NULL,
    revoked TEXT                       -- NULL while valid
);

CREATE TABLE org (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    sector TEXT NOT NULL,
    assets TEXT NOT NULL DEFAULT '{"cidrs":[],"domains":[],"products":[]}',
    contacts TEXT NOT NULL DEFAULT '[]',
    created TEXT NOT NULL,
    updated TEXT NOT NULL
);
CREATE UNIQUE INDEX org_name ON org(name COLLATE NOCASE);

-- Domains owned by organisations, one row each, for e-mail attribution of reports.
CREATE TABLE org_domain (
    org_id INTEGER NOT NULL REFERENCES org(id) ON DELETE CASCADE,
    domain TEXT NOT NULL,
    PRIMARY KEY (domain, org_id)
) WITHOUT ROWID;

CREATE TABLE counter (
    name TEXT PRIMARY KEY,             -- e.g. 'incident:2026'
    value INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE incident (
    id INTEGER PRIMARY KEY,
    ref TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    class TEXT NOT NULL,
    type TEXT NOT NULL,
    severity TEXT NOT NULL,
    tlp TEXT NOT NULL,
    pap TEXT NOT NULL,
    status TEXT NOT NULL,
    unverified INTEGER NOT NULL DEFAULT 0,
    org_id INTEGER REFERENCES org(id),
    reporter TEXT NOT NULL DEFAULT '{}',  -- JSON {name,email,phone}
    assignee TEXT,
    occurred TEXT,
    created TEXT NOT NULL,
    updated TEXT NOT NULL,
    created_by TEXT NOT NULL
);
CREATE INDEX incident_status ON incident(status, id);
CREATE INDEX incident_org ON incident(org_id, id);
CREATE INDEX incident_class ON incident(class, id);

CREATE TABLE timeline (
    id INTEGER PRIMARY KEY,
    incident_id INTEGER NOT NULL REFERENCES incident(id),
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,              -- created, status, update, note, observable, step
    detail TEXT NOT NULL DEFAULT '{}'  -- JSON
);
CREATE INDEX timeline_incident ON timeline(incident_id, id);

-- Observables of incidents, `value` normalised. Correlation does not use an SQL index: the
-- store keeps every observable in an in-memory index (core/corr.c) loaded from this table
-- and extended from its new rows (ids only grow), so that a creation writes one appended
-- row per observable instead of random index pages.
CREATE TABLE observable (
    id INTEGER PRIMARY KEY,
    incident_id INTEGER NOT NULL REFERENCES incident(id),
    type TEXT NOT NULL,
    value TEXT NOT NULL,
    created TEXT NOT NULL
);
CREATE INDEX observable_incident ON observable(incident_id);

CREATE TABLE playbook (
    class TEXT PRIMARY KEY,
    steps TEXT NOT NULL,               -- JSON array of {"id","title","phase"}
    updated TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE incident_step (
    incident_id INTEGER NOT NULL REFERENCES incident(id),
    step_id TEXT NOT NULL,
    done INTEGER NOT NULL DEFAULT 0,
    done_by TEXT,
    done_at TEXT,
    PRIMARY KEY (incident_id, step_id)
) WITHOUT ROWID;

CREATE TABLE intake (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    client TEXT NOT NULL,
    decision TEXT NOT NULL,            -- accepted, redirect
    reporter_email TEXT NOT NULL,
    org_name TEXT NOT NULL,
    org_kind TEXT NOT NULL,
    incident_ref TEXT
);

-- Append-only: no UPDATE or DELETE is ever issued on it (triggers refuse them).
CREATE TABLE audit (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    object TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT '{}'
);
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END;
