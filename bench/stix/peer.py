"""The same-run peer of bench/stix/bench_stix.c: Python (stdlib json, uuid) making the same
STIX 2.1 objects from the same N indicator items (an indicator, its SCO with its UUIDv5 id, a
relationship, a sighting for one in ten, then the report) and serialising them with
json.dumps; then json.loads of the result. Prints CPU times and rates.
Usage: /usr/bin/python3 bench/stix/peer.py [N]"""
import json
import sys
import time
import uuid

NS_STIX = uuid.UUID("00abedb4-aa42-466c-9c01-fed23315a9b7")
NS_VIGIE = uuid.UUID("5b4c0f1e-3d7a-5e21-9a6e-2f418c3b7710")
TYPES = ["ipv4-addr", "ipv6-addr", "domain-name", "url", "email-addr", "md5", "sha1", "sha256"]
PATHS = {"ipv4-addr": "ipv4-addr:value", "ipv6-addr": "ipv6-addr:value",
         "domain-name": "domain-name:value", "url": "url:value", "email-addr": "email-addr:value",
         "md5": "file:hashes.MD5", "sha1": "file:hashes.'SHA-1'", "sha256": "file:hashes.'SHA-256'"}
HASH = {"md5": "MD5", "sha1": "SHA-1", "sha256": "SHA-256"}
MARK = {"CLEAR": "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487",
        "GREEN": "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
        "AMBER": "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421"}
IDENT = "identity--0f5c2a34-8b1e-4d2a-9e3f-1a2b3c4d5e6f"


def items(n):
    tlps = ["CLEAR", "GREEN", "AMBER"]
    for i in range(n):
        t = i % 8
        v = [f"10.{(i >> 16) & 255}.{(i >> 8) & 255}.{i & 255}", f"2001:db8::{i:x}",
             f"host{i}.evil.example", f"http://evil.example/p/{i}?q='x'",
             f"user{i}@evil.example", f"{(i * 2654435761) & (2**64 - 1):032x}",
             f"{(i * 2654435761) & (2**64 - 1):040x}", f"{(i * 2654435761) & (2**64 - 1):064x}"][t]
        it = {"uuid": f"{i:08x}-0000-4000-8000-{i:012x}", "type": TYPES[t], "value": v,
              "tlp": tlps[i % 3], "source": "feed-a", "comment": "seen in campaign X",
              "confidence": 70, "tags": ["c2", "apt-x"], "first_seen": "2026-01-01T00:00:00.000Z",
              "created": "2026-01-02T03:04:05.123Z", "updated": "2026-02-02T03:04:05.000Z"}
        if i % 10 == 0:
            it["sightings"] = [{"uuid": f"{i:08x}-1111-4000-8000-{i:012x}",
                                "seen": "2026-03-01T00:00:00.000Z", "count": 2, "source": "ids"}]
        yield it


def stix(its):
    objs, refs = [], []
    for it in its:
        mark = [MARK[it["tlp"]]]
        ind = "indicator--" + it["uuid"]
        val = it["value"].replace("\\", "\\\\").replace("'", "\\'")
        objs.append({"type": "indicator", "spec_version": "2.1", "id": ind,
                     "created_by_ref": IDENT, "created": it["created"],
                     "modified": it["updated"], "description": it["comment"],
                     "pattern": f"[{PATHS[it['type']]} = '{val}']", "pattern_type": "stix",
                     "pattern_version": "2.1", "valid_from": it["first_seen"],
                     "confidence": it["confidence"], "labels": it["tags"],
                     "object_marking_refs": mark, "x_vigie_type": it["type"],
                     "x_vigie_source": it["source"], "x_vigie_first_seen": it["first_seen"]})
        if it["type"] in HASH:
            contrib = {"hashes": {HASH[it["type"]]: it["value"]}}
            sco = "file--" + str(uuid.uuid5(NS_STIX, json.dumps(contrib, separators=(",", ":"),
                                                                ensure_ascii=False)))
            objs.append(dict(type="file", spec_version="2.1", id=sco, object_marking_refs=mark,
                             **contrib))
        else:
            sco = it["type"] + "--" + str(uuid.uuid5(NS_STIX, json.dumps(
                {"value": it["value"]}, separators=(",", ":"), ensure_ascii=False)))
            objs.append({"type": it["type"], "spec_version": "2.1", "id": sco,
                         "value": it["value"], "object_marking_refs": mark})
        rel = "relationship--" + str(uuid.uuid5(NS_VIGIE, "rel:" + ind + sco))
        objs.append({"type": "relationship", "spec_version": "2.1", "id": rel,
                     "created_by_ref": IDENT, "created": it["created"], "modified": it["updated"],
                     "relationship_type": "based-on", "source_ref": ind, "target_ref": sco,
                     "object_marking_refs": mark})
        refs += [ind, sco, rel]
        for s in it.get("sightings", []):
            sid = "sighting--" + s["uuid"]
            objs.append({"type": "sighting", "spec_version": "2.1", "id": sid,
                         "created_by_ref": IDENT, "created": s["seen"], "modified": s["seen"],
                         "first_seen": s["seen"], "last_seen": s["seen"],
                         "sighting_of_ref": ind, "count": s["count"],
                         "x_vigie_source": s["source"], "object_marking_refs": mark})
            refs.append(sid)
    objs.append({"type": "report", "spec_version": "2.1", "id": "report--" + str(uuid.uuid4()),
                 "created_by_ref": IDENT, "created": "2026-01-01T00:00:00.000Z",
                 "modified": "2026-01-01T00:00:00.000Z", "name": "bench",
                 "report_types": ["indicator"], "published": "2026-01-01T00:00:00.000Z",
                 "object_refs": refs, "object_marking_refs": [MARK["AMBER"]]})
    return {"type": "bundle", "id": "bundle--" + str(uuid.uuid4()), "objects": objs}


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000000
    its = list(items(n))
    c0 = time.process_time()
    text = json.dumps(stix(its), separators=(",", ":"))
    c1 = time.process_time()
    print(f"python write: {n} indicators, {len(text) / 1e6:.1f} MB, {c1 - c0:.3f} s CPU: "
          f"{n / (c1 - c0):.0f} indicators/s")
    c0 = time.process_time()
    b = json.loads(text)
    c1 = time.process_time()
    print(f"python read (json.loads only, no pattern parsing): {len(b['objects'])} objects, "
          f"{c1 - c0:.3f} s CPU: {n / (c1 - c0):.0f} indicators/s")


main()
