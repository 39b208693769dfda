//! `clawboot codex …`: sign in, check, renew; the credentials go to a local state dir or into
//! the running OpenClaw pod, in the shape the pinned release reads.

use std::io::Write as _;
use std::path::PathBuf;
use std::time::Duration;

use secrecy::SecretString;
use serde_json::{json, Value};
use tokio::io::AsyncBufReadExt;

use clawboot::cli::{CodexCommand, CodexTarget, OutputFormat};
use clawboot::cluster::kubectl::Kubectl;
use clawboot::cluster::volume;
use clawboot::codex::{self, callback, claims, device, paste, token, BrowserLogin, Issuer};
use clawboot::openclaw::credentials::{self, ProfileChange, StoredProfile, AUTH_PROFILES};
use clawboot::openclaw::release::Release;
use clawboot::profile::Profile;
use clawboot::ui::prompts;

use super::Outcome;

/// After this long without a callback, a pasted redirect is accepted too.
const PASTE_AFTER: Duration = Duration::from_secs(15);
/// A sign-in that expires sooner than this is reported as expiring.
const EXPIRING_MS: i64 = 24 * 3600 * 1000;
/// The state dir inside the official image (the PVC mount).
const POD_STATE_DIR: &str = "/home/node/.openclaw";
const CONTAINER: &str = "openclaw";

/// A shell script with `oc`: the openclaw CLI on PATH, else the image's entry point.
macro_rules! openclaw_script {
    ($body:literal) => {
        concat!(
            "set -eu\n",
            "oc() { if command -v openclaw >/dev/null 2>&1; then openclaw \"$@\"; else node /app/openclaw.mjs \"$@\"; fi; }\n",
            $body
        )
    };
}

/// Imports the JSON file into OpenClaw's SQLite store (≥ 2026.7) with `openclaw doctor --fix`,
/// pointed at a scratch copy of the config so the GitOps-owned openclaw.json is not touched.
const IMPORT_SCRIPT: &str = openclaw_script!(
    r#"state="$1"
scratch=$(mktemp "${TMPDIR:-/tmp}/clawboot-config.XXXXXX")
trap 'rm -f "$scratch"' EXIT
if [ -f "$state/openclaw.json" ]; then cp "$state/openclaw.json" "$scratch"; else echo '{}' > "$scratch"; fi
OPENCLAW_STATE_DIR="$state" OPENCLAW_CONFIG_PATH="$scratch" oc doctor --fix --non-interactive --yes >/dev/null
OPENCLAW_STATE_DIR="$state" OPENCLAW_CONFIG_PATH="$scratch" oc models auth list --provider "$2" --json
"#
);

pub fn run(
    format: OutputFormat,
    profile: &Profile,
    command: &CodexCommand,
) -> anyhow::Result<Outcome> {
    super::runtime()?.block_on(async {
        match command {
            CodexCommand::Login {
                paste,
                device_code,
                callback_port,
                no_browser,
                yes,
                restart,
                target,
            } => {
                let face = Face::new(format, profile, target).await?;
                let mode = match (*paste, *device_code) {
                    (true, _) => Mode::Paste,
                    (_, true) => Mode::Device,
                    _ => Mode::Browser { open: !no_browser },
                };
                let tokens = tokio::select! {
                    tokens = face.sign_in(mode, *callback_port) => tokens?,
                    _ = tokio::signal::ctrl_c() => anyhow::bail!("cancelled: nothing was written"),
                };
                face.store(tokens, *yes, *restart).await
            }
            CodexCommand::Status { target } => {
                Face::new(format, profile, target).await?.status().await
            }
            CodexCommand::Refresh { restart, target } => {
                Face::new(format, profile, target)
                    .await?
                    .refresh(*restart)
                    .await
            }
        }
    })
}

enum Mode {
    Browser { open: bool },
    Paste,
    Device,
}

/// Where the credentials live.
enum Place {
    Local(PathBuf),
    Pod { kubectl: Kubectl, pod: String },
}

struct Face<'a> {
    format: OutputFormat,
    profile: &'a Profile,
    release: Release,
    issuer: Issuer,
    place: Place,
}

impl<'a> Face<'a> {
    async fn new(
        format: OutputFormat,
        profile: &'a Profile,
        target: &CodexTarget,
    ) -> anyhow::Result<Self> {
        let release = match &target.openclaw_version {
            Some(v) => Release::parse(v).ok_or_else(|| {
                anyhow::anyhow!("--openclaw-version {v:?} is not a release like 2026.9.6")
            })?,
            None => profile.release(),
        };
        let issuer_url = target
            .issuer
            .clone()
            .or_else(|| std::env::var("CLAWBOOT_CODEX_ISSUER").ok())
            .unwrap_or_else(|| codex::DEFAULT_ISSUER.to_string());
        let place = match &target.state_dir {
            Some(dir) => Place::Local(dir.clone()),
            None => {
                let kubectl = Kubectl::new(profile);
                let pod = running_pod(&kubectl).await?;
                Place::Pod { kubectl, pod }
            }
        };
        Ok(Self {
            format,
            profile,
            release,
            issuer: Issuer::new(&issuer_url)?,
            place,
        })
    }

    async fn sign_in(&self, mode: Mode, port: u16) -> anyhow::Result<token::Tokens> {
        match mode {
            Mode::Device => self.device_sign_in().await,
            Mode::Paste => {
                let login = BrowserLogin::start(&self.issuer, port);
                eprintln!("Open this page in a browser and sign in:\n  {}", login.url);
                let code = paste::code_for(paste::parse(&read_paste().await?)?, &login.state)?;
                token::exchange_code(&self.issuer, &code, &login.verifier, &login.redirect_uri)
                    .await
            }
            Mode::Browser { open } => {
                let login = BrowserLogin::start(&self.issuer, port);
                let listener = match callback::bind(port).await {
                    Ok(listener) => Some(listener),
                    Err(e) => {
                        eprintln!("cannot listen on 127.0.0.1:{port} ({e}): paste the redirect URL instead");
                        None
                    }
                };
                eprintln!("Open this page in a browser and sign in:\n  {}", login.url);
                if open && listener.is_some() && open::that_detached(login.url.as_str()).is_err() {
                    eprintln!("(no browser could be opened here: open the page on any machine)");
                }
                let code = match &listener {
                    Some(listener) => self.callback_or_paste(listener, &login).await?,
                    None => paste::code_for(paste::parse(&read_paste().await?)?, &login.state)?,
                };
                token::exchange_code(&self.issuer, &code, &login.verifier, &login.redirect_uri)
                    .await
            }
        }
    }

    /// Listen for the callback; after 15 s also accept a pasted redirect (the browser may be
    /// on another machine), whichever comes first.
    async fn callback_or_paste(
        &self,
        listener: &tokio::net::TcpListener,
        login: &BrowserLogin,
    ) -> anyhow::Result<String> {
        let callback = callback::wait_for_code(listener, &login.state);
        tokio::pin!(callback);
        tokio::select! {
            code = &mut callback => return code,
            _ = tokio::time::sleep(PASTE_AFTER) => {}
        }
        eprintln!("No callback yet. If the browser runs on another machine, paste the address it ended on (or the code) here:");
        tokio::select! {
            code = callback => code,
            pasted = read_paste() => paste::code_for(paste::parse(&pasted?)?, &login.state),
        }
    }

    async fn device_sign_in(&self) -> anyhow::Result<token::Tokens> {
        let code = device::request_code(&self.issuer).await?;
        eprintln!(
            "On any device, open\n  {}\nand enter the code  {}",
            code.page, code.user_code
        );
        let approved = device::wait_for_approval(&self.issuer, &code, |left| {
            eprint!(
                "\r  waiting for approval, {:>2}:{:02} left ",
                left.as_secs() / 60,
                left.as_secs() % 60
            );
        })
        .await;
        eprintln!();
        let approved = approved?;
        token::exchange_code(
            &self.issuer,
            &approved.code,
            &approved.verifier,
            self.issuer.device_redirect().as_str(),
        )
        .await
    }

    /// Build the profile for the release, merge it into the stored file, write it back, import
    /// it where the release needs that, and offer the restart.
    async fn store(
        &self,
        tokens: token::Tokens,
        yes: bool,
        restart: bool,
    ) -> anyhow::Result<Outcome> {
        let claims = tokens.claims()?;
        let id = credentials::profile_id(self.release, &claims);
        let entry = credentials::profile_entry(self.release, &tokens, &claims);
        let merged = credentials::merge(self.read().await?.as_ref(), &id, entry)?;
        if let ProfileChange::Replaced {
            fields,
            tokens: new_tokens,
        } = &merged.change
        {
            eprintln!("{id} is already stored; replacing it changes:");
            for field in fields {
                eprintln!("  {field}");
            }
            if *new_tokens {
                eprintln!("  the access and refresh tokens");
            }
            let confirmed = yes || (prompts::can_prompt() && prompts::confirm("Replace it?")?);
            if !confirmed {
                anyhow::bail!(
                    "{id} was kept as it was (pass --yes to replace it): nothing was written"
                );
            }
        }
        if merged.change != ProfileChange::Unchanged {
            self.write(&merged.text).await?;
        }
        if credentials::needs_import(self.release) {
            self.import(&id).await?;
        }
        self.warn_if_config_disagrees(&claims);
        self.report_stored(&id, &claims, tokens.expires_at_ms, &merged.kept)?;
        self.offer_restart(restart).await?;
        Ok(Outcome::Clean)
    }

    /// The rendered config lists the profile of `openclaw.codex_email`: OpenClaw uses only
    /// listed profiles of a provider, so a sign-in with another account would be ignored.
    fn warn_if_config_disagrees(&self, claims: &claims::Claims) {
        let expected = &self.profile.openclaw.codex_email;
        if !expected.is_empty() && claims.email.as_deref() != Some(expected.as_str()) {
            eprintln!(
                "warning: signed in as {} but the profile's openclaw.codex_email is {expected}: OpenClaw will not use this sign-in until they agree (edit the profile and render)",
                claims.email.as_deref().unwrap_or("an account without e-mail")
            );
        }
    }

    fn report_stored(
        &self,
        id: &str,
        claims: &claims::Claims,
        expires_ms: i64,
        kept: &[String],
    ) -> anyhow::Result<()> {
        let mut out = std::io::stdout().lock();
        let place = self.describe_place();
        if self.format == OutputFormat::Json {
            let report = json!({
                "profile": id, "email": claims.email, "plan": claims.plan,
                "expires_ms": expires_ms, "openclaw_release": self.release.to_string(),
                "stored_in": place, "other_profiles_kept": kept,
            });
            writeln!(out, "{}", serde_json::to_string_pretty(&report)?)?;
        } else {
            writeln!(
                out,
                "signed in: {id} ({}, plan {}), expires {}; stored for OpenClaw {} in {place}",
                claims.email.as_deref().unwrap_or("no e-mail"),
                claims.plan.as_deref().unwrap_or("unknown"),
                format_ms(expires_ms),
                self.release
            )?;
            if !kept.is_empty() {
                writeln!(out, "kept the other profiles: {}", kept.join(", "))?;
            }
        }
        Ok(())
    }

    async fn status(&self) -> anyhow::Result<Outcome> {
        let profiles = self.stored_profiles().await?;
        let now = token::now_ms();
        let state = |p: &StoredProfile| match p.expires_ms {
            Some(ms) if ms <= now => "expired",
            Some(ms) if ms - now < EXPIRING_MS => "expiring",
            Some(_) => "ok",
            None => "expired",
        };
        let mut out = std::io::stdout().lock();
        if self.format == OutputFormat::Json {
            let report: Vec<Value> = profiles
                .iter()
                .map(|p| json!({ "profile": p.id, "email": p.email, "plan": p.plan, "expires_ms": p.expires_ms, "state": state(p) }))
                .collect();
            writeln!(out, "{}", serde_json::to_string_pretty(&report)?)?;
        } else if profiles.is_empty() {
            writeln!(
                out,
                "no Codex sign-in stored in {}: run `clawboot codex login`",
                self.describe_place()
            )?;
        } else {
            for p in &profiles {
                writeln!(
                    out,
                    "{}  {}  plan {}  expires {}  {}",
                    p.id,
                    p.email.as_deref().unwrap_or("-"),
                    p.plan.as_deref().unwrap_or("-"),
                    p.expires_ms.map_or("-".to_string(), format_ms),
                    state(p)
                )?;
            }
        }
        let states: Vec<&str> = profiles.iter().map(state).collect();
        Ok(if states.is_empty() || states.contains(&"expired") {
            Outcome::Reported
        } else if states.contains(&"expiring") {
            Outcome::Code(2)
        } else {
            Outcome::Clean
        })
    }

    async fn refresh(&self, restart: bool) -> anyhow::Result<Outcome> {
        if credentials::needs_import(self.release) {
            anyhow::bail!(
                "OpenClaw {} keeps the tokens in its SQLite store and renews them itself; to renew now, sign in again with `clawboot codex login`",
                self.release
            );
        }
        let text = self.read().await?.ok_or_else(|| {
            anyhow::anyhow!(
                "no credentials file in {}: run `clawboot codex login`",
                self.describe_place()
            )
        })?;
        let profiles = credentials::stored_profiles(&text)?;
        let [stored] = profiles.as_slice() else {
            anyhow::bail!("expected one Codex profile in {}, found {}: sign in again with `clawboot codex login`", self.describe_place(), profiles.len());
        };
        let refresh_token = credentials::stored_refresh_token(&text, &stored.id)?;
        let tokens = token::refresh(&self.issuer, &refresh_token).await?;
        let claims = tokens.claims()?;
        let entry = credentials::profile_entry(self.release, &tokens, &claims);
        let merged = credentials::merge(Some(&text), &stored.id, entry)?;
        self.write(&merged.text).await?;
        self.report_stored(&stored.id, &claims, tokens.expires_at_ms, &merged.kept)?;
        self.offer_restart(restart).await?;
        Ok(Outcome::Clean)
    }

    async fn stored_profiles(&self) -> anyhow::Result<Vec<StoredProfile>> {
        if let Some(text) = self.read().await? {
            let profiles = credentials::stored_profiles(&text)?;
            if !profiles.is_empty() || !credentials::needs_import(self.release) {
                return Ok(profiles);
            }
        }
        if !credentials::needs_import(self.release) {
            return Ok(Vec::new());
        }
        // Imported already: ask OpenClaw itself (its SQLite store).
        let listing = self.run_script(IMPORT_LIST_SCRIPT).await?;
        parse_listing(&listing)
    }

    fn describe_place(&self) -> String {
        match &self.place {
            Place::Local(dir) => dir.join(AUTH_PROFILES).display().to_string(),
            Place::Pod { pod, kubectl } => format!("pod {}/{pod}", kubectl.namespace),
        }
    }

    async fn read(&self) -> anyhow::Result<Option<SecretString>> {
        match &self.place {
            Place::Local(dir) => match std::fs::read_to_string(dir.join(AUTH_PROFILES)) {
                Ok(text) => Ok(Some(SecretString::from(text))),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
                Err(e) => Err(anyhow::anyhow!(
                    "cannot read {}: {e}",
                    dir.join(AUTH_PROFILES).display()
                )),
            },
            Place::Pod { kubectl, pod } => {
                let path = format!("{POD_STATE_DIR}/{AUTH_PROFILES}");
                let output = kubectl
                    .exec_sh(pod, CONTAINER, "cat \"$1\" 2>/dev/null || true", &[&path])
                    .stdin(std::process::Stdio::null())
                    .output()
                    .await?;
                anyhow::ensure!(
                    output.status.success(),
                    "cannot read {path} in pod {pod}: {}",
                    String::from_utf8_lossy(&output.stderr).trim()
                );
                let text = String::from_utf8(output.stdout)?;
                Ok((!text.trim().is_empty()).then(|| SecretString::from(text)))
            }
        }
    }

    async fn write(&self, text: &SecretString) -> anyhow::Result<()> {
        match &self.place {
            Place::Local(dir) => volume::write_local(&dir.join(AUTH_PROFILES), text).await,
            Place::Pod { kubectl, pod } => {
                volume::write_in_pod(
                    kubectl,
                    pod,
                    CONTAINER,
                    &format!("{POD_STATE_DIR}/{AUTH_PROFILES}"),
                    text,
                )
                .await
            }
        }
    }

    /// Run the import and check that OpenClaw now lists the profile.
    async fn import(&self, id: &str) -> anyhow::Result<()> {
        let listing = self.run_script(IMPORT_SCRIPT).await?;
        let listed = parse_listing(&listing)?;
        anyhow::ensure!(
            listed.iter().any(|p| p.id == id),
            "OpenClaw {} did not import {id} (it lists: {}): check `openclaw doctor` in the pod",
            self.release,
            listed
                .iter()
                .map(|p| p.id.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        );
        Ok(())
    }

    /// Run one of the OpenClaw scripts where the state lives; returns its stdout.
    async fn run_script(&self, script: &str) -> anyhow::Result<String> {
        let provider = credentials::provider(self.release);
        let mut command = match &self.place {
            Place::Local(dir) => {
                let mut command = tokio::process::Command::new("sh");
                command
                    .arg("-c")
                    .arg(script)
                    .arg("sh")
                    .arg(dir)
                    .arg(provider);
                command
            }
            Place::Pod { kubectl, pod } => {
                kubectl.exec_sh(pod, CONTAINER, script, &[POD_STATE_DIR, provider])
            }
        };
        let output = command.stdin(std::process::Stdio::null()).output().await?;
        anyhow::ensure!(
            output.status.success(),
            "openclaw failed while importing the sign-in: {}",
            String::from_utf8_lossy(&output.stderr)
                .lines()
                .last()
                .unwrap_or("")
                .trim()
        );
        Ok(String::from_utf8_lossy(&output.stdout).into_owned())
    }

    async fn offer_restart(&self, restart: bool) -> anyhow::Result<()> {
        let Place::Pod { kubectl, .. } = &self.place else {
            return Ok(());
        };
        let args = ["rollout", "restart", "deployment/openclaw"];
        let go = restart
            || (prompts::can_prompt()
                && prompts::confirm("Restart OpenClaw now so the gateway loads the sign-in?")?);
        if go {
            kubectl.run(&args).await?;
            eprintln!("restarted: {}", kubectl.display(&args));
        } else {
            eprintln!(
                "The running gateway keeps the old credentials until it restarts:\n  {}",
                kubectl.display(&args)
            );
        }
        Ok(())
    }
}

/// Lists the Codex profiles with OpenClaw itself (for releases that keep them in SQLite).
const IMPORT_LIST_SCRIPT: &str = openclaw_script!(
    r#"OPENCLAW_STATE_DIR="$1" oc models auth list --provider "$2" --json
"#
);

/// `openclaw models auth list --json` → profiles (id, email, expiry).
fn parse_listing(listing: &str) -> anyhow::Result<Vec<StoredProfile>> {
    let start = listing
        .find('{')
        .ok_or_else(|| anyhow::anyhow!("openclaw printed no profile list"))?;
    let value: Value = serde_json::Deserializer::from_str(&listing[start..])
        .into_iter::<Value>()
        .next()
        .ok_or_else(|| anyhow::anyhow!("openclaw printed no profile list"))??;
    Ok(value
        .get("profiles")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|p| StoredProfile {
            id: p
                .get("id")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string(),
            email: p.get("email").and_then(Value::as_str).map(str::to_string),
            plan: None,
            expires_ms: p
                .get("expiresAt")
                .and_then(Value::as_str)
                .and_then(|t| {
                    aws_smithy_types::DateTime::from_str(
                        t,
                        aws_smithy_types::date_time::Format::DateTime,
                    )
                    .ok()
                })
                .map(|d| d.to_millis().unwrap_or(0)),
        })
        .collect())
}

/// A running OpenClaw pod, or what to do when there is none.
async fn running_pod(kubectl: &Kubectl) -> anyhow::Result<String> {
    let names = kubectl
        .run(&[
            "get",
            "pods",
            "-l",
            "app.kubernetes.io/name=openclaw",
            "--field-selector=status.phase=Running",
            "-o",
            "jsonpath={.items[*].metadata.name}",
        ])
        .await?;
    names.split_whitespace().next().map(str::to_string).ok_or_else(|| {
        anyhow::anyhow!(
            "no running OpenClaw pod in namespace {}: sync the manifests (Argo CD) or run `{}`, then sign in again; or use --state-dir for a local OpenClaw",
            kubectl.namespace,
            kubectl.display(&["scale", "deployment/openclaw", "--replicas=1"])
        )
    })
}

/// One line from stdin: the pasted redirect URL or code (a one-time code, useless without the
/// PKCE verifier that never leaves this process).
async fn read_paste() -> anyhow::Result<String> {
    let mut line = String::new();
    tokio::io::BufReader::new(tokio::io::stdin())
        .read_line(&mut line)
        .await?;
    Ok(line)
}

/// `2026-12-03T12:36:26Z`
fn format_ms(ms: i64) -> String {
    aws_smithy_types::DateTime::from_secs(ms.div_euclid(1000))
        .fmt(aws_smithy_types::date_time::Format::DateTime)
        .unwrap_or_else(|_| ms.to_string())
}
