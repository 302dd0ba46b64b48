-- vigie schema, version 4: what makes a full re-match from the database cheap.

-- The compact form of each record (src/vuln/compact.h), written with it on import: a
-- re-match decodes these instead of parsing the JSON. A record without one (imported before
-- this version) is read from its JSON.
CREATE TABLE vuln_compact (
    key INTEGER NOT NULL,
    source TEXT NOT NULL CHECK (source IN ('nvd', 'cve5')),
    data BLOB NOT NULL,
    PRIMARY KEY (key, source)
) WITHOUT ROWID;

-- A fingerprint of each organisation's findings: their number and the XOR of one 64-bit
-- hash per finding (vg_store_finding_hash of its asset id and CVE key), kept by every write
-- to `finding`. A full re-match compares it with what it found and rewrites only the
-- organisations whose findings changed. No row: not known (the next re-match rewrites).
CREATE TABLE finding_sum (
    org_id INTEGER PRIMARY KEY REFERENCES org(id) ON DELETE CASCADE,
    n INTEGER NOT NULL,
    h INTEGER NOT NULL
);
