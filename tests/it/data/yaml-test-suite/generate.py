#!/usr/bin/env python3
"""Regenerates valid.json from a clone of yaml/yaml-test-suite with its `data` branch:
    cd yaml-test-suite && python3 /path/to/generate.py > /path/to/valid.json
One object per case directory with an in.yaml and no `error` file."""
import json
import subprocess
import sys


def git(*args):
    return subprocess.run(["git", *args], capture_output=True, check=True).stdout


dirs = {}
for f in git("ls-tree", "-r", "--name-only", "data").decode().splitlines():
    d, _, name = f.rpartition("/")
    dirs.setdefault(d, set()).add(name)
cases = []
for d, names in sorted(dirs.items()):
    if "in.yaml" not in names or "error" in names:
        continue
    case = {
        "id": d,
        "name": git("show", f"data:{d}/===").decode().strip(),
        "yaml": git("show", f"data:{d}/in.yaml").decode("utf-8"),
    }
    if "in.json" in names:
        case["json"] = git("show", f"data:{d}/in.json").decode("utf-8")
    cases.append(case)
json.dump(cases, sys.stdout, ensure_ascii=False, indent=0)
