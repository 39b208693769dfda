#!/usr/bin/env python3
"""Time from starting `clawboot` in a terminal (a pty, 100x30) to its first drawn frame (the
home screen), whole process, beside `clawboot --version` in the same pty (the floor: starting
the process at all), in the same run. Prints medians and their ratio.

usage: scripts/bench_wizard.py [RUNS]   (builds the release binary first; needs scripts/peers.sh)
"""
import os
import pathlib
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
BINARY = str(ROOT / "target/release/clawboot")
sys.path.insert(0, str(next((ROOT / ".peers/venv/lib").glob("python3*/site-packages"))))
import pexpect  # noqa: E402  (from the peers' venv)


def environment(home):
    return {"PATH": "/usr/bin:/bin", "HOME": home, "XDG_STATE_HOME": f"{home}/state",
            "TERM": "xterm-256color", "LANG": "C.UTF-8"}


def first_frame(home):
    """Seconds until the home screen's question is on the terminal; then q leaves."""
    start = time.perf_counter()
    child = pexpect.spawn(BINARY, ["--no-browser"], env=environment(home), cwd=home,
                          dimensions=(30, 100))
    child.expect("What to do", timeout=10)
    elapsed = time.perf_counter() - start
    child.send("q")
    child.expect(pexpect.EOF, timeout=10)
    child.close()
    if child.exitstatus != 130:
        sys.exit(f"leaving the home screen exited {child.exitstatus}, expected 130")
    return elapsed


def version(home):
    start = time.perf_counter()
    child = pexpect.spawn(BINARY, ["--version"], env=environment(home), dimensions=(30, 100))
    child.expect("clawboot", timeout=10)
    elapsed = time.perf_counter() - start
    child.expect(pexpect.EOF, timeout=10)
    return elapsed


def main():
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 30
    subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)
    frames, floors = [], []
    with tempfile.TemporaryDirectory() as home:
        first_frame(home)  # warm the page cache
        for _ in range(runs):
            frames.append(first_frame(home))
            floors.append(version(home))
    frame = statistics.median(frames) * 1000
    floor = statistics.median(floors) * 1000
    print(f"{'start to first frame (home screen)':<40} median {frame:6.2f} ms   max {max(frames) * 1000:6.2f} ms")
    print(f"{'clawboot --version (process floor)':<40} median {floor:6.2f} ms")
    print(f"first frame / process floor: {frame / floor:.2f}x   (target: first frame <= 50 ms)")


if __name__ == "__main__":
    main()
