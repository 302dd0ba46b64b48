#!/usr/bin/python3
"""Writes one MISP event of N attributes, deterministically (no clock, no random module
state beyond a fixed seed), in the order MISP itself exports: event fields, Orgc,
Attribute[], Object[], Tag[] last. A mix of the types vigie imports, 1 in 20 of a type it
skips, 1 in 10 with a sighting, 1 in 5 with its own TLP tag.
usage: misp_gen.py N OUT.json"""
import json
import sys

TYPES = ["ip-dst", "ip-src", "domain", "hostname", "url", "md5", "sha256", "email-src",
         "ip-dst|port", "filename|sha1", "domain|ip", "sha1", "ip-dst", "domain", "url",
         "md5", "ip-src", "domain", "sha256", "vulnerability"]


def value(t, i):
    a = "%d.%d.%d.%d" % (10 + i % 200, (i >> 8) & 255, (i >> 16) & 255, i & 255)
    h = "%032x" % (i * 2654435761 % (1 << 128))
    return {
        "ip-dst": a, "ip-src": a, "domain": "host%d.example" % i,
        "hostname": "www%d.example" % i, "url": "http://host%d.example/p/%d" % (i, i * 7),
        "md5": h, "sha1": (h + h)[:40], "sha256": (h + h)[:64],
        "email-src": "u%d@mail%d.example" % (i, i % 97),
        "ip-dst|port": a + "|443", "filename|sha1": "f%d.exe|%s" % (i, (h + h)[:40]),
        "domain|ip": "d%d.example|%s" % (i, a), "vulnerability": "CVE-2026-%05d" % (i % 99999),
    }[t]


def main():
    n, out = int(sys.argv[1]), sys.argv[2]
    with open(out, "w") as f:
        f.write('{"Event": {"id": "1", "uuid": "5b646415-7b48-40d5-86b4-c0070acd0835", '
                '"info": "bench event of %d attributes", "date": "2026-12-01", '
                '"timestamp": "1764547200", "threat_level_id": "2", "analysis": "1", '
                '"distribution": "1", "published": true, '
                '"Orgc": {"id": "1", "name": "CERT-Bench", '
                '"uuid": "5a68c02d-959c-4c8a-a571-0dcac0a8060a"},\n"Attribute": [\n' % n)
        for i in range(n):
            t = TYPES[i % len(TYPES)]
            a = {"id": str(i + 1), "type": t,
                 "category": "Payload delivery" if t in ("md5", "sha1", "sha256") else
                 "Network activity",
                 "to_ids": i % 3 != 0, "uuid": "00000000-0000-4000-8000-%012x" % i,
                 "event_id": "1", "distribution": "5", "timestamp": str(1764547200 + i),
                 "comment": "seen in campaign %d" % (i % 50), "deleted": False,
                 "value": value(t, i)}
            if i % 5 == 0:
                a["Tag"] = [{"name": "tlp:clear" if i % 2 else "tlp:amber"}]
            if i % 10 == 0:
                a["Sighting"] = [{"uuid": "11111111-0000-4000-8000-%012x" % i,
                                  "date_sighting": str(1764547200 + i), "type": "0",
                                  "source": "sensor"}]
            f.write(("" if i == 0 else ",\n") + json.dumps(a, separators=(", ", ": ")))
        f.write('\n], "Object": [], "Tag": [{"name": "tlp:green"}, {"name": "PAP:AMBER"}, '
                '{"name": "rsit:malicious-code=\\"c2-server\\""}]}}\n')


main()
