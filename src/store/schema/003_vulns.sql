-- vigie schema, version 3: vulnerability records (NVD, CVE 5) kept as imported, one summary
-- row per CVE, KEV and EPSS data, the products each record names (to find the CVEs one new
-- asset may meet), findings (organisation x asset x CVE) and each organisation's digest state.

-- One row per CVE: the scores shown and used for priority (NVD's when it has one, else
-- CVE 5's). `key` is the sortable integer of the id (later years and numbers larger).
CREATE TABLE vuln (
    key INTEGER PRIMARY KEY,
    cve TEXT NOT NULL UNIQUE,
    published TEXT NOT NULL DEFAULT '',
    modified TEXT NOT NULL DEFAULT '',
    cvss REAL,                         -- base score, NULL if none
    cvss_version TEXT,                 -- '4.0', '3.1', '3.0', '2.0'
    severity TEXT,
    description TEXT NOT NULL DEFAULT ''
);

-- The records as imported: one per CVE and source; a newer `modified` replaces. A rowid
-- table: rows of a kilobyte or more do not suit WITHOUT ROWID.
CREATE TABLE vuln_record (
    id INTEGER PRIMARY KEY,
    key INTEGER NOT NULL,
    source TEXT NOT NULL CHECK (source IN ('nvd', 'cve5')),
    modified TEXT NOT NULL,            -- NVD lastModified or CVE 5 dateUpdated
    published TEXT NOT NULL DEFAULT '',
    cvss REAL,
    cvss_version TEXT,
    severity TEXT,
    description TEXT NOT NULL DEFAULT '',
    json TEXT NOT NULL,                -- NVD `cve` object or CVE 5 record, compact JSON
    imported TEXT NOT NULL,
    UNIQUE (key, source)
);

-- "part:vendor:product" (lower case; part '*' for CVE 5 names) named by each record's
-- applicability: the CVEs a new asset may meet are looked up here.
CREATE TABLE vuln_product (
    product TEXT NOT NULL,
    key INTEGER NOT NULL,
    PRIMARY KEY (product, key)
) WITHOUT ROWID;

CREATE TABLE kev (
    key INTEGER PRIMARY KEY,
    date_added TEXT NOT NULL,
    due_date TEXT NOT NULL DEFAULT '',
    ransomware INTEGER NOT NULL DEFAULT 0,
    vendor TEXT NOT NULL DEFAULT '',
    product TEXT NOT NULL DEFAULT ''
);

CREATE TABLE epss (
    key INTEGER PRIMARY KEY,
    score REAL NOT NULL,
    percentile REAL NOT NULL
);

-- Small facts about the feeds: 'epss_model', 'epss_date'.
CREATE TABLE vuln_meta (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;

-- Asset names (CPE 2.3 as the organisation gave them), shared by findings.
CREATE TABLE asset (
    id INTEGER PRIMARY KEY,
    cpe TEXT NOT NULL UNIQUE
);

-- Findings. Ids only grow (AUTOINCREMENT): a digest remembers the last one it showed.
CREATE TABLE finding (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id INTEGER NOT NULL REFERENCES org(id) ON DELETE CASCADE,
    asset_id INTEGER NOT NULL REFERENCES asset(id),
    key INTEGER NOT NULL,              -- vuln.key
    first_seen TEXT NOT NULL,
    UNIQUE (org_id, key, asset_id)
);
CREATE INDEX finding_key ON finding(key);

CREATE TABLE digest (
    org_id INTEGER PRIMARY KEY REFERENCES org(id) ON DELETE CASCADE,
    last_id INTEGER NOT NULL,          -- the last finding id a digest covered
    at TEXT NOT NULL
);

-- The organisations' products by name key (normalised "vendor:product", vg_cpe23_name_key,
-- registered on each connection as the SQL function vg_cpe_name_key), kept by triggers:
-- the organisations a new CVE may concern are found by index, not by reading every
-- organisation's assets.
CREATE TABLE org_product (
    name_key TEXT NOT NULL,            -- '' when the product is not a formatted string
    org_id INTEGER NOT NULL REFERENCES org(id) ON DELETE CASCADE,
    cpe TEXT NOT NULL
);
CREATE INDEX org_product_key ON org_product(name_key, org_id);
CREATE INDEX org_product_org ON org_product(org_id);
-- (The keys of existing organisations are left '' here and computed in C after migration 5,
-- which also replaces the triggers below: vg_cpe_name_key is no longer registered.)
INSERT INTO org_product(name_key, org_id, cpe)
    SELECT '', o.id, j.value FROM org o, json_each(o.assets, '$.products') j
    WHERE j.type = 'text';
CREATE TRIGGER org_product_insert AFTER INSERT ON org BEGIN
    INSERT INTO org_product(name_key, org_id, cpe)
        SELECT vg_cpe_name_key(j.value), new.id, j.value FROM json_each(new.assets, '$.products') j
        WHERE j.type = 'text';
END;
CREATE TRIGGER org_product_update AFTER UPDATE OF assets ON org BEGIN
    DELETE FROM org_product WHERE org_id = old.id;
    INSERT INTO org_product(name_key, org_id, cpe)
        SELECT vg_cpe_name_key(j.value), new.id, j.value FROM json_each(new.assets, '$.products') j
        WHERE j.type = 'text';
END;
