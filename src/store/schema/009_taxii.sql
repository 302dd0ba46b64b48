-- vigie schema, version 9: the TAXII 2.1 server (issue 12). Collections, the STIX objects
-- posted to them (each version one row, the JSON text as received), and the status resources
-- of the POSTs. IF NOT EXISTS: a database set back to an older user_version runs this again.
CREATE TABLE IF NOT EXISTS taxii_collection (
    seq INTEGER PRIMARY KEY,           -- internal key of the objects
    id TEXT NOT NULL UNIQUE,           -- the collection's UUID (TAXII id)
    title TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    readers TEXT NOT NULL,             -- JSON: "all" or an array of partner ids
    writers TEXT NOT NULL,             -- JSON: "all" or an array of partner ids
    created TEXT NOT NULL,             -- RFC 3339, UTC
    updated TEXT NOT NULL
);
-- One row per object version. date_added is in microseconds since the epoch, unique and
-- increasing within a collection (TAXII pages on it); the primary key keeps the rows of a
-- collection in that order, so a page is one range scan.
CREATE TABLE IF NOT EXISTS taxii_object (
    coll INTEGER NOT NULL REFERENCES taxii_collection(seq),
    added INTEGER NOT NULL,            -- date_added, microseconds since the epoch
    id TEXT NOT NULL,                  -- STIX id, type--UUID
    type TEXT NOT NULL,
    spec_version TEXT NOT NULL,
    version TEXT NOT NULL,             -- modified (or created), as in the object
    version_us INTEGER NOT NULL,       -- the same in microseconds, for order and matches
    tlp INTEGER NOT NULL,              -- enum vg_tlp, from object_marking_refs (none: AMBER)
    source TEXT NOT NULL,              -- who posted it: "partner:ID" or "user:NAME"
    object TEXT NOT NULL,              -- the object's JSON text
    PRIMARY KEY (coll, added)
) WITHOUT ROWID;
-- match[id], one object, its versions, deletes, and last/first: the versions of an id
CREATE UNIQUE INDEX IF NOT EXISTS taxii_object_version ON taxii_object(coll, id, version_us);
-- match[type] of one type: that type's rows in date_added order (a rare type is not a scan)
CREATE INDEX IF NOT EXISTS taxii_object_type ON taxii_object(coll, type, added);
CREATE TABLE IF NOT EXISTS taxii_status (
    id TEXT PRIMARY KEY,               -- UUID
    partner_id INTEGER NOT NULL,       -- who posted (0: a user): only they (or users) read it
    created TEXT NOT NULL,
    status TEXT NOT NULL               -- the status resource (JSON)
);
