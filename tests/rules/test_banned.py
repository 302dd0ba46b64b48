"""Self-tests of scripts/banned.sh on small trees written in a temporary directory: it passes on
clean input and fails, naming file:line, on a banned call or on a raw allocation in src/ outside
src/util/mem.c (the allocation failure hook must see every allocation)."""
import os
import subprocess

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BANNED = os.path.join(REPO, "scripts", "banned.sh")

CLEAN = {
    "src/util/mem.c": "void *vg_malloc(size_t n)\n{\n    return malloc(n);\n}\n",
    "src/core/x.c": "/* malloc( in a comment is no call */\nint f(void)\n{\n"
                    "    char *p = vg_malloc(3);\n    char *q = vg_strdup(\"a\");\n"
                    "    return p && q && s->calloc(1) && t.realloc(2);\n}\n",
    "tests/unit/test_x.c": "int main(void)\n{\n    return malloc(1) != 0;\n}\n",
    "src/util/sort.h": "static inline void vg_sort(void *b, size_t n)\n{\n    qsort(b, n, 1, c);\n}\n",
    "src/core/s.c": "void h(int *v, size_t n)\n{\n    vg_sort(v, n, 4, cmp);\n}\n",
}


def run_on(tmp_path, files):
    for path, text in files.items():
        full = tmp_path / path
        full.parent.mkdir(parents=True, exist_ok=True)
        full.write_text(text)
    return subprocess.run(["sh", BANNED, str(tmp_path)], capture_output=True, text=True,
                          timeout=60)


def test_banned_passes_on_a_clean_tree(tmp_path):
    r = run_on(tmp_path, CLEAN)
    assert r.returncode == 0, r.stderr
    assert r.stderr == ""


@pytest.mark.parametrize("path,line,text,what", [
    ("src/core/y.c", 2, "int g(void)\n{ return strdup(\"x\") != 0; }\n", "raw allocation"),
    ("src/util/buf.c", 1, "void *p = realloc(q, 2);\n", "raw allocation"),
    ("src/vuln/v.h", 3, "/* x */\n\nstatic char *h(void) { return strndup(\"a\", 1); }\n",
     "raw allocation"),
    ("src/app/a.c", 1, "char *p = calloc (1, 2);\n", "raw allocation"),
    ("src/app/b.c", 1, "char *p = malloc(1);\n", "raw allocation"),
    ("tests/unit/test_y.c", 1, "int n = atoi(s);\n", "banned functions"),
    ("fuzz/fuzz_z.c", 2, "\nsprintf(b, \"%d\", 1);\n", "banned functions"),
    ("src/app/c.c", 2, "\nqsort(v, n, 4, cmp);\n", "raw qsort or bsearch"),
    ("src/vuln/d.h", 1, "return bsearch(&k, v, n, 4, cmp);\n", "raw qsort or bsearch"),
])
def test_banned_fails_on_a_violation(tmp_path, path, line, text, what):
    files = dict(CLEAN)
    files[path] = text
    r = run_on(tmp_path, files)
    assert r.returncode == 1, r.stderr
    assert what in r.stderr
    assert f"{path}:{line}:" in r.stderr
