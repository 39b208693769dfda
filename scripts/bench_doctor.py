#!/usr/bin/env python3
"""Benchmark `clawboot doctor` of a rendered folder (its openclaw.json checked against the
release's schema) beside the real `openclaw config validate` of the same openclaw.json, cold
processes, in the same run. Prints median wall time and peak RSS of each and their ratio.

usage: scripts/bench_doctor.py [RUNS]   (builds the release binary first; needs scripts/peers.sh)
"""
import os
import pathlib
import subprocess
import sys
import tempfile

from bench import BINARY, ROOT, measure, summarize

RELEASE = "2026.9.6"
OPENCLAW_BIN = ROOT / f".peers/oc-{RELEASE}/node_modules/.bin"


def embedded_config(configmap):
    """The openclaw.json block of the rendered ConfigMap (a YAML literal block, 4 spaces in)."""
    lines = configmap.read_text().splitlines()
    start = lines.index("  openclaw.json: |") + 1
    block = []
    for line in lines[start:]:
        if line and not line.startswith("    "):
            break
        block.append(line[4:])
    return "\n".join(block) + "\n"


def main():
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)
    if not (OPENCLAW_BIN / "openclaw").exists():
        sys.exit("run scripts/peers.sh first")
    with tempfile.TemporaryDirectory() as scratch:
        scratch = pathlib.Path(scratch)
        subprocess.run([str(BINARY), "render", "--out", str(scratch / "out")], check=True,
                       stdout=subprocess.DEVNULL, env={**os.environ, "HOME": str(scratch)})
        folder = scratch / "out/argoproj/openclaw"
        config = scratch / "openclaw.json"
        config.write_text(embedded_config(folder / "configmap-openclaw.yaml"))
        # doctor reads the folder file by file (no kubectl on PATH: the build would time kubectl).
        doctor_env = {"PATH": str(scratch / "empty"), "HOME": str(scratch)}
        validate_env = {
            **os.environ,
            "PATH": f"{OPENCLAW_BIN}:{os.environ.get('PATH', '')}",
            "HOME": str(scratch), "TMPDIR": str(scratch),
            "OPENCLAW_STATE_DIR": str(scratch / "state"), "OPENCLAW_CONFIG_PATH": str(config),
        }
        doctor, validate = [], []
        for _ in range(runs):
            doctor.append(measure([str(BINARY), "doctor", str(folder)], doctor_env))
            validate.append(measure([str(OPENCLAW_BIN / "openclaw"), "config", "validate"], validate_env))
        print(f"{runs} runs each, cold processes, the rendered folder (OpenClaw {RELEASE})")
        d_ms, d_rss = summarize("clawboot doctor (schema included)", doctor)
        v_ms, v_rss = summarize("openclaw config validate", validate)
        print(f"ratio: doctor is {v_ms / d_ms:.1f}x faster and takes {d_rss / v_rss:.2f}x the memory")
        met = d_ms <= 50 and v_ms / d_ms >= 20 and d_rss <= 40
        print(f"target: doctor <= 50 ms, >= 20x faster, <= 40 MiB: {'met' if met else 'NOT met'}")


if __name__ == "__main__":
    main()
