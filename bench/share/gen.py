"""Generates a MISP event of N attributes (default 1,000,000) for bench/share/run.sh: ip-dst,
domain, url, md5, sha256 and email-src in turn, all distinct, a TLP tag on one in ten, to_ids
true. Written as it goes (the event is never held in memory).
    gen.py OUT.json [N]"""
import hashlib
import sys
import uuid

NS = uuid.UUID("6f1d9c2e-7a4b-4c1e-9a0b-3d5e6f708192")


def value(i):
    k = i % 6
    if k == 0:
        return "ip-dst", "10.%d.%d.%d" % ((i >> 16) & 255, (i >> 8) & 255, i & 255)
    if k == 1:
        return "domain", "host%d.bench-%d.example" % (i, i % 97)
    if k == 2:
        return "url", "https://site%d.example/path/%d?q=%d" % (i % 5000, i, i % 7)
    if k == 3:
        return "md5", hashlib.md5(b"%d" % i).hexdigest()
    if k == 4:
        return "sha256", hashlib.sha256(b"%d" % i).hexdigest()
    return "email-src", "user%d@mail%d.example" % (i, i % 300)


def main():
    out = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 1000000
    tlps = ["tlp:clear", "tlp:green", "tlp:amber"]
    with open(out, "w") as f:
        f.write('{"Event":{"uuid":"%s","info":"bench event","date":"2026-12-01",'
                '"timestamp":"1764547200","threat_level_id":"2","analysis":"2",'
                '"distribution":"1","Tag":[{"name":"tlp:green"}],"Attribute":[\n'
                % uuid.uuid5(NS, "event"))
        for i in range(n):
            t, v = value(i)
            tag = ',"Tag":[{"name":"%s"}]' % tlps[i % 3] if i % 10 == 0 else ""
            f.write('%s{"uuid":"%s","type":"%s","category":"Network activity","to_ids":true,'
                    '"value":"%s","timestamp":"1764547200","comment":""%s}\n'
                    % ("," if i else "", uuid.uuid5(NS, str(i)), t, v, tag))
        f.write("]}}\n")


if __name__ == "__main__":
    main()
