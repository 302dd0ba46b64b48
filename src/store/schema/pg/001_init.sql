-- vigie schema for PostgreSQL (15 or later), version 1: the whole schema that the SQLite
-- migrations 001..022 (src/store/schema/) leave, in one file. PostgreSQL versions are numbered
-- on their own: pg 1 = SQLite 22; a later SQLite migration NNN gets a pg file of its own.
--
-- Contract with the runner (src/store/pg.c, P1): it runs each file of this folder in one
-- transaction, in increasing order, and records the file's number in a version table of its
-- own; this file neither creates nor writes a version table. Objects are created unqualified,
-- in the first schema of the connection's search_path (public by default); the role running
-- it needs CREATE there (PostgreSQL 15: the database owner, or a GRANT CREATE ON SCHEMA).
--
-- Same table and column names, column order and meaning as SQLite, so that the PostgreSQL
-- store uses the same SQL shapes (docs/PGSCHEMA.md has the type mapping), except:
--   * "user" is a reserved word in PostgreSQL: every statement names the table "user" (double
--     quotes; SQLite accepts them too).
--   * ids that SQLite assigns (INTEGER PRIMARY KEY named id, taxii_collection.seq) are
--     identity columns; RETURNING id replaces sqlite3_last_insert_rowid. BY DEFAULT: an
--     explicit id is accepted (vigie db copy), after which the sequence must be moved past
--     the largest id (setval(pg_get_serial_sequence('t', 'id'), max(id))).
--   * org_product has an id (identity) standing for SQLite's rowid: the products of an
--     organisation are read ORDER BY id, and a row is updated WHERE id = $1.
--   * the product name key of org_product is computed by the trigger itself
--     (vg_cpe_name_key, the rule of core/product.c vg_product_key_cpe23); the C pass that
--     the SQLite backend runs after writing an organisation gives the same keys again.
--   * audit refuses TRUNCATE as well (SQLite has none).
-- Seed rows: the SQLite migrations insert none on a fresh database (their INSERT ... SELECT
-- fill derived tables from existing rows). The default playbooks are written by the backend
-- after migrating (sqlite.c seed_playbooks, from core/playbook.c): the PostgreSQL backend does
-- the same with INSERT ... ON CONFLICT (class) DO NOTHING.
--
-- Types: INTEGER -> bigint, REAL -> double precision, BLOB -> bytea, TEXT -> text COLLATE "C"
-- (compared and sorted byte by byte as SQLite's BINARY does, whatever the database's locale:
-- references, cursors, times and names order alike on both engines). Flags stay
-- bigint 0/1 (the code writes and compares integers). Timestamps stay RFC 3339 UTC text
-- ("YYYY-MM-DDTHH:MM:SSZ"), compared as text. JSON stays text: kept byte for byte as the code
-- wrote it (key order, numbers, duplicate keys; TAXII objects and imported documents are
-- served as received; vigie db copy compares checksums of the text).

-- ---- functions ----

-- ASCII-only case folding, as SQLite's COLLATE NOCASE (A-Z only, whatever the locale): the
-- unique names of organisations and partners.
CREATE FUNCTION vg_nocase(s text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN translate(s, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz');

-- One name normalised as core/product.c vg_product_name does (VG_PRODUCT_QUOTED): "\x" is the
-- character x, an unquoted '*' or '?' makes the name no name (NULL); letters and digits kept
-- in lower case (ASCII only), each run of other characters between two of them one '_', runs
-- at the ends dropped; at most 255 characters (VG_PRODUCT_NAME_MAX), the rest dropped.
CREATE FUNCTION vg_product_name_quoted(name text) RETURNS text
    LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
    n int := length(name);
    i int := 1;
    c text;
    o text := '';
    olen int := 0;
    sep boolean := false;
    need int;
BEGIN
    WHILE i <= n LOOP
        c := substr(name, i, 1);
        IF c = '\' AND i < n THEN
            i := i + 1;
            c := substr(name, i, 1);
        ELSIF c = '*' OR c = '?' THEN
            RETURN NULL;
        END IF;
        i := i + 1;
        IF ascii(c) BETWEEN 65 AND 90 THEN
            c := chr(ascii(c) + 32);
        END IF;
        IF NOT (ascii(c) BETWEEN 97 AND 122 OR ascii(c) BETWEEN 48 AND 57) THEN
            sep := true;
            CONTINUE;
        END IF;
        need := CASE WHEN sep AND olen > 0 THEN 2 ELSE 1 END;
        EXIT WHEN olen + need > 255;
        IF need = 2 THEN
            o := o || '_';
        END IF;
        o := o || c;
        olen := olen + need;
        sep := false;
    END LOOP;
    RETURN o;
END;
$$;

-- Component k (0: part) of a CPE 2.3 formatted string after "cpe:2.3:", quoting kept; NULL
-- when there are fewer components (core/product.c fs_component).
CREATE FUNCTION vg_cpe_component(fs text, k int) RETURNS text
    LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
    n int := length(fs);
    p int := 1;
    e int;
BEGIN
    FOR j IN 1..k LOOP
        WHILE p <= n AND substr(fs, p, 1) <> ':' LOOP
            p := p + CASE WHEN substr(fs, p, 1) = '\' AND p < n THEN 2 ELSE 1 END;
        END LOOP;
        IF p > n THEN
            RETURN NULL;
        END IF;
        p := p + 1;
    END LOOP;
    e := p;
    WHILE e <= n AND substr(fs, e, 1) <> ':' LOOP
        e := e + CASE WHEN substr(fs, e, 1) = '\' AND e < n THEN 2 ELSE 1 END;
    END LOOP;
    RETURN substr(fs, p, e - p);
END;
$$;

-- The product name key of a CPE 2.3 formatted string ("vendor:product", both names
-- normalised), the rule of core/product.c vg_product_key_cpe23; '' where that returns -1 (not
-- a formatted string, vendor or product NA or ANY or holding a wildcard), the key org_product
-- keeps for such a product. tests/e2e/test_pg_schema.py compares it with the C function.
CREATE FUNCTION vg_cpe_name_key(cpe text) RETURNS text
    LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
    v text;
    p text;
BEGIN
    IF left(cpe, 8) IS DISTINCT FROM 'cpe:2.3:' THEN
        RETURN '';
    END IF;
    v := vg_cpe_component(substr(cpe, 9), 1);
    p := vg_cpe_component(substr(cpe, 9), 2);
    IF v IS NULL OR p IS NULL OR v = '-' OR p = '-' THEN
        RETURN '';
    END IF;
    v := vg_product_name_quoted(v);
    p := vg_product_name_quoted(p);
    RETURN coalesce(v || ':' || p, '');
END;
$$;

-- Seconds since the epoch of a time as SQLite's julianday() reads it ("YYYY-MM-DD", then
-- optionally "THH:MM[:SS[.fff]]", optionally "Z" or "+HH:MM"; without a zone: UTC); NULL for
-- anything else, as julianday() gives NULL.
CREATE FUNCTION vg_epoch(t text) RETURNS double precision
    LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
    SET timezone = 'UTC' AS $$
BEGIN
    IF t !~ '^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?\s*([Zz]|[+-]\d{2}:\d{2})?$' THEN
        RETURN NULL;
    END IF;
    RETURN extract(epoch FROM t::timestamptz);
EXCEPTION WHEN invalid_datetime_format OR datetime_field_overflow THEN
    RETURN NULL;
END;
$$;

-- Whole seconds from a to b, as CAST(round((julianday(b) - julianday(a)) * 86400.0) AS
-- INTEGER): rounded half away from zero (numeric round, not rint); NULL when either is NULL.
CREATE FUNCTION vg_seconds_between(a text, b text) RETURNS bigint
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN round((vg_epoch(b) - vg_epoch(a))::numeric)::bigint;

-- ---- 001: users and tokens, organisations, incidents, playbooks, intake, audit ----

CREATE TABLE "user" (
    id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    name text COLLATE "C" NOT NULL UNIQUE,
    role text COLLATE "C" NOT NULL CHECK (role IN ('admin', 'analyst', 'reader')),
    password_hash text COLLATE "C",
    created text COLLATE "C" NOT NULL,
    disabled bigint NOT NULL DEFAULT 0
);

-- rebuilt by SQLite 014: kinds api, login, session; expires and last_used from 006
CREATE TABLE token (
    id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    user_id bigint NOT NULL REFERENCES "user"(id),
    hash bytea NOT NULL UNIQUE,
    label text COLLATE "C" NOT NULL DEFAULT '',
    created text COLLATE "C" NOT NULL,
    revoked text COLLATE "C",
    kind text COLLATE "C" NOT NULL DEFAULT 'api' CHECK (kind IN ('api', 'login', 'session')),
    expires text COLLATE "C",
    last_used text COLLATE "C"
);
CREATE INDEX token_user_kind ON token(user_id, kind, id) WHERE revoked IS NULL;

CREATE TABLE org (
    id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    name text COLLATE "C" NOT NULL,
    kind text COLLATE "C" NOT NULL,
    sector text COLLATE "C" NOT NULL,
    assets text COLLATE "C" NOT NULL DEFAULT '{"cidrs":[],"domains":[],"products":[]}',
    contacts text COLLATE "C" NOT NULL DEFAULT '[]',
    created text COLLATE "C" NOT NULL,
    updated text COLLATE "C" NOT NULL
);
CREATE UNIQUE INDEX org_name ON org(vg_nocase(name));

CREATE TABLE org_domain (
    org_id bigint NOT NULL REFERENCES org(id) ON DELETE CASCADE,
    domain text COLLATE "C" NOT NULL,
    PRIMARY KEY (domain, org_id)
);

CREATE TABLE counter (
    name text COLLATE "C" PRIMARY KEY,
    value bigint NOT NULL
);

CREATE TABLE incident (
    id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    ref text COLLATE "C" NOT NULL UNIQUE,
    title text COLLATE "C" NOT NULL,
    description text COLLATE "C" NOT NULL DEFAULT '',
    class text COLLATE "C" NOT NULL,
    type text COLLATE "C" NOT NULL,
    severity text COLLATE "C" NOT NULL,
    tlp text COLLATE "C" NOT NULL,
    pap text COLLATE "C" NOT NULL,
    status text COLLATE "C" NOT NULL,
    unverified bigint NOT NULL DEFAULT 0,
    org_id bigint REFERENCES org(id),
    reporter text COLLATE "C" NOT NULL DEFAULT '{}',
    assignee text COLLATE "C",
    occurred text COLLATE "C",
    created text COLLATE "C" NOT NULL,
    updated text COLLATE "C" NOT NULL,
    created_by text COLLATE "C" NOT NULL
);
CREATE INDEX incident_status ON incident(status, id);
CREATE INDEX incident_org ON incident(org_id, id);
CREATE INDEX incident_class ON incident(class, id);
-- 015: the console's queue
CREATE INDEX incident_assignee ON incident(assignee, id);
CREATE INDEX incident_updated ON incident(updated, id);
CREATE INDEX incident_severity_rank ON incident(
    (CASE severity WHEN 'critical' THEN 3 WHEN 'high' THEN 2 WHEN 'medium' THEN 1 ELSE 0 END), id);
CREATE INDEX incident_status_updated ON incident(status, updated, id);
CREATE INDEX incident_status_severity ON incident(status,
    (CASE severity WHEN 'critical' THEN 3 WHEN 'high' THEN 2 WHEN 'medium' THEN 1 ELSE 0 END), id);
CREATE INDEX incident_assignee_updated ON incident(assignee, updated, id);
CREATE INDEX incident_assignee_severity ON incident(assignee,
    (CASE severity WHEN 'critical' THEN 3 WHEN 'high' THEN 2 WHEN 'medium' THEN 1 ELSE 0 END), id);

CREATE TABLE timeline (
    id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    incident_id bigint NOT NULL REFERENCES incident(id),
    at text COLLATE "C" NOT NULL,
    actor text COLLATE "C" NOT NULL,
    action text COLLATE "C" NOT NULL,
    detail text COLLATE "C" NOT NULL DEFAULT '{}'
);
CREATE INDEX timeline_incident ON timeline(incident_id, id);

CREATE TABLE observable (
    id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    incident_id bigint NOT NULL REFERENCES incident(id),
    type text COLLATE "C" NOT NULL,
    value text COLLATE "C" NOT NULL,
    created text COLLATE "C" NOT NULL,
    tlp text COLLATE "C"                           -- 008
);
CREATE INDEX observable_incident ON observable(incident_id);

CREATE TABLE playbook (
    class text COLLATE "C" PRIMARY KEY,
    steps text COLLATE "C" NOT NULL,
    updated text COLLATE "C" NOT NULL
);

CREATE TABLE incident_step (
    incident_id bigint NOT NULL REFERENCES incident(id),
    step_id text COLLATE "C" NOT NULL,
    done bigint NOT NULL DEFAULT 0,
    done_by text COLLATE "C",
    done_at text COLLATE "C",
    PRIMARY KEY (incident_id, step_id)
);

CREATE TABLE intake (
    id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    at text COLLATE "C" NOT NULL,
    client text COLLATE "C" NOT NULL,
    decision text COLLATE "C" NOT NULL,
    reporter_email text COLLATE "C" NOT NULL,
    org_name text COLLATE "C" NOT NULL,
    org_kind text COLLATE "C" NOT NULL,
    incident_ref text COLLATE "C"
);

-- Append-only: no UPDATE or DELETE is ever issued on it (triggers refuse them, and TRUNCATE).
CREATE TABLE audit (
    id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    at text COLLATE "C" NOT NULL,
    actor text COLLATE "C" NOT NULL,
    action text COLLATE "C" NOT NULL,
    object text COLLATE "C" NOT NULL,
    detail text COLLATE "C" NOT NULL DEFAULT '{}'
);
CREATE FUNCTION vg_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit is append-only' USING ERRCODE = 'integrity_constraint_violation';
END;
$$;
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
    FOR EACH ROW EXECUTE FUNCTION vg_audit_append_only();
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
    FOR EACH ROW EXECUTE FUNCTION vg_audit_append_only();
CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON audit
    FOR EACH STATEMENT EXECUTE FUNCTION vg_audit_append_only();

-- ---- 002: indicators, sightings, alerts ----

CREATE TABLE indicator (
    id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    type text COLLATE "C" NOT NULL,
    value text COLLATE "C" NOT NULL,
    tlp text COLLATE "C" NOT NULL,
    source text COLLATE "C" NOT NULL DEFAULT '',
    confidence bigint NOT NULL DEFAULT 50 CHECK (confidence BETWEEN 0 AND 100),
    tags text COLLATE "C" NOT NULL DEFAULT '[]',
    first_seen text COLLATE "C",
    last_seen text COLLATE "C",
    expires text COLLATE "C",
    created text COLLATE "C" NOT NULL,
    updated text COLLATE "C" NOT NULL,
    UNIQUE (type, value)
);
CREATE INDEX indicator_source ON indicator(source, id);

CREATE TABLE sighting (
    id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    indicator_id bigint NOT NULL REFERENCES indicator(id),
    org_id bigint REFERENCES org(id),
    seen text COLLATE "C" NOT NULL,
    value text COLLATE "C" NOT NULL,
    field text COLLATE "C" NOT NULL DEFAULT '',
    source text COLLATE "C" NOT NULL DEFAULT '',
    created text COLLATE "C" NOT NULL,
    tlp text COLLATE "C"                           -- 008
);
CREATE INDEX sighting_indicator ON sighting(indicator_id, seen);
CREATE INDEX sighting_org ON sighting(org_id, seen);
CREATE INDEX sighting_seen ON sighting(seen);

CREATE TABLE alert (
    id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    indicator_id bigint NOT NULL REFERENCES indicator(id),
    org_id bigint REFERENCES org(id),
    day text COLLATE "C" NOT NULL,
    first_seen text COLLATE "C" NOT NULL,
    last_seen text COLLATE "C" NOT NULL,
    count bigint NOT NULL,
    status text COLLATE "C" NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'escalated')),
    incident_id bigint REFERENCES incident(id),
    created text COLLATE "C" NOT NULL,
    mailed bigint NOT NULL DEFAULT 0 CHECK (mailed IN (0, 1))   -- 020
);
-- one alert per indicator, organisation and day; a NULL organisation counts as one
-- (ON CONFLICT (indicator_id, coalesce(org_id, 0), day) names it)
CREATE UNIQUE INDEX alert_key ON alert(indicator_id, coalesce(org_id, 0), day);
CREATE INDEX alert_status ON alert(status, id);
CREATE INDEX alert_unmailed ON alert(org_id, id) WHERE mailed = 0 AND org_id IS NOT NULL;

-- ---- 003, 004: vulnerabilities, findings ----

CREATE TABLE vuln (
    key bigint PRIMARY KEY,
    cve text COLLATE "C" NOT NULL UNIQUE,
    published text COLLATE "C" NOT NULL DEFAULT '',
    modified text COLLATE "C" NOT NULL DEFAULT '',
    cvss double precision,
    cvss_version text COLLATE "C",
    severity text COLLATE "C",
    description text COLLATE "C" NOT NULL DEFAULT ''
);

CREATE TABLE vuln_record (
    id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    key bigint NOT NULL,
    source text COLLATE "C" NOT NULL CHECK (source IN ('nvd', 'cve5')),
    modified text COLLATE "C" NOT NULL,
    published text COLLATE "C" NOT NULL DEFAULT '',
    cvss double precision,
    cvss_version text COLLATE "C",
    severity text COLLATE "C",
    description text COLLATE "C" NOT NULL DEFAULT '',
    json text COLLATE "C" NOT NULL,
    imported text COLLATE "C" NOT NULL,
    UNIQUE (key, source)
);

CREATE TABLE vuln_product (
    product text COLLATE "C" NOT NULL,
    key bigint NOT NULL,
    PRIMARY KEY (product, key)
);

CREATE TABLE kev (
    key bigint PRIMARY KEY,
    date_added text COLLATE "C" NOT NULL,
    due_date text COLLATE "C" NOT NULL DEFAULT '',
    ransomware bigint NOT NULL DEFAULT 0,
    vendor text COLLATE "C" NOT NULL DEFAULT '',
    product text COLLATE "C" NOT NULL DEFAULT ''
);

CREATE TABLE epss (
    key bigint PRIMARY KEY,
    score double precision NOT NULL,
    percentile double precision NOT NULL
);

CREATE TABLE vuln_meta (
    name text COLLATE "C" PRIMARY KEY,
    value text COLLATE "C" NOT NULL
);

CREATE TABLE asset (
    id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    cpe text COLLATE "C" NOT NULL UNIQUE
);

-- ids only grow (SQLite AUTOINCREMENT; a sequence never gives an id twice)
CREATE TABLE finding (
    id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    org_id bigint NOT NULL REFERENCES org(id) ON DELETE CASCADE,
    asset_id bigint NOT NULL REFERENCES asset(id),
    key bigint NOT NULL,
    first_seen text COLLATE "C" NOT NULL,
    UNIQUE (org_id, key, asset_id)
);
CREATE INDEX finding_key ON finding(key);

CREATE TABLE digest (
    org_id bigint PRIMARY KEY REFERENCES org(id) ON DELETE CASCADE,
    last_id bigint NOT NULL,
    at text COLLATE "C" NOT NULL
);

-- One row per text product of an organisation, in the order of its assets (id, SQLite's
-- rowid), with its name key (vg_cpe_name_key; '' when the product has none).
CREATE TABLE org_product (
    name_key text COLLATE "C" NOT NULL,
    org_id bigint NOT NULL REFERENCES org(id) ON DELETE CASCADE,
    cpe text COLLATE "C" NOT NULL,
    id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY
);
CREATE INDEX org_product_key ON org_product(name_key, org_id);
CREATE INDEX org_product_org ON org_product(org_id);

-- The text products of assets, in order, as SQLite's json_each(assets, '$.products') WHERE
-- type = 'text' gives them: the elements of an array, the members of an object, a string
-- itself; nothing for anything else. json (not jsonb): order and duplicates kept.
CREATE FUNCTION vg_asset_products(assets text) RETURNS TABLE (cpe text, ord bigint)
    LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
    p json := assets::json -> 'products';
BEGIN
    CASE json_typeof(p)
    WHEN 'array' THEN
        RETURN QUERY SELECT e #>> '{}', o FROM json_array_elements(p) WITH ORDINALITY AS x(e, o)
            WHERE json_typeof(e) = 'string';
    WHEN 'object' THEN
        RETURN QUERY SELECT e #>> '{}', o FROM json_each(p) WITH ORDINALITY AS x(k, e, o)
            WHERE json_typeof(e) = 'string';
    WHEN 'string' THEN
        RETURN QUERY SELECT p #>> '{}', 1::bigint;
    ELSE
        RETURN;
    END CASE;
END;
$$;
CREATE FUNCTION vg_org_product_fill() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        DELETE FROM org_product WHERE org_id = OLD.id;
    END IF;
    INSERT INTO org_product(name_key, org_id, cpe)
        SELECT vg_cpe_name_key(a.cpe), NEW.id, a.cpe FROM vg_asset_products(NEW.assets) a
        ORDER BY a.ord;
    RETURN NULL;
END;
$$;
CREATE TRIGGER org_product_insert AFTER INSERT ON org
    FOR EACH ROW EXECUTE FUNCTION vg_org_product_fill();
CREATE TRIGGER org_product_update AFTER UPDATE OF assets ON org
    FOR EACH ROW EXECUTE FUNCTION vg_org_product_fill();

CREATE TABLE vuln_compact (
    key bigint NOT NULL,
    source text COLLATE "C" NOT NULL CHECK (source IN ('nvd', 'cve5')),
    data bytea NOT NULL,
    PRIMARY KEY (key, source)
);

CREATE TABLE finding_sum (
    org_id bigint PRIMARY KEY REFERENCES org(id) ON DELETE CASCADE,
    n bigint NOT NULL,
    h bigint NOT NULL
);

-- ---- 007: public reports held over the global cap ----

CREATE TABLE report_queue (
    id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    received text COLLATE "C" NOT NULL,
    client text COLLATE "C" NOT NULL,
    report text COLLATE "C" NOT NULL
);

-- ---- 008, 011: partner CERTs and their tokens ----

CREATE TABLE partner (
    id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    name text COLLATE "C" NOT NULL,
    country text COLLATE "C" NOT NULL,
    networks text COLLATE "C" NOT NULL DEFAULT '[]',
    contacts text COLLATE "C" NOT NULL DEFAULT '[]',
    max_tlp text COLLATE "C" NOT NULL DEFAULT 'GREEN'
        CHECK (max_tlp IN ('CLEAR', 'GREEN', 'AMBER')),
    disabled bigint NOT NULL DEFAULT 0,
    created text COLLATE "C" NOT NULL,
    updated text COLLATE "C" NOT NULL
);
CREATE UNIQUE INDEX partner_name ON partner(vg_nocase(name));

CREATE TABLE partner_token (
    id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    partner_id bigint NOT NULL REFERENCES partner(id),
    hash bytea NOT NULL UNIQUE,
    label text COLLATE "C" NOT NULL DEFAULT '',
    created text COLLATE "C" NOT NULL,
    revoked text COLLATE "C",
    last_used text COLLATE "C"                     -- 011
);
CREATE INDEX partner_token_partner ON partner_token(partner_id, id);

-- ---- 009: TAXII 2.1 ----

CREATE TABLE taxii_collection (
    seq bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    id text COLLATE "C" NOT NULL UNIQUE,
    title text COLLATE "C" NOT NULL,
    description text COLLATE "C" NOT NULL DEFAULT '',
    readers text COLLATE "C" NOT NULL,
    writers text COLLATE "C" NOT NULL,
    created text COLLATE "C" NOT NULL,
    updated text COLLATE "C" NOT NULL
);
CREATE TABLE taxii_object (
    coll bigint NOT NULL REFERENCES taxii_collection(seq),
    added bigint NOT NULL,
    id text COLLATE "C" NOT NULL,
    type text COLLATE "C" NOT NULL,
    spec_version text COLLATE "C" NOT NULL,
    version text COLLATE "C" NOT NULL,
    version_us bigint NOT NULL,
    tlp bigint NOT NULL,
    source text COLLATE "C" NOT NULL,
    object text COLLATE "C" NOT NULL,
    PRIMARY KEY (coll, added)
);
CREATE UNIQUE INDEX taxii_object_version ON taxii_object(coll, id, version_us);
CREATE INDEX taxii_object_type ON taxii_object(coll, type, added);
CREATE TABLE taxii_status (
    id text COLLATE "C" PRIMARY KEY,
    partner_id bigint NOT NULL,
    created text COLLATE "C" NOT NULL,
    status text COLLATE "C" NOT NULL
);

-- ---- 010: where `vigie share pull` stopped ----

CREATE TABLE pull_state (
    kind text COLLATE "C" NOT NULL,
    source text COLLATE "C" NOT NULL,
    key text COLLATE "C" NOT NULL,
    value text COLLATE "C" NOT NULL,
    updated text COLLATE "C" NOT NULL,
    PRIMARY KEY (kind, source, key)
);

-- ---- 012: advisories ----

CREATE TABLE advisory (
    id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    ref text COLLATE "C" NOT NULL UNIQUE,
    kind text COLLATE "C" NOT NULL,
    year bigint NOT NULL,
    number bigint NOT NULL,
    status text COLLATE "C" NOT NULL CHECK (status IN ('draft', 'review', 'published')),
    version bigint NOT NULL DEFAULT 0,
    title text COLLATE "C" NOT NULL,
    tlp text COLLATE "C" NOT NULL,
    published text COLLATE "C",
    draft text COLLATE "C",
    pending_description text COLLATE "C",
    authors text COLLATE "C" NOT NULL DEFAULT '[]',
    internal text COLLATE "C",
    created text COLLATE "C" NOT NULL,
    updated text COLLATE "C" NOT NULL,
    published_at text COLLATE "C",
    last_published_at text COLLATE "C",
    closed_at text COLLATE "C"
);
CREATE INDEX advisory_kind_year ON advisory(kind, year, id);

CREATE TABLE advisory_revision (
    id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    advisory_id bigint NOT NULL REFERENCES advisory(id),
    version bigint NOT NULL,
    date text COLLATE "C" NOT NULL,
    description text COLLATE "C" NOT NULL,
    content text COLLATE "C" NOT NULL,
    authors text COLLATE "C" NOT NULL DEFAULT '[]',
    publisher text COLLATE "C" NOT NULL,
    UNIQUE (advisory_id, version)
);

CREATE TABLE advisory_counter (
    prefix text COLLATE "C" NOT NULL,
    kind text COLLATE "C" NOT NULL,
    year bigint NOT NULL,
    last bigint NOT NULL,
    PRIMARY KEY (prefix, kind, year)
);

-- ---- 013: upstream advisories ----

CREATE TABLE upstream_advisory (
    id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    source text COLLATE "C" NOT NULL,
    ref text COLLATE "C" NOT NULL,
    title text COLLATE "C" NOT NULL,
    kind text COLLATE "C" NOT NULL,
    first_date text COLLATE "C",
    last_date text COLLATE "C",
    revisions bigint NOT NULL,
    closed_at text COLLATE "C",
    document text COLLATE "C" NOT NULL,
    imported text COLLATE "C" NOT NULL,
    updated text COLLATE "C" NOT NULL,
    UNIQUE (source, ref)
);
CREATE INDEX upstream_advisory_ref ON upstream_advisory(ref);

CREATE TABLE upstream_cve (
    cve text COLLATE "C" NOT NULL,
    advisory_id bigint NOT NULL REFERENCES upstream_advisory(id) ON DELETE CASCADE,
    PRIMARY KEY (cve, advisory_id)
);
CREATE INDEX upstream_cve_advisory ON upstream_cve(advisory_id);

CREATE TABLE upstream_product (
    name_key text COLLATE "C" NOT NULL,
    advisory_id bigint NOT NULL REFERENCES upstream_advisory(id) ON DELETE CASCADE,
    PRIMARY KEY (name_key, advisory_id)
);
CREATE INDEX upstream_product_advisory ON upstream_product(advisory_id);

-- ---- 016: the dashboard's aggregates, kept by triggers ----

CREATE TABLE stats_incident_day (
    day text COLLATE "C" NOT NULL,
    class text COLLATE "C" NOT NULL,
    n bigint NOT NULL,
    PRIMARY KEY (day, class)
);

CREATE TABLE stats_open (
    severity text COLLATE "C" PRIMARY KEY,
    n bigint NOT NULL
);

CREATE TABLE stats_incident_time (
    incident_id bigint PRIMARY KEY,
    triaged text COLLATE "C" NOT NULL,
    triage_s bigint NOT NULL,
    closed text COLLATE "C",
    close_s bigint
);
CREATE INDEX stats_triaged ON stats_incident_time(triaged, triage_s);
CREATE INDEX stats_closed ON stats_incident_time(closed, close_s) WHERE closed IS NOT NULL;

-- The counts of a day and class, and of an open severity, moved by delta (+1 or -1): as the
-- SQLite triggers, an increment inserts the row if needed, a decrement only updates it.
CREATE FUNCTION vg_stats_day_add(created text, cls text, delta int) RETURNS void
    LANGUAGE plpgsql AS $$
BEGIN
    IF delta > 0 THEN
        INSERT INTO stats_incident_day(day, class, n) VALUES (substr(created, 1, 10), cls, delta)
            ON CONFLICT (day, class) DO UPDATE SET n = stats_incident_day.n + delta;
    ELSE
        UPDATE stats_incident_day SET n = n + delta
            WHERE day = substr(created, 1, 10) AND class = cls;
    END IF;
END;
$$;
CREATE FUNCTION vg_stats_open_add(sev text, status text, delta int) RETURNS void
    LANGUAGE plpgsql AS $$
BEGIN
    IF status IN ('closed', 'rejected') THEN
        RETURN;
    ELSIF delta > 0 THEN
        INSERT INTO stats_open(severity, n) VALUES (sev, delta)
            ON CONFLICT (severity) DO UPDATE SET n = stats_open.n + delta;
    ELSE
        UPDATE stats_open SET n = n + delta WHERE severity = sev;
    END IF;
END;
$$;

CREATE FUNCTION vg_stats_incident_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM vg_stats_day_add(NEW.created, NEW.class, 1);
    PERFORM vg_stats_open_add(NEW.severity, NEW.status, 1);
    RETURN NULL;
END;
$$;
CREATE TRIGGER stats_incident_insert AFTER INSERT ON incident
    FOR EACH ROW EXECUTE FUNCTION vg_stats_incident_insert();

CREATE FUNCTION vg_stats_incident_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM vg_stats_day_add(OLD.created, OLD.class, -1);
    PERFORM vg_stats_open_add(OLD.severity, OLD.status, -1);
    DELETE FROM stats_incident_time WHERE incident_id = OLD.id;
    RETURN NULL;
END;
$$;
CREATE TRIGGER stats_incident_delete AFTER DELETE ON incident
    FOR EACH ROW EXECUTE FUNCTION vg_stats_incident_delete();

CREATE FUNCTION vg_stats_incident_day_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM vg_stats_day_add(OLD.created, OLD.class, -1);
    PERFORM vg_stats_day_add(NEW.created, NEW.class, 1);
    RETURN NULL;
END;
$$;
CREATE TRIGGER stats_incident_day_update AFTER UPDATE OF created, class ON incident
    FOR EACH ROW
    WHEN (substr(OLD.created, 1, 10) IS DISTINCT FROM substr(NEW.created, 1, 10)
          OR OLD.class IS DISTINCT FROM NEW.class)
    EXECUTE FUNCTION vg_stats_incident_day_update();

CREATE FUNCTION vg_stats_open_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM vg_stats_open_add(OLD.severity, OLD.status, -1);
    PERFORM vg_stats_open_add(NEW.severity, NEW.status, 1);
    RETURN NULL;
END;
$$;
CREATE TRIGGER stats_open_update AFTER UPDATE OF status, severity ON incident
    FOR EACH ROW
    WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.severity IS DISTINCT FROM NEW.severity)
    EXECUTE FUNCTION vg_stats_open_update();

-- The triage and closing times of one incident, recomputed from its timeline: its first
-- "status" entry, and its first "status" entry to "closed" (json_extract(detail, '$.to')). The
-- CASE keeps the cast to status entries whatever order the planner evaluates the conditions
-- in: the detail of another entry is never read, as in SQLite.
CREATE FUNCTION vg_stats_incident_time_refresh(incident bigint) RETURNS void
    LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM stats_incident_time WHERE incident_id = incident;
    INSERT INTO stats_incident_time(incident_id, triaged, triage_s, closed, close_s)
        SELECT id, ta, vg_seconds_between(created, ta), tc, vg_seconds_between(created, tc)
        FROM (SELECT i.id, i.created,
                     (SELECT t.at FROM timeline t WHERE t.incident_id = i.id
                      AND t.action = 'status' ORDER BY t.id LIMIT 1) AS ta,
                     (SELECT t.at FROM timeline t WHERE t.incident_id = i.id
                      AND t.action = 'status'
                      AND CASE WHEN t.action = 'status' THEN t.detail::json ->> 'to' END = 'closed'
                      ORDER BY t.id LIMIT 1) AS tc
              FROM incident i WHERE i.id = incident) x
        WHERE ta IS NOT NULL;
END;
$$;
CREATE FUNCTION vg_stats_timeline() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM vg_stats_incident_time_refresh(NEW.incident_id);
    RETURN NULL;
END;
$$;
CREATE TRIGGER stats_timeline_insert AFTER INSERT ON timeline
    FOR EACH ROW WHEN (NEW.action = 'status')
    EXECUTE FUNCTION vg_stats_timeline();
CREATE TRIGGER stats_timeline_update AFTER UPDATE OF at, action, detail ON timeline
    FOR EACH ROW WHEN (NEW.action = 'status' OR OLD.action = 'status')
    EXECUTE FUNCTION vg_stats_timeline();

CREATE FUNCTION vg_stats_incident_created() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE stats_incident_time
        SET triage_s = vg_seconds_between(NEW.created, triaged),
            close_s = vg_seconds_between(NEW.created, closed)
        WHERE incident_id = NEW.id;
    RETURN NULL;
END;
$$;
CREATE TRIGGER stats_incident_created AFTER UPDATE OF created ON incident
    FOR EACH ROW WHEN (OLD.created IS DISTINCT FROM NEW.created)
    EXECUTE FUNCTION vg_stats_incident_created();

-- ---- 017, 019: the outbox of outbound mail; inbound mail ----

CREATE TABLE outbox (
    id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    message_id text COLLATE "C" NOT NULL UNIQUE,
    kind text COLLATE "C" NOT NULL
        CHECK (kind IN ('incident', 'digest', 'alert', 'advisory', 'crisis', 'intake')),
    object text COLLATE "C" NOT NULL DEFAULT '',
    recipients text COLLATE "C" NOT NULL,
    subject text COLLATE "C" NOT NULL,
    body_text text COLLATE "C" NOT NULL,
    body_html text COLLATE "C" NOT NULL DEFAULT '',
    state text COLLATE "C" NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'sent', 'failed')),
    attempts bigint NOT NULL DEFAULT 0,
    next_attempt text COLLATE "C" NOT NULL,
    last_answer text COLLATE "C" NOT NULL DEFAULT '',
    created text COLLATE "C" NOT NULL,
    updated text COLLATE "C" NOT NULL
);
CREATE INDEX outbox_due ON outbox(next_attempt) WHERE state = 'queued';
CREATE INDEX outbox_state ON outbox(state, id);

-- ---- 018, 022: the crisis cell ----

CREATE TABLE crisis (
    id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    title text COLLATE "C" NOT NULL,
    level text COLLATE "C" NOT NULL,
    state text COLLATE "C" NOT NULL,
    incidents text COLLATE "C" NOT NULL,
    opened text COLLATE "C" NOT NULL,
    closed text COLLATE "C",
    closing text COLLATE "C",
    review text COLLATE "C",
    updated text COLLATE "C" NOT NULL,
    sitrep_every_hours bigint NOT NULL DEFAULT 0,   -- 022
    reminded text COLLATE "C"                                   -- 022
);

CREATE TABLE crisis_member (
    id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    crisis_id bigint NOT NULL REFERENCES crisis(id),
    kind text COLLATE "C" NOT NULL,
    name text COLLATE "C" NOT NULL,
    email text COLLATE "C" NOT NULL,
    role text COLLATE "C" NOT NULL,
    added text COLLATE "C" NOT NULL,
    partner_id bigint REFERENCES partner(id),       -- 022
    org_id bigint REFERENCES org(id),               -- 022
    max_tlp text COLLATE "C" NOT NULL DEFAULT 'GREEN',          -- 022
    lang text COLLATE "C" NOT NULL DEFAULT '',                  -- 022
    UNIQUE (crisis_id, email)
);

CREATE TABLE crisis_log (
    id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    crisis_id bigint NOT NULL REFERENCES crisis(id),
    at text COLLATE "C" NOT NULL,
    author text COLLATE "C" NOT NULL,
    text text COLLATE "C" NOT NULL
);
CREATE INDEX crisis_log_crisis ON crisis_log(crisis_id, id);

CREATE TABLE crisis_sitrep (
    id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    crisis_id bigint NOT NULL REFERENCES crisis(id),
    number bigint NOT NULL,
    version bigint NOT NULL,
    title text COLLATE "C" NOT NULL,
    body text COLLATE "C" NOT NULL,
    tlp text COLLATE "C" NOT NULL,
    author text COLLATE "C" NOT NULL,
    at text COLLATE "C" NOT NULL,
    UNIQUE (crisis_id, number, version)
);

CREATE TABLE crisis_ack (
    id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    crisis_id bigint NOT NULL REFERENCES crisis(id),
    rollcall bigint NOT NULL,
    member_id bigint NOT NULL REFERENCES crisis_member(id),
    hash bytea NOT NULL UNIQUE,
    sent text COLLATE "C" NOT NULL,
    acked text COLLATE "C"
);
CREATE INDEX crisis_ack_crisis ON crisis_ack(crisis_id, rollcall);

CREATE TABLE inbound (
    id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    message_id text COLLATE "C" NOT NULL DEFAULT '',
    sha256 text COLLATE "C" NOT NULL,
    size bigint NOT NULL,
    sender text COLLATE "C" NOT NULL DEFAULT '',
    subject text COLLATE "C" NOT NULL DEFAULT '',
    received text COLLATE "C" NOT NULL,
    outcome text COLLATE "C" NOT NULL
        CHECK (outcome IN ('report', 'reply', 'xarf', 'ineligible', 'queued', 'quarantined',
                           'duplicate')),
    reason text COLLATE "C" NOT NULL DEFAULT '',
    ref text COLLATE "C" NOT NULL DEFAULT '',
    queue_id bigint,
    raw bytea NOT NULL
);
CREATE INDEX inbound_message_id ON inbound(message_id) WHERE message_id <> '';
CREATE INDEX inbound_sha256 ON inbound(sha256);
CREATE INDEX inbound_outcome ON inbound(outcome, id);

CREATE TABLE inbound_attachment (
    id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    inbound_id bigint NOT NULL REFERENCES inbound(id),
    name text COLLATE "C" NOT NULL DEFAULT '',
    media_type text COLLATE "C" NOT NULL DEFAULT '',
    size bigint NOT NULL,
    sha256 text COLLATE "C" NOT NULL,
    is_archive bigint NOT NULL DEFAULT 0,
    data bytea
);
CREATE INDEX inbound_attachment_of ON inbound_attachment(inbound_id);

-- ---- 021: settings ----

CREATE TABLE setting (
    key text COLLATE "C" PRIMARY KEY,
    value text COLLATE "C" NOT NULL,
    updated text COLLATE "C" NOT NULL
);
