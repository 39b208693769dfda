#!/usr/bin/env python3
"""Benchmark seeding SSM parameters into moto server on 127.0.0.1, whole processes, same run:
`clawboot secrets seed` of 8 parameters vs 8 sequential `aws ssm put-parameter` processes vs one
boto3 process doing 8 puts; and clawboot's write path with 100 parameters. Median of RUNS.

usage: scripts/bench_ssm.py [RUNS]   (builds the release binaries first; needs scripts/peers.sh)
"""
import os
import pathlib
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = pathlib.Path(__file__).resolve().parent.parent
VENV = ROOT / ".peers/venv/bin"
CLAWBOOT = ROOT / "target/release/clawboot"
BULK = ROOT / "target/release/examples/bulk_seed"

ASKED = {
    "DISCORD_BOT_TOKEN": "MTIzNDU2Nzg5MDEyMzQ1Njc4.GaBcDe.abcdefghijklmnopqrstuvwxyz0123456789AB",
    "GITHUB_TOKEN": "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz01234",
    "OPENAI_API_KEY": "sk-proj-abcdefghijklmnopqrstuvwxyz012345",
    "ANTHROPIC_API_KEY": "sk-ant-api03-abcdefghijklmnopqrstuvwxyz",
    "ZAI_API_KEY": "zai-abcdefghijklmnopqrstuvwxyz0123",
    "GEMINI_API_KEY": "AIzaSyA-abcdefghijklmnopqrstuvwxyz0123",
}
GENERATED = {"OPENCLAW_GATEWAY_TOKEN": "g" * 43, "LITELLM_MASTER_KEY": "sk-" + "m" * 48}
ANSWERS = """litellm:
  models: [anthropic/claude-sonnet-4-5-20250929, anthropic/claude-opus-4-6, zai/glm-4.7, google/gemini-2.5-pro]
"""


def timed(argv, env, ok=(0,)):
    start = time.perf_counter()
    code = subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode
    elapsed = time.perf_counter() - start
    if code not in ok:
        sys.exit(f"{argv} exited {code}")
    return elapsed


def main():
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 7
    subprocess.run(["cargo", "build", "--release", "--quiet", "--bin", "clawboot", "--example", "bulk_seed"],
                   cwd=ROOT, check=True)
    server = subprocess.Popen([VENV / "python", ROOT / "scripts/test_servers.py", "moto"],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    port = int(server.stdout.readline().split()[1])
    url = f"http://127.0.0.1:{port}"
    env = dict(os.environ, AWS_ACCESS_KEY_ID="test", AWS_SECRET_ACCESS_KEY="test",
               AWS_DEFAULT_REGION="ap-northeast-1", AWS_EC2_METADATA_DISABLED="true")

    def reset():
        urllib.request.urlopen(urllib.request.Request(f"{url}/moto-api/reset", method="POST")).read()

    with tempfile.TemporaryDirectory() as scratch:
        answers = pathlib.Path(scratch) / "answers.yaml"
        answers.write_text(ANSWERS)
        seed_env = dict(env, **{f"CLAWBOOT_{k}": v for k, v in ASKED.items()})
        boto_script = pathlib.Path(scratch) / "puts.py"
        values = dict(ASKED, **GENERATED)
        boto_script.write_text(
            "import boto3\n"
            f"c = boto3.client('ssm', endpoint_url='{url}')\n"
            + "".join(f"c.put_parameter(Name='/lolice/openclaw/{k}', Value='{v}', Type='SecureString')\n"
                      for k, v in values.items()))
        timed([VENV / "aws", "ssm", "describe-parameters", "--endpoint-url", url], env)  # warm moto's SSM
        results = {"clawboot secrets seed (8)": [], "aws ssm put-parameter x8": [], "boto3, one process (8)": [],
                   "clawboot write path (100)": []}
        for _ in range(runs):
            reset()
            # Exit 1: everything written, tunnel-token left for Terraform (reported).
            results["clawboot secrets seed (8)"].append(timed(
                [CLAWBOOT, "--profile", answers, "secrets", "--endpoint-url", url, "seed", "--non-interactive"],
                seed_env, ok=(1,)))
            reset()
            start = time.perf_counter()
            for k, v in values.items():
                subprocess.run([VENV / "aws", "ssm", "put-parameter", "--endpoint-url", url, "--name",
                                f"/lolice/openclaw/{k}", "--value", v, "--type", "SecureString"],
                               env=env, check=True, stdout=subprocess.DEVNULL)
            results["aws ssm put-parameter x8"].append(time.perf_counter() - start)
            reset()
            results["boto3, one process (8)"].append(timed([VENV / "python", boto_script], env))
            reset()
            results["clawboot write path (100)"].append(timed([BULK, url, "100"], env))
    server.stdin.close()
    server.wait()

    medians = {name: statistics.median(times) for name, times in results.items()}
    print(f"{runs} runs each against moto server on 127.0.0.1, whole processes, medians:")
    for name, median in medians.items():
        print(f"  {name:<30} {median * 1000:8.1f} ms")
    ours = medians["clawboot secrets seed (8)"]
    cli = medians["aws ssm put-parameter x8"] / ours
    boto = medians["boto3, one process (8)"] / ours
    bulk = medians["clawboot write path (100)"]
    print(f"clawboot is {cli:.0f}x faster than the AWS CLI loop (target >= 50x) and "
          f"{boto:.1f}x faster than boto3 (target >= 5x); 100 parameters in {bulk * 1000:.0f} ms (target <= 500 ms)")


if __name__ == "__main__":
    main()
