//! Wave 4, the ChatGPT/Codex sign-in, and the tasks over it: status, sign in, refresh.
//! Observe = how the stored sign-in stands (missing, expiring, expired, ok) where OpenClaw
//! reads it; apply = sign in (`codex::login`) and store the credentials in the shape the
//! release reads, asking before another account's sign-in is replaced and before a restart.

use std::collections::BTreeMap;

use super::data::{SignInRow, SignedIn};
use super::journal::EntryState;
use super::verify;
use super::{
    openclaw_place, Answer, Consent, Data, Engine, Event, Halt, Mark, Question, Report, Status,
    Wave,
};
use crate::codex::login::{self, Login, Prompt};
use crate::codex::{token, Issuer};
use crate::openclaw::credentials;
use crate::openclaw::store::{format_ms, CredentialStore, Place, SignIn};
use crate::secrets::ops::ROLLOUT_LIMIT;

/// Where the credentials live for this run: the local state dir, else the running pod.
async fn credential_store(engine: &Engine) -> Result<CredentialStore, Report> {
    Ok(CredentialStore {
        release: engine.release(),
        place: openclaw_place(engine, Wave::Codex).await?,
    })
}

pub async fn observe(engine: &Engine) -> Report {
    match look(engine).await {
        Ok((report, _)) | Err(report) => report,
    }
}

/// `codex status`: the wave's report, and every stored sign-in as data.
pub async fn status(engine: &Engine) -> Report {
    match look(engine).await {
        Ok((report, rows)) => {
            engine.send(Event::Data(Data::SignIns { profiles: rows }));
            report
        }
        Err(report) => report,
    }
}

/// The stored sign-ins and the report over them; a report alone when they cannot be read.
async fn look(engine: &Engine) -> Result<(Report, Vec<SignInRow>), Report> {
    if !engine.profile.openclaw.codex_subscription {
        return Err(Report::new(
            Wave::Codex,
            Status::Skipped("openclaw.codex_subscription is off in the profile".into()),
        ));
    }
    let store = credential_store(engine).await?;
    let profiles = store
        .profiles()
        .await
        .map_err(|e| Report::new(Wave::Codex, Status::Failed(format!("{e:#}"))))?;
    let now = token::now_ms();
    let rows: Vec<SignInRow> = profiles
        .into_iter()
        .map(|p| SignInRow {
            state: SignIn::of(&p, now),
            profile: p.id,
            email: p.email,
            plan: p.plan,
            expires_ms: p.expires_ms,
        })
        .collect();
    let mut report = Report::new(Wave::Codex, Status::Pending);
    for row in &rows {
        let mark = match row.state {
            SignIn::Ok => Mark::Ok,
            _ => Mark::Todo,
        };
        report = report.line(
            mark,
            format!(
                "{} ({}): {} until {}",
                row.profile,
                row.email.as_deref().unwrap_or("no e-mail"),
                row.state.word(),
                row.expires_ms.map_or("-".to_string(), format_ms)
            ),
        );
    }
    report.status = match rows.iter().map(|r| r.state).max() {
        None => Status::Todo(format!("no sign-in in {}", store.describe())),
        Some(SignIn::Ok) => Status::Done("signed in".into()),
        Some(SignIn::Expiring) => {
            Status::Todo("the sign-in expires within a day: sign in again".into())
        }
        Some(SignIn::Expired) => Status::Todo("the sign-in has expired: sign in again".into()),
    };
    Ok((report, rows))
}

/// Sign in and store the credentials; in the cluster, offer the restart that loads them.
pub async fn apply(engine: &Engine) -> Result<Report, Halt> {
    let store = match credential_store(engine).await {
        Ok(store) => store,
        Err(report) => return Ok(report),
    };
    store.ready().await?;
    let tokens = sign_in(engine).await?;
    keep(engine, &store, tokens).await
}

/// `codex refresh`: the stored refresh token exchanged for new tokens, stored the same way as
/// a sign-in.
pub async fn refresh(engine: &Engine) -> Result<Report, Halt> {
    let store = match credential_store(engine).await {
        Ok(store) => store,
        Err(report) => return Ok(report),
    };
    if credentials::needs_import(store.release) {
        return Err(Halt::Failed(anyhow::anyhow!(
            "OpenClaw {} keeps the tokens in its SQLite store and renews them itself; to renew now, sign in again with `clawboot codex login`",
            store.release
        )));
    }
    let text = store.read().await?.ok_or_else(|| {
        anyhow::anyhow!(
            "no credentials file in {}: run `clawboot codex login`",
            store.describe()
        )
    })?;
    let profiles = credentials::stored_profiles(&text)?;
    let [stored] = profiles.as_slice() else {
        return Err(Halt::Failed(anyhow::anyhow!(
            "expected one Codex profile in {}, found {}: sign in again with `clawboot codex login`",
            store.describe(),
            profiles.len()
        )));
    };
    let refresh_token = credentials::stored_refresh_token(&text, &stored.id)?;
    let tokens = token::refresh(&issuer(engine)?, &refresh_token).await?;
    keep(engine, &store, tokens).await
}

fn issuer(engine: &Engine) -> anyhow::Result<Issuer> {
    Issuer::from_setting(engine.settings.issuer.as_deref())
}

/// Run one sign-in: show its prompt, hand over a paste, stop on Ctrl-C.
async fn sign_in(engine: &Engine) -> Result<token::Tokens, Halt> {
    let options = login::Options {
        issuer: issuer(engine)?,
        mode: engine.settings.sign_in,
        callback_port: engine.settings.callback_port,
        open_browser: engine.settings.open_browser,
    };
    let events = engine.events.clone();
    let lifetime = crate::codex::device::LIFETIME.as_secs();
    let login = Login::start(options, move |left| {
        let _ = events.send(Event::Progress {
            wave: Wave::Codex,
            done: left.as_secs(),
            total: lifetime,
            countdown: true,
        });
    })
    .await?;
    let control = login.control();
    let question = show_prompt(engine, &login.prompt);
    let listening = matches!(
        login.prompt,
        Prompt::Browser {
            listening: Some(_),
            ..
        }
    );
    let waiting = login.wait();
    tokio::pin!(waiting);
    // The paste question, asked again (saying why) after a paste that was refused.
    let mut asked = question.clone().map(|q| Box::pin(engine.ask(q)));
    let mut refused: Option<String> = None;
    loop {
        tokio::select! {
            tokens = &mut waiting => return Ok(tokens?),
            answer = async { asked.as_mut().expect("asked").await }, if asked.is_some() => {
                asked = None;
                match answer {
                    Answer::Text(text) => match control.paste(&text) {
                        Ok(()) => {}
                        Err(e) => {
                            let problem = format!("{e:#}");
                            refused = Some(problem.clone());
                            let again = question.clone().map(|q| q.refusing(problem));
                            asked = again.map(|q| Box::pin(engine.ask(q)));
                        }
                    },
                    Answer::Interrupt => {
                        control.cancel();
                        return Err(Halt::Interrupted);
                    }
                    _ if listening => engine.log("nothing pasted: waiting for the browser to come back (Ctrl-C stops)"),
                    _ => {
                        control.cancel();
                        let why = match refused {
                            Some(problem) => format!("the pasted address was refused ({problem})"),
                            None => "no address was pasted".to_string(),
                        };
                        return Err(Halt::Failed(anyhow::anyhow!(
                            "{why}: sign in later with `clawboot sign-in`"
                        )));
                    }
                }
            }
            _ = engine.stopped() => {
                control.cancel();
                return Err(Halt::Interrupted);
            }
        }
    }
}

/// The browser's page is a question (the face shows it and may hand back a paste); the device
/// code is a report to read while the approval is polled.
fn show_prompt(engine: &Engine, prompt: &Prompt) -> Option<Question> {
    match prompt {
        Prompt::Browser {
            url,
            listening,
            note,
        } => {
            if let Some(note) = note {
                engine.log(note.clone());
            }
            Some(Question::Redirect {
                url: url.to_string(),
                listening: *listening,
                problem: None,
            })
        }
        Prompt::Device { page, user_code } => {
            engine.send(Event::Report(
                Report::new(
                    Wave::Codex,
                    Status::Attention("waiting for your approval".into()),
                )
                .line(Mark::Todo, format!("on any device, open {page}"))
                .line(Mark::Todo, format!("and enter the code {user_code}")),
            ));
            None
        }
    }
}

/// Store new tokens: merged into what is there (other profiles kept), after asking when they
/// would replace another account's sign-in under the same id; then offer the restart.
async fn keep(
    engine: &Engine,
    store: &CredentialStore,
    tokens: token::Tokens,
) -> Result<Report, Halt> {
    let prepared = store.prepare(&tokens).await?;
    let changes = prepared.merged.change.identity_changes();
    if !changes.is_empty() && !confirm_replace(engine, &prepared.id, &changes).await? {
        return Ok(Report::new(
            Wave::Codex,
            Status::Todo(format!(
                "{} was kept as it was: nothing was written",
                prepared.id
            )),
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
    engine.send(Event::Data(Data::SignedIn(SignedIn {
        profile: prepared.id.clone(),
        email: prepared.claims.email.clone(),
        plan: prepared.claims.plan.clone(),
        expires_ms: prepared.expires_at_ms,
        openclaw_release: store.release.to_string(),
        stored_in: store.describe(),
        other_profiles_kept: prepared.merged.kept.clone(),
    })));
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
        report = offer_restart(engine, kubectl, report).await?;
    }
    Ok(report)
}

async fn confirm_replace(engine: &Engine, id: &str, changes: &[&str]) -> Result<bool, Halt> {
    let question = Question::Confirm {
        wave: Wave::Codex,
        consent: Consent::Replace,
        text: format!(
            "{id} is already stored for another account ({}): replace it?",
            changes.join("; ")
        ),
        default: false,
    };
    match engine.ask(question).await {
        Answer::Yes => Ok(true),
        Answer::Interrupt => Err(Halt::Interrupted),
        _ => Ok(false),
    }
}

/// The gateway reads credentials at start: restart it now, or say how.
async fn offer_restart(
    engine: &Engine,
    kubectl: &crate::cluster::kubectl::Kubectl,
    report: Report,
) -> Result<Report, Halt> {
    let restart = ["rollout", "restart", "deployment/openclaw"];
    let wait = format!("--timeout={}s", ROLLOUT_LIMIT.as_secs());
    let question = Question::Confirm {
        wave: Wave::Codex,
        consent: Consent::Restart,
        text: "Restart OpenClaw now so the gateway loads the sign-in?".into(),
        default: true,
    };
    Ok(match engine.ask(question).await {
        Answer::Yes => {
            kubectl
                .rollout_restart("openclaw")
                .await
                .map_err(anyhow::Error::from)?;
            let progress = |done, total| {
                engine.send(Event::Progress {
                    wave: Wave::Codex,
                    done,
                    total,
                    countdown: false,
                })
            };
            match kubectl
                .rollout_status("openclaw", ROLLOUT_LIMIT, progress)
                .await
            {
                Ok(()) => {
                    let accepted = verify::sign_in_accepted(kubectl).await;
                    let mut report = report.line(Mark::Ok, "OpenClaw restarted (rollout finished)");
                    report.lines.push(accepted);
                    report
                }
                Err(e) => report.line(
                    Mark::Warn,
                    format!(
                        "OpenClaw was restarted but its rollout did not finish: {}\nsee: {}",
                        e.message,
                        kubectl.display(&["rollout", "status", "deployment/openclaw", &wait])
                    ),
                ),
            }
        }
        Answer::Interrupt => return Err(Halt::Interrupted),
        _ => report.line(
            Mark::Todo,
            format!(
                "the gateway keeps the old sign-in until: {}",
                kubectl.display(&restart)
            ),
        ),
    })
}
