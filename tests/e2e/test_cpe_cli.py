"""End-to-end tests of `vigie cpe parse` and `vigie cpe compare` against the real binary.

The binary is $VIGIE_BIN (default ./vigie); run with /usr/bin/python3 -m pytest.
"""
import json
import os
import subprocess

import pytest

VIGIE = os.environ.get("VIGIE_BIN", "./vigie")


def run(*args):
    return subprocess.run([VIGIE, *args], capture_output=True, text=True, timeout=30)


def test_parse_formatted_string_prints_wfn_and_bindings():
    r = run("cpe", "parse", "cpe:2.3:a:microsoft:internet_explorer:8.0.6001:beta:*:*:*:*:*:*")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    wfn = out["wfn"]
    assert wfn["part"] == "a"
    assert wfn["vendor"] == "microsoft"
    assert wfn["version"] == "8\\.0\\.6001"
    assert wfn["update"] == "beta"
    assert wfn["edition"] == "<ANY>"
    assert len(wfn) == 11
    assert out["formatted"] == "cpe:2.3:a:microsoft:internet_explorer:8.0.6001:beta:*:*:*:*:*:*"
    assert out["uri"] == "cpe:/a:microsoft:internet_explorer:8.0.6001:beta"


def test_parse_ignores_case_of_prefix_and_part_and_reads_pct02_alone_as_any():
    """Issue 11 item 16: CPE:2.3: and part A are read; %02 alone is ANY, so a URI compares
    EQUAL to its own 2.3 binding."""
    r = run("cpe", "parse", "CPE:2.3:A:Apache:HTTP_Server:2.4.49:*:*:en-us:*:*:*:*")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["wfn"]["part"] == "a" and out["wfn"]["language"] == "en\\-us"
    assert out["formatted"] == "cpe:2.3:a:Apache:HTTP_Server:2.4.49:*:*:en-us:*:*:*:*"
    r = run("cpe", "parse", "cpe:/a:v:%02")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["wfn"]["product"] == "<ANY>"
    assert out["formatted"] == "cpe:2.3:a:v:*:*:*:*:*:*:*:*:*"
    r = run("cpe", "compare", "cpe:/a:v:%02", out["formatted"])
    assert (r.returncode, r.stdout) == (0, "EQUAL\n"), r.stderr


def test_parse_uri_with_packed_edition():
    r = run("cpe", "parse", "cpe:/a:hp:insight_diagnostics:7.4.0.1570:-:~~online~win2003~x64~")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["wfn"]["update"] == "<NA>"
    assert out["wfn"]["sw_edition"] == "online"
    assert out["wfn"]["target_sw"] == "win2003"
    assert out["wfn"]["target_hw"] == "x64"
    assert out["formatted"] == "cpe:2.3:a:hp:insight_diagnostics:7.4.0.1570:-:*:*:online:win2003:x64:*"


def test_parse_quoting_round_trips():
    name = "cpe:2.3:a:\\$0.99_kindle_books_project:\\$0.99_kindle_books:6:*:*:*:*:android:*:*"
    r = run("cpe", "parse", name)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["wfn"]["vendor"] == "\\$0\\.99_kindle_books_project"
    assert out["formatted"] == name


@pytest.mark.parametrize(
    "name, where",
    [
        ("cpe:2.3:a:2g*lux:com_sexypolling:0.9.1:-:-:*:-:joomla\\!:*:*", "byte 12"),
        ("cpe:2.3:a:2glux:com?sexypolling:0.9.1:-:-:*:-:joomla\\!:*:*", "byte 19"),
        ("cpe:2.3:a:vendor:product:1.0:*:*:*:*:*:*", "expected 11"),
        ("cpe:2.3:a:ven$dor:product:1.0:*:*:*:*:*:*:*", "byte 13"),
        ("cpe:2.4:a:vendor:product:1.0:*:*:*:*:*:*:*", "byte 0"),
        ("cpe:/a:hp:insight_diagnostics:7.4.0.1570::~~online~win2003", "5 fields"),
        ("cpe:/a:micro%02soft", "byte"),
        ("", "byte 0"),
        # issue 11 item 16: a language that is no RFC 5646 tag, a raw * in a 2.2 URI
        ("cpe:2.3:a:microsoft:office:2019:*:*:esES:*:*:*:*", "RFC 5646"),
        ("cpe:2.3:a:microsoft:office:2019:*:*:es-noesES:*:*:*:*", "language at byte 36"),
        ("cpe:/a:2g*lux:com_sexypolling", "raw '*' at byte 9"),
    ],
)
def test_parse_rejects_bad_names_with_position(name, where):
    r = run("cpe", "parse", name)
    assert r.returncode == 1
    assert r.stdout == ""
    assert where in r.stderr


@pytest.mark.parametrize(
    "source, target, relation",
    [
        ("cpe:2.3:a:apache:http_server:*:*:*:*:*:*:*:*",
         "cpe:2.3:a:apache:http_server:2.4.49:*:*:*:*:*:*:*", "SUPERSET"),
        ("cpe:2.3:a:apache:http_server:2.4.49:*:*:*:*:*:*:*",
         "cpe:2.3:a:apache:http_server:*:*:*:*:*:*:*:*", "SUBSET"),
        ("cpe:2.3:a:apache:http_server:2.4.49:*:*:*:*:*:*:*",
         "cpe:/a:apache:http_server:2.4.49", "EQUAL"),
        ("cpe:2.3:a:apache:tomcat:*:*:*:*:*:*:*:*",
         "cpe:2.3:a:apache:http_server:2.4.49:*:*:*:*:*:*:*", "DISJOINT"),
        ("cpe:2.3:o:microsoft:windows_?:*:*:*:en\\-us:home*:-:x64:-",
         "cpe:2.3:o:microsoft:windows_7:6.1:sp1:*:en\\-us:home_basic:-:x64:-", "SUPERSET"),
        ("cpe:2.3:o:microsoft:windows_?:*:*:*:en\\-us:home*:-:x64:-",
         "cpe:2.3:o:microsoft:windows_7:6.1:sp1:*:en\\-us:home_basic:-:x32:-", "DISJOINT"),
        ("cpe:2.3:a:?icrosoft:*:*:*:*:*:*:*:*:*", "cpe:2.3:a:microsoft:*:*:*:*:*:*:*:*:*",
         "SUPERSET"),
        ("cpe:2.3:a:?crosoft:*:*:*:*:*:*:*:*:*", "cpe:2.3:a:microsoft:*:*:*:*:*:*:*:*:*",
         "DISJOINT"),
        ("cpe:2.3:a:-:*:*:*:*:*:*:*:*:*", "cpe:2.3:a:microsoft:*:*:*:*:*:*:*:*:*", "DISJOINT"),
        ("cpe:2.3:a:microsoft:*:*:*:*:*:*:*:*:*", "cpe:2.3:a:microsoft*:*:*:*:*:*:*:*:*:*",
         "UNDEFINED"),
    ],
)
def test_compare_prints_one_word(source, target, relation):
    r = run("cpe", "compare", source, target)
    assert r.returncode == 0, r.stderr
    assert r.stdout == relation + "\n"


def test_compare_bad_target_fails():
    r = run("cpe", "compare", "cpe:2.3:a:x:y:*:*:*:*:*:*:*:*", "cpe:2.3:a:x")
    assert r.returncode == 1
    assert "target" in r.stderr


@pytest.mark.parametrize("args", [["cpe"], ["cpe", "parse"], ["cpe", "compare", "a"],
                                  ["cpe", "frobnicate", "x"], ["cpe", "parse", "a", "b"]])
def test_usage_errors_exit_2(args):
    r = run(*args)
    assert r.returncode == 2
    assert "usage" in r.stderr or "help" in r.stderr


def test_help_lists_cpe():
    r = run("help", "cpe")
    assert r.returncode == 0
    assert "vigie cpe compare SOURCE TARGET" in r.stdout
