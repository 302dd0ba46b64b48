"""Prints line and branch coverage per folder of src/ from gcovr's JSON summary (make coverage).
Every folder of src/ gets a row, one that gcovr reported nothing of included (shown as 0 lines
run: a folder the build or the filter left out is not forgotten); the folders below 90 % of
lines, issue 10's floor, are named at the end."""
import json
import os
import sys
from collections import defaultdict

FLOOR = 90.0
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

data = json.load(open(sys.argv[1]))
tot = defaultdict(lambda: [0, 0, 0, 0])
for d in sorted(os.listdir(os.path.join(ROOT, "src"))):
    if os.path.isdir(os.path.join(ROOT, "src", d)):
        tot[f"src/{d}/"]  # a row even when gcovr has none of its files
for f in data["files"]:
    parts = f["filename"].split("/")
    folder = "/".join(parts[:2]) + "/" if len(parts) > 2 else parts[0]
    for key in (folder, "total"):
        t = tot[key]
        t[0] += f["line_covered"]; t[1] += f["line_total"]
        t[2] += f["branch_covered"]; t[3] += f["branch_total"]


def pct(a, b):
    return f"{100.0 * a / b:5.1f} %" if b else "    -  "


print(f"| {'folder':<13} | {'lines':>17} | {'line %':>7} | {'branches':>17} | {'branch %':>8} |")
print(f"|{'-' * 15}|{'-' * 19}|{'-' * 9}|{'-' * 19}|{'-' * 10}|")
for k in sorted(tot, key=lambda k: (k == "total", k)):
    lc, lt, bc, bt = tot[k]
    print(f"| {k:<13} | {f'{lc} / {lt}':>17} | {pct(lc, lt):>7} | {f'{bc} / {bt}':>17} | {pct(bc, bt):>8} |")
low = [k for k, (lc, lt, _, _) in sorted(tot.items())
       if k != "total" and (not lt or 100.0 * lc / lt < FLOOR)]
if low:
    print(f"below {FLOOR:.0f} % of lines (or no line run): {' '.join(low)}")
