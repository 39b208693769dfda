//! Helpers shared by the integration tests: the built binary and the real peers under .peers/.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A peer installed by scripts/peers.sh; a missing one fails the test with what to run.
pub fn peer(relative: &str) -> PathBuf {
    let path = repo().join(".peers").join(relative);
    assert!(
        path.exists(),
        "test peer {} is missing: run scripts/peers.sh",
        path.display()
    );
    path
}

pub fn crd_schemas() -> PathBuf {
    let path = repo().join("tests/fixtures/crd-schemas");
    assert!(path.is_dir(), "CRD schemas expected in {}", path.display());
    path
}

/// Every token API at a closed port on this machine: a test never reaches the real ones (the
/// tests of the checks point them at `test_servers.py apis`).
pub const NO_TOKEN_APIS: [(&str, &str); 4] = [
    ("CLAWBOOT_DISCORD_API", "http://127.0.0.1:9"),
    ("CLAWBOOT_GITHUB_API", "http://127.0.0.1:9"),
    ("CLAWBOOT_OPENAI_API", "http://127.0.0.1:9"),
    ("CLAWBOOT_ANTHROPIC_API", "http://127.0.0.1:9"),
];

/// `test_servers.py apis` knowing `accounts` (its file in `dir`), and the variables that point
/// clawboot's token checks at it.
pub fn token_apis(dir: &Path, accounts: serde_json::Value) -> (ssm::Server, Vec<(String, String)>) {
    let file = dir.join("api-accounts.json");
    std::fs::write(&file, accounts.to_string()).unwrap();
    let server = ssm::Server::start(&["apis", file.to_str().unwrap()]);
    let env = NO_TOKEN_APIS
        .iter()
        .zip(["discord", "github", "openai", "anthropic"])
        .map(|((variable, _), api)| (variable.to_string(), format!("{}/{api}", server.url())))
        .collect();
    (server, env)
}

pub fn clawboot(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_clawboot"))
        .args(args)
        .envs(NO_TOKEN_APIS)
        .output()
        .expect("clawboot runs")
}

pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Render everything into `out`, with the answers in `answers` when given.
pub fn render_into(out: &Path, answers: Option<&str>) -> Output {
    let mut args = vec![
        "render".to_string(),
        "--out".into(),
        out.display().to_string(),
    ];
    if let Some(answers) = answers {
        let file = out.with_extension("answers.yaml");
        std::fs::write(&file, answers).unwrap();
        args.extend(["--profile".into(), file.display().to_string()]);
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let output = clawboot(&args);
    assert!(
        output.status.success(),
        "render failed: {}",
        text(&output.stderr)
    );
    output
}

pub fn gitops_dir(out: &Path) -> PathBuf {
    out.join("argoproj/openclaw")
}

pub fn yaml_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    files
}

/// Every file under `dir`, recursively, relative to it.
pub fn all_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                files.push(path.strip_prefix(dir).unwrap().to_path_buf());
            }
        }
    }
    files.sort();
    files
}

/// Run a program with `input` on its standard input; its output, captured.
pub fn output_with_stdin(command: &mut Command, input: &str) -> std::process::Output {
    use std::io::Write;
    use std::process::Stdio;
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the program runs");
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(input.as_bytes()).unwrap();
    drop(stdin);
    child.wait_with_output().unwrap()
}

/// Run a program and return (exit code, stdout + stderr).
pub fn run(command: &mut Command) -> (i32, String) {
    let output = command.output().expect("the peer runs");
    let mut all = text(&output.stdout);
    all.push_str(&text(&output.stderr));
    (output.status.code().unwrap_or(-1), all)
}

pub fn python() -> PathBuf {
    peer("venv/bin/python")
}

pub fn kubectl() -> PathBuf {
    peer("venv/bin/kubectl")
}

pub mod ssm;
pub mod tmux;

/// A bare HTTP GET (the "browser"): status and Location.
pub fn get(url: &str) -> (u16, Option<String>, String) {
    use std::io::{Read, Write};
    let url = url::Url::parse(url).unwrap();
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", url.port().unwrap())).unwrap();
    let target = match url.query() {
        Some(q) => format!("{}?{q}", url.path()),
        None => url.path().to_string(),
    };
    write!(
        stream,
        "GET {target} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let status = response.split_whitespace().nth(1).unwrap().parse().unwrap();
    let location = response
        .lines()
        .find_map(|l| l.strip_prefix("Location: ").map(str::to_string));
    (status, location, response)
}

/// A plain HTTP GET of the authorize URL, as a browser would: the Location it redirects to.
pub fn follow(url: &str) -> String {
    let (_, location, response) = get(url);
    location
        .unwrap_or_else(|| panic!("no redirect: {response}"))
        .trim()
        .to_string()
}

/// Values of the right shape for the asked parameters of the default profile.
pub const ASKED: [(&str, &str); 4] = [
    (
        "DISCORD_BOT_TOKEN",
        "MTIzNDU2Nzg5MDEyMzQ1Njc4.GaBcDe.abcdefghijklmnopqrstuvwxyz0123456789AB",
    ),
    (
        "GITHUB_TOKEN",
        "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz01234",
    ),
    ("OPENAI_API_KEY", "sk-proj-abcdefghijklmnopqrstuvwxyz012345"),
    (
        "ANTHROPIC_API_KEY",
        "sk-ant-api03-abcdefghijklmnopqrstuvwxyz",
    ),
];

/// A sign-in as the real OpenClaw holds it: its CLI's id and expiry, and the fingerprint (16
/// hex of SHA-256) of the refresh token its own store returns, read through its plugin SDK.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Held {
    pub id: String,
    pub expires_at: String,
    pub fingerprint: String,
}

/// PATH with the given release's node and openclaw first.
pub fn path_with(release: &str) -> String {
    format!(
        "{}:{}",
        peer(&format!("oc-{release}/node_modules/.bin")).display(),
        std::env::var("PATH").unwrap_or_default()
    )
}

/// What the real OpenClaw of `release` holds for `provider` on the state dir `state`.
pub fn held_by_openclaw(release: &str, state: &Path, provider: &str) -> Vec<Held> {
    let scratch = tempfile::tempdir().unwrap();
    let openclaw = |program: &str, args: &[&str]| {
        let output = Command::new(program)
            .args(args)
            .env("PATH", path_with(release))
            .env("HOME", scratch.path())
            .env("TMPDIR", scratch.path())
            .env("OPENCLAW_STATE_DIR", state)
            .env("OPENCLAW_CONFIG_PATH", scratch.path().join("openclaw.json"))
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{program}: {}",
            text(&output.stderr)
        );
        let printed = text(&output.stdout);
        serde_json::from_str::<serde_json::Value>(&printed[printed.find('{').unwrap()..]).unwrap()
    };
    let listed = openclaw(
        "openclaw",
        &["models", "auth", "list", "--provider", provider, "--json"],
    );
    let sdk = peer(&format!(
        "oc-{release}/node_modules/openclaw/dist/plugin-sdk/provider-auth.js"
    ));
    let agent_dir = state.join("agents/main/agent");
    let fingerprints = openclaw(
        "node",
        &[
            "--input-type=module",
            "-e",
            r#"import { createHash } from "node:crypto";
const sdk = await import(process.argv[1]);
const profiles = sdk.ensureAuthProfileStore(process.argv[2]).profiles;
const out = {};
for (const [id, p] of Object.entries(profiles)) if (p.refresh) out[id] = createHash("sha256").update(p.refresh).digest("hex").slice(0, 16);
console.log(JSON.stringify(out));"#,
            &sdk.display().to_string(),
            &agent_dir.display().to_string(),
        ],
    );
    listed["profiles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            let id = p["id"].as_str().unwrap().to_string();
            Held {
                fingerprint: fingerprints[&id].as_str().unwrap_or("none").to_string(),
                expires_at: p["expiresAt"].as_str().unwrap_or("none").to_string(),
                id,
            }
        })
        .collect()
}

/// The fingerprint of the refresh token the test issuer gave out last, and its lifetime (s).
pub fn last_issued(issuer: &ssm::Server) -> (String, i64) {
    let (_, _, response) = get(&format!("{}/test/issued", issuer.url()));
    let body: serde_json::Value =
        serde_json::from_str(response.split("\r\n\r\n").nth(1).unwrap()).unwrap();
    (
        body["refresh_sha256"].as_str().unwrap().to_string(),
        body["expires_in"].as_i64().unwrap(),
    )
}
