-- vigie schema, version 12: advisories (issue 13). An advisory keeps the content of its
-- published version and, apart, the pending text (a draft before the first publication, a
-- revision after it) with its authors, so that the published version stays served while a
-- revision is written and the four-eyes rule knows who wrote what is about to go out. Every
-- publication is a row of advisory_revision with a snapshot of what went out. References are
-- numbered per (prefix, kind, year) by advisory_counter, taken in the write transaction of the
-- insert: never reused, no gap, unique under concurrent creation.
CREATE TABLE advisory (
    id INTEGER PRIMARY KEY,
    ref TEXT NOT NULL UNIQUE,                  -- VIGIE-2026-AVI-0001
    kind TEXT NOT NULL,                        -- avis, alerte, ... (advisory/advisory.h)
    year INTEGER NOT NULL,
    number INTEGER NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('draft', 'review', 'published')),
    version INTEGER NOT NULL DEFAULT 0,        -- published versions, 0 before the first
    title TEXT NOT NULL,                       -- of the working text: lists and their search
    tlp TEXT NOT NULL,                         -- of the working text
    published TEXT,                            -- JSON content of the published version
    draft TEXT,                                -- JSON content of the pending text, or NULL
    pending_description TEXT,                  -- what the pending revision changes
    authors TEXT NOT NULL DEFAULT '[]',        -- JSON [{id, name}] of the pending text
    internal TEXT,                             -- JSON never published (constituents concerned)
    created TEXT NOT NULL,
    updated TEXT NOT NULL,
    published_at TEXT,                         -- the first publication
    last_published_at TEXT,                    -- the last one
    closed_at TEXT                             -- an alert's end
);
CREATE INDEX advisory_kind_year ON advisory(kind, year, id);

CREATE TABLE advisory_revision (
    id INTEGER PRIMARY KEY,
    advisory_id INTEGER NOT NULL REFERENCES advisory(id),
    version INTEGER NOT NULL,
    date TEXT NOT NULL,
    description TEXT NOT NULL,
    content TEXT NOT NULL,                     -- JSON: what this version published
    authors TEXT NOT NULL DEFAULT '[]',        -- JSON [{id, name}] of its text
    publisher TEXT NOT NULL,                   -- who published it
    UNIQUE (advisory_id, version)
);

CREATE TABLE advisory_counter (
    prefix TEXT NOT NULL,
    kind TEXT NOT NULL,
    year INTEGER NOT NULL,
    last INTEGER NOT NULL,                     -- the last number given
    PRIMARY KEY (prefix, kind, year)
);
