#!/usr/bin/python3
"""Compares vigie's SQLite schema with its PostgreSQL schema (src/store/schema/pg/).

    schema_parity.py --sqlite DB --pg URI   compare two existing databases
    schema_parity.py [--vigie BIN]          make both: `vigie init` on a temporary SQLite file,
                                            a throwaway cluster (scripts/pgcluster.sh) with
                                            every src/store/schema/pg/*.sql applied, each file
                                            in one transaction (psql -1); then compare

Compared, per table: the columns (order, names, types by the mapping INTEGER -> bigint, TEXT ->
text, REAL -> double precision, BLOB -> bytea; NOT NULL; the default's meaning; text collated
"C" in PostgreSQL, as SQLite's BINARY), the primary key, the unique constraints, the named
indexes (unique or not, their columns or expressions, their WHERE), the foreign keys, the CHECK
constraints (by the columns and literals they name) and the triggers (timing, event, UPDATE OF
columns, WHEN or not). The differences made on purpose are listed in INTENDED below and
docs/PGSCHEMA.md; any other is printed, one a line, and the exit status is 1 (0: the schemas
agree; 2: usage or environment error).
"""
import argparse
import glob
import json
import os
import re
import sqlite3
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# Differences made on purpose (docs/PGSCHEMA.md): PostgreSQL-only objects, by kind and name.
INTENDED = {
    ("column", "org_product.id"),            # stands for SQLite's rowid (order of products)
    ("primary key", "org_product"),           # (id), as the rowid is
    ("trigger", "audit.audit_no_truncate"),   # SQLite has no TRUNCATE
    # once per statement from a transition table (pg/003), which SQLite has not: a batch's
    # creations are one statement; the counts kept are the same (test_pg_schema checks them)
    ("trigger", "incident.stats_incident_insert"),
}

TYPES = {"INTEGER": "bigint", "TEXT": "text", "REAL": "double precision", "BLOB": "bytea"}


def norm_expr(e):
    """An index column, an index WHERE or a default, written comparably: lower case, no
    casts PostgreSQL adds, no quotes, parentheses or blanks; SQLite's ifnull is coalesce and
    `x COLLATE NOCASE` is vg_nocase(x) (the ASCII folding of 001_init.sql)."""
    if e is None:
        return None
    e = e.strip().lower()
    e = re.sub(r"(\w+)\s+collate\s+nocase", r"vg_nocase(\1)", e)
    e = re.sub(r"::(text|bigint|integer|numeric|double precision|boolean)(\[\])?", "", e)
    e = e.replace("ifnull(", "coalesce(").replace('"', "")
    return re.sub(r"[()\s]", "", e)


def check_signature(expr, columns):
    """A CHECK constraint as the sorted columns and literals it names: `role IN ('a', 'b')`
    and `role = ANY (ARRAY['a'::text, 'b'::text])` sign alike, as do BETWEEN and >= AND <=."""
    lits = re.findall(r"'((?:[^']|'')*)'|(?<![\w.])(-?\d+(?:\.\d+)?)(?![\w.])", expr)
    values = sorted(s if s or not n else n for s, n in lits)
    words = set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", re.sub(r"'(?:[^']|'')*'", "", expr)))
    return (tuple(sorted(w for w in words if w in columns)), tuple(values))


def depths(s, start=0):
    """(index, character, depth) for each character of s from start outside quotes; depth is
    the number of parentheses open after it (a ')' counts as closed)."""
    depth, quote = 0, None
    for i in range(start, len(s)):
        c = s[i]
        if quote:
            quote = None if c == quote else quote
            continue
        if c in "'\"":
            quote = c
            continue
        depth += 1 if c == "(" else -1 if c == ")" else 0
        yield i, c, depth


def balanced(s, start):
    """The text inside the parentheses opening at s[start], and the index after them."""
    for i, c, depth in depths(s, start):
        if c == ")" and depth == 0:
            return s[start + 1:i], i + 1
    raise ValueError(f"unbalanced parentheses in: {s}")


def split_top(s):
    """s split on the commas outside parentheses and quotes."""
    cuts = [i for i, c, depth in depths(s) if c == "," and depth == 0]
    bounds = zip([-1] + cuts, cuts + [len(s)])
    return [s[a + 1:b].strip() for a, b in bounds]


def strip_comments(sql):
    return re.sub(r"--[^\n]*", "", sql)


TRIGGER_RE = re.compile(
    r"CREATE\s+TRIGGER\s+(?:IF\s+NOT\s+EXISTS\s+)?(?:\S+\.)?(\w+)\s+"
    r"(BEFORE|AFTER|INSTEAD\s+OF)?\s*(INSERT|DELETE|TRUNCATE|UPDATE(?:\s+OF\s+([\w\s,]+?))?)"
    r"\s+ON\s+(?:\w+\.)?\"?(\w+)\"?(.*)", re.I | re.S)


def parse_trigger(sql, pg):
    m = TRIGGER_RE.match(strip_comments(sql).strip())
    if not m:
        raise ValueError(f"cannot read trigger: {sql[:80]}")
    name, timing, event, of, table, rest = m.groups()
    event_kind = event.split()[0].upper()
    cols = tuple(sorted(c.strip().lower() for c in of.split(","))) if of else ()
    if pg:
        level = "row" if re.search(r"FOR\s+EACH\s+ROW", rest, re.I) else "statement"
        has_when = bool(re.search(r"\bWHEN\s*\(", rest, re.I))
    else:
        level = "row"
        head = re.split(r"\bBEGIN\b", rest, maxsplit=1, flags=re.I)[0]
        has_when = bool(re.search(r"\bWHEN\b", head, re.I))
    return table, name, {"timing": (timing or "BEFORE").upper(), "event": event_kind,
                         "of": cols, "level": level, "when": has_when}


# ---- SQLite ----

def sqlite_schema(path):
    db = sqlite3.connect(path)
    out = {}
    tables = [r for r in db.execute("SELECT name, sql FROM sqlite_master WHERE type = 'table' "
                                    "AND name NOT LIKE 'sqlite_%' ORDER BY name")]
    for table, sql in tables:
        q = f'"{table}"'
        without_rowid = bool(re.search(r"\)\s*WITHOUT\s+ROWID\s*;?\s*$", sql, re.I))
        info = db.execute(f"PRAGMA table_info({q})").fetchall()
        pk = [r[1] for r in sorted((r for r in info if r[5]), key=lambda r: r[5])]
        rowid_alias = (len(pk) == 1 and not without_rowid and
                       next(r[2] for r in info if r[1] == pk[0]).upper() == "INTEGER")
        cols = []
        for cid, name, typ, notnull, dflt, pkpos in info:
            cols.append({"name": name, "type": TYPES.get(typ.upper(), typ),
                         "notnull": bool(notnull or pkpos),
                         "default": norm_expr(dflt),
                         "auto": rowid_alias and name == pk[0]})
        uniques, indexes = set(), {}
        for _, iname, unique, origin, partial in db.execute(f"PRAGMA index_list({q})"):
            icols = [r[2] for r in db.execute(f'PRAGMA index_info("{iname}")')]
            if origin == "u":
                uniques.add(tuple(icols))
            elif origin == "c":
                isql = db.execute("SELECT sql FROM sqlite_master WHERE name = ?",
                                  (iname,)).fetchone()[0]
                isql = strip_comments(isql)
                inner, end = balanced(isql, isql.index("(", isql.upper().index(" ON ")))
                where = re.search(r"\bWHERE\b(.*)$", isql[end:], re.I | re.S)
                indexes[iname] = {"unique": bool(unique),
                                  "columns": [norm_expr(c) for c in split_top(inner)],
                                  "where": norm_expr(where.group(1)) if where else None}
        fks = set()
        for row in db.execute(f"PRAGMA foreign_key_list({q})"):
            fks.add((row[3], row[2], row[4] or "id", row[6].upper()))
        colnames = {c["name"] for c in cols}
        checks = []
        body = strip_comments(sql)
        for m in re.finditer(r"\bCHECK\s*\(", body, re.I):
            inner, _ = balanced(body, m.end() - 1)
            checks.append(check_signature(inner, colnames))
        out[table] = {"columns": cols, "pk": tuple(pk), "uniques": uniques,
                      "indexes": indexes, "fks": fks, "checks": sorted(checks),
                      "triggers": {}}
    for (sql,) in db.execute("SELECT sql FROM sqlite_master WHERE type = 'trigger'"):
        table, name, trig = parse_trigger(sql, pg=False)
        out[table]["triggers"][name] = trig
    db.close()
    return out


# ---- PostgreSQL ----

PG_QUERY = r"""
SELECT json_build_object(
 'columns', (SELECT json_agg(json_build_object('table', table_name, 'name', column_name,
        'pos', ordinal_position, 'type', data_type, 'nullable', is_nullable,
        'default', column_default, 'identity', is_identity, 'collation', collation_name)
        ORDER BY table_name, ordinal_position)
     FROM information_schema.columns WHERE table_schema = current_schema()),
 'tables', (SELECT json_agg(table_name ORDER BY table_name) FROM information_schema.tables
     WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'),
 'indexes', (SELECT json_agg(json_build_object('table', t.relname, 'name', i.relname,
        'unique', x.indisunique, 'primary', x.indisprimary,
        'constraint', (SELECT c.contype FROM pg_constraint c WHERE c.conindid = x.indexrelid
                       AND c.conrelid = x.indrelid LIMIT 1),
        'columns', (SELECT json_agg(pg_get_indexdef(x.indexrelid, k, true) ORDER BY k)
                    FROM generate_series(1, x.indnkeyatts) k),
        'where', pg_get_expr(x.indpred, x.indrelid, true)))
     FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
     JOIN pg_namespace n ON n.oid = t.relnamespace WHERE n.nspname = current_schema()),
 'constraints', (SELECT json_agg(json_build_object('table', t.relname, 'type', c.contype,
        'def', pg_get_constraintdef(c.oid, true),
        'columns', (SELECT json_agg(a.attname ORDER BY k.o) FROM unnest(c.conkey)
                    WITH ORDINALITY k(n, o) JOIN pg_attribute a ON a.attrelid = c.conrelid
                    AND a.attnum = k.n),
        'ref', r.relname,
        'refcolumns', (SELECT json_agg(a.attname ORDER BY k.o) FROM unnest(c.confkey)
                    WITH ORDINALITY k(n, o) JOIN pg_attribute a ON a.attrelid = c.confrelid
                    AND a.attnum = k.n),
        'ondelete', c.confdeltype))
     FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid
     LEFT JOIN pg_class r ON r.oid = c.confrelid
     JOIN pg_namespace n ON n.oid = t.relnamespace WHERE n.nspname = current_schema()),
 'triggers', (SELECT json_agg(pg_get_triggerdef(g.oid, true)) FROM pg_trigger g
     JOIN pg_class t ON t.oid = g.tgrelid JOIN pg_namespace n ON n.oid = t.relnamespace
     WHERE n.nspname = current_schema() AND NOT g.tgisinternal))
"""

ON_DELETE = {"a": "NO ACTION", "r": "RESTRICT", "c": "CASCADE", "n": "SET NULL",
             "d": "SET DEFAULT"}


def psql(uri, *args, input=None):
    p = subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", *args, uri],
                       capture_output=True, text=True, input=input, timeout=120)
    if p.returncode != 0:
        raise RuntimeError(f"psql {' '.join(args)}: {p.stderr.strip()}")
    return p.stdout


def pg_schema(uri):
    raw = json.loads(psql(uri, "-At", "-c", PG_QUERY))
    out = {t: {"columns": [], "pk": (), "uniques": set(), "indexes": {}, "fks": set(),
               "checks": [], "triggers": {}} for t in raw["tables"] or []}
    for c in raw["columns"] or []:
        if c["table"] not in out:
            continue
        auto = c["identity"] == "YES" or (c["default"] or "").startswith("nextval(")
        out[c["table"]]["columns"].append({
            "name": c["name"], "type": c["type"], "notnull": c["nullable"] == "NO",
            "default": None if auto else norm_expr(c["default"]), "auto": auto,
            "collation": c["collation"]})
    constraint_index = set()
    for k in raw["constraints"] or []:
        t = out.get(k["table"])
        if t is None:
            continue
        if k["type"] == "p":
            t["pk"] = tuple(k["columns"])
        elif k["type"] == "u":
            t["uniques"].add(tuple(k["columns"]))
        elif k["type"] == "f":
            t["fks"].add((tuple(k["columns"])[0] if len(k["columns"]) == 1 else
                          tuple(k["columns"]), k["ref"], k["refcolumns"][0],
                          ON_DELETE[k["ondelete"]]))
        elif k["type"] == "c":
            colnames = {c["name"] for c in t["columns"]}
            t["checks"].append(check_signature(k["def"], colnames))
    for t in out.values():
        t["checks"].sort()
    for i in raw["indexes"] or []:
        t = out.get(i["table"])
        if t is None or i["constraint"] in ("p", "u"):
            constraint_index.add(i["name"])
            continue
        t["indexes"][i["name"]] = {"unique": i["unique"],
                                   "columns": [norm_expr(c) for c in i["columns"]],
                                   "where": norm_expr(i["where"])}
    for d in raw["triggers"] or []:
        table, name, trig = parse_trigger(d, pg=True)
        if table in out:
            out[table]["triggers"][name] = trig
    return out


# ---- comparison ----

def named(say, table, kind, lite, pg, parts):
    """Compares the objects of one kind (indexes, triggers) of table by name and by parts."""
    for n in sorted(set(lite) | set(pg)):
        x, y = lite.get(n), pg.get(n)
        if x is None or y is None:
            say(kind, f"{table}.{n}", f"{kind} only in " + ("PostgreSQL" if x is None
                                                            else "SQLite"))
            continue
        for part in parts:
            if x[part] != y[part]:
                say(kind, f"{table}.{n}",
                    f"{kind} {part}: {x[part]} in SQLite, {y[part]} in PostgreSQL")


def compare(lite, pg):
    """The differences between the two schemas, as sentences; INTENDED ones left out."""
    diffs = []

    def say(kind, name, text):
        if (kind, name) not in INTENDED:
            diffs.append(f"{name}: {text}")

    for t in sorted(set(lite) - set(pg)):
        say("table", t, "table only in SQLite")
    for t in sorted(set(pg) - set(lite)):
        say("table", t, "table only in PostgreSQL")
    for t in sorted(set(lite) & set(pg)):
        a, b = lite[t], pg[t]
        ac = {c["name"]: c for c in a["columns"]}
        bc = {c["name"]: c for c in b["columns"]}
        for n in [c["name"] for c in a["columns"]]:
            if n not in bc:
                say("column", f"{t}.{n}", "column only in SQLite")
                continue
            x, y = ac[n], bc[n]
            if x["type"] != y["type"]:
                say("column", f"{t}.{n}", f"type {x['type']} in SQLite, {y['type']} in PostgreSQL")
            if y["type"] == "text" and y.get("collation") != "C":
                say("column", f"{t}.{n}", f"collation {y.get('collation')} in PostgreSQL, not "
                    "C (SQLite's BINARY)")
            if x["notnull"] != y["notnull"]:
                say("column", f"{t}.{n}", "NOT NULL in " + ("SQLite only" if x["notnull"]
                                                            else "PostgreSQL only"))
            if x["auto"] and not (y["auto"] or n in b["pk"]):
                say("column", f"{t}.{n}", "assigned by SQLite (rowid), not a key in PostgreSQL")
            if not x["auto"] and y["auto"]:
                say("column", f"{t}.{n}", "an identity in PostgreSQL only")
            if x["default"] != y["default"] and not y["auto"]:
                say("column", f"{t}.{n}",
                    f"default {x['default']} in SQLite, {y['default']} in PostgreSQL")
        for n in [c["name"] for c in b["columns"]]:
            if n not in ac:
                say("column", f"{t}.{n}", "column only in PostgreSQL")
        order_a = [c["name"] for c in a["columns"]]
        order_b = [c["name"] for c in b["columns"] if c["name"] in ac]
        if order_a != order_b and set(order_a) == set(order_b):
            say("column order", t, f"columns in another order: {order_a} / {order_b}")
        if a["pk"] != b["pk"]:
            say("primary key", t, f"primary key {a['pk']} in SQLite, {b['pk']} in PostgreSQL")
        for u in sorted(a["uniques"] - b["uniques"]):
            say("unique", f"{t}{u}", "UNIQUE only in SQLite")
        for u in sorted(b["uniques"] - a["uniques"]):
            say("unique", f"{t}{u}", "UNIQUE only in PostgreSQL")
        named(say, t, "index", a["indexes"], b["indexes"], ("unique", "columns", "where"))
        for f in sorted(a["fks"] - b["fks"], key=str):
            say("foreign key", f"{t}.{f[0]}", f"foreign key {f} only in SQLite")
        for f in sorted(b["fks"] - a["fks"], key=str):
            say("foreign key", f"{t}.{f[0]}", f"foreign key {f} only in PostgreSQL")
        if a["checks"] != b["checks"]:
            for c in sorted(set(a["checks"]) - set(b["checks"])):
                say("check", t, f"CHECK on {c[0]} {c[1]} only in SQLite")
            for c in sorted(set(b["checks"]) - set(a["checks"])):
                say("check", t, f"CHECK on {c[0]} {c[1]} only in PostgreSQL")
            if set(a["checks"]) == set(b["checks"]):
                say("check", t, "CHECK constraints repeated differently")
        named(say, t, "trigger", a["triggers"], b["triggers"],
              ("timing", "event", "of", "level", "when"))
    return diffs


def apply_pg_schema(uri):
    """Runs every src/store/schema/pg/*.sql on uri in order, each in one transaction."""
    files = sorted(glob.glob(os.path.join(ROOT, "src", "store", "schema", "pg", "*.sql")))
    if not files:
        raise RuntimeError("no src/store/schema/pg/*.sql")
    for f in files:
        psql(uri, "-1", "-f", f)


def make_both(vigie):
    """A fresh SQLite database and a fresh PostgreSQL one; compares them; cleans up."""
    with tempfile.TemporaryDirectory(prefix="vgparity.") as tmp:
        db = os.path.join(tmp, "vigie.db")
        p = subprocess.run([vigie, "init", "--db", db], capture_output=True, text=True,
                           timeout=120)
        if p.returncode != 0:
            raise RuntimeError(f"vigie init: {p.stderr.strip()}")
        pgdir = tempfile.mkdtemp(prefix="vgpg.", dir="/tmp")
        cluster = os.path.join(ROOT, "scripts", "pgcluster.sh")
        try:
            p = subprocess.run(["sh", cluster, "start", pgdir], capture_output=True, text=True,
                               timeout=120)
            if p.returncode != 0:
                raise RuntimeError(f"pgcluster.sh start: {p.stderr.strip()}")
            base = p.stdout.strip()
            psql(base, "-c", "CREATE DATABASE parity")
            uri = base.replace("/postgres?", "/parity?")
            apply_pg_schema(uri)
            return compare(sqlite_schema(db), pg_schema(uri))
        finally:
            subprocess.run(["sh", cluster, "stop", pgdir], capture_output=True, timeout=120)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sqlite", help="an existing SQLite database (vigie init)")
    ap.add_argument("--pg", help="the URI of an existing PostgreSQL database, schema applied")
    ap.add_argument("--vigie", default=os.environ.get("VIGIE_BIN", os.path.join(ROOT, "vigie")),
                    help="the vigie binary that makes the SQLite database")
    args = ap.parse_args()
    if bool(args.sqlite) != bool(args.pg):
        ap.error("--sqlite and --pg go together")
    try:
        if args.sqlite:
            if not os.path.exists(args.sqlite):
                raise RuntimeError(f"{args.sqlite}: no such file")
            diffs = compare(sqlite_schema(args.sqlite), pg_schema(args.pg))
        else:
            diffs = make_both(args.vigie)
    except (RuntimeError, ValueError, sqlite3.Error, OSError) as e:
        print(f"schema_parity: {e}", file=sys.stderr)
        return 2
    for d in diffs:
        print(d)
    if diffs:
        print(f"schema_parity: {len(diffs)} difference(s)", file=sys.stderr)
        return 1
    print("schema_parity: SQLite and PostgreSQL schemas agree", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
