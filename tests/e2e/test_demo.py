"""`vigie serve --demo` (what `make run` shows a new user): on an empty database it seeds the
demo constituency (src/cli/demo.c) and prints an admin token; started again, it seeds nothing
more."""
import re

from conftest import Server

DEMO_ORGS = {
    "Ministère de l'Intérieur (démo)": ("ministry", "government"),
    "CHU de Rivebourg": ("ose", "health"),
    "Électricité du Val (démo)": ("oiv", "energy"),
    "Ville de Montclair": ("local-authority", "government"),
    "Boulangerie Martin": ("sme", "other"),
}
RANSOMWARE = "Rançongiciel sur des postes du service des urgences"
PHISHING = "Hameçonnage ciblant les agents"


def items(srv, path):
    r = srv.get(path + "?limit=100")
    assert r.status_code == 200, r.text
    return r.json()["items"]


def demo_server(db):
    srv = Server(db, extra=["--demo"])
    # The banner after "listening on": the admin token of `make run`, shown once.
    lines = [srv.proc.stderr.readline() for _ in range(3)]
    m = re.search(r"admin API token \(shown once\): (\S+)", "".join(lines))
    assert m, lines
    return srv, m.group(1)


def test_demo_seeds_the_constituency_once(tmp_path):
    db = tmp_path / "vigie.db"
    srv, token = demo_server(db)
    try:
        # The printed token works: it is the admin's.
        me = srv.get("/api/v1/me", token=token)
        assert me.status_code == 200, me.text
        orgs = {o["name"]: o for o in items(srv, "/api/v1/orgs")}
        assert set(orgs) == set(DEMO_ORGS)
        for name, (kind, sector) in DEMO_ORGS.items():
            assert (orgs[name]["kind"], orgs[name]["sector"]) == (kind, sector), orgs[name]
        chu = srv.get(f"/api/v1/orgs/{orgs['CHU de Rivebourg']['id']}").json()
        assert sorted(chu["assets"]["cidrs"]) == ["2001:db8:42::/48", "203.0.113.0/25"]
        assert chu["assets"]["domains"] == ["chu-rivebourg.example"]
        assert chu["contacts"][0]["email"] == "ssi@chu-rivebourg.example"

        incs = {i["title"]: i for i in items(srv, "/api/v1/incidents")}
        assert set(incs) == {RANSOMWARE, PHISHING}
        for i in incs.values():
            assert re.fullmatch(r"VIG-\d{4}-00000[12]", i["ref"]), i
        ran = srv.get("/api/v1/incidents/" + incs[RANSOMWARE]["ref"]).json()
        assert (ran["severity"], ran["tlp"], ran["pap"]) == ("critical", "AMBER+STRICT", "AMBER")
        assert (ran["class"], ran["type"]) == ("malicious-code", "infected-system")
        assert {o["value"] for o in ran["observables"]} >= {
            "185.220.101.7", "update-check.evil.example", "44d88612fea8a8f36de82e1278abb02f"}
        phi = srv.get("/api/v1/incidents/" + incs[PHISHING]["ref"]).json()
        assert (phi["severity"], phi["tlp"], phi["class"], phi["type"]) == (
            "high", "GREEN", "fraud", "phishing")
        # The two incidents share an indicator: 185.220.101.7 lies in 185.220.101.0/24.
        rel = srv.get(f"/api/v1/incidents/{incs[RANSOMWARE]['ref']}/related")
        assert rel.status_code == 200, rel.text
        assert [x["ref"] for x in rel.json()["related"]] == [incs[PHISHING]["ref"]]
    finally:
        rc, err = srv.stop()
    assert rc == 0, err[-3000:]

    # Started again on the same database: nothing seeded twice, a new token still printed.
    srv.start()
    try:
        assert srv.proc.stderr.readline().startswith("database: ")
        assert "admin API token" in srv.proc.stderr.readline()
        assert sorted(o["name"] for o in items(srv, "/api/v1/orgs")) == sorted(DEMO_ORGS)
        assert sorted(i["title"] for i in items(srv, "/api/v1/incidents")) == sorted(
            [RANSOMWARE, PHISHING])
    finally:
        rc, err = srv.stop()
    assert rc == 0, err[-3000:]


GUIDES = {"Mots de passe et authentification multifacteur", "Sauvegardes et rançongiciels",
          "Gestion des correctifs de sécurité", "Reconnaître et signaler l'hameçonnage",
          "Fiche réflexe : les premiers gestes face à un incident"}


def test_demo_publishes_advisories_and_the_guides_once(tmp_path):
    """The demo publishes an advisory and an alert on products the constituency holds, and
    the guides shipped in guides/ (embedded in the binary), each once; they are public."""
    db = tmp_path / "vigie.db"
    srv, _ = demo_server(db)
    try:
        advs = items(srv, "/api/v1/advisories")
        assert sorted((a["kind"], a["status"], a["version"]) for a in advs) == sorted(
            [("avis", "published", 1), ("alerte", "published", 1)]
            + [("guide", "published", 1)] * 5)
        assert {a["title"] for a in advs if a["kind"] == "guide"} == GUIDES
        for a in advs:
            prefix = "/guides/" if a["kind"] == "guide" else "/advisories/"
            r = srv.get(prefix + a["ref"], token="")
            assert r.status_code == 200 and a["ref"] in r.text, a["ref"]
        # a guide's body is its Markdown without the front matter, rendered
        guide = next(a for a in advs if a["title"] == "Sauvegardes et rançongiciels")
        page = srv.get("/guides/" + guide["ref"], token="").text
        assert "[ref]" not in page and "GUIDE-SAUVEGARDES" not in page
        assert "<h2" in page and "3-2-1" in page
        index = srv.get("/.well-known/csaf/white/index.txt", token="").text.split()
        assert len(index) == 2  # guides have no CSAF document
    finally:
        rc, err = srv.stop()
    assert rc == 0, err[-3000:]
    srv.start()
    try:
        assert len(items(srv, "/api/v1/advisories")) == 7
    finally:
        rc, err = srv.stop()
    assert rc == 0, err[-3000:]
