-- vigie schema, version 17: the outbox of outbound mail (issue 15). A message is queued in the
-- transaction of the change that causes it, then delivered over SMTP (app/mail.c); it is marked
-- sent only after the server accepted it, so a crash delivers it again with the same
-- Message-ID rather than losing it.
CREATE TABLE outbox (
    id INTEGER PRIMARY KEY,
    message_id TEXT NOT NULL UNIQUE,     -- <...@...>, made when queued, never changes
    kind TEXT NOT NULL CHECK (kind IN ('incident', 'digest', 'alert', 'advisory', 'crisis')),
    object TEXT NOT NULL DEFAULT '',     -- the related object (an incident reference...)
    recipients TEXT NOT NULL,            -- JSON array of addresses
    subject TEXT NOT NULL,
    body_text TEXT NOT NULL,
    body_html TEXT NOT NULL DEFAULT '',
    state TEXT NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'sent', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt TEXT NOT NULL,          -- UTC time; due when <= now
    last_answer TEXT NOT NULL DEFAULT '',-- the server's last answer (or the connection error)
    created TEXT NOT NULL,
    updated TEXT NOT NULL
);
CREATE INDEX outbox_due ON outbox(next_attempt) WHERE state = 'queued';
CREATE INDEX outbox_state ON outbox(state, id);
