-- vigie schema, version 13: upstream advisories, the publications of other CERTs that vigie
-- imports (`vigie advisory import`: CERT-FR-style JSON), kept apart from vigie's own. One row
-- per publication (source, reference); the CVEs it names and the product keys of its affected
-- systems in tables of their own, so that "which upstream advisories name CVE-X" and "which
-- concern this organisation" are answered by index. Uses no table of version 12.

CREATE TABLE upstream_advisory (
    id INTEGER PRIMARY KEY,
    source TEXT NOT NULL,              -- the publisher: 'CERT-FR'
    ref TEXT NOT NULL,                 -- its reference: 'CERTFR-2024-AVI-0268'
    title TEXT NOT NULL,
    kind TEXT NOT NULL,                -- from the reference: 'avis' (AVI), 'alerte' (ALE), ...
    first_date TEXT,                   -- the date of its first and of its last revision
    last_date TEXT,
    revisions INTEGER NOT NULL,        -- its number of revisions
    closed_at TEXT,                    -- an alert's end, NULL while it runs
    document TEXT NOT NULL,            -- the publication as read (JSON)
    imported TEXT NOT NULL,
    updated TEXT NOT NULL,
    UNIQUE (source, ref)
);
CREATE INDEX upstream_advisory_ref ON upstream_advisory(ref);

-- The CVE ids an upstream advisory names (upper case).
CREATE TABLE upstream_cve (
    cve TEXT NOT NULL,
    advisory_id INTEGER NOT NULL REFERENCES upstream_advisory(id) ON DELETE CASCADE,
    PRIMARY KEY (cve, advisory_id)
) WITHOUT ROWID;
CREATE INDEX upstream_cve_advisory ON upstream_cve(advisory_id);

-- The product keys of its affected systems (core/product.h vg_product_key: "vendor:product",
-- the names normalised), the key org_product rows carry. A system whose product is "N/A" (or
-- empty) is keyed by its vendor alone, "vendor:", which no product of an organisation has.
CREATE TABLE upstream_product (
    name_key TEXT NOT NULL,
    advisory_id INTEGER NOT NULL REFERENCES upstream_advisory(id) ON DELETE CASCADE,
    PRIMARY KEY (name_key, advisory_id)
) WITHOUT ROWID;
CREATE INDEX upstream_product_advisory ON upstream_product(advisory_id);
