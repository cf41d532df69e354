#!/usr/bin/env python3
"""Fails when a module README's "Depends on" does not name exactly the modules its CMake DEPS list.

Every src/<module>/ and src/services/<service>/ folder with a CMakeLists.txt calling add_module
has a README.md with a sentence "Depends on `a`, `b`, ..." (external libraries may be named
too, in any form). The kiroku modules named there must equal the kiroku modules in DEPS.
Usage: scripts/check-module-deps.py [repo-root]
"""
import os
import re
import sys

ROOT = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), ".."))


def modules():
    found = {}
    for base in ("src", os.path.join("src", "services")):
        for d in sorted(os.listdir(os.path.join(ROOT, base))):
            cmake = os.path.join(ROOT, base, d, "CMakeLists.txt")
            if not os.path.isfile(cmake):
                continue
            text = open(cmake).read()
            m = re.search(r"add_module\((\w+)(.*?)\)", text, re.S)
            if not m:
                continue
            deps = re.search(r"DEPS(.*)", m.group(2), re.S)
            found[m.group(1)] = (os.path.join(base, d), deps.group(1).split() if deps else [])
    return found


def main():
    mods = modules()
    names = set(mods)
    problems = []
    for name, (folder, deps) in mods.items():
        internal = {d for d in deps if d in names}
        readme = os.path.join(ROOT, folder, "README.md")
        if not os.path.isfile(readme):
            problems.append(f"{folder}: no README.md")
            continue
        text = " ".join(open(readme, encoding="utf-8").read().split())
        m = re.search(r"Depends on(.*?)(?:\.(?:\s|$)|$)", text)
        if not m:
            problems.append(f"{folder}/README.md: no 'Depends on' sentence")
            continue
        said = {w for w in re.findall(r"`([\w:]+)`", m.group(1)) if w in names}
        if said != internal:
            problems.append(f"{folder}/README.md says {sorted(said)}, CMake DEPS {sorted(internal)}")
    for p in problems:
        print(p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
