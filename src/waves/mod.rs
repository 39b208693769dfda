//! The plan: the seven Waves of the seed plan as steps that first observe (safe, repeatable) and
//! apply only on the operator's word. The engine never touches the terminal: it sends
//! [`Event`]s to a face and asks it [`Question`]s over one channel; the face answers.

pub mod flow;
pub mod journal;

mod codex;
mod files;
mod pairing;
mod preflight;
mod secrets;
mod upgrade;
mod verify;
mod workspace;

use std::path::PathBuf;
use std::sync::Mutex;

use secrecy::SecretString;
use serde::{Deserialize, Serialize};
use tokio::sync::{mpsc, oneshot, watch, OnceCell};

use crate::cluster::kubectl::Kubectl;
pub use crate::codex::login::Mode as SignInMode;
use crate::openclaw::store::{openclaw_pod, Place};
use crate::profile::Profile;
use crate::secrets::ssm::Store;
use journal::Journal;

pub use data::Data;

pub mod data;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Wave {
    Preflight,
    Infrastructure,
    Secrets,
    Manifests,
    Codex,
    Workspace,
    Verify,
}

impl Wave {
    pub const ALL: [Wave; 7] = [
        Wave::Preflight,
        Wave::Infrastructure,
        Wave::Secrets,
        Wave::Manifests,
        Wave::Codex,
        Wave::Workspace,
        Wave::Verify,
    ];

    pub fn number(self) -> usize {
        self as usize
    }

    pub fn title(self) -> &'static str {
        match self {
            Wave::Preflight => "Preflight",
            Wave::Infrastructure => "Infrastructure code",
            Wave::Secrets => "Secrets",
            Wave::Manifests => "Manifests",
            Wave::Codex => "Codex sign-in",
            Wave::Workspace => "Workspace",
            Wave::Verify => "Verify",
        }
    }
}

/// Where a wave stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "state", content = "summary", rename_all = "kebab-case")]
pub enum Status {
    /// Not looked at yet.
    Pending,
    /// Observing or applying now.
    Working(String),
    /// Nothing left to do.
    Done(String),
    /// Something to apply.
    Todo(String),
    /// Looked; the operator has something to do outside clawboot.
    Attention(String),
    /// Not run: turned off, skipped, or it needs what is out of reach (AWS, the cluster).
    Skipped(String),
    Failed(String),
}

impl Status {
    pub fn summary(&self) -> &str {
        match self {
            Status::Pending => "",
            Status::Working(s)
            | Status::Done(s)
            | Status::Todo(s)
            | Status::Attention(s)
            | Status::Skipped(s)
            | Status::Failed(s) => s,
        }
    }

    pub fn is_done(&self) -> bool {
        matches!(self, Status::Done(_))
    }
}

/// How one observed fact stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Mark {
    Ok,
    Todo,
    Warn,
    Fail,
    Info,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Line {
    pub mark: Mark,
    pub text: String,
}

impl Line {
    pub fn new(mark: Mark, text: impl Into<String>) -> Self {
        Self {
            mark,
            text: text.into(),
        }
    }
}

/// What a wave saw (or did): its status, one line per fact, and the diff of files it would write.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Report {
    pub wave: Wave,
    pub status: Status,
    pub lines: Vec<Line>,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub diff: String,
}

impl Report {
    pub fn new(wave: Wave, status: Status) -> Self {
        Self {
            wave,
            status,
            lines: Vec::new(),
            diff: String::new(),
        }
    }

    pub fn line(mut self, mark: Mark, text: impl Into<String>) -> Self {
        self.lines.push(Line::new(mark, text));
        self
    }

    /// The status as shown and judged: a wave is not done while one of its own checks fails.
    pub fn verdict(&self) -> Status {
        let failing = self.lines.iter().filter(|l| l.mark == Mark::Fail).count();
        match &self.status {
            Status::Done(text) if failing > 0 => Status::Attention(format!(
                "{text}, but {failing} of its checks {}",
                if failing == 1 { "fails" } else { "fail" }
            )),
            status => status.clone(),
        }
    }
}

/// What a yes/no question asks consent for: batch runs apply waves on their own, but replace
/// what is stored or restart what runs only with `--yes`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Consent {
    /// Apply a wave (or a step of one).
    Apply,
    /// Replace something stored: a secret's value, a sign-in of another account.
    Replace,
    /// Restart a running deployment.
    Restart,
    /// Do something outside clawboot first (DM the bot): a batch run never waits for it.
    Act,
}

/// A question only the operator can answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Question {
    /// Yes or no.
    Confirm {
        wave: Wave,
        consent: Consent,
        text: String,
        default: bool,
    },
    /// A secret value, asked masked; `problem` says why the last one was refused. When it
    /// `replaces` a set value, leaving it empty keeps that value.
    Secret {
        name: String,
        replaces: bool,
        description: String,
        page: Option<(String, Vec<String>)>,
        problem: Option<String>,
    },
    /// Sign in at `url`, then paste the address the browser ended on (or let the callback on
    /// `listening` arrive); `problem` says why the last paste was refused.
    Redirect {
        url: String,
        listening: Option<u16>,
        problem: Option<String>,
    },
    /// Pick some of `options` (the parameters to rotate).
    Pick { text: String, options: Vec<String> },
}

impl Question {
    /// The same question asked again, saying why the last answer was refused.
    pub fn refusing(self, why: String) -> Self {
        match self {
            Self::Secret {
                name,
                replaces,
                description,
                page,
                ..
            } => Self::Secret {
                name,
                replaces,
                description,
                page,
                problem: Some(why),
            },
            Self::Redirect { url, listening, .. } => Self::Redirect {
                url,
                listening,
                problem: Some(why),
            },
            other => other,
        }
    }
}

#[derive(Debug)]
pub enum Answer {
    Yes,
    No,
    Secret(SecretString),
    Text(String),
    Picked(Vec<usize>),
    /// Leave it for now (an empty secret field).
    Skip,
    /// Ctrl-C: stop, keep what is done, resume next time.
    Interrupt,
}

/// Why a task stopped before its end.
#[derive(Debug)]
pub enum Halt {
    /// Ctrl-C: what was done is journaled; the next run resumes.
    Interrupted,
    Failed(anyhow::Error),
}

impl From<anyhow::Error> for Halt {
    fn from(e: anyhow::Error) -> Self {
        Halt::Failed(e)
    }
}

/// What the engine tells a face.
#[derive(Debug)]
pub enum Event {
    Report(Report),
    /// A line for the log.
    Log(String),
    /// A command the engine runs, for `--show-commands`.
    Command(String),
    /// Long work: `done` of `total`, or seconds left when `countdown`.
    Progress {
        wave: Wave,
        done: u64,
        total: u64,
        countdown: bool,
    },
    Ask(Question, oneshot::Sender<Answer>),
    /// What a command asked for, as data (a status table, what was written, a history).
    Data(Data),
    /// The task ended; nothing more comes.
    Finished(flow::Outcome),
}

/// The wizard's settings beyond the profile (the command line's).
#[derive(Debug, Clone, Default)]
pub struct Settings {
    pub region: Option<String>,
    pub endpoint_url: Option<String>,
    /// A local OpenClaw state dir for the credentials instead of the pod.
    pub state_dir: Option<PathBuf>,
    /// The OpenClaw release the credentials are for (default: the profile's).
    pub openclaw_release: Option<crate::openclaw::release::Release>,
    pub issuer: Option<String>,
    pub sign_in: SignInMode,
    pub callback_port: u16,
    pub open_browser: bool,
    /// Run the kubectl follow-ups (force-sync, restart) after rotations.
    pub touch_cluster: bool,
    /// The Discord DM pairing code a setup approves after Verify (`--approve-pairing`).
    pub approve_pairing: Option<String>,
    pub token_checks: TokenChecks,
    /// The answers file the profile came from (an upgrade records the release there).
    pub profile_path: Option<PathBuf>,
}

/// Whether tokens are checked where they work (`checks.tokens`, `--skip-token-check`).
#[derive(Debug, Clone, Default)]
pub enum TokenChecks {
    #[default]
    Off,
    /// Before a value is stored, and at status.
    On(crate::secrets::live::Apis),
    /// At status only: this run's values were checked before it began (a batch run).
    AtStatus(crate::secrets::live::Apis),
}

impl TokenChecks {
    /// The APIs to check stored values at, if any.
    pub fn at_status(&self) -> Option<&crate::secrets::live::Apis> {
        match self {
            Self::Off => None,
            Self::On(apis) | Self::AtStatus(apis) => Some(apis),
        }
    }
}

/// Whether the cluster answered, found once per run.
#[derive(Debug, Clone)]
pub enum Reach {
    Reachable,
    Unreachable(String),
}

pub struct Engine {
    pub profile: Profile,
    pub settings: Settings,
    events: mpsc::UnboundedSender<Event>,
    kubectl: Kubectl,
    store: OnceCell<Store>,
    reach: OnceCell<Reach>,
    journal: Mutex<Journal>,
    stop: watch::Sender<bool>,
    /// The last report sent as under way, until its wave reports again: a task that halts
    /// ends it, so no face is left showing it as still working.
    under_way: std::sync::Mutex<Option<Report>>,
}

impl Engine {
    /// An engine sending to `events`; commands are echoed there too.
    pub fn new(
        profile: Profile,
        settings: Settings,
        journal: Journal,
        events: mpsc::UnboundedSender<Event>,
    ) -> Self {
        let (echo, mut echoed) = mpsc::unbounded_channel::<String>();
        let forward = events.clone();
        tokio::spawn(async move {
            while let Some(line) = echoed.recv().await {
                let _ = forward.send(Event::Command(line));
            }
        });
        Self {
            kubectl: Kubectl::new(&profile).echoing(echo),
            profile,
            settings,
            events,
            store: OnceCell::new(),
            reach: OnceCell::new(),
            journal: Mutex::new(journal),
            stop: watch::Sender::new(false),
            under_way: std::sync::Mutex::new(None),
        }
    }

    pub fn send(&self, event: Event) {
        let event = match event {
            Event::Report(report) => Event::Report(Report {
                status: report.verdict(),
                ..report
            }),
            other => other,
        };
        if let Event::Report(report) = &event {
            let mut under_way = self.under_way.lock().unwrap_or_else(|e| e.into_inner());
            match report.status {
                Status::Working(_) => *under_way = Some(report.clone()),
                _ if under_way.as_ref().is_some_and(|r| r.wave == report.wave) => *under_way = None,
                _ => {}
            }
        }
        let _ = self.events.send(event);
    }

    /// The wave left under way by a halted task ends with `status`.
    pub fn end_under_way(&self, status: Status) {
        let left = self
            .under_way
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take();
        if let Some(report) = left {
            self.send(Event::Report(Report { status, ..report }));
        }
    }

    pub fn log(&self, line: impl Into<String>) {
        self.send(Event::Log(line.into()));
    }

    /// Ask the face; a face that went away counts as Ctrl-C.
    pub async fn ask(&self, question: Question) -> Answer {
        let (reply, answer) = oneshot::channel();
        self.send(Event::Ask(question, reply));
        answer.await.unwrap_or(Answer::Interrupt)
    }

    /// Ctrl-C: finish the write under way, then stop.
    pub fn request_stop(&self) {
        self.stop.send_replace(true);
    }

    pub fn stop_requested(&self) -> bool {
        *self.stop.borrow()
    }

    /// `read`, unless Ctrl-C comes first: a read is dropped at once (nothing is lost by not
    /// waiting for it), where a write is left to finish.
    pub async fn read<T>(&self, read: impl std::future::Future<Output = T>) -> Result<T, Halt> {
        tokio::select! {
            biased;
            _ = self.stopped() => Err(Halt::Interrupted),
            value = read => Ok(value),
        }
    }

    /// Resolves once a stop was asked for.
    pub async fn stopped(&self) {
        let mut stop = self.stop.subscribe();
        let _ = stop.wait_for(|stop| *stop).await;
    }

    /// The OpenClaw release the sign-in is stored for.
    pub fn release(&self) -> crate::openclaw::release::Release {
        self.settings
            .openclaw_release
            .unwrap_or_else(|| self.profile.release())
    }

    /// A store already connected (tests with their own credentials, embedding).
    pub fn with_store(self, store: Store) -> Self {
        let _ = self.store.set(store);
        self
    }

    pub fn kubectl(&self) -> &Kubectl {
        &self.kubectl
    }

    pub async fn store(&self) -> &Store {
        self.store
            .get_or_init(|| async {
                let region = self
                    .settings
                    .region
                    .as_deref()
                    .unwrap_or(&self.profile.aws.region);
                Store::connect(
                    region,
                    &self.profile.aws.kms_key_alias,
                    self.settings.endpoint_url.as_deref(),
                )
                .await
            })
            .await
    }

    /// Whether the cluster answers (asked once, within a few seconds).
    pub async fn reach(&self) -> &Reach {
        self.reach
            .get_or_init(|| preflight::probe_cluster(&self.kubectl))
            .await
    }

    pub fn journal(&self) -> std::sync::MutexGuard<'_, Journal> {
        self.journal.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Observe one wave: safe to repeat, changes nothing.
    pub async fn observe(&self, wave: Wave) -> Report {
        match wave {
            Wave::Preflight => preflight::observe(self).await,
            Wave::Infrastructure => files::observe(self, files::Target::Infrastructure),
            Wave::Secrets => secrets::observe(self).await,
            Wave::Manifests => files::observe(self, files::Target::Manifests),
            Wave::Codex => codex::observe(self).await,
            Wave::Workspace => workspace::observe(self).await,
            Wave::Verify => verify::observe(self).await,
        }
    }
}

/// Where OpenClaw's state lives for this run: the local state dir (`--state-dir`), else the
/// ready pod's volume; else a report of `wave` saying why it cannot be reached.
async fn openclaw_place(engine: &Engine, wave: Wave) -> Result<Place, Report> {
    if let Some(dir) = &engine.settings.state_dir {
        return Ok(Place::Local(dir.clone()));
    }
    if let Reach::Unreachable(why) = engine.reach().await {
        return Err(unreachable(wave, why));
    }
    let kubectl = engine.kubectl().clone();
    match openclaw_pod(&kubectl).await {
        Ok(pod) => Ok(Place::Pod { kubectl, pod }),
        Err(e) => Err(
            Report::new(wave, Status::Skipped("OpenClaw is not running".into()))
                .line(Mark::Fail, format!("{e:#}")),
        ),
    }
}

/// `Status::Skipped` for a wave that needs the cluster when it does not answer.
fn unreachable(wave: Wave, why: &str) -> Report {
    Report::new(wave, Status::Skipped("the cluster does not answer".into()))
        .line(Mark::Fail, why.to_string())
}
