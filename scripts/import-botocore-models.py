#!/usr/bin/env python3
"""Copies the botocore service models kiroku serves into third_party/botocore-models/.

The models are the authority for operation names, shapes and error codes. Documentation text
is dropped (it is most of the size and never used at run time); everything else is kept as is.
Run it after upgrading botocore: python3 scripts/import-botocore-models.py
"""
import gzip
import json
import os
import sys

import botocore

SERVICES = ["sts", "iam", "kms", "logs", "cloudtrail", "s3"]
DROP = {"documentation", "documentationUrl", "examples", "deprecatedMessage"}


def strip(node):
    if isinstance(node, dict):
        return {k: strip(v) for k, v in node.items() if k not in DROP}
    if isinstance(node, list):
        return [strip(v) for v in node]
    return node


def main():
    data = os.path.join(os.path.dirname(botocore.__file__), "data")
    out_dir = os.path.join(os.path.dirname(__file__), "..", "third_party", "botocore-models")
    for service in SERVICES:
        version = sorted(os.listdir(os.path.join(data, service)))[-1]
        with gzip.open(os.path.join(data, service, version, "service-2.json.gz")) as f:
            model = strip(json.load(f))
        with open(os.path.join(out_dir, service + ".json"), "w") as f:
            json.dump(model, f, separators=(",", ":"))
        print(f"{service} {version}: {len(model['operations'])} operations", file=sys.stderr)
    with open(os.path.join(out_dir, "VERSION"), "w") as f:
        f.write(f"botocore {botocore.__version__}\n")


if __name__ == "__main__":
    main()
