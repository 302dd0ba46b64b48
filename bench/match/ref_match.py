#!/usr/bin/python3
"""A straightforward reference matcher, the way IntelMQ-style Python bots work: indicators in
sets, json.loads per line, every string value classified by the rules of issue 3, per-event
de-duplication. Used by bench/match/run.sh for speed and to cross-check vigie's hit count.
usage: ref_match.py IOCS EVE   (prints one JSON object with counts and timings)"""
import ipaddress
import json
import re
import sys
import time

HOST_RE = re.compile(r"^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)+$")
HEX_RE = re.compile(r"^[0-9A-Fa-f]+$")


def is_host(s):
    if s.endswith("."):
        s = s[:-1]
    return 0 < len(s) <= 253 and HOST_RE.match(s) and re.search("[A-Za-z]", s.rsplit(".", 1)[1])


def norm_url(u):
    i = u.find("://")
    if i <= 0:
        return None, None
    scheme, rest = u[:i].lower(), u[i + 3:]
    rest = rest.split("#", 1)[0]
    m = re.match(r"^([^/?]*)(.*)$", rest, re.S)
    auth, path = m.group(1), m.group(2)
    auth = auth.rsplit("@", 1)[-1]
    if auth.startswith("["):
        host, _, port = auth[1:].partition("]")
        port = port[1:] if port.startswith(":") else port
        shown = "[" + host.lower() + "]"
    else:
        host, _, port = auth.partition(":")
        if host.endswith("."):
            host = host[:-1]
        shown = host.lower()
    if port and not port.isdigit():
        return None, None
    if port in ("", "80" if scheme == "http" else "", "443" if scheme == "https" else ""):
        port = ""
    if not path.startswith("/"):
        path = "/" + path
    return scheme + "://" + shown + (":" + port if port else "") + path, host.lower()


class Index:
    def __init__(self):
        self.ips = {4: {}, 6: {}}  # family -> {prefix: {network int: text}}
        self.domains, self.urls, self.emails, self.hashes = {}, {}, {}, {}

    def add(self, typ, v):
        if typ in ("ipv4-addr", "ipv6-addr"):
            net = ipaddress.ip_network(v, strict=False)
            self.ips[net.version].setdefault(net.prefixlen, {}).setdefault(
                int(net.network_address), v)
        elif typ == "domain-name":
            self.domains.setdefault(v.lower().rstrip("."), v)
        elif typ == "url":
            self.urls.setdefault(norm_url(v)[0], v)
        elif typ == "email-addr":
            self.emails.setdefault(v.lower(), v)
        elif typ in ("md5", "sha1", "sha256"):
            self.hashes.setdefault(v.lower(), v)

    def ip_hits(self, addr, out):
        fam = self.ips[addr.version]
        n = int(addr)
        bits = 32 if addr.version == 4 else 128
        for p, nets in fam.items():
            key = n & (((1 << p) - 1) << (bits - p)) if p else 0
            if key in nets:
                out.append(nets[key])

    def host_hits(self, host, out):
        h = host.lower().rstrip(".")
        labels = h.split(".")
        for i in range(len(labels) - 1):
            d = ".".join(labels[i:])
            if d in self.domains:
                out.append(self.domains[d])

    def candidate(self, s, out):
        s = s.strip()
        if len(s) >= 2 and s[0] == "<" and s[-1] == ">":
            s = s[1:-1].strip()
        if not s:
            return
        try:
            self.ip_hits(ipaddress.ip_address(s), out)
            return
        except ValueError:
            pass
        if "://" in s:
            u, host = norm_url(s)
            if u is None:
                return
            if u in self.urls:
                out.append(self.urls[u])
            try:
                self.ip_hits(ipaddress.ip_address(host), out)
            except ValueError:
                if is_host(host):
                    self.host_hits(host, out)
            return
        if len(s) in (32, 40, 64) and HEX_RE.match(s):
            if s.lower() in self.hashes:
                out.append(self.hashes[s.lower()])
            return
        if "@" in s:
            local, _, host = s.rpartition("@")
            if local and is_host(host):
                e = s.lower().rstrip(".")
                if e in self.emails:
                    out.append(self.emails[e])
                self.host_hits(host, out)
                return
        if is_host(s):
            self.host_hits(s, out)


def strings(v):
    if isinstance(v, str):
        yield v
    elif isinstance(v, dict):
        for x in v.values():
            yield from strings(x)
    elif isinstance(v, list):
        for x in v:
            yield from strings(x)


def main():
    t0 = time.time()
    idx = Index()
    n = 0
    with open(sys.argv[1], encoding="utf-8", errors="replace") as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            typ, _, v = line.partition(" ")
            idx.add(typ, v.strip())
            n += 1
    t1 = time.time()
    events = hits = malformed = 0
    nbytes = 0
    with open(sys.argv[2], "rb") as f:
        for raw in f:
            nbytes += len(raw)
            try:
                ev = json.loads(raw)
            except ValueError:
                malformed += 1
                continue
            events += 1
            found = []
            for s in strings(ev):
                idx.candidate(s, found)
            http = ev.get("http") if isinstance(ev, dict) else None
            if isinstance(http, dict) and isinstance(http.get("hostname"), str) and \
                    isinstance(http.get("url"), str) and http["url"].startswith("/"):
                idx.candidate("http://" + http["hostname"] + http["url"], found)
            hits += len(set(found))
    t2 = time.time()
    print(json.dumps({"indicators": n, "load_seconds": round(t1 - t0, 3), "events": events,
                      "bytes": nbytes, "hits": hits, "malformed": malformed,
                      "scan_seconds": round(t2 - t1, 3),
                      "mb_per_s": round(nbytes / 1e6 / (t2 - t1), 2)}))


if __name__ == "__main__":
    main()
