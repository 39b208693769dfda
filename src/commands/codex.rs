//! `clawboot codex …`: sign in, check, renew; the credentials go to a local state dir or into
//! the running OpenClaw pod, in the shape the pinned release reads.

use std::io::Write as _;
use std::time::Duration;

use serde_json::{json, Value};
use tokio::io::AsyncBufReadExt;

use clawboot::cli::{CodexCommand, CodexTarget, OutputFormat};
use clawboot::cluster::kubectl::Kubectl;
use clawboot::codex::{callback, claims, device, paste, token, BrowserLogin, Issuer};
use clawboot::openclaw::credentials::{self, ProfileChange, StoredProfile};
use clawboot::openclaw::release::Release;
use clawboot::openclaw::store::{format_ms, CredentialStore, Place, SignIn};
use clawboot::profile::Profile;
use clawboot::ui::prompts;

use super::Outcome;

/// After this long without a callback, a pasted redirect is accepted too.
const PASTE_AFTER: Duration = Duration::from_secs(15);

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

struct Face<'a> {
    format: OutputFormat,
    profile: &'a Profile,
    issuer: Issuer,
    store: CredentialStore,
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
        let store = match &target.state_dir {
            Some(dir) => CredentialStore::local(release, dir.clone()),
            None => CredentialStore::in_cluster(release, Kubectl::new(profile)).await?,
        };
        Ok(Self {
            format,
            profile,
            issuer: Issuer::from_setting(target.issuer.as_deref())?,
            store,
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
        let prepared = self.store.prepare(&tokens).await?;
        let id = &prepared.id;
        if let ProfileChange::Replaced {
            fields,
            tokens: new_tokens,
        } = &prepared.merged.change
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
        self.store.commit(&prepared).await?;
        if let Some(warning) = prepared.config_disagreement(&self.profile.openclaw.codex_email) {
            eprintln!("warning: {warning}");
        }
        self.report_stored(
            id,
            &prepared.claims,
            prepared.expires_at_ms,
            &prepared.merged.kept,
        )?;
        self.offer_restart(restart).await?;
        Ok(Outcome::Clean)
    }

    fn report_stored(
        &self,
        id: &str,
        claims: &claims::Claims,
        expires_ms: i64,
        kept: &[String],
    ) -> anyhow::Result<()> {
        let mut out = std::io::stdout().lock();
        let place = self.store.describe();
        if self.format == OutputFormat::Json {
            let report = json!({
                "profile": id, "email": claims.email, "plan": claims.plan,
                "expires_ms": expires_ms, "openclaw_release": self.store.release.to_string(),
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
                self.store.release
            )?;
            if !kept.is_empty() {
                writeln!(out, "kept the other profiles: {}", kept.join(", "))?;
            }
        }
        Ok(())
    }

    async fn status(&self) -> anyhow::Result<Outcome> {
        let profiles = self.store.profiles().await?;
        let now = token::now_ms();
        let state = |p: &StoredProfile| SignIn::of(p, now);
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
                self.store.describe()
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
                    serde_json::to_value(state(p))?.as_str().unwrap_or_default()
                )?;
            }
        }
        let states: Vec<SignIn> = profiles.iter().map(state).collect();
        Ok(if states.is_empty() || states.contains(&SignIn::Expired) {
            Outcome::Reported
        } else if states.contains(&SignIn::Expiring) {
            Outcome::Code(2)
        } else {
            Outcome::Clean
        })
    }

    async fn refresh(&self, restart: bool) -> anyhow::Result<Outcome> {
        if credentials::needs_import(self.store.release) {
            anyhow::bail!(
                "OpenClaw {} keeps the tokens in its SQLite store and renews them itself; to renew now, sign in again with `clawboot codex login`",
                self.store.release
            );
        }
        let text = self.store.read().await?.ok_or_else(|| {
            anyhow::anyhow!(
                "no credentials file in {}: run `clawboot codex login`",
                self.store.describe()
            )
        })?;
        let profiles = credentials::stored_profiles(&text)?;
        let [stored] = profiles.as_slice() else {
            anyhow::bail!("expected one Codex profile in {}, found {}: sign in again with `clawboot codex login`", self.store.describe(), profiles.len());
        };
        let refresh_token = credentials::stored_refresh_token(&text, &stored.id)?;
        let tokens = token::refresh(&self.issuer, &refresh_token).await?;
        let claims = tokens.claims()?;
        let entry = credentials::profile_entry(self.store.release, &tokens, &claims);
        let merged = credentials::merge(Some(&text), &stored.id, entry)?;
        self.store.write(&merged.text).await?;
        self.report_stored(&stored.id, &claims, tokens.expires_at_ms, &merged.kept)?;
        self.offer_restart(restart).await?;
        Ok(Outcome::Clean)
    }

    async fn offer_restart(&self, restart: bool) -> anyhow::Result<()> {
        let Place::Pod { kubectl, .. } = &self.store.place else {
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

/// One line from stdin: the pasted redirect URL or code (a one-time code, useless without the
/// PKCE verifier that never leaves this process).
async fn read_paste() -> anyhow::Result<String> {
    let mut line = String::new();
    tokio::io::BufReader::new(tokio::io::stdin())
        .read_line(&mut line)
        .await?;
    Ok(line)
}
