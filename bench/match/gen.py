#!/usr/bin/python3
"""Generates the `vigie match` benchmark data (Python stdlib only, deterministic):
  OUT/iocs.txt       1,000,000 indicators of every type ("TYPE VALUE" lines)
  OUT/eve.json       a Suricata-EVE-like file (dns, http, tls, fileinfo, smtp) of >= SIZE MB
  OUT/values.txt     the indicator values alone (for grep -F -f)
  OUT/expected.json  the planted hits: every event carries one indicator with probability RATE
Indicators and background traffic are drawn from disjoint spaces (IPv4 indicators in 1-99.x,
background in 100-223.x; random indicator labels vs a word list), so the expected hit count
is exactly the number of planted values. usage: gen.py [--dense] [OUT] [SIZE_MB] [N_IOCS] [RATE]

--dense (issue 17, "dense hits"): the IPv4 networks are 12,500 each of /16, /20, /24 and /28
(Spamhaus DROP-like), nested (every /20 inside one of the /16s, every /24 inside a /20, every
/28 inside a /24), in 60-108.x (background moves to 110-223.x); about half of the events carry
an address inside them (80 % drawn in a /16, 10 % in a /20, 6 % in a /24, 4 % in a /28: one
address hits up to 4 networks, 1.4 on average), and the usual RATE of other
planted values stays. Also writes OUT/iocs-nonet.txt: the same indicators without the
networks (the "same events without the networks" comparison) and expected-nonet.json."""
import json
import os
import random
import sys

DENSE = "--dense" in sys.argv[1:]
ARGS = [a for a in sys.argv[1:] if a != "--dense"]
OUT = ARGS[0] if len(ARGS) > 0 else "bench/out"
SIZE_MB = int(ARGS[1]) if len(ARGS) > 1 else 220
N_IOCS = int(ARGS[2]) if len(ARGS) > 2 else 1_000_000
RATE = float(ARGS[3]) if len(ARGS) > 3 else 0.01
DENSE_NETS = 12_500  # per prefix length /16, /20, /24, /28
DENSE_RATE = 0.5     # events carrying an address inside the networks

rnd = random.Random(42)
LET = "abcdefghijklmnopqrstuvwxyz"
TLDS = ["com", "net", "org", "info", "ru", "cn", "io", "xyz", "top", "fr", "de", "biz"]
WORDS = ("mail cdn api www static img login update news shop cloud data edge portal app "
         "media files docs video search maps ads track secure auth store blog wiki").split()
BGDOM = ("google microsoft amazon akamai cloudflare apple facebook github wikipedia "
         "mozilla ubuntu debian gouv orange free sfr bouygues lemonde leboncoin").split()


def rlabel(a, b):
    return "".join(rnd.choice(LET) for _ in range(rnd.randint(a, b)))


def hexs(n):
    return "%0*x" % (n, rnd.getrandbits(n * 4))


def ioc_ip():  # exact addresses in 11.0.0.0-59.255.255.255 (background uses 10/8)
    return "%d.%d.%d.%d" % (rnd.randint(11, 59), rnd.randint(0, 255), rnd.randint(0, 255),
                            rnd.randint(1, 254))


def dense_nets():
    """DENSE_NETS nested networks of each of /16, /20, /24, /28 as (address, prefix)."""
    nets = {16: [], 20: [], 24: [], 28: []}
    seen = set()
    for p in (16, 20, 24, 28):
        while len(nets[p]) < DENSE_NETS:
            if p == 16:
                a = rnd.randint(60 << 8, (109 << 8) - 1) << 16
            else:  # inside a network of the previous length
                up = rnd.choice(nets[p - 4])
                a = up[0] | (rnd.getrandbits(4) << (32 - p))
            if (a, p) not in seen:
                seen.add((a, p))
                nets[p].append((a, p))
    return [n for p in (16, 20, 24, 28) for n in nets[p]]


def dotted(n):
    return "%d.%d.%d.%d" % (n >> 24, (n >> 16) & 255, (n >> 8) & 255, n & 255)


def gen_iocs():
    counts = {"ipv4": 180_000, "cidr4": 4 * DENSE_NETS if DENSE else 20_000, "ipv6": 45_000, "cidr6": 5_000,
              "domain": 300_000, "url": 200_000, "email": 50_000, "md5": 70_000,
              "sha1": 50_000, "sha256": 80_000}
    scale = N_IOCS / sum(counts.values())
    iocs = {k: [] for k in counts}
    seen = set()
    for kind, n in counts.items():
        n = int(n * scale)
        out = iocs[kind]
        while len(out) < n:
            if kind == "ipv4":
                v = ioc_ip()
            elif kind == "cidr4" and DENSE:
                if not out:
                    out.extend(dotted(a) + "/%d" % p for a, p in dense_nets())
                continue
            elif kind == "cidr4":  # networks in 60.0.0.0-99.255.255.255
                p = rnd.choice([16] * 1 + [24] * 15 + [28] * 4)
                a = (rnd.randint(60, 99) << 24) | rnd.getrandbits(24)
                a &= (0xFFFFFFFF << (32 - p)) & 0xFFFFFFFF
                v = "%d.%d.%d.%d/%d" % (a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255, p)
            elif kind == "ipv6":
                v = "2001:db8:%x:%x::%x" % (rnd.getrandbits(16), rnd.getrandbits(16),
                                            rnd.getrandbits(16) or 1)
            elif kind == "cidr6":
                v = "2a0%x:%x:%x::/48" % (rnd.randint(1, 9), rnd.getrandbits(16), rnd.getrandbits(16))
            elif kind == "domain":
                v = rlabel(6, 14) + "." + rnd.choice(TLDS)
                if rnd.random() < 0.3:
                    v = rlabel(3, 8) + "." + v
            elif kind == "url":
                v = "http%s://%s.%s/%s/%s.%s" % (rnd.choice(["", "s"]), rlabel(6, 12),
                                                 rnd.choice(TLDS), rlabel(3, 8), rlabel(4, 10),
                                                 rnd.choice(["php", "exe", "html", "zip"]))
            elif kind == "email":
                v = "%s@%s.%s" % (rlabel(4, 10), rlabel(6, 12), rnd.choice(TLDS))
            else:
                v = hexs({"md5": 32, "sha1": 40, "sha256": 64}[kind])
            if v not in seen:
                seen.add(v)
                out.append(v)
    return iocs


TYPE = {"ipv4": "ipv4-addr", "cidr4": "ipv4-addr", "ipv6": "ipv6-addr", "cidr6": "ipv6-addr",
        "domain": "domain-name", "url": "url", "email": "email-addr", "md5": "md5",
        "sha1": "sha1", "sha256": "sha256"}


def bg_ip():
    return "%d.%d.%d.%d" % (rnd.randint(110 if DENSE else 100, 223), rnd.randint(0, 255), rnd.randint(0, 255),
                            rnd.randint(1, 254))


def bg_dom():
    return "%s%d.%s.%s" % (rnd.choice(WORDS), rnd.randint(0, 99), rnd.choice(BGDOM),
                           rnd.choice(TLDS))


def main():
    os.makedirs(OUT, exist_ok=True)
    iocs = gen_iocs()
    with open(os.path.join(OUT, "iocs.txt"), "w") as f, \
            open(os.path.join(OUT, "values.txt"), "w") as g:
        f.write("# vigie match benchmark indicators\n")
        for kind, vals in iocs.items():
            for v in vals:
                f.write("%s %s\n" % (TYPE[kind], v))
                g.write(v + "\n")
    if DENSE:
        with open(os.path.join(OUT, "iocs-nonet.txt"), "w") as f:
            f.write("# vigie match benchmark indicators without the networks\n")
            for kind, vals in iocs.items():
                if kind != "cidr4":
                    for v in vals:
                        f.write("%s %s\n" % (TYPE[kind], v))
    # Values to plant, each hitting exactly one indicator.
    cidr_hosts = []
    for c in iocs["cidr4"][:5000]:
        net, p = c.split("/")
        a = [int(x) for x in net.split(".")]
        n = (a[0] << 24) | (a[1] << 16) | (a[2] << 8) | a[3]
        n |= rnd.getrandbits(32 - int(p)) if int(p) < 32 else 0
        cidr_hosts.append("%d.%d.%d.%d" % (n >> 24, (n >> 16) & 255, (n >> 8) & 255, n & 255))
    nets = set(iocs["cidr4"])

    def containing(ip):
        a = [int(x) for x in ip.split(".")]
        n = (a[0] << 24) | (a[1] << 16) | (a[2] << 8) | a[3]
        k = 0
        for p in range(0, 33):
            m = n & ((0xFFFFFFFF << (32 - p)) & 0xFFFFFFFF) if p else 0
            if "%d.%d.%d.%d/%d" % (m >> 24, (m >> 16) & 255, (m >> 8) & 255, m & 255, p) in nets:
                k += 1
        return k

    extra = 0
    dense_hits = 0
    dense_list = [tuple(int(x) for x in (c.split("/")[0].split(".") + [c.split("/")[1]]))
                  for c in iocs["cidr4"]] if DENSE else []
    limit = SIZE_MB * 1_000_000
    written = 0
    events = 0
    planted = {}
    t0 = 1764400000
    with open(os.path.join(OUT, "eve.json"), "w") as f:
        while written < limit:
            events += 1
            et = rnd.choice(["dns", "dns", "http", "http", "tls", "fileinfo", "smtp"])
            plant = rnd.random() < RATE
            src, dst = "10.%d.%d.%d" % (rnd.randint(0, 255), rnd.randint(0, 255),
                                        rnd.randint(1, 254)), bg_ip()
            e = {"timestamp": "2026-11-29T%02d:%02d:%02d.%06d+0100" % (
                     (events // 3600) % 24, (events // 60) % 60, events % 60, rnd.getrandbits(19)),
                 "flow_id": rnd.getrandbits(50), "in_iface": "eth0", "event_type": et,
                 "src_ip": src, "src_port": rnd.randint(1024, 65535), "dest_ip": dst,
                 "dest_port": {"dns": 53, "http": 80, "tls": 443, "fileinfo": 80, "smtp": 25}[et],
                 "proto": "UDP" if et == "dns" else "TCP",
                 "community_id": "1:" + hexs(27)}
            host = bg_dom()
            if et == "dns":
                e["dns"] = {"version": 2, "type": "answer", "id": rnd.getrandbits(16),
                            "flags": "8180", "qr": True, "rd": True, "ra": True,
                            "rrname": host, "rrtype": "A", "rcode": "NOERROR",
                            "answers": [{"rrname": host, "rrtype": "A", "ttl": 300,
                                         "rdata": bg_ip()}]}
            elif et in ("http", "fileinfo"):
                e["http"] = {"hostname": host, "url": "/%s/%s?id=%d" % (
                                 rnd.choice(WORDS), rnd.choice(WORDS), rnd.getrandbits(20)),
                             "http_user_agent": "Mozilla/5.0 (X11; Linux x86_64; rv:120.0) "
                                                "Gecko/20100101 Firefox/120.0",
                             "http_content_type": "text/html", "http_method": "GET",
                             "protocol": "HTTP/1.1", "status": 200, "length": rnd.randint(0, 99999)}
                if et == "fileinfo":
                    e["app_proto"] = "http"
                    e["fileinfo"] = {"filename": "/%s.bin" % rnd.choice(WORDS), "gaps": False,
                                     "state": "CLOSED", "md5": hexs(32), "sha1": hexs(40),
                                     "sha256": hexs(64), "stored": False,
                                     "size": rnd.randint(1, 10 ** 6), "tx_id": 0}
            elif et == "tls":
                e["tls"] = {"subject": "CN=%s" % host, "issuerdn": "C=US, O=Let's Encrypt, CN=R3",
                            "serial": ":".join(hexs(2) for _ in range(9)),
                            "fingerprint": ":".join(hexs(2) for _ in range(20)),
                            "sni": host, "version": "TLS 1.3",
                            "notbefore": "2026-01-01T00:00:00", "notafter": "2026-12-31T00:00:00",
                            "ja3": {"hash": hexs(32)}}
            else:
                e["smtp"] = {"helo": host, "mail_from": "<%s@%s>" % (rnd.choice(WORDS), host),
                             "rcpt_to": ["<%s@%s>" % (rnd.choice(WORDS), bg_dom())]}
                e["email"] = {"status": "PARSE_DONE", "from": "%s <%s@%s>" % (
                                  rnd.choice(WORDS), rnd.choice(WORDS), host),
                              "to": ["%s@%s" % (rnd.choice(WORDS), bg_dom())],
                              "subject": "Invoice %d" % rnd.getrandbits(16)}
            if DENSE and not plant and rnd.random() < DENSE_RATE / (1 - RATE):
                # mostly inside a /16 only: ~1.4 hits per such event, ~1.2 per line of a /28
                lv = rnd.choices((0, 1, 2, 3), (80, 10, 6, 4))[0]
                a, b, c, d_, p = dense_list[lv * DENSE_NETS + rnd.randrange(DENSE_NETS)]
                n = (a << 24) | (b << 16) | (c << 8) | d_
                n |= rnd.getrandbits(32 - p)
                e["dest_ip" if rnd.random() < 0.7 else "src_ip"] = dotted(n)
                dense_hits += containing(dotted(n))
            if plant:
                kind = rnd.choice(["ipv4", "cidr4", "ipv6", "domain", "domain", "url", "email",
                                   "md5", "sha1", "sha256"])
                if kind == "ipv4":
                    e["dest_ip"] = rnd.choice(iocs["ipv4"])
                elif kind == "cidr4":
                    e["dest_ip"] = rnd.choice(cidr_hosts)
                    extra += containing(e["dest_ip"]) - 1  # nested networks all hit
                elif kind == "ipv6":
                    e["src_ip"] = rnd.choice(iocs["ipv6"]).upper()
                elif kind == "domain":
                    d = rnd.choice(iocs["domain"])
                    if et == "dns":
                        e["dns"]["rrname"] = "www." + d
                    else:
                        e["tls"] = {"sni": d.upper() + "."}
                elif kind == "url":
                    u = rnd.choice(iocs["url"])
                    scheme, rest = u.split("://", 1)
                    h, path = rest.split("/", 1)
                    if scheme == "http":
                        e["http"] = {"hostname": h, "url": "/" + path, "http_method": "GET"}
                    else:
                        e["alert"] = {"metadata": {"url": ["HTTPS://" + h.upper() + ":443/" + path]}}
                elif kind == "email":
                    e["smtp"] = {"mail_from": "<%s>" % rnd.choice(iocs["email"])}
                else:
                    e["fileinfo"] = {"filename": "x.exe", kind: rnd.choice(iocs[kind]).upper()}
                planted[kind] = planted.get(kind, 0) + 1
            line = json.dumps(e, separators=(",", ":")) + "\n"
            f.write(line)
            written += len(line)
    exp = {"events": events, "bytes": written, "indicators": sum(len(v) for v in iocs.values()),
           "expected_hits": sum(planted.values()) + extra + dense_hits, "planted": planted,
           "rate": RATE}
    if DENSE:
        exp["dense_hits"] = dense_hits
        nonet = {"events": events, "bytes": written,
                 "indicators": exp["indicators"] - len(iocs["cidr4"]),
                 "planted_other": sum(v for k, v in planted.items() if k != "cidr4")}
        with open(os.path.join(OUT, "expected-nonet.json"), "w") as f:
            json.dump(nonet, f, indent=1)
    with open(os.path.join(OUT, "expected.json"), "w") as f:
        json.dump(exp, f, indent=1)
    print(json.dumps(exp))


if __name__ == "__main__":
    main()
