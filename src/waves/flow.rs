//! The tasks the wizard runs over the waves: first-time setup (resumable), rotating secrets,
//! signing in to Codex again, and checking everything. Each wave is observed first; one with
//! something to do is applied only when the operator says yes.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::Serialize;

use super::journal::EntryState;
use super::{
    codex, files, pairing, secrets, upgrade, workspace, Answer, Engine, Event, Halt, Question,
    Report, Status, Wave,
};

/// Every operation clawboot does; each face (and each command) runs one of these.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Task {
    /// Waves 0–6, resuming an interrupted run.
    Setup,
    /// Wave 2 for the named parameters (none: the operator picks), the cluster follow-up, verify.
    Rotate(Vec<String>),
    /// Wave 4 whatever the stored sign-in says, then verify.
    SignIn,
    /// Observe every wave, apply nothing.
    Check,
    /// The stored Codex sign-ins (`codex status`).
    SignInStatus,
    /// New tokens for the stored refresh token (`codex refresh`).
    Refresh,
    /// Every parameter's state (`secrets status`).
    SecretsStatus,
    /// Write what is missing; with `overwrite`, replace the operator's values too once confirmed.
    Seed { overwrite: bool },
    /// Every version of one parameter.
    History(String),
    /// An earlier version written back (`to`, else the one labelled `previous`).
    Rollback { name: String, to: Option<i64> },
    /// The Discord DM pairing requests waiting (`pairing list`).
    PairingList,
    /// OpenClaw upgraded to another supported release, step by step (`upgrade --to`).
    Upgrade(crate::openclaw::release::Release),
    /// A Discord DM pairing request approved (`pairing approve [CODE]`; none: pick one).
    PairingApprove(Option<String>),
}

impl Task {
    /// The name of its journal.
    pub fn name(&self) -> &'static str {
        match self {
            Task::Setup => "setup",
            Task::Rotate(_) | Task::Rollback { .. } => "rotate",
            Task::SignIn | Task::Refresh => "sign-in",
            Task::Seed { .. } => "seed",
            Task::PairingApprove(_) => "pairing",
            Task::Upgrade(_) => "upgrade",
            Task::Check
            | Task::SignInStatus
            | Task::SecretsStatus
            | Task::History(_)
            | Task::PairingList => "status",
        }
    }

    /// Whether it runs the waves (the wizard's tasks) rather than one operation of a command.
    pub fn is_wizard(&self) -> bool {
        matches!(self, Task::Setup | Task::Check)
    }

    /// Whether it only looks: nothing is written, the journal is not touched.
    pub fn is_read_only(&self) -> bool {
        matches!(
            self,
            Task::Check
                | Task::SignInStatus
                | Task::SecretsStatus
                | Task::History(_)
                | Task::PairingList
        )
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", content = "detail", rename_all = "kebab-case")]
pub enum Outcome {
    /// Every wave is done.
    Complete,
    /// Ran to the end; these waves still need something.
    Incomplete(Vec<String>),
    /// Stopped by the operator; the journal says where to resume.
    Interrupted,
    Failed(String),
}

/// Run `task` to its end and tell the face how it ended.
pub async fn run(engine: Arc<Engine>, task: Task) -> Outcome {
    let result = match &task {
        Task::Setup => setup(&engine).await,
        Task::Rotate(names) => rotate(&engine, names).await,
        Task::SignIn => sign_in(&engine).await,
        Task::Check => check(&engine).await,
        Task::SignInStatus => Ok(vec![one(&engine, codex::status(&engine).await)]),
        Task::Refresh => {
            operation(
                &engine,
                &task,
                Wave::Codex,
                "refreshing",
                codex::refresh(&engine),
            )
            .await
        }
        Task::SecretsStatus => {
            operation(
                &engine,
                &task,
                Wave::Secrets,
                "looking",
                secrets::status(&engine),
            )
            .await
        }
        Task::Seed { overwrite } => {
            operation(
                &engine,
                &task,
                Wave::Secrets,
                "seeding",
                secrets::seed(&engine, *overwrite),
            )
            .await
        }
        Task::History(name) => {
            operation(
                &engine,
                &task,
                Wave::Secrets,
                "looking",
                secrets::history(&engine, name),
            )
            .await
        }
        Task::Rollback { name, to } => {
            operation(
                &engine,
                &task,
                Wave::Secrets,
                "rolling back",
                secrets::rollback(&engine, name, *to),
            )
            .await
        }
        Task::Upgrade(to) => upgrade::upgrade(&engine, *to).await,
        Task::PairingList => {
            operation(
                &engine,
                &task,
                Wave::Verify,
                "looking",
                pairing::list(&engine),
            )
            .await
        }
        Task::PairingApprove(code) => {
            operation(
                &engine,
                &task,
                Wave::Verify,
                "approving",
                pairing::approve(&engine, code.as_deref()),
            )
            .await
        }
    };
    let outcome = match result {
        Ok(reports) => {
            let left: Vec<String> = reports
                .iter()
                .map(|r| (r, r.verdict()))
                .filter(|(_, status)| !status.is_done())
                .map(|(r, status)| {
                    format!(
                        "Wave {} {}: {}",
                        r.wave.number(),
                        r.wave.title(),
                        status.summary()
                    )
                })
                .collect();
            if left.is_empty() {
                Outcome::Complete
            } else {
                Outcome::Incomplete(left)
            }
        }
        Err(Halt::Interrupted) => {
            engine.end_under_way(Status::Skipped("stopped (Ctrl-C)".into()));
            Outcome::Interrupted
        }
        Err(Halt::Failed(e)) => {
            // The error itself is the outcome's, said once at the end.
            engine.end_under_way(Status::Failed("did not finish: see the error below".into()));
            Outcome::Failed(format!("{e:#}"))
        }
    };
    if !task.is_read_only() && matches!(outcome, Outcome::Complete | Outcome::Incomplete(_)) {
        if let Err(e) = engine.journal().finish() {
            engine.log(format!("{e:#}"));
        }
    }
    tracing::info!(task = task.name(), ?outcome, "task ended");
    engine.send(Event::Finished(outcome.clone()));
    outcome
}

/// One report, shown.
fn one(engine: &Engine, report: Report) -> Report {
    engine.send(Event::Report(report.clone()));
    report
}

/// One operation of a command: begun in the journal, shown as under way, then its report.
async fn operation(
    engine: &Engine,
    task: &Task,
    wave: Wave,
    doing: &str,
    work: impl std::future::Future<Output = Result<Report, Halt>>,
) -> Result<Vec<Report>, Halt> {
    if !task.is_read_only() {
        engine.journal().begin(task.name())?;
    }
    engine.send(Event::Report(Report::new(
        wave,
        Status::Working(doing.into()),
    )));
    Ok(vec![one(engine, work.await?)])
}

async fn setup(engine: &Engine) -> Result<Vec<Report>, Halt> {
    let resumed = engine.journal().unfinished("setup");
    engine.journal().begin("setup")?;
    if resumed {
        engine.log(resume_note(engine));
    }
    let mut reports = Vec::new();
    for wave in Wave::ALL {
        if engine.stop_requested() {
            return Err(Halt::Interrupted);
        }
        let observed = look(engine, wave).await?;
        let report = match (observed.status.clone(), wave) {
            (Status::Todo(_), _) => {
                let applied = apply(engine, observed).await?;
                engine.send(Event::Report(applied.clone()));
                applied
            }
            // Written earlier, but the Argo CD Application may still be missing.
            (Status::Done(_), Wave::Manifests) => {
                let offered = files::offer_sync(engine, observed.clone(), false).await?;
                shown_if_changed(engine, offered, &observed)
            }
            (_, Wave::Verify) => {
                let offered = pairing::offer(engine, observed.clone()).await?;
                shown_if_changed(engine, offered, &observed)
            }
            _ => observed,
        };
        reports.push(report);
    }
    Ok(reports)
}

/// `report`, sent to the face when it says more than `observed`.
fn shown_if_changed(engine: &Engine, report: Report, observed: &Report) -> Report {
    if report != *observed {
        engine.send(Event::Report(report.clone()));
    }
    report
}

/// What the journal says was done before the interruption.
fn resume_note(engine: &Engine) -> String {
    let journal = engine.journal();
    let done: Vec<String> = journal
        .waves
        .iter()
        .map(|(wave, entry)| {
            let state = match entry.state {
                EntryState::Applied => "done",
                EntryState::Skipped => "skipped",
                EntryState::Interrupted => "interrupted",
            };
            format!("Wave {} {state}", wave.number())
        })
        .collect();
    format!(
        "resuming the setup started {}: {}",
        journal.started.as_deref().unwrap_or("earlier"),
        done.join(", ")
    )
}

/// Observe `wave`, showing it as being looked at first. Looking changes nothing, so Ctrl-C
/// drops it at once.
async fn look(engine: &Engine, wave: Wave) -> Result<Report, Halt> {
    engine.send(Event::Report(Report::new(
        wave,
        Status::Working("looking".into()),
    )));
    let report = engine.read(engine.observe(wave)).await?;
    engine.send(Event::Report(report.clone()));
    Ok(report)
}

/// Ask before applying a wave that has something to do; a no is journaled as skipped.
async fn apply(engine: &Engine, observed: Report) -> Result<Report, Halt> {
    if engine.stop_requested() {
        return Err(Halt::Interrupted);
    }
    let wave = observed.wave;
    let question = Question::Confirm {
        wave,
        consent: super::Consent::Apply,
        text: confirm_text(wave, observed.status.summary()),
        default: true,
    };
    match engine.ask(question).await {
        Answer::Yes => {}
        Answer::Interrupt => return Err(Halt::Interrupted),
        _ => {
            engine
                .journal()
                .record(wave, EntryState::Skipped, BTreeMap::new())?;
            return Ok(Report {
                status: Status::Skipped("skipped: run clawboot again to do it".into()),
                ..observed
            });
        }
    }
    engine.send(Event::Report(Report {
        status: Status::Working("applying".into()),
        ..observed.clone()
    }));
    match wave {
        Wave::Infrastructure => Ok(files::apply(engine, files::Target::Infrastructure)?),
        Wave::Manifests => {
            let written = files::apply(engine, files::Target::Manifests)?;
            files::offer_sync(engine, written, true).await
        }
        Wave::Secrets => secrets::apply(engine).await,
        Wave::Codex => codex::apply(engine).await,
        Wave::Workspace => workspace::apply(engine).await,
        Wave::Preflight | Wave::Verify => Ok(observed),
    }
}

fn confirm_text(wave: Wave, summary: &str) -> String {
    match wave {
        Wave::Infrastructure | Wave::Manifests => format!("Write them? ({summary})"),
        Wave::Secrets => format!("Seed SSM Parameter Store now? ({summary})"),
        Wave::Codex => format!("Sign in to ChatGPT/Codex now? ({summary})"),
        Wave::Workspace => format!("Write the workspace files into OpenClaw's volume? ({summary})"),
        Wave::Preflight | Wave::Verify => summary.to_string(),
    }
}

async fn rotate(engine: &Engine, names: &[String]) -> Result<Vec<Report>, Halt> {
    engine.journal().begin("rotate")?;
    let chosen = if names.is_empty() {
        let candidates = secrets::rotatable(engine).await?;
        let question = Question::Pick {
            text: "Which secrets to rotate?".into(),
            options: candidates.iter().map(|p| p.name.to_string()).collect(),
        };
        match engine.ask(question).await {
            Answer::Picked(picked) => picked
                .iter()
                .filter_map(|&i| candidates.get(i).copied())
                .collect(),
            Answer::Interrupt => return Err(Halt::Interrupted),
            _ => Vec::new(),
        }
    } else {
        secrets::rotatable_named(engine, names).await?
    };
    engine.send(Event::Report(Report::new(
        Wave::Secrets,
        Status::Working("rotating".into()),
    )));
    let rotated = one(engine, secrets::rotate(engine, &chosen).await?);
    then_verify(engine, rotated, engine.settings.touch_cluster).await
}

async fn sign_in(engine: &Engine) -> Result<Vec<Report>, Halt> {
    engine.journal().begin("sign-in")?;
    let observed = look(engine, Wave::Codex).await?;
    if matches!(observed.status, Status::Skipped(_)) {
        return Ok(vec![observed]);
    }
    engine.send(Event::Report(Report {
        status: Status::Working("signing in".into()),
        ..observed
    }));
    let signed = one(engine, codex::apply(engine).await?);
    let in_cluster = engine.settings.state_dir.is_none();
    then_verify(engine, signed, in_cluster).await
}

/// After a change that reached the cluster, Wave 6 shows whether it took.
async fn then_verify(
    engine: &Engine,
    changed: Report,
    reached_cluster: bool,
) -> Result<Vec<Report>, Halt> {
    Ok(match reached_cluster {
        true => vec![changed, look(engine, Wave::Verify).await?],
        false => vec![changed],
    })
}

async fn check(engine: &Engine) -> Result<Vec<Report>, Halt> {
    let mut reports = Vec::new();
    for wave in Wave::ALL {
        if engine.stop_requested() {
            return Err(Halt::Interrupted);
        }
        reports.push(look(engine, wave).await?);
    }
    Ok(reports)
}
