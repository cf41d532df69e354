#!/usr/bin/env python3
"""Fails when a comment or a doc names a repository file that does not exist.

Looks in tracked C++ sources, CMake files, scripts and Markdown for paths such as
`src/api/pipeline.cc`, `api/pipeline.cc`, `tests/e2e/test_s3.py` or `docs/errors.md`, and
resolves each against the repository root, src/, tests/ and the citing file's folder.
Paths outside the repository (../shared/..., /usr/...) and generated or example names are
ignored. Usage: scripts/check-references.py [repo-root]
"""
import os
import re
import subprocess
import sys

ROOT = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), ".."))
EXTENSIONS = ("cc", "h", "md", "py", "mjs", "sh", "txt", "cmake")
PATH = re.compile(r"(?<![\w./-])((?:[A-Za-z0-9_.-]+/)+[A-Za-z0-9_.-]+\.(?:%s))(?![\w/])" % "|".join(EXTENSIONS))
SKIP_PREFIXES = ("../", "./build", "build/", "/", "usr/", "etc/", "third_party/botocore", "node_modules/",
                 "kiroku-data/", "AWSLogs/", "s3://", "http")


def tracked():
    out = subprocess.run(["git", "-C", ROOT, "ls-files"], capture_output=True, text=True, check=True).stdout
    return [f for f in out.splitlines()
            if f.endswith((".cc", ".h", ".md", ".txt", ".cmake", ".sh", ".py", ".mjs"))
            and not f.startswith(("third_party/", "tests/data/"))]


# The first folder of a reference we check: the repository's folders and src/'s modules.
CHECKED_ROOTS = {"src", "tests", "docs", "bench", "scripts", "cmake", "examples", "packaging",
                 ".ci"} | {d for d in os.listdir(os.path.join(ROOT, "src"))
                           if os.path.isdir(os.path.join(ROOT, "src", d))}


def exists(ref, citing):
    candidates = [ref, os.path.join("src", ref), os.path.join("tests", ref),
                  os.path.join(os.path.dirname(citing), ref)]
    return any(os.path.exists(os.path.join(ROOT, c)) for c in candidates)


def main():
    missing = []
    for path in tracked():
        with open(os.path.join(ROOT, path), encoding="utf-8", errors="replace") as f:
            for number, line in enumerate(f, 1):
                for match in PATH.finditer(line):
                    ref = match.group(1)
                    if ref.startswith(SKIP_PREFIXES) or "<" in ref or "*" in ref:
                        continue
                    if ref.split("/")[0] not in CHECKED_ROOTS:
                        continue
                    if not exists(ref, path):
                        missing.append(f"{path}:{number}: {ref}")
    for m in missing:
        print(m)
    if missing:
        print(f"{len(missing)} reference(s) to files that do not exist", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
