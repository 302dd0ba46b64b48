"""One product-name rule on every path (core/product.h): the findings that `vigie vuln import`
and organisation creation or PATCH store are those of a full re-match (`vigie vuln match`),
for names with punctuation, CPE quoting and wildcards; and a SQLite client without vigie's
code (Python's sqlite3 module, as the sqlite3 shell) may insert and update organisations."""
import json
import os
import random
import time

import pytest

from conftest import connect, db_arg, is_uri, ROOT, make_org, run

ALL = ["*"] * 7


def cpe(vendor, product, version, part="a"):
    return ":".join(["cpe:2.3", part, vendor, product, version] + ALL)


def cve5(num, vendor, product, versions, modified="2025-01-02T00:00:00.000Z", default=None):
    """A CVE 5 record naming (vendor, product) with versions [(from, lessThan)]."""
    aff = {"vendor": vendor, "product": product,
           "versions": [{"version": a, "lessThan": b, "status": "affected",
                         "versionType": "semver"} for a, b in versions]}
    if default:
        aff["defaultStatus"] = default
    return {"dataType": "CVE_RECORD", "dataVersion": "5.1",
            "cveMetadata": {"cveId": f"CVE-2025-{num}", "state": "PUBLISHED",
                            "datePublished": "2025-01-01T00:00:00.000Z",
                            "dateUpdated": modified},
            "containers": {"cna": {"descriptions": [{"lang": "en", "value": f"test {num}"}],
                                   "affected": [aff]}}}


def nvd(num, nodes, modified="2025-01-02T00:00:00.000"):
    """An NVD CVE API 2.0 page of one CVE; nodes: [(operator, negate, [match, ...])]."""
    cfg = [{"nodes": [{"operator": op, "negate": neg, "cpeMatch": ms} for op, neg, ms in nodes],
            **({"operator": "AND"} if len(nodes) > 1 else {})}]
    return {"vulnerabilities": [{"cve": {
        "id": f"CVE-2025-{num}", "published": "2025-01-01T00:00:00.000",
        "lastModified": modified, "vulnStatus": "Analyzed",
        "descriptions": [{"lang": "en", "value": f"test {num}"}],
        "configurations": cfg}}]}


def write(tmp_path, name, doc):
    p = tmp_path / name
    p.write_text(json.dumps(doc))
    return str(p)


def findings(db):
    """Stored findings: (organisation, asset name, CVE key) sorted."""
    con = connect(db)
    rows = sorted(con.execute(
        "SELECT f.org_id, a.cpe, f.key FROM finding f JOIN asset a ON a.id = f.asset_id"))
    con.close()
    return rows


def org_findings(server, org):
    items = server.get(f"/api/v1/orgs/{org}/findings").json()["items"]
    return sorted((i["cve"], i["asset"]) for i in items)


def products(*names):
    return {"cidrs": [], "domains": [], "products": list(names)}


def test_punctuated_names_found_on_import_and_org_changes(server, tmp_path):
    db = server.db
    net = cpe("microsoft", ".net", "8.0.1")
    widget = cpe("acme", "widget_pro\\+", "1.2")
    a = make_org(server, "Before import", assets=products(net, widget))
    recs = [cve5(2001, "Microsoft", ".NET", [("8.0.0", "8.0.2")]),
            cve5(2002, "ACME", "widget_pro+", [("1.0", "2.0")])]
    run("vuln", "import", write(tmp_path, "recs.json", recs), db=db)
    want = [("CVE-2025-2001", net), ("CVE-2025-2002", widget)]
    # the import stores the findings of the organisation that held the products
    assert org_findings(server, a["id"]) == want
    # an organisation created afterwards gets its own at once
    b = make_org(server, "After import", assets=products(widget, net))
    assert org_findings(server, b["id"]) == want
    # and one that adds them by PATCH
    c = make_org(server, "Patched", assets=products())
    r = server.patch(f"/api/v1/orgs/{c['id']}", {"assets": products(net)})
    assert r.status_code == 200, r.text
    assert org_findings(server, c["id"]) == want[:1]
    # a full re-match finds nothing the incremental paths missed
    before = findings(db)
    run("vuln", "match", "--quiet", db=db)
    assert findings(db) == before


def test_sqlite_client_inserts_and_updates_org(server, tmp_path):
    """The org_product triggers call no application-defined SQL function."""
    db = server.db
    net = cpe("microsoft", ".net", "8.0.1")
    a = make_org(server, "Org A", assets=products())
    con = connect(db)
    con.execute("UPDATE org SET assets = ? WHERE id = ?", (json.dumps(products(net)), a["id"]))
    con.execute("INSERT INTO org(name, kind, sector, assets, contacts, created, updated) "
                "VALUES ('Org B', 'ministry', 'x', ?, '[]', '2025-01-01', '2025-01-01')",
                (json.dumps(products(net)),))
    con.commit()
    rows = sorted(con.execute("SELECT org_id, cpe FROM org_product"))
    b = con.execute("SELECT id FROM org WHERE name = 'Org B'").fetchone()[0]
    con.close()
    assert rows == sorted([(a["id"], net), (b, net)])
    # products written by another client are still matched on import
    recs = [cve5(2001, "Microsoft", ".NET", [("8.0.0", "8.0.2")])]
    run("vuln", "import", write(tmp_path, "recs.json", recs), db=db)
    assert [f[:2] for f in findings(db)] == sorted([(a["id"], net), (b, net)])


@pytest.mark.sqlite_only("a SQLite file of schema 4 migrated (PostgreSQL's schema starts at 001)")
def test_migration_recomputes_keys(tmp_path):
    """A database of schema 4 holds keys of the former rule ('microsoft:_net'); opening it
    migrates to 5 and recomputes them in C, so that an import finds the organisation."""
    db = tmp_path / "v.db"
    con = connect(db)
    # schema 4 itself: a database of today set back to 4 would hold later migrations' columns.
    # Its triggers called a function of vigie's (until 5); the key is overwritten below anyway
    con.create_function("vg_cpe_name_key", 1, lambda value: "")
    schema = os.path.join(ROOT, "src", "store", "schema")
    for name in sorted(os.listdir(schema))[:4]:
        with open(os.path.join(schema, name)) as f:
            con.executescript(f.read())
    net = cpe("microsoft", ".net", "8.0.1")
    con.execute("INSERT INTO org(name, kind, sector, assets, contacts, created, updated) "
                "VALUES ('Old', 'ministry', 'x', ?, '[]', '2025-01-01', '2025-01-01')",
                (json.dumps(products(net)),))
    con.execute("UPDATE org_product SET name_key = 'microsoft:_net'")
    con.execute("PRAGMA user_version = 4")
    con.commit()
    con.close()
    recs = [cve5(2001, "Microsoft", ".NET", [("8.0.0", "8.0.2")])]
    run("vuln", "import", write(tmp_path, "recs.json", recs), db=db)
    con = connect(db)
    assert con.execute("PRAGMA user_version").fetchone()[0] >= 5
    assert list(con.execute("SELECT name_key, cpe FROM org_product")) == [("microsoft:net", net)]
    con.close()
    assert [f[1:] for f in findings(db)] == [(net, 20260000002001)]


# ---- property: incremental paths == full re-match ----

# (vendor, product) as CPE values (quoted) and as a CVE 5 record may write them
NAMES = [
    (("microsoft", ".net"), [("Microsoft", ".NET"), ("microsoft", ".net"), ("MICROSOFT", "-.NET-")]),
    (("acme", "widget_pro\\+"), [("ACME", "widget_pro+"), ("acme", "Widget Pro"),
                                 ("acme", "widget-pro")]),
    (("acme", "widget"), [("Acme", "Widget"), ("acme", "widget!")]),
    (("example\\.org", "big_suite"), [("Example.org", "Big Suite"), ("example_org", "big-suite")]),
    (("gnu", "c\\+\\+"), [("GNU", "C++"), ("gnu", "c")]),
    (("node\\.js", "node\\.js"), [("Node.js", "Node.js"), ("node_js", "node js")]),
]
VERSIONS = ["1.0", "1.2", "2.0", "2.5", "8.0.1", "-"]


def rand_asset(rnd):
    (v, p), _ = rnd.choice(NAMES)
    if rnd.random() < 0.08:  # a wildcard name: refused by the matcher, never a finding
        p = p[:2] + "*"
    return cpe(v, p, rnd.choice(VERSIONS), part=rnd.choice("aaao"))


def rand_record(rnd, num, modified):
    (v, p), plain = rnd.choice(NAMES)
    lo, hi = sorted(rnd.sample(["0", "1.0", "1.5", "2.0", "3.0", "9.0"], 2))
    if rnd.random() < 0.5:
        cv, cp = rnd.choice(plain)
        return cve5(num, cv, cp, [(lo, hi)], modified + "Z",
                    default=rnd.choice([None, "affected"]))
    def match(vulnerable=True):
        (mv, mp), _ = rnd.choice(NAMES)
        r = rnd.random()
        if r < 0.1:
            mp = mp[:1] + "*"  # a wildcard product
        elif r < 0.15:
            mv = "*"
        m = {"vulnerable": vulnerable, "criteria": cpe(mv, mp, "*", part=rnd.choice("a*"))}
        if rnd.random() < 0.7:
            m["versionStartIncluding"] = lo
            m["versionEndExcluding"] = hi
        else:
            m["criteria"] = cpe(mv, mp, rnd.choice(VERSIONS[:-1]))
        return m
    if rnd.random() < 0.6:
        nodes = [("OR", False, [match() for _ in range(rnd.randint(1, 3))])]
    else:  # vulnerable product running on a platform, or with a negated node
        nodes = [("OR", False, [match()]), ("OR", rnd.random() < 0.3, [match(False)])]
    return nvd(num, nodes, modified)


def property_round(server, tmp_path, seed):
    rnd = random.Random(seed)
    db = server.db
    orgs = []
    con = connect(db)  # a clean slate: no organisation, no record
    if not is_uri(db_arg(db)):
        con.execute("PRAGMA foreign_keys = ON")  # always on in PostgreSQL
    for table in ("org", "finding", "asset", "vuln", "vuln_record", "vuln_product",
                  "vuln_compact"):
        con.execute(f"DELETE FROM {table}")
    con.commit()
    con.close()
    nums = list(range(3000, 3012))
    day = [0]
    log = []  # the steps, shown on failure

    def new_org():
        assets = [rand_asset(rnd) for _ in range(rnd.randint(0, 4))]
        orgs.append(make_org(server, f"org {seed} {len(orgs)}", assets=products(*assets))["id"])
        log.append(f"create org {orgs[-1]}: {assets}")

    def patch_org():
        if not orgs:
            return new_org()
        o = rnd.choice(orgs)
        cur = server.get(f"/api/v1/orgs/{o}").json()["assets"]["products"]
        if cur and rnd.random() < 0.4:
            cur.remove(rnd.choice(cur))
        else:
            cur.append(rand_asset(rnd))
        r = server.patch(f"/api/v1/orgs/{o}", {"assets": products(*cur)})
        assert r.status_code == 200, r.text
        log.append(f"patch org {o}: {cur}")

    def import_some():
        day[0] += 1
        recs = [rand_record(rnd, n, f"2025-02-{day[0]:02d}T00:00:00.000")
                for n in rnd.sample(nums, rnd.randint(1, 4))]
        paths = [write(tmp_path, f"r{seed}-{day[0]}-{i}.json", r) for i, r in enumerate(recs)]
        run("vuln", "import", *paths, db=db)
        log.append("import " + json.dumps(recs))

    for _ in range(rnd.randint(4, 9)):
        rnd.choice([new_org, patch_org, import_some, import_some])()
    stored = findings(db)
    run("vuln", "match", "--quiet", db=db)
    full = findings(db)
    assert stored == full, (f"seed {seed}: incremental paths stored\n{stored}\n"
                            f"a full re-match found\n{full}\nafter\n" + "\n".join(log))
    return len(full)


def test_incremental_findings_equal_full_rematch(server, tmp_path):
    base = int(os.environ.get("VIGIE_PROPERTY_SEED", time.time_ns() % 1000000))
    budget = float(os.environ.get("VIGIE_PROPERTY_SECONDS", "4"))
    start, n, total = time.monotonic(), 0, 0
    while n < 3 or time.monotonic() - start < budget:
        total += property_round(server, tmp_path, base + n)
        n += 1
        if n >= 200:
            break
    assert total > 0, f"seeds {base}..{base + n - 1}: no finding at all, the test tests nothing"
