"""End-to-end tests of `vigie match` (issue 3): the real binary on files, pipes and the shared
Suricata EVE corpus. The binary is $VIGIE_BIN (default ./vigie)."""
import json
import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BIN = os.environ.get("VIGIE_BIN", str(ROOT / "vigie"))
DATA = ROOT / "tests" / "data"
CORPUS = ROOT.parent / "shared" / "corpus" / "suricata-eve"
BROKEN1 = CORPUS / "dcso-fever" / "util" / "testdata" / "jsonparse_eve_broken1.json"


def run(*args, stdin=None):
    p = subprocess.run([BIN, "match", *map(str, args)], input=stdin, capture_output=True,
                       timeout=120)
    return p.returncode, p.stdout.decode(), p.stderr.decode()


def hits(out):
    return [json.loads(line) for line in out.splitlines()]


@pytest.fixture
def iocs(tmp_path):
    f = tmp_path / "iocs.txt"
    f.write_text((DATA / "iocs" / "good.txt").read_text())
    return f


def test_sample_eve_hits_every_rule(iocs):
    rc, out, err = run("--indicators", iocs, DATA / "eve" / "sample.json")
    assert rc == 0, err
    got = {(h["line"], h["indicator"], h["type"], h["value"], h.get("field")) for h in hits(out)}
    assert got == {
        (1, "evil.example", "domain-name", "c2.evil.example", "dns.rrname"),
        (1, "198.51.100.0/24", "ipv4-addr", "198.51.100.7", "dns.answers[0].rdata"),
        (2, "evil.example", "domain-name", "Download.Evil.example", "http.hostname"),
        (2, "http://download.evil.example/payload.exe?id=1", "url",
         "http://Download.Evil.example/payload.exe?id=1", "http.hostname+http.url"),
        (4, "2001:db8::/48", "ipv6-addr", "2001:db8::10", "src_ip"),
        (4, "d41d8cd98f00b204e9800998ecf8427e", "md5", "D41D8CD98F00B204E9800998ECF8427E",
         "fileinfo.md5"),
        (4, "E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855", "sha256",
         "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "fileinfo.sha256"),
        (5, "192.0.2.25", "ipv4-addr", "192.0.2.25", "dest_ip"),
        (5, "phisher@bad.example", "email-addr", "<Phisher@Bad.example>", "smtp.mail_from"),
        (6, "198.51.100.0/24", "ipv4-addr", "198.51.100.200", "dest_ip"),
        (6, "https://www.bad.example/login", "url", "HTTPS://User@www.bad.example:443/login#x",
         "alert.metadata.url[0]"),
    }
    # notevil.example (line 3) never hits evil.example; no "file" key with one log
    assert all("file" not in h for h in hits(out))
    # key order of the issue
    first = out.splitlines()[0]
    assert first.startswith('{"line":1,"indicator":')


def test_threads_give_identical_output(iocs, tmp_path):
    big = tmp_path / "big.json"
    lines = (DATA / "eve" / "sample.json").read_text().splitlines()
    with big.open("w") as f:
        for i in range(40000):
            f.write(lines[i % len(lines)] + "\n")
            if i % 997 == 0:
                f.write('{"broken":\n')
    outs = []
    for t in (1, 2, 4):
        rc, out, err = run("--indicators", iocs, "--threads", t, big)
        assert rc == 0
        outs.append((out, err))
    assert outs[0] == outs[1] == outs[2]
    assert len(outs[0][0].splitlines()) > 40000


@pytest.mark.skipif(not BROKEN1.exists(), reason="shared corpus not found beside the repository")
def test_corpus_broken_line_reported(iocs):
    rc, out, err = run("--indicators", iocs, "--stats", BROKEN1)
    assert rc == 0
    assert f"{BROKEN1}:2:" in err
    stats = json.loads(err.strip().splitlines()[-1])
    assert stats["malformed"] == 1
    assert stats["events"] == 2
    assert stats["lines"] == 3


def test_malformed_first_ten_reported(iocs, tmp_path):
    f = tmp_path / "bad.json"
    f.write_text("".join('{"a":\n' if i % 2 else '{"a":"c2.evil.example"}\n' for i in range(40)))
    rc, out, err = run("--indicators", iocs, f)
    assert rc == 0
    reported = [l for l in err.splitlines() if l.startswith(f"{f}:")]
    assert [int(l.split(":")[1]) for l in reported] == [2, 4, 6, 8, 10, 12, 14, 16, 18, 20]
    assert "20 malformed lines" in err
    assert len(hits(out)) == 20


def test_broken_samples_and_no_final_newline(iocs):
    rc, out, err = run("--indicators", iocs, DATA / "eve" / "broken.json")
    assert rc == 0
    assert [h["line"] for h in hits(out)] == [1, 9]
    for n in (2, 3, 4, 5, 6, 7, 8):
        assert f"broken.json:{n}:" in err
    rc, out, err = run("--indicators", iocs, DATA / "eve" / "no_final_newline.json")
    assert rc == 0 and len(hits(out)) == 1


def test_empty_and_garbage_inputs(iocs):
    rc, out, err = run("--indicators", iocs, DATA / "eve" / "empty.json")
    assert (rc, out) == (0, "")
    rc, out, err = run("--indicators", iocs, DATA / "eve" / "garbage.bin")
    assert rc == 0 and out == ""
    rc, out, err = run("--indicators", iocs, "--format", "text", DATA / "eve" / "garbage.bin")
    assert rc == 0
    for line in out.splitlines():
        json.loads(line)  # whatever matched, the output is valid JSON


def test_several_files_and_stdin(iocs):
    a, b = DATA / "eve" / "sample.json", DATA / "eve" / "no_final_newline.json"
    rc, out, err = run("--indicators", iocs, a, b)
    assert rc == 0
    got = hits(out)
    assert {h["file"] for h in got} == {str(a), str(b)}
    assert list(got[0].keys())[:2] == ["file", "line"]
    # standard input, as "-" or without a file
    data = a.read_bytes()
    rc1, out1, _ = run("--indicators", iocs, "-", stdin=data)
    rc2, out2, _ = run("--indicators", iocs, stdin=data)
    rc3, out3, _ = run("--indicators", iocs, a)
    assert rc1 == rc2 == 0 and out1 == out2 == out3


def test_text_format(iocs):
    rc, out, err = run("--indicators", iocs, "--format", "text", DATA / "text" / "sample.log")
    assert rc == 0
    got = {(h["line"], h["indicator"], h["value"]) for h in hits(out)}
    assert got == {
        (1, "198.51.100.0/24", "198.51.100.7"),
        (2, "evil.example", "http://download.evil.example/payload.exe"),
        (3, "192.0.2.25", "192.0.2.25"),
        (3, "phisher@bad.example", "phisher@bad.example"),
        (4, "d41d8cd98f00b204e9800998ecf8427e", "d41d8cd98f00b204e9800998ecf8427e"),
        (5, "2001:db8::/48", "2001:db8::1"),
    }
    assert all("field" not in h for h in hits(out))
    rc, out, err = run("--indicators", iocs, "--format", "text",
                       DATA / "text" / "no_final_newline.log")
    assert rc == 0 and [h["line"] for h in hits(out)] == [1]
    # CRLF line ends, a NUL byte and a long token; the same through a pipe
    f = DATA / "text" / "crlf_nul_long_token.log"
    rc, out, err = run("--indicators", iocs, "--format", "text", f)
    assert rc == 0
    assert {(h["line"], h["value"]) for h in hits(out)} == {(2, "www.evil.example"),
                                                          (4, "192.0.2.25")}
    rc2, out2, _ = run("--indicators", iocs, "--format", "text", stdin=f.read_bytes())
    assert out2 == out


def test_csv_indicators(tmp_path):
    rc, out, err = run("--indicators", DATA / "iocs" / "good.csv", DATA / "eve" / "sample.json")
    assert rc == 0, err
    assert {h["indicator"] for h in hits(out)} == {"evil.example", "198.51.100.0/24",
                                                   "phisher@bad.example"}


def test_invalid_indicator_lines(tmp_path):
    bad = DATA / "iocs" / "broken.txt"
    rc, out, err = run("--indicators", bad, DATA / "eve" / "sample.json")
    assert rc == 0
    for n in (2, 3, 4, 5, 6, 7, 8):
        assert f"{bad}:{n}:" in err
    assert f"{bad}:1:" not in err
    assert {h["indicator"] for h in hits(out)} == {"evil.example"}
    rc, out, err = run("--indicators", bad, "--strict", DATA / "eve" / "sample.json")
    assert rc == 1 and out == ""
    assert f"{bad}:2:" in err
    rc, out, err = run("--indicators", DATA / "iocs" / "broken.csv", DATA / "eve" / "sample.json")
    assert rc == 0 and "broken.csv:2:" in err and "broken.csv:3:" in err


def test_huge_line_skipped(iocs, tmp_path):
    f = tmp_path / "huge.json"
    with f.open("w") as w:
        w.write('{"a":"c2.evil.example","pad":"' + "x" * (1024 * 1024 + 10) + '"}\n')
        w.write('{"a":"c2.evil.example"}\n')
    rc, out, err = run("--indicators", iocs, "--stats", f)
    assert rc == 0
    assert [h["line"] for h in hits(out)] == [2]
    assert f"{f}:1: line longer than" in err
    # the same through a pipe (read in blocks, not mapped)
    rc, out2, err2 = run("--indicators", iocs, stdin=f.read_bytes())
    assert out2 == out and "-:1: line longer than" in err2


def test_stats_line(iocs):
    rc, out, err = run("--indicators", iocs, "--stats", DATA / "eve" / "sample.json")
    s = json.loads(err.strip().splitlines()[-1])
    for k in ("events", "bytes", "hits", "malformed", "indicators", "load_seconds", "mb_per_s"):
        assert k in s
    assert s["events"] == 6 and s["hits"] == 11 and s["indicators"] == 11


def test_usage_and_failures(iocs, tmp_path):
    assert run()[0] == 2
    assert run("--indicators")[0] == 2
    assert run("--indicators", iocs, "--format", "xml")[0] == 2
    assert run("--indicators", iocs, "--threads", "0")[0] == 2
    assert run("--indicators", iocs, "--bogus")[0] == 2
    rc, out, err = run("--indicators", tmp_path / "missing.txt", DATA / "eve" / "sample.json")
    assert rc == 1 and "missing.txt" in err
    rc, out, err = run("--indicators", iocs, tmp_path / "missing.json")
    assert rc == 1 and "missing.json" in err
    p = subprocess.run([BIN, "help", "match"], capture_output=True)
    assert p.returncode == 0 and b"--indicators" in p.stdout
