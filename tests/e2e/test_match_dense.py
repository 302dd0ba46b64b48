"""End-to-end test of `vigie match` on dense hits (issue 17): nested networks /16 > /20 > /24 >
/28 with exact addresses inside, many hits per line, one address hitting several networks. The
output is the same whatever --threads, with and without the /16 directory the index builds for
4096 IPv4 indicators or more, and equal to hits computed here with Python's ipaddress (the rules:
longest prefix first, one line per event and indicator, the first field that hit it)."""
import ipaddress
import json
import os
import random
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = os.environ.get("VIGIE_BIN", str(ROOT / "vigie"))

NETS = ["60.1.0.0/16", "60.1.16.0/20", "60.1.17.0/24", "60.1.17.32/28", "60.1.17.40",
        "60.1.128.0/20", "60.1.130.0/24", "60.1.130.16/28", "60.9.0.0/16", "60.9.255.0/24",
        "62.0.0.0/8"]
FILLER = ["70.9.%d.%d" % (i // 17, (i % 17) * 2 + 1) for i in range(4200)]  # one dense /16


def run(*args):
    p = subprocess.run([BIN, "match", *map(str, args)], capture_output=True, timeout=60)
    assert p.returncode == 0, p.stderr.decode()
    return p.stdout


def expected(indicators, events):
    nets = [(ipaddress.ip_network(n), n) for n in indicators if "/" in n]
    exact = {n for n in indicators if "/" not in n}
    want = []
    for line, ev in enumerate(events, 1):
        seen = set()
        for field, value in ev:
            a = ipaddress.ip_address(value)
            found = sorted((n for n in nets if a in n[0]), key=lambda n: -n[0].prefixlen)
            if value in exact:
                found.insert(0, (None, value))
            for net, text in found:
                if text not in seen:
                    seen.add(text)
                    want.append({"line": line, "indicator": text, "type": "ipv4-addr",
                                 "value": value, "field": field})
    return want


def test_dense_nested_networks(tmp_path):
    rnd = random.Random(17)
    pool = (["60.1.17.40", "60.1.17.33", "60.1.17.200", "60.1.31.255", "60.1.130.17",
             "60.1.140.1", "60.1.200.9", "60.9.255.255", "60.9.1.1", "62.1.2.3", "60.2.0.1",
             "61.1.17.40", "70.9.1.1", "70.9.1.2", "70.9.200.3", "70.9.200.4"] +
            ["60.1.%d.%d" % (rnd.randrange(256), rnd.randrange(256)) for _ in range(40)])
    events = []
    for _ in range(8000):  # about 1.3 MB: several pieces for the threads
        a, b, c, d = (rnd.choice(pool) for _ in range(4))
        events.append([("src_ip", a), ("dest_ip", b), ("dns.answers[0].rdata", c),
                       ("dns.answers[1].rdata", a), ("x", d)])
    log = tmp_path / "eve.json"
    log.write_text("".join(json.dumps({"src_ip": e[0][1], "dest_ip": e[1][1],
                                       "dns": {"answers": [{"rdata": e[2][1]}, {"rdata": e[3][1]}]},
                                       "x": e[4][1]}, separators=(",", ":")) + "\n"
                           for e in events))
    small, big = tmp_path / "small.txt", tmp_path / "big.txt"
    small.write_text("".join("ipv4-addr %s\n" % n for n in NETS))
    big.write_text("".join("ipv4-addr %s\n" % n for n in NETS + FILLER))

    # the first line's hits, written out
    first = expected(NETS, events[:1])
    assert expected(NETS, [[("v", "60.1.17.40")]]) == [
        {"line": 1, "indicator": t, "type": "ipv4-addr", "value": "60.1.17.40", "field": "v"}
        for t in ["60.1.17.40", "60.1.17.32/28", "60.1.17.0/24", "60.1.16.0/20", "60.1.0.0/16"]]

    want_small = expected(NETS, events)
    want_big = expected(NETS + FILLER, events)
    assert len(want_small) > 15000 and len(want_big) > len(want_small)
    for iocs, want in ((small, want_small), (big, want_big)):
        outs = [run("--indicators", iocs, "--threads", t, log) for t in (1, 2, 4)]
        assert outs[0] == outs[1] == outs[2]
        got = [json.loads(line) for line in outs[0].decode().splitlines()]
        assert got[:len(first)] == first
        assert got == want
    # key order and bytes of one line
    line = run("--indicators", big, "--threads", 1, log).split(b"\n")[0]
    h = want_big[0]
    assert line == ('{"line":1,"indicator":"%s","type":"ipv4-addr","value":"%s","field":"%s"}'
                    % (h["indicator"], h["value"], h["field"])).encode()
