#!/usr/bin/env bash
# Write the JSON schema each supported OpenClaw release prints for its config
# (`openclaw config schema`) into assets/openclaw-schema-<release>.json.gz, for doctor.
# Run after scripts/peers.sh (it installs the releases from npm into .peers/oc-<release>).
set -euo pipefail
cd "$(dirname "$0")/.."
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
# The schema embeds plugin schemas whose "#/$defs/…" references count from the plugin's own
# root; hoisted to the document's root, they resolve (refused when two plugins disagree). A
# pattern's "\/" and "\0" (JavaScript regex) are written "/" and "\x00", which mean the same
# and which the Rust validator's regex check accepts.
hoist='
import json, sys
schema = json.load(sys.stdin)
hoisted = schema.setdefault("$defs", {})
def walk(node):
    if isinstance(node, dict):
        if isinstance(node.get("pattern"), str):
            node["pattern"] = node["pattern"].replace("\\/", "/").replace("\\0", "\\x00")
        for name, definition in node.pop("$defs", {}).items() if node is not schema else []:
            if hoisted.setdefault(name, definition) != definition:
                sys.exit(f"two different $defs named {name}")
        for value in node.values():
            walk(value)
    elif isinstance(node, list):
        for value in node:
            walk(value)
walk(schema)
json.dump(schema, sys.stdout, sort_keys=True)
'
for dir in .peers/oc-*/; do
  release=${dir#.peers/oc-}
  release=${release%/}
  PATH="$PWD/$dir/node_modules/.bin:$PATH" HOME="$scratch" TMPDIR="$scratch" \
    OPENCLAW_STATE_DIR="$scratch/state-$release" \
    openclaw config schema | python3 -c "$hoist" | gzip -9n > "assets/openclaw-schema-$release.json.gz"
  echo "assets/openclaw-schema-$release.json.gz"
done
