#!/usr/bin/env python3
"""`clawboot status` against the Kubernetes API emulator (scripts/kube_emulator.py) on 127.0.0.1
and moto for SSM: wall time and how many kubectl processes one run starts, beside a single
`kubectl get --raw /version` (the floor of one API call) in the same run. Then the same with an
API that answers /version and discovery but never a resource (the worst case). Medians of RUNS.

usage: scripts/bench_status.py [RUNS]   (builds the release binary first; needs scripts/peers.sh)
"""
import json
import os
import pathlib
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
VENV = ROOT / ".peers/venv/bin"
BINARY = ROOT / "target/release/clawboot"

SEED = ROOT / "tests/fixtures/cluster/objects.json"  # the cluster the tests seed


def start(args, work):
    process = subprocess.Popen([str(VENV / "python"), *args], stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, text=True, cwd=work)
    port = int(process.stdout.readline().split()[1])
    return process, port


def counting_kubectl(work):
    """A kubectl on PATH that counts its runs, then runs the real one."""
    bin_dir = work / "bin"
    bin_dir.mkdir()
    wrapper = bin_dir / "kubectl"
    wrapper.write_text(f"#!/bin/sh\necho >> {work}/kubectl-runs\nexec {VENV}/kubectl \"$@\"\n")
    wrapper.chmod(0o755)
    return bin_dir


def run_status(work, api_port, moto_port, bin_dir):
    kubeconfig = work / "kubeconfig"
    kubeconfig.write_text(
        f"apiVersion: v1\nkind: Config\nclusters: [{{name: c, cluster: {{server: 'http://127.0.0.1:{api_port}'}}}}]\n"
        "users: [{name: u, user: {token: t}}]\ncontexts: [{name: c, context: {cluster: c, user: u}}]\ncurrent-context: c\n")
    runs = work / "kubectl-runs"
    runs.write_text("")
    env = {"PATH": f"{bin_dir}:/usr/bin:/bin", "HOME": str(work), "XDG_STATE_HOME": str(work / "state"),
           "KUBECONFIG": str(kubeconfig), "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test",
           "AWS_EC2_METADATA_DISABLED": "true"}
    started = time.perf_counter()
    out = subprocess.run([str(BINARY), "status", "--output", "json", "--endpoint-url",
                          f"http://127.0.0.1:{moto_port}"], env=env, cwd=work, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    json.loads(out.stdout)  # it always prints its JSON
    return elapsed, len(runs.read_text().splitlines())


def floor(api_port):
    started = time.perf_counter()
    subprocess.run([str(VENV / "kubectl"), "--server", f"http://127.0.0.1:{api_port}", "get", "--raw", "/version"],
                   capture_output=True, check=True)
    return time.perf_counter() - started


def main():
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)
    with tempfile.TemporaryDirectory() as tmp:
        work = pathlib.Path(tmp)
        moto, moto_port = start([str(ROOT / "scripts/test_servers.py"), "moto"], work)
        bin_dir = counting_kubectl(work)
        results = {}
        for name, extra in [("answering", []), ("never answering", ["--hang", "*"])]:
            api, api_port = start([str(ROOT / "scripts/kube_emulator.py"), str(SEED), *extra], work)
            samples = [run_status(work, api_port, moto_port, bin_dir) for _ in range(runs)]
            results[name] = (statistics.median(s[0] for s in samples), samples[0][1])
            if name == "answering":
                results["floor"] = statistics.median(floor(api_port) for _ in range(runs))
            api.stdin.close()
            api.wait()
        moto.stdin.close()
        moto.wait()
    print(f"{runs} runs each, whole processes, medians:")
    print(f"  one kubectl call (get --raw /version)     {results['floor'] * 1000:8.1f} ms")
    for name in ["answering", "never answering"]:
        wall, calls = results[name]
        print(f"  clawboot status, API {name:<16} {wall * 1000:8.1f} ms   {calls} kubectl processes")
    print(f"ratio: status takes {results['answering'][0] / results['floor']:.1f}x one kubectl call; "
          f"worst case {results['never answering'][0]:.1f} s (target <= 15 s)")


if __name__ == "__main__":
    main()
