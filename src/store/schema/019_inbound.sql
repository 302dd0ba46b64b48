-- vigie schema, version 19: inbound mail (issue 15). Every message `vigie mail ingest` reads is
-- kept as received (raw, byte for byte) with what came of it; its attachments beside it (the
-- bytes only under the reader's cap). The outbox gets the kind 'intake': the answer sent to a
-- reporter outside the constituency (the outbox's CHECK lists kinds: the table is rebuilt).
CREATE TABLE inbound (
    id INTEGER PRIMARY KEY,
    message_id TEXT NOT NULL DEFAULT '',   -- without angle brackets, '' if none
    sha256 TEXT NOT NULL,                  -- of raw, lower-case hex
    size INTEGER NOT NULL,                 -- bytes of raw
    sender TEXT NOT NULL DEFAULT '',       -- the From address, lower case
    subject TEXT NOT NULL DEFAULT '',
    received TEXT NOT NULL,                -- UTC, when ingested
    outcome TEXT NOT NULL CHECK (outcome IN ('report', 'reply', 'xarf', 'ineligible', 'queued',
                                             'quarantined', 'duplicate')),
    reason TEXT NOT NULL DEFAULT '',       -- why quarantined
    ref TEXT NOT NULL DEFAULT '',          -- the incident it led to
    queue_id INTEGER,                      -- the held report it led to
    raw BLOB NOT NULL
);
-- de-duplication: by Message-ID, or by the raw SHA-256 when there is none
CREATE INDEX inbound_message_id ON inbound(message_id) WHERE message_id <> '';
CREATE INDEX inbound_sha256 ON inbound(sha256);
CREATE INDEX inbound_outcome ON inbound(outcome, id);

CREATE TABLE inbound_attachment (
    id INTEGER PRIMARY KEY,
    inbound_id INTEGER NOT NULL REFERENCES inbound(id),
    name TEXT NOT NULL DEFAULT '',
    media_type TEXT NOT NULL DEFAULT '',
    size INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    is_archive INTEGER NOT NULL DEFAULT 0, -- recorded, never opened
    data BLOB                              -- NULL when over the cap (hashed, not kept)
);
CREATE INDEX inbound_attachment_of ON inbound_attachment(inbound_id);

CREATE TABLE outbox_new (
    id INTEGER PRIMARY KEY,
    message_id TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL CHECK (kind IN ('incident', 'digest', 'alert', 'advisory', 'crisis',
                                       'intake')),
    object TEXT NOT NULL DEFAULT '',
    recipients TEXT NOT NULL,
    subject TEXT NOT NULL,
    body_text TEXT NOT NULL,
    body_html TEXT NOT NULL DEFAULT '',
    state TEXT NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'sent', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt TEXT NOT NULL,
    last_answer TEXT NOT NULL DEFAULT '',
    created TEXT NOT NULL,
    updated TEXT NOT NULL
);
INSERT INTO outbox_new SELECT id, message_id, kind, object, recipients, subject, body_text,
    body_html, state, attempts, next_attempt, last_answer, created, updated FROM outbox;
DROP TABLE outbox;
ALTER TABLE outbox_new RENAME TO outbox;
CREATE INDEX outbox_due ON outbox(next_attempt) WHERE state = 'queued';
CREATE INDEX outbox_state ON outbox(state, id);
