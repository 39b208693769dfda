//! `clawboot codex` against a local issuer that follows spec/codex-oauth.md, with the credentials
//! checked by the real OpenClaw of each supported release.

use std::io::{BufRead, BufReader, Write};
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;

use crate::common::ssm::Server;
use crate::common::*;
use serde_json::Value;

const JSON_ERA: &str = "2026.5.28";
pub const SQLITE_ERA: &str = "2026.9.6";

pub fn issuer(scenario: &str) -> Server {
    Server::start(&["issuer", scenario])
}

/// The real openclaw of a release on a state dir, offline, in scratch HOME/TMPDIR.
fn openclaw(release: &str, state: &Path, args: &[&str]) -> (i32, String) {
    let scratch = tempfile::tempdir().unwrap();
    run(Command::new("openclaw")
        .args(args)
        .env("PATH", path_with(release))
        .env("HOME", scratch.path())
        .env("TMPDIR", scratch.path())
        .env("OPENCLAW_STATE_DIR", state))
}

/// A running `clawboot codex login`, its stdout and stderr read line by line on threads.
pub struct Login {
    child: Child,
    lines: mpsc::Receiver<String>,
    stdout: std::sync::Arc<std::sync::Mutex<String>>,
    stderr: std::sync::Arc<std::sync::Mutex<String>>,
}

/// Read `pipe` line by line into `all` and the channel.
fn follow(
    pipe: impl std::io::Read + Send + 'static,
    tx: mpsc::Sender<String>,
) -> std::sync::Arc<std::sync::Mutex<String>> {
    let all = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
    let kept = all.clone();
    std::thread::spawn(move || {
        for line in BufReader::new(pipe).lines().map_while(Result::ok) {
            kept.lock().unwrap().push_str(&format!("{line}\n"));
            let _ = tx.send(line);
        }
    });
    all
}

impl Login {
    /// `clawboot --no-browser codex login ARGS` for `release`, its OpenClaw on PATH.
    pub fn start(args: &[&str], release: &str) -> Self {
        let mut command = Command::new(env!("CARGO_BIN_EXE_clawboot"));
        command.env("PATH", path_with(release));
        Self::spawn(command, &[&["--no-browser"], args].concat(), release)
    }

    /// `command` (clawboot in its environment, with its global flags) running `codex login
    /// ARGS…` for `release`.
    pub fn spawn(mut command: Command, args: &[&str], release: &str) -> Self {
        command.args(["codex", "login", "--openclaw-version", release]);
        Self::run(command, args)
    }

    /// `command` running with `args`: any command that signs in (`setup --sign-in paste`).
    pub fn run(mut command: Command, args: &[&str]) -> Self {
        let mut child = command
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let (tx, lines) = mpsc::channel();
        let stdout = follow(child.stdout.take().unwrap(), tx.clone());
        let stderr = follow(child.stderr.take().unwrap(), tx);
        Self {
            child,
            lines,
            stdout,
            stderr,
        }
    }

    /// The first line of either stream that starts with `prefix` (trimmed).
    /// Where the issuer sends the browser after the sign-in page this login printed: the
    /// address an operator pastes.
    pub fn redirect(&self) -> String {
        crate::common::follow(&self.line_starting("http://127.0.0.1"))
    }

    pub fn line_starting(&self, prefix: &str) -> String {
        loop {
            let line = self
                .lines
                .recv_timeout(std::time::Duration::from_secs(120))
                .unwrap_or_else(|_| {
                    panic!(
                        "no line starting with {prefix:?}:\n{}{}",
                        self.stdout.lock().unwrap(),
                        self.stderr.lock().unwrap()
                    )
                });
            if line.trim().starts_with(prefix) {
                return line.trim().to_string();
            }
        }
    }

    pub fn finish(self, stdin: Option<&str>) -> (Output, String) {
        let mut child = self.child;
        if let Some(text) = stdin {
            child
                .stdin
                .take()
                .unwrap()
                .write_all(text.as_bytes())
                .unwrap();
        }
        drop(child.stdin.take());
        let status = child.wait().unwrap();
        std::thread::sleep(std::time::Duration::from_millis(100));
        let output = Output {
            status,
            stdout: self.stdout.lock().unwrap().clone().into_bytes(),
            stderr: Vec::new(),
        };
        let stderr = self.stderr.lock().unwrap().clone();
        (output, stderr)
    }
}

/// The copies of the credentials file beside it: backups and OpenClaw's import archives.
fn plaintext_copies(dir: &Path) -> Vec<String> {
    let mut copies: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("auth-profiles.json.") && !n.ends_with(".lock"))
        .collect();
    copies.sort();
    copies
}

fn auth_profiles(state: &Path) -> std::path::PathBuf {
    state.join("agents/main/agent/auth-profiles.json")
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[test]
fn browser_sign_in_is_accepted_by_openclaw_and_keeps_other_profiles() {
    let issuer = issuer("ok");
    let state = tempfile::tempdir().unwrap();
    let file = auth_profiles(state.path());
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    std::fs::write(
        &file,
        r#"{"version":1,"x-future":{"keep":true},"profiles":{
  "anthropic:work":{"type":"api_key","provider":"anthropic","key":"sk-ant-other","note":"mine"},
  "openrouter:me":{"type":"api_key","provider":"openrouter","key":"or-key"}}}
"#,
    )
    .unwrap();
    let port = free_port().to_string();
    let login = Login::start(
        &[
            "--issuer",
            &issuer.url(),
            "--state-dir",
            &state.path().display().to_string(),
            "--callback-port",
            &port,
        ],
        JSON_ERA,
    );
    let url = login.line_starting("http://127.0.0.1");
    let (status, location, _) = get(&url);
    assert_eq!(status, 302);
    let callback = location.unwrap();
    assert!(callback.starts_with(&format!("http://localhost:{port}/auth/callback?code=")));
    let (status, _, page) = get(&callback);
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("Signed in to Codex"));
    let (output, stderr) = login.finish(None);
    assert!(output.status.success(), "{stderr}");
    let stdout = text(&output.stdout);
    assert!(
        stdout.contains(
            "signed in: openai-codex:codex-user@example.com (codex-user@example.com, plan plus)"
        ),
        "{stdout}"
    );
    assert!(
        stdout.contains("kept the other profiles: anthropic:work, openrouter:me"),
        "{stdout}"
    );

    let doc: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert_eq!(doc["x-future"]["keep"], true);
    assert_eq!(doc["profiles"]["anthropic:work"]["note"], "mine");
    assert_eq!(doc["profiles"]["openrouter:me"]["key"], "or-key");
    let profile = &doc["profiles"]["openai-codex:codex-user@example.com"];
    assert_eq!(profile["accountId"], "acct-test-1");
    for secret in [
        profile["access"].as_str().unwrap(),
        profile["refresh"].as_str().unwrap(),
    ] {
        assert!(
            !stdout.contains(secret) && !stderr.contains(secret),
            "a token was printed"
        );
    }
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&file), 0o600);
    assert_eq!(mode(file.parent().unwrap()), 0o700);
    assert_eq!(
        plaintext_copies(file.parent().unwrap()),
        Vec::<String>::new(),
        "the backup goes once the write is verified"
    );

    let listed = json_era_profiles(state.path());
    assert!(
        listed.contains("\"id\": \"openai-codex:codex-user@example.com\""),
        "{listed}"
    );
    let (code, out) = openclaw(JSON_ERA, state.path(), &["models", "status", "--check"]);
    assert_eq!(code, 0, "OpenClaw does not find the sign-in usable: {out}");
    let status = clawboot(&[
        "codex",
        "status",
        "--state-dir",
        &state.path().display().to_string(),
        "--openclaw-version",
        JSON_ERA,
    ]);
    assert_eq!(status.status.code(), Some(0), "{}", text(&status.stderr));
    assert!(text(&status.stdout)
        .contains("openai-codex:codex-user@example.com  codex-user@example.com  plan plus"));
}

#[test]
fn a_foreign_state_or_a_missing_account_is_refused_and_nothing_is_written() {
    let issuer = issuer("ok");
    let state = tempfile::tempdir().unwrap();
    let dir = state.path().display().to_string();
    let login = Login::start(
        &["--paste", "--issuer", &issuer.url(), "--state-dir", &dir],
        JSON_ERA,
    );
    let location = login.redirect();
    let forged = location.replace("state=", "state=0");
    let (output, stderr) = login.finish(Some(&forged));
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr.contains("does not match this sign-in"), "{stderr}");

    // A callback without this sign-in's state is answered and ignored (a web page could send
    // one): the real callback that follows still signs in.
    let port = free_port().to_string();
    let elsewhere = tempfile::tempdir().unwrap();
    let login = Login::start(
        &[
            "--issuer",
            &issuer.url(),
            "--state-dir",
            &elsewhere.path().display().to_string(),
            "--callback-port",
            &port,
        ],
        JSON_ERA,
    );
    let url = login.line_starting("http://127.0.0.1");
    let (status, _, page) = get(&format!(
        "http://localhost:{port}/auth/callback?code=x&state=wrong"
    ));
    assert_eq!(status, 400);
    assert!(page.contains("This is not the sign-in clawboot is waiting for"));
    let (_, location, _) = get(&url);
    let (status, _, _) = get(&location.unwrap());
    assert_eq!(status, 200);
    let (output, stderr) = login.finish(None);
    assert!(output.status.success(), "{stderr}");
    assert!(auth_profiles(elsewhere.path()).exists());

    let no_account = Server::start(&["issuer", "no-account"]);
    let login = Login::start(
        &[
            "--paste",
            "--issuer",
            &no_account.url(),
            "--state-dir",
            &dir,
        ],
        JSON_ERA,
    );
    let location = login.redirect();
    let (output, stderr) = login.finish(Some(&location));
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr.contains("carries no ChatGPT account id"), "{stderr}");
    assert!(!auth_profiles(state.path()).exists(), "nothing was written");
}

#[test]
fn device_code_flow_pending_then_success_expired_and_denied() {
    for (scenario, expected) in [
        ("ok", "signed in: openai-codex:codex-user@example.com"),
        (
            "device-expired",
            "the device sign-in ended (HTTP 410: the device code expired)",
        ),
        (
            "device-denied",
            "the device sign-in ended (HTTP 400: the user denied the sign-in)",
        ),
    ] {
        let issuer = issuer(scenario);
        let state = tempfile::tempdir().unwrap();
        let login = Login::start(
            &[
                "--device-code",
                "--issuer",
                &issuer.url(),
                "--state-dir",
                &state.path().display().to_string(),
            ],
            JSON_ERA,
        );
        let page = login.line_starting("• on any device, open http://127.0.0.1");
        assert!(page.ends_with("/codex/device"), "{page}");
        assert_eq!(
            login.line_starting("• and enter the code"),
            "• and enter the code ABCD-1234"
        );
        let (output, stderr) = login.finish(None);
        let all = format!("{}{stderr}", text(&output.stdout));
        assert!(all.contains(expected), "{scenario}: {all}");
        assert_eq!(
            output.status.success(),
            scenario == "ok",
            "{scenario}: {all}"
        );
    }
}

#[test]
fn refresh_stores_new_tokens_and_expiry_is_judged_like_openclaw() {
    let issuer = issuer("ok");
    let state = tempfile::tempdir().unwrap();
    let dir = state.path().display().to_string();
    let login = Login::start(
        &["--paste", "--issuer", &issuer.url(), "--state-dir", &dir],
        JSON_ERA,
    );
    let location = login.redirect();
    assert!(login.finish(Some(&location)).0.status.success());
    let file = auth_profiles(state.path());
    let read =
        || -> Value { serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap() };
    let id = "openai-codex:codex-user@example.com";
    let before = read()["profiles"][id]["refresh"]
        .as_str()
        .unwrap()
        .to_string();

    // OpenClaw (on PATH) is asked afterwards whether it holds the new tokens.
    let refreshed = Command::new(env!("CARGO_BIN_EXE_clawboot"))
        .args([
            "codex",
            "refresh",
            "--issuer",
            &issuer.url(),
            "--state-dir",
            &dir,
        ])
        .args(["--openclaw-version", JSON_ERA])
        .env("PATH", path_with(JSON_ERA))
        .output()
        .unwrap();
    assert!(
        refreshed.status.success(),
        "{}{}",
        text(&refreshed.stdout),
        text(&refreshed.stderr)
    );
    let after = read()["profiles"][id]["refresh"]
        .as_str()
        .unwrap()
        .to_string();
    assert_ne!(
        before, after,
        "the issuer rotates refresh tokens and the new one is stored"
    );

    // Expiring within a day, then expired: clawboot and OpenClaw agree (0 ok, 2 expiring, 1 expired).
    for (offset_ms, ours, label) in [(3_600_000_i64, 2, "expiring"), (-60_000, 1, "expired")] {
        let mut doc = read();
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_millis() as i64;
        doc["profiles"][id]["expires"] = Value::from(now + offset_ms);
        std::fs::write(&file, serde_json::to_string_pretty(&doc).unwrap()).unwrap();
        let status = clawboot(&[
            "codex",
            "status",
            "--state-dir",
            &dir,
            "--openclaw-version",
            JSON_ERA,
        ]);
        assert_eq!(status.status.code(), Some(ours), "{}", text(&status.stdout));
        assert!(text(&status.stdout).contains(label));
        let (code, out) = openclaw(JSON_ERA, state.path(), &["models", "status", "--check"]);
        assert_eq!(code, ours, "OpenClaw says otherwise for {label}: {out}");
    }
}

#[test]
fn the_write_script_respects_the_lock_survives_a_kill_and_keeps_a_backup() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("agent/auth-profiles.json");
    let write = |content: &str| {
        output_with_stdin(
            Command::new("sh")
                .arg("-c")
                .arg(clawboot::cluster::volume::WRITE_SCRIPT)
                .arg("sh")
                .arg(&target),
            content,
        )
    };
    assert!(write("{\"v\":1}\n").status.success());
    assert_eq!(
        std::fs::metadata(&target).unwrap().permissions().mode() & 0o777,
        0o600
    );
    assert_eq!(
        std::fs::metadata(target.parent().unwrap())
            .unwrap()
            .permissions()
            .mode()
            & 0o777,
        0o700
    );

    // A lock held by a live process (this test) is respected: the script gives up, nothing changes.
    let lock = target.with_file_name("auth-profiles.json.lock");
    std::fs::write(
        &lock,
        format!("{{\"pid\":{},\"createdAt\":\"now\"}}\n", std::process::id()),
    )
    .unwrap();
    let held = write("{\"v\":2}\n");
    assert_eq!(
        held.status.code(),
        Some(clawboot::cluster::volume::LOCK_HELD)
    );
    assert!(text(&held.stderr).contains("is held by pid"));
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "{\"v\":1}\n");

    // A lock of a dead process is stale and taken over. (The old file was made readable to
    // all meanwhile: its backup is 0600 all the same.)
    std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o644)).unwrap();
    std::fs::write(&lock, "{\"pid\":999999,\"createdAt\":\"then\"}\n").unwrap();
    assert!(write("{\"v\":2}\n").status.success());
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "{\"v\":2}\n");
    assert!(!lock.exists(), "the lock is released");
    // One backup of the file before, 0600 even when the old file was not.
    let backup = target.with_extension("json.bak");
    assert_eq!(std::fs::read_to_string(&backup).unwrap(), "{\"v\":1}\n");
    assert_eq!(
        std::fs::metadata(&backup).unwrap().permissions().mode() & 0o777,
        0o600
    );
    assert_eq!(
        plaintext_copies(target.parent().unwrap()),
        ["auth-profiles.json.bak"]
    );

    // Killed while reading its input: the old file is intact.
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(clawboot::cluster::volume::WRITE_SCRIPT)
        .arg("sh")
        .arg(&target)
        .stdin(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .as_mut()
        .unwrap()
        .write_all(b"{\"v\":3, \"half")
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(300));
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "{\"v\":2}\n");
    assert!(
        write("").status.code() == Some(65),
        "an empty input is refused"
    );
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "{\"v\":2}\n");
}

/// `codex login` in a real terminal (pexpect): the prompt for a pasted address is up, the
/// browser comes back to the callback by itself, and the command ends without a key pressed.
#[test]
fn in_a_terminal_the_callback_ends_the_paste_prompt_by_itself() {
    let issuer = issuer("ok");
    let state = tempfile::tempdir().unwrap();
    let script = format!(
        r#"
import io, re, sys, urllib.request, pexpect
child = pexpect.spawn({bin:?}, ["codex", "login", "--no-browser", "--openclaw-version", {release:?},
                      "--issuer", {issuer:?}, "--state-dir", {state:?}, "--callback-port", {port:?}],
                      encoding="utf-8", timeout=20, dimensions=(40, 200))
transcript = io.StringIO()
child.logfile_read = transcript
child.expect(r"(http://127\.0\.0\.1:\d+/oauth/authorize\S+)")
url = child.match.group(1)
child.expect("Address the browser ended on")
# The browser: the issuer redirects to the callback on 127.0.0.1, which answers.
page = urllib.request.urlopen(url, timeout=10).read().decode()
assert "Signed in to Codex" in page, page
child.expect(pexpect.EOF)
child.close()
sys.stdout.write(transcript.getvalue())
print("\nEXIT", child.exitstatus)
"#,
        bin = env!("CARGO_BIN_EXE_clawboot"),
        release = JSON_ERA,
        issuer = issuer.url(),
        state = state.path().display().to_string(),
        port = free_port().to_string(),
    );
    let output = Command::new(python())
        .arg("-c")
        .arg(script)
        .env("PATH", path_with(JSON_ERA))
        .output()
        .unwrap();
    let screen = text(&output.stdout);
    assert!(
        output.status.success(),
        "pexpect: {}{screen}",
        text(&output.stderr)
    );
    assert!(screen.contains("EXIT 0"), "{screen}");
    assert!(
        screen.contains("(the browser came back by itself)"),
        "{screen}"
    );
    assert!(
        screen.contains("signed in: openai-codex:codex-user@example.com"),
        "{screen}"
    );
}

/// Secret values given as `CLAWBOOT_<NAME>` leave clawboot's environment at start, so no child
/// inherits them: here the local `sh` that writes the credentials and OpenClaw's import (each
/// a recording stand-in first on PATH; kubectl is covered by the canary test).
#[test]
fn secret_variables_never_reach_a_child_process() {
    let dir = tempfile::tempdir().unwrap();
    let (bin, records) = (dir.path().join("bin"), dir.path().join("records"));
    std::fs::create_dir_all(&bin).unwrap();
    std::fs::create_dir_all(&records).unwrap();
    // The stand-in says it is the pinned release (the sign-in checks), then fails the import.
    let openclaw =
        "[ \"$1\" = --version ] && echo 'OpenClaw 2026.9.6 (stand-in)' && exit 0; exit 1";
    for (name, then) in [("sh", "exec /bin/sh \"$@\""), ("openclaw", openclaw)] {
        let file = bin.join(name);
        std::fs::write(
            &file,
            format!("#!/bin/sh\nenv > \"$RECORDS/{name}.$$\"\n{then}\n"),
        )
        .unwrap();
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let issuer = issuer("ok");
    let mut command = Command::new(env!("CARGO_BIN_EXE_clawboot"));
    command
        .env(
            "PATH",
            format!("{}:{}", bin.display(), path_with(SQLITE_ERA)),
        )
        .env("RECORDS", &records)
        .env(
            "CLAWBOOT_GITHUB_TOKEN",
            "github_pat_CANARYchildenvcanarychildenv0123",
        )
        .env("CLAWBOOT_DISCORD_BOT_TOKEN", "CANARY-child-env-discord");
    let state = dir.path().join("state");
    let login = Login::spawn(
        command,
        &[
            "--paste",
            "--issuer",
            &issuer.url(),
            "--state-dir",
            state.to_str().unwrap(),
        ],
        SQLITE_ERA,
    );
    let location = login.redirect();
    let _ = login.finish(Some(&format!("{}\n", location)));
    let recorded: Vec<String> = std::fs::read_dir(&records)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    for child in ["sh", "openclaw"] {
        assert!(
            recorded.iter().any(|r| r.starts_with(&format!("{child}."))),
            "{child} did not run: {recorded:?}"
        );
    }
    for record in &recorded {
        let env = std::fs::read_to_string(records.join(record)).unwrap();
        assert!(
            !env.contains("CANARY"),
            "{record} inherited a secret variable"
        );
        assert!(!env.contains("CLAWBOOT_GITHUB_TOKEN"), "{record}");
    }
}

/// An issuer behind a CA of its own (as a corporate proxy is): refused until AWS_CA_BUNDLE names
/// that CA, then the device sign-in goes through, as the AWS CLI's would. A bundle that is not
/// one is a clear error before anything runs.
#[test]
fn a_ca_in_aws_ca_bundle_is_trusted_by_the_sign_in() {
    let tls = tempfile::tempdir().unwrap();
    let issuer = Server::start(&["issuer", "ok", tls.path().to_str().unwrap()]);
    let url = issuer.url().replace("http://", "https://");
    let state = tempfile::tempdir().unwrap();
    let sign_in = |bundle: Option<&Path>| {
        let mut command = Command::new(env!("CARGO_BIN_EXE_clawboot"));
        command
            .env("PATH", path_with(JSON_ERA))
            .env_remove("SSL_CERT_FILE")
            .args([
                "codex",
                "login",
                "--no-browser",
                "--device-code",
                "--issuer",
                &url,
            ])
            .args(["--openclaw-version", JSON_ERA, "--state-dir"])
            .arg(state.path())
            .stdin(Stdio::null());
        if let Some(bundle) = bundle {
            command.env("AWS_CA_BUNDLE", bundle);
        }
        command.output().unwrap()
    };
    let untrusted = sign_in(None);
    let all = format!("{}{}", text(&untrusted.stdout), text(&untrusted.stderr));
    assert_eq!(untrusted.status.code(), Some(2), "{all}");
    assert!(
        all.contains("cannot reach the issuer") || all.contains("certificate"),
        "{all}"
    );

    let trusted = sign_in(Some(&tls.path().join("ca.pem")));
    let all = format!("{}{}", text(&trusted.stdout), text(&trusted.stderr));
    assert!(trusted.status.success(), "{all}");
    assert!(
        all.contains("signed in: openai-codex:codex-user@example.com"),
        "{all}"
    );

    let not_pem = tls.path().join("leaf.key.txt");
    std::fs::write(&not_pem, "not a certificate").unwrap();
    let refused = sign_in(Some(&not_pem));
    assert_eq!(refused.status.code(), Some(2));
    assert!(
        text(&refused.stderr).contains("AWS_CA_BUNDLE names"),
        "{}",
        text(&refused.stderr)
    );
}

/// What storing a sign-in needs is checked before the sign-in starts, so none is thrown away
/// after its code was exchanged: the `openclaw` that imports it (present, and the pinned
/// release), and a credentials file clawboot can merge into.
#[test]
fn what_storing_needs_is_checked_before_signing_in() {
    let state = tempfile::tempdir().unwrap();
    let login_for = |path: String, release: &str| {
        Command::new(env!("CARGO_BIN_EXE_clawboot"))
            .args([
                "codex",
                "login",
                "--no-browser",
                "--paste",
                "--issuer",
                "http://127.0.0.1:9",
            ])
            .args(["--openclaw-version", release, "--state-dir"])
            .arg(state.path())
            .env("PATH", path)
            .stdin(Stdio::null())
            .output()
            .unwrap()
    };
    let login = |path: String| login_for(path, SQLITE_ERA);
    let cases = [
        (path_with(JSON_ERA), "the `openclaw` on PATH is 2026.5.28, but the sign-in is for OpenClaw 2026.9.6"),
        ("/usr/bin:/bin".to_string(), "(the `openclaw` CLI), which is not on PATH: install it (npm install -g openclaw@2026.9.6)"),
    ];
    for (path, said) in cases {
        let output = login(path);
        let all = format!("{}{}", text(&output.stdout), text(&output.stderr));
        assert_eq!(output.status.code(), Some(2), "{all}");
        assert!(all.contains(said), "{said}: {all}");
        assert!(
            !all.contains("oauth/authorize"),
            "asked to sign in first: {all}"
        );
    }
    let file = auth_profiles(state.path());
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    std::fs::write(&file, "[1, 2]").unwrap();
    // A file the release reads and clawboot merges into (2026.9.6 never reads clawboot's).
    let output = login_for(path_with(JSON_ERA), JSON_ERA);
    let all = format!("{}{}", text(&output.stdout), text(&output.stderr));
    assert_eq!(output.status.code(), Some(2), "{all}");
    assert!(all.contains("cannot take a new sign-in"), "{all}");
    assert!(!all.contains("oauth/authorize"), "{all}");
}

/// On a release that keeps sign-ins in SQLite, `codex status` asks OpenClaw itself: a JSON
/// file that was never imported (a sign-in for another release, an import cut short) is not a
/// sign-in OpenClaw can use, and status says so.
#[test]
fn status_on_a_sqlite_release_asks_openclaw_not_the_file() {
    let issuer = issuer("ok");
    let state = tempfile::tempdir().unwrap();
    let dir = state.path().display().to_string();
    let login = Login::start(
        &["--paste", "--issuer", &issuer.url(), "--state-dir", &dir],
        JSON_ERA,
    );
    let location = login.redirect();
    let (output, stderr) = login.finish(Some(&format!("{}\n", location)));
    assert!(output.status.success(), "{stderr}");
    assert!(auth_profiles(state.path()).exists());

    let status = Command::new(env!("CARGO_BIN_EXE_clawboot"))
        .args([
            "codex",
            "status",
            "--state-dir",
            &dir,
            "--openclaw-version",
            SQLITE_ERA,
        ])
        .env("PATH", path_with(SQLITE_ERA))
        .output()
        .unwrap();
    let all = format!("{}{}", text(&status.stdout), text(&status.stderr));
    assert_ne!(status.status.code(), Some(0), "{all}");
    assert!(
        all.contains(
            "OpenClaw 2026.9.6 failed listing its sign-ins: [openclaw] Reason: Auth profile store"
        ) && all.contains("requires legacy credential migration"),
        "OpenClaw's own reason: {all}"
    );
}

/// `clawboot codex login --paste` for 2026.5.28 into the state dir `state`, at `issuer`.
pub fn signed_in_for_json_era(issuer: &Server, state: &Path) {
    let login = Login::start(
        &[
            "--paste",
            "--issuer",
            &issuer.url(),
            "--state-dir",
            &state.display().to_string(),
        ],
        JSON_ERA,
    );
    let location = login.redirect();
    let (signed, stderr) = login.finish(Some(&format!("{location}\n")));
    assert!(signed.status.success(), "{stderr}");
}

/// The Codex profiles OpenClaw 2026.5.28 lists in `state` (it must list them).
fn json_era_profiles(state: &Path) -> String {
    let args = [
        "models",
        "auth",
        "list",
        "--provider",
        "openai-codex",
        "--json",
    ];
    let (code, listed) = openclaw(JSON_ERA, state, &args);
    assert_eq!(code, 0, "{listed}");
    listed
}

/// The answers file of an operator on 2026.5.28, with comments of their own.
fn answers_on_json_era(dir: &Path) -> String {
    format!(
        "# my OpenClaw, set up with the seed plan\nrepos:\n  gitops:\n    path: {0}/lolice\n  infrastructure:\n    path: {0}/arch\n  workspace_path: {0}/workspace\nimages:\n  # pinned, reviewed\n  openclaw: ghcr.io/openclaw/openclaw:{JSON_ERA} # the seed's\nopenclaw:\n  release: \"{JSON_ERA}\"   # keep in step with the image\n",
        dir.display()
    )
}

/// `clawboot --profile ANSWERS upgrade --to TO --state-dir STATE` as a batch run with the
/// OpenClaw of `on_path` first on PATH; its output and how long it took.
fn upgrade(answers: &Path, state: &Path, to: &str, on_path: &str) -> (Output, std::time::Duration) {
    let started = std::time::Instant::now();
    let output = Command::new(env!("CARGO_BIN_EXE_clawboot"))
        .arg("--profile")
        .arg(answers)
        .args(["upgrade", "--to", to, "--non-interactive", "--state-dir"])
        .arg(state)
        .env("PATH", path_with(on_path))
        .env("HOME", answers.parent().unwrap())
        // npm's cache, shared with the init-container tests (`.peers/` is CI's cache).
        .env("npm_config_cache", repo().join(".peers/npm-home/.npm"))
        .stdin(Stdio::null())
        .output()
        .unwrap();
    (output, started.elapsed())
}

/// An upgrade from 2026.5.28 to 2026.9.6 on a local state dir holding a sign-in clawboot stored
/// for 2026.5.28: the real 2026.9.6 then lists it under `openai` and accepts it; the answers file
/// changes in its two values only; the manifests are for 2026.9.6, their config valid there; the
/// backup restores the old state, which 2026.5.28 reads again. A run that stopped resumes where
/// it stopped. The way back is refused before anything changes: 2026.5.28 cannot read
/// 2026.9.6's store.
#[test]
fn an_upgrade_carries_the_sign_in_across_the_sqlite_boundary() {
    let issuer = issuer("ok");
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state");
    signed_in_for_json_era(&issuer, &state);
    let answers = dir.path().join("answers.yaml");
    let before = answers_on_json_era(dir.path());
    std::fs::write(&answers, &before).unwrap();

    // With the old OpenClaw still on PATH the upgrade stops at the plugins, saying why; the next
    // run resumes there (one backup, the answers file changed once).
    let (stopped, _) = upgrade(&answers, &state, SQLITE_ERA, JSON_ERA);
    let said = text(&stopped.stderr);
    assert_eq!(stopped.status.code(), Some(2), "{said}");
    assert!(
        said.contains(
            "the `openclaw` on PATH is 2026.5.28, but the sign-in is for OpenClaw 2026.9.6"
        ),
        "{said}"
    );
    let (output, took) = upgrade(&answers, &state, SQLITE_ERA, SQLITE_ERA);
    let said = format!("{}{}", text(&output.stdout), text(&output.stderr));
    println!("upgrade with --state-dir: {took:?}");
    assert_eq!(output.status.code(), Some(0), "{said}");
    for line in [
        "Codex sign-in provider: openai-codex → openai",
        "credentials: auth-profiles.json → OpenClaw's SQLite store (imported from the JSON file)",
        "OpenClaw 2026.9.6 lists openai:codex-user@example.com",
        "openclaw models status --check: the sign-in is accepted",
    ] {
        assert!(said.contains(line), "{line}: {said}");
    }
    let (code, listed) = openclaw(
        SQLITE_ERA,
        &state,
        &["models", "auth", "list", "--provider", "openai", "--json"],
    );
    assert_eq!(code, 0, "{listed}");
    assert!(listed.contains("openai:codex-user@example.com"), "{listed}");
    // The upgraded openclaw.json, with the secrets it names in the environment as the pod has
    // them: OpenClaw 2026.9.6 accepts the sign-in (through the codex plugin the upgrade installed).
    let config = upgraded_config(dir.path());
    let scratch = tempfile::tempdir().unwrap();
    let (code, checked) = run(Command::new("openclaw")
        .args(["models", "status", "--check"])
        .env("PATH", path_with(SQLITE_ERA))
        .env("HOME", scratch.path())
        .env("OPENCLAW_STATE_DIR", &state)
        .env("OPENCLAW_CONFIG_PATH", &config)
        .envs(
            [
                "OPENCLAW_GATEWAY_TOKEN",
                "DISCORD_BOT_TOKEN",
                "LITELLM_PROXY_KEY",
            ]
            .map(|k| (k, "stand-in")),
        ));
    assert_eq!(code, 0, "{checked}");
    assert_eq!(
        std::fs::read_to_string(&answers).unwrap(),
        before
            .replace(
                &format!("openclaw:{JSON_ERA} # the seed's"),
                &format!("openclaw:{SQLITE_ERA} # the seed's")
            )
            .replace(
                &format!("release: \"{JSON_ERA}\"   # keep"),
                &format!("release: \"{SQLITE_ERA}\"   # keep")
            )
    );
    let deployment = std::fs::read_to_string(
        dir.path()
            .join("lolice/argoproj/openclaw/deployment-openclaw.yaml"),
    )
    .unwrap();
    assert!(
        deployment.contains(&format!("ghcr.io/openclaw/openclaw:{SQLITE_ERA}")),
        "{deployment}"
    );
    let (code, validated) = run(Command::new("openclaw")
        .args(["config", "validate", "--json"])
        .env("PATH", path_with(SQLITE_ERA))
        .env("HOME", scratch.path())
        .env("OPENCLAW_STATE_DIR", scratch.path())
        .env("OPENCLAW_CONFIG_PATH", &config));
    assert_eq!(code, 0, "{validated}");

    // The backup: OpenClaw's own verified archive, one, 0600, kept on this machine (not in the
    // state dir), that brings back what 2026.5.28 reads.
    let backups = dir.path().join(".local/state/clawboot/backups");
    let archives: Vec<std::path::PathBuf> = std::fs::read_dir(&backups)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert!(
        !std::fs::read_dir(&state).unwrap().any(|e| e
            .unwrap()
            .file_name()
            .to_string_lossy()
            .contains("backup")),
        "nothing of the backup in the state dir"
    );
    assert_eq!(archives.len(), 1, "{archives:?}");
    let mode = std::fs::metadata(&archives[0])
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
    let restored = dir.path().join("restored");
    std::fs::create_dir_all(&restored).unwrap();
    let untar = Command::new("tar")
        .arg("xzf")
        .arg(&archives[0])
        .arg("-C")
        .arg(&restored)
        .status()
        .unwrap();
    assert!(untar.success());
    // OpenClaw's layout: <root>/payload/posix/<the state dir's absolute path>.
    let root = std::fs::read_dir(&restored)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let restored = root
        .join("payload/posix")
        .join(state.strip_prefix("/").unwrap());
    let listed = json_era_profiles(&restored);
    assert!(
        listed.contains("openai-codex:codex-user@example.com"),
        "{listed}"
    );

    // Back to 2026.5.28: refused, nothing changed.
    let upgraded = std::fs::read_to_string(&answers).unwrap();
    let (back, _) = upgrade(&answers, &state, JSON_ERA, SQLITE_ERA);
    let said = text(&back.stderr);
    assert_eq!(back.status.code(), Some(2), "{said}");
    assert!(
        said.contains("a downgrade across 2026.7 would lose it. Nothing was changed"),
        "{said}"
    );
    assert_eq!(std::fs::read_to_string(&answers).unwrap(), upgraded);
    // A release clawboot has not checked: refused, nothing changed.
    let (unknown, _) = upgrade(&answers, &state, "2026.7.1", SQLITE_ERA);
    let said = text(&unknown.stderr);
    assert_eq!(unknown.status.code(), Some(2), "{said}");
    assert!(
        said.contains("clawboot has not checked OpenClaw 2026.7.1"),
        "{said}"
    );
    assert_eq!(std::fs::read_to_string(&answers).unwrap(), upgraded);
}

/// The openclaw.json of the ConfigMap the upgrade wrote, as a file.
fn upgraded_config(dir: &Path) -> std::path::PathBuf {
    let text =
        std::fs::read_to_string(dir.join("lolice/argoproj/openclaw/configmap-openclaw.yaml"))
            .unwrap();
    let configmap: serde_yaml::Value = serde_yaml::from_str(&text).unwrap();
    let config = dir.join("openclaw.json");
    std::fs::write(
        &config,
        configmap["data"]["openclaw.json"].as_str().unwrap(),
    )
    .unwrap();
    config
}

/// Sign in with `args` (a face's command line that takes a pasted address) on `state` for
/// `release`: the redirect pasted, the run's stdout and its error output.
fn sign_in_by_paste(mut command: Command, release: &str) -> (Output, String) {
    command.env("PATH", path_with(release));
    let login = Login::run(command, &[]);
    let location = login.redirect();
    login.finish(Some(&format!("{location}\n")))
}

/// OpenClaw holds the issuer's last tokens for `id` on `state`, with the expiry clawboot said.
fn assert_openclaw_holds_the_last_sign_in(
    release: &str,
    state: &Path,
    id: &str,
    issuer: &Server,
    said: &str,
) -> Held {
    let provider = id.split(':').next().unwrap();
    let held = held_by_openclaw(release, state, provider);
    let ours = held
        .iter()
        .find(|h| h.id == id)
        .unwrap_or_else(|| panic!("OpenClaw {release} lists no {id}: {held:?}"));
    let (fingerprint, lifetime) = last_issued(issuer);
    assert_eq!(ours.fingerprint, fingerprint, "{release}: the new tokens");
    let until = said
        .lines()
        .find_map(|l| l.split_once(", until ").map(|(_, t)| t.trim().to_string()))
        .unwrap_or_else(|| panic!("no expiry said: {said}"));
    assert_eq!(
        ours.expires_at.split('.').next().unwrap(),
        until.trim_end_matches('Z'),
        "{release}: OpenClaw's expiry is the one clawboot said ({lifetime} s)"
    );
    ours.clone()
}

/// Signing in again, in `codex login` and the wizard's batch `sign-in`, replaces the tokens
/// OpenClaw holds, on each release (on 2026.9.6 with a 10-day and a 50-minute issuer):
/// OpenClaw's own CLI and store, asked afterwards, hold the issuer's last tokens with the
/// expiry clawboot said, no plaintext copy is left, and `codex status` shows OpenClaw's plan.
#[test]
fn signing_in_again_replaces_what_openclaw_holds() {
    for (release, scenario) in [
        (SQLITE_ERA, "ok"),
        (SQLITE_ERA, "short-lived"),
        (JSON_ERA, "ok"),
    ] {
        let issuer = issuer(scenario);
        let state = tempfile::tempdir().unwrap();
        let state_arg = state.path().display().to_string();
        let id = match release {
            SQLITE_ERA => "openai:codex-user@example.com",
            _ => "openai-codex:codex-user@example.com",
        };
        let command = |args: &[&str]| {
            let mut command = Command::new(env!("CARGO_BIN_EXE_clawboot"));
            command
                .args(args)
                .args(["--issuer", &issuer.url(), "--state-dir", &state_arg]);
            command
        };
        let login = [
            "codex",
            "login",
            "--no-browser",
            "--paste",
            "--openclaw-version",
            release,
        ];
        let mut held = Vec::new();
        for _ in 0..2 {
            let (output, stderr) = sign_in_by_paste(command(&login), release);
            assert!(output.status.success(), "{release} {scenario}: {stderr}");
            let said = text(&output.stdout);
            if release == SQLITE_ERA {
                let store = state.path().join("state/openclaw.sqlite");
                assert!(said.contains(&format!("in OpenClaw's store {}", store.display())));
                assert!(store.exists(), "where OpenClaw keeps it: {said}");
            }
            held.push(assert_openclaw_holds_the_last_sign_in(
                release,
                state.path(),
                id,
                &issuer,
                &said,
            ));
        }
        assert_ne!(
            held[0].fingerprint, held[1].fingerprint,
            "{release} {scenario}"
        );
        let agent_dir = auth_profiles(state.path()).parent().unwrap().to_path_buf();
        if release == SQLITE_ERA {
            // The wizard's batch face: `sign-in` on the embedded profile (this release).
            let wizard = [
                "sign-in",
                "--non-interactive",
                "--sign-in",
                "paste",
                "--no-browser",
            ];
            let (output, stderr) = sign_in_by_paste(command(&wizard), release);
            let said = text(&output.stdout);
            assert!(said.contains("✓ Wave 4"), "{said}{stderr}");
            let third =
                assert_openclaw_holds_the_last_sign_in(release, state.path(), id, &issuer, &said);
            assert_ne!(third.fingerprint, held[1].fingerprint);
            assert!(
                !auth_profiles(state.path()).exists(),
                "no JSON file for a SQLite release"
            );
            let status = Command::new(env!("CARGO_BIN_EXE_clawboot"))
                .args(["codex", "status", "--state-dir", &state_arg])
                .args(["--openclaw-version", release])
                .env("PATH", path_with(release))
                .output()
                .unwrap();
            let said = text(&status.stdout);
            // 50 minutes is "expiring" (< 24 h), as OpenClaw's `models status --check` says.
            let expected = if scenario == "ok" { 0 } else { 2 };
            assert_eq!(
                status.status.code(),
                Some(expected),
                "{}",
                text(&status.stderr)
            );
            assert!(said.contains(id) && said.contains("plan plus"), "{said}");
        }
        assert_eq!(plaintext_copies(&agent_dir), Vec::<String>::new());
        assert!(
            !agent_dir.join("clawboot-sign-in.json").exists(),
            "the pending copy went"
        );
    }
}

/// A sign-in OpenClaw could not store (its database held by another writer: a real SQLite
/// lock) exits non-zero, says what OpenClaw holds and keeps the new tokens in a 0600 pending
/// copy; once the writer is gone, signing in again stores them and the copy goes.
#[test]
fn a_sign_in_openclaw_does_not_hold_keeps_the_new_tokens_and_fails() {
    let issuer = issuer("ok");
    let state = tempfile::tempdir().unwrap();
    let state_arg = state.path().display().to_string();
    let login = || {
        let mut command = Command::new(env!("CARGO_BIN_EXE_clawboot"));
        command.args(["codex", "login", "--no-browser", "--paste"]);
        command.args(["--openclaw-version", SQLITE_ERA, "--issuer", &issuer.url()]);
        command.args(["--state-dir", &state_arg]);
        command
    };
    let (output, stderr) = sign_in_by_paste(login(), SQLITE_ERA);
    assert!(output.status.success(), "{stderr}");
    let first = held_by_openclaw(SQLITE_ERA, state.path(), "openai");

    let database = state.path().join("state/openclaw.sqlite");
    let mut writer = Command::new(python())
        .args(["-c", "import sqlite3,sys\nc=sqlite3.connect(sys.argv[1],isolation_level=None)\nc.execute('BEGIN EXCLUSIVE')\nprint('locked',flush=True)\nsys.stdin.read()"])
        .arg(&database)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut locked = String::new();
    BufReader::new(writer.stdout.take().unwrap())
        .read_line(&mut locked)
        .unwrap();
    assert_eq!(locked.trim(), "locked");
    let (output, stderr) = sign_in_by_paste(login(), SQLITE_ERA);
    drop(writer.stdin.take());
    writer.wait().unwrap();
    assert!(!output.status.success(), "{}", text(&output.stdout));
    let pending = state.path().join("agents/main/agent/clawboot-sign-in.json");
    assert!(
        stderr.contains(&format!("kept in {}", pending.display()))
            && stderr.contains("it holds openai:codex-user@example.com with older tokens"),
        "{stderr}"
    );
    assert!(
        !text(&output.stdout).contains("signed in as"),
        "no success claimed: {}",
        text(&output.stdout)
    );
    let mode = std::fs::metadata(&pending).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
    assert_eq!(held_by_openclaw(SQLITE_ERA, state.path(), "openai"), first);

    let (output, stderr) = sign_in_by_paste(login(), SQLITE_ERA);
    assert!(output.status.success(), "{stderr}");
    assert_openclaw_holds_the_last_sign_in(
        SQLITE_ERA,
        state.path(),
        "openai:codex-user@example.com",
        &issuer,
        &text(&output.stdout),
    );
    assert!(
        !pending.exists(),
        "the pending copy went once OpenClaw held the tokens"
    );
}
