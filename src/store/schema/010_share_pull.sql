-- vigie schema, version 10: where `vigie share pull` stopped, per source (issue 12). For a
-- MISP feed: kind 'misp-feed', source the feed's URL, key an event's uuid, value the event's
-- timestamp as last imported (only events whose timestamp changed are fetched again). For
-- TAXII: kind 'taxii', source the API root's URL, key the collection id, value the last
-- X-TAXII-Date-Added-Last seen (the next pull asks added_after it). A row is written only
-- once what it stands for is fully imported.
CREATE TABLE IF NOT EXISTS pull_state (
    kind TEXT NOT NULL,                -- 'misp-feed' or 'taxii'
    source TEXT NOT NULL,              -- the feed's or the API root's URL
    key TEXT NOT NULL,                 -- event uuid, or collection id
    value TEXT NOT NULL,               -- event timestamp, or date added last (RFC 3339)
    updated TEXT NOT NULL,             -- when it was written, RFC 3339 UTC
    PRIMARY KEY (kind, source, key)
) WITHOUT ROWID;
