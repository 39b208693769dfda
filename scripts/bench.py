#!/usr/bin/env python3
"""Benchmark `clawboot render` of the full file set from a cold process, beside `kubectl kustomize`
of the same output, in the same run. Prints median wall time and peak RSS of each and their ratio.

usage: scripts/bench.py [RUNS]   (builds the release binary first; needs scripts/peers.sh)
"""
import os
import pathlib
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
BINARY = ROOT / "target/release/clawboot"
KUBECTL = ROOT / ".peers/venv/bin/kubectl"


def measure(argv, env=None):
    """Wall seconds and peak RSS (MiB) of one process."""
    start = time.perf_counter()
    pid = os.posix_spawn(argv[0], argv, env or os.environ, file_actions=[
        (os.POSIX_SPAWN_OPEN, 1, os.devnull, os.O_WRONLY, 0),
    ])
    _, status, usage = os.wait4(pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"{argv} failed")
    return wall, usage.ru_maxrss / 1024


def summarize(name, samples):
    walls = [w for w, _ in samples]
    rss = max(r for _, r in samples)
    median = statistics.median(walls) * 1000
    print(f"{name:<36} median {median:7.2f} ms   min {min(walls) * 1000:7.2f} ms   peak RSS {rss:6.1f} MiB")
    return median, rss


def main():
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 30
    subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)
    if not KUBECTL.exists():
        sys.exit("run scripts/peers.sh first")
    with tempfile.TemporaryDirectory() as scratch:
        render, kustomize = [], []
        for i in range(runs):
            out = pathlib.Path(scratch) / f"out{i}"
            render.append(measure([str(BINARY), "render", "--out", str(out)]))
            kustomize.append(measure([str(KUBECTL), "kustomize", str(out / "argoproj/openclaw")]))
        print(f"{runs} runs each, cold processes, full file set (30 files) into a fresh folder")
        r_ms, r_rss = summarize("clawboot render", render)
        k_ms, k_rss = summarize("kubectl kustomize (same output)", kustomize)
        print(f"ratio: render takes {r_ms / k_ms:.2f}x the time and {r_rss / k_rss:.2f}x the memory of kustomize")
        print(f"target: render <= 20 ms and <= 20 MiB: {'met' if r_ms <= 20 and r_rss <= 20 else 'NOT met'}")


if __name__ == "__main__":
    main()
