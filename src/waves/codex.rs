//! Wave 4: the ChatGPT/Codex sign-in. Observe = how the stored sign-in stands (missing,
//! expiring, expired, ok) where OpenClaw reads it; apply = sign in (callback or pasted address,
//! or the device code) and store the credentials in the shape the pinned release reads.

use std::collections::BTreeMap;

use super::journal::EntryState;
use super::{
    unreachable, Answer, Engine, Event, Halt, Mark, Question, Reach, Report, SignInMode, Status,
    Wave,
};
use crate::codex::{callback, device, paste, token, BrowserLogin, Issuer};
use crate::openclaw::credentials::ProfileChange;
use crate::openclaw::store::{format_ms, CredentialStore, Place, SignIn};

/// Where the credentials live for this run: the local state dir, else the running pod.
async fn credential_store(engine: &Engine) -> Result<CredentialStore, Report> {
    let release = engine.profile.release();
    if let Some(dir) = &engine.settings.state_dir {
        return Ok(CredentialStore::local(release, dir.clone()));
    }
    if let Reach::Unreachable(why) = engine.reach().await {
        return Err(unreachable(Wave::Codex, why));
    }
    CredentialStore::in_cluster(release, engine.kubectl().clone())
        .await
        .map_err(|e| {
            Report::new(
                Wave::Codex,
                Status::Skipped("OpenClaw is not running".into()),
            )
            .line(Mark::Fail, format!("{e:#}"))
        })
}

pub async fn observe(engine: &Engine) -> Report {
    if !engine.profile.openclaw.codex_subscription {
        return Report::new(
            Wave::Codex,
            Status::Skipped("openclaw.codex_subscription is off in the profile".into()),
        );
    }
    let store = match credential_store(engine).await {
        Ok(store) => store,
        Err(report) => return report,
    };
    let profiles = match store.profiles().await {
        Ok(profiles) => profiles,
        Err(e) => return Report::new(Wave::Codex, Status::Failed(format!("{e:#}"))),
    };
    let now = token::now_ms();
    let mut report = Report::new(Wave::Codex, Status::Pending);
    let mut worst = None;
    for p in &profiles {
        let state = SignIn::of(p, now);
        let mark = if state == SignIn::Ok {
            Mark::Ok
        } else {
            Mark::Todo
        };
        report = report.line(
            mark,
            format!(
                "{} ({}): {} until {}",
                p.id,
                p.email.as_deref().unwrap_or("no e-mail"),
                state_word(state),
                p.expires_ms.map_or("-".to_string(), format_ms)
            ),
        );
        worst = worst.max(Some(state));
    }
    report.status = match (profiles.is_empty(), worst) {
        (true, _) => Status::Todo(format!("not signed in ({})", store.describe())),
        (_, Some(SignIn::Ok)) => Status::Done("signed in".into()),
        (_, Some(SignIn::Expiring)) => {
            Status::Todo("the sign-in expires within a day: sign in again".into())
        }
        _ => Status::Todo("the sign-in has expired: sign in again".into()),
    };
    report
}

fn state_word(state: SignIn) -> &'static str {
    match state {
        SignIn::Ok => "valid",
        SignIn::Expiring => "expiring",
        SignIn::Expired => "expired",
    }
}

/// Sign in and store the credentials; in the cluster, offer the restart that loads them.
pub async fn apply(engine: &Engine) -> Result<Report, Halt> {
    let store = match credential_store(engine).await {
        Ok(store) => store,
        Err(report) => return Ok(report),
    };
    let issuer = Issuer::from_setting(engine.settings.issuer.as_deref())?;
    let tokens = match engine.settings.sign_in {
        SignInMode::Device => device_sign_in(engine, &issuer).await?,
        mode => browser_sign_in(engine, &issuer, mode == SignInMode::Browser).await?,
    };
    let prepared = store.prepare(&tokens).await?;
    if let ProfileChange::Replaced { fields, .. } = &prepared.merged.change {
        engine.log(format!(
            "replacing the stored {} (new tokens{}{})",
            prepared.id,
            if fields.is_empty() { "" } else { "; " },
            fields.join(", ")
        ));
    }
    store.commit(&prepared).await?;
    let facts = BTreeMap::from([
        ("profile".to_string(), prepared.id.clone()),
        ("expires".to_string(), format_ms(prepared.expires_at_ms)),
    ]);
    engine
        .journal()
        .record(Wave::Codex, EntryState::Applied, facts)?;
    let mut report = Report::new(
        Wave::Codex,
        Status::Done(format!(
            "signed in as {}, until {}",
            prepared.id,
            format_ms(prepared.expires_at_ms)
        )),
    )
    .line(
        Mark::Ok,
        format!(
            "stored for OpenClaw {} in {}",
            store.release,
            store.describe()
        ),
    );
    if let Some(warning) = prepared.config_disagreement(&engine.profile.openclaw.codex_email) {
        report = report.line(Mark::Warn, warning);
    }
    if let Place::Pod { kubectl, .. } = &store.place {
        let restart = ["rollout", "restart", "deployment/openclaw"];
        let question = Question::Confirm {
            wave: Wave::Codex,
            text: "Restart OpenClaw now so the gateway loads the sign-in?".into(),
            default: true,
        };
        match engine.ask(question).await {
            Answer::Yes => {
                kubectl.run(&restart).await?;
                report = report.line(Mark::Ok, "OpenClaw restarted");
            }
            Answer::Interrupt => return Err(Halt::Interrupted),
            _ => {
                report = report.line(
                    Mark::Todo,
                    format!(
                        "the gateway keeps the old sign-in until: {}",
                        kubectl.display(&restart)
                    ),
                )
            }
        }
    }
    Ok(report)
}

/// The browser flow: the callback (when `listen`) or a pasted address, whichever comes first.
async fn browser_sign_in(
    engine: &Engine,
    issuer: &Issuer,
    listen: bool,
) -> Result<token::Tokens, Halt> {
    let port = engine.settings.callback_port;
    let login = BrowserLogin::start(issuer, port);
    let listener = match listen {
        true => match callback::bind(port).await {
            Ok(listener) => Some(listener),
            Err(e) => {
                engine.log(format!(
                    "cannot listen on 127.0.0.1:{port} ({e}): paste the address instead"
                ));
                None
            }
        },
        false => None,
    };
    if listener.is_some() && engine.settings.open_browser {
        let _ = open::that_detached(login.url.as_str());
    }
    let question = Question::Redirect {
        url: login.url.to_string(),
        listening: listener.as_ref().map(|_| port),
    };
    let code = match &listener {
        Some(listener) => {
            tokio::select! {
                code = callback::wait_for_code(listener, &login.state) => code?,
                answer = engine.ask(question) => pasted_code(answer, &login.state)?,
            }
        }
        None => pasted_code(engine.ask(question).await, &login.state)?,
    };
    Ok(token::exchange_code(issuer, &code, &login.verifier, &login.redirect_uri).await?)
}

fn pasted_code(answer: Answer, state: &str) -> Result<String, Halt> {
    match answer {
        Answer::Text(text) => Ok(paste::code_for(paste::parse(&text)?, state)?),
        Answer::Interrupt => Err(Halt::Interrupted),
        _ => Err(Halt::Failed(anyhow::anyhow!(
            "no address was pasted: sign in later with `clawboot sign-in`"
        ))),
    }
}

async fn device_sign_in(engine: &Engine, issuer: &Issuer) -> Result<token::Tokens, Halt> {
    let code = device::request_code(issuer).await?;
    engine.send(Event::Report(
        Report::new(
            Wave::Codex,
            Status::Working("waiting for your approval".into()),
        )
        .line(Mark::Todo, format!("on any device, open {}", code.page))
        .line(Mark::Todo, format!("and enter the code {}", code.user_code)),
    ));
    let lifetime = device::LIFETIME.as_secs();
    let approved = device::wait_for_approval(issuer, &code, |left| {
        engine.send(Event::Progress {
            wave: Wave::Codex,
            done: left.as_secs(),
            total: lifetime,
            countdown: true,
        })
    });
    let approved = tokio::select! {
        approved = approved => approved?,
        _ = wait_for_stop(engine) => return Err(Halt::Interrupted),
    };
    Ok(token::exchange_code(
        issuer,
        &approved.code,
        &approved.verifier,
        issuer.device_redirect().as_str(),
    )
    .await?)
}

/// Resolves once Ctrl-C asked the engine to stop.
async fn wait_for_stop(engine: &Engine) {
    while !engine.stop_requested() {
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}
