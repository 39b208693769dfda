#!/usr/bin/env python3
"""Validate the custom resources in YAML files against the CRD JSON schemas in a folder.

usage: validate_crds.py SCHEMA_DIR FILE...
Schemas are named <group>_<kind>_<version>.json (lower-case kind), as in tests/fixtures/crd-schemas/.
Built-in kinds (core, apps, *.k8s.io) and kustomizations are skipped: kubernetes-validate checks them.
Exit 0 when every custom resource is valid, 1 when one is not or has no schema.
"""
import json
import pathlib
import sys

import jsonschema
import yaml


def schema_for(schema_dir, doc):
    group, _, version = doc.get("apiVersion", "").rpartition("/")
    if "." not in group or group.endswith(".k8s.io"):
        return None, None
    name = f"{group}_{doc.get('kind', '').lower()}_{version}.json"
    path = schema_dir / name
    return name, (json.loads(path.read_text()) if path.exists() else False)


def main():
    schema_dir = pathlib.Path(sys.argv[1])
    failures = checked = 0
    for file in sys.argv[2:]:
        for doc in yaml.safe_load_all(pathlib.Path(file).read_text()):
            if not doc:
                continue
            name, schema = schema_for(schema_dir, doc)
            if name is None:
                continue
            label = f"{file}: {doc.get('kind')}/{doc.get('metadata', {}).get('name')}"
            if schema is False:
                print(f"FAIL {label}: no schema {name}")
                failures += 1
                continue
            errors = sorted(jsonschema.Draft7Validator(schema).iter_errors(doc), key=str)
            for error in errors:
                where = "/".join(str(p) for p in error.absolute_path)
                print(f"FAIL {label}: {where}: {error.message}")
            failures += bool(errors)
            checked += 1
            if not errors:
                print(f"ok   {label} against {name}")
    print(f"{checked} custom resources checked, {failures} failed")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
