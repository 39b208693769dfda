//! The wizard: pick the face (full screen, plain prompts, or batch), start the engine's task
//! for it, and turn the outcome into the exit code.

use std::io::IsTerminal;
use std::path::Path;
use std::sync::Arc;

use secrecy::SecretString;

use clawboot::cli::{OutputFormat, WizardArgs};
use clawboot::profile::Profile;
use clawboot::secrets::catalog::{self, ValueSource};
use clawboot::secrets::ops;
use clawboot::ui::batch::{self, BatchFace};
use clawboot::ui::face::{exit_code, write_outcome, Started};
use clawboot::ui::{plain, tui};
use clawboot::waves::flow::{self, Task};
use clawboot::waves::journal::Journal;
use clawboot::waves::{Engine, Event, Settings};

use super::Outcome;

/// Smaller than this, the full-screen face gives way to plain prompts.
const MIN_COLUMNS: u16 = 60;
const MIN_ROWS: u16 = 16;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FaceKind {
    Tui,
    Plain,
    Batch,
}

/// Run `task` (None: the home screen decides) with the face the terminal allows.
pub fn run(
    profile_path: Option<&Path>,
    profile: Profile,
    format: OutputFormat,
    args: &WizardArgs,
    task: Option<Task>,
) -> anyhow::Result<Outcome> {
    let face = pick_face(args, task.as_ref())?;
    let values = if face == FaceKind::Batch {
        supplied_values(&profile, args)?
    } else {
        Default::default()
    };
    if face == FaceKind::Batch && matches!(&task, Some(Task::Rotate(names)) if names.is_empty()) {
        anyhow::bail!("name the secrets to rotate, e.g. `clawboot rotate --non-interactive OPENCLAW_GATEWAY_TOKEN`");
    }
    // Every task's journal is opened now, so a damaged one is reported before anything runs.
    let mut journals = std::collections::HashMap::new();
    for task in [Task::Setup, Task::Rotate(Vec::new()), Task::SignIn] {
        journals.insert(task.name(), Journal::open(profile_path, task.name())?);
    }
    let resumable = journals["setup"].unfinished("setup");
    let settings = Settings {
        region: args.region.clone(),
        endpoint_url: args.endpoint_url.clone(),
        state_dir: args.state_dir.clone(),
        issuer: args.issuer.clone(),
        sign_in: args.sign_in.unwrap_or_default(),
        callback_port: args.callback_port,
        open_browser: !args.no_browser && face != FaceKind::Batch,
        touch_cluster: !args.no_cluster,
    };
    let runtime = super::runtime()?;
    let _entered = runtime.enter();
    let mut parts = Some((profile, settings));
    let mut start = |task: Task| -> Started {
        let (profile, settings) = parts.take().expect("one task per run");
        let journal = journals
            .remove(task.name())
            .unwrap_or_else(Journal::in_memory);
        let (events, receiver) = tokio::sync::mpsc::unbounded_channel();
        let engine = Arc::new(Engine::new(profile, settings, journal, events));
        runtime.spawn(flow::run(engine.clone(), task));
        let on_signal = engine.clone();
        runtime.spawn(async move {
            while tokio::signal::ctrl_c().await.is_ok() {
                on_signal.request_stop();
                on_signal.send(Event::Log(
                    "stopping after the step under way (a write is never cut short)".into(),
                ));
            }
        });
        Started {
            events: receiver,
            stop: Box::new(move || engine.request_stop()),
        }
    };
    let outcome = match face {
        FaceKind::Batch => batch::run(
            start(task.unwrap_or(Task::Setup)),
            BatchFace {
                values,
                sign_in: args.sign_in.is_some(),
                show_commands: args.show_commands,
                json: format == OutputFormat::Json,
            },
        ),
        FaceKind::Plain => plain::run(&mut start, task, resumable, args.show_commands)?,
        FaceKind::Tui => {
            let outcome = tui::run(&mut start, task, resumable, args.show_commands)?;
            // The full screen is gone: its last word stays in the terminal.
            write_outcome(&mut std::io::stderr(), &outcome)?;
            outcome
        }
    };
    Ok(Outcome::Code(exit_code(&outcome)))
}

fn pick_face(args: &WizardArgs, task: Option<&Task>) -> anyhow::Result<FaceKind> {
    if args.non_interactive || task == Some(&Task::Check) {
        return Ok(FaceKind::Batch);
    }
    let terminal = std::io::stdin().is_terminal() && std::io::stdout().is_terminal();
    if !terminal {
        anyhow::bail!("no terminal to ask in: run with --non-interactive (secrets from CLAWBOOT_<NAME>, --from-file or --stdin)");
    }
    let dumb = std::env::var("TERM").is_ok_and(|t| t == "dumb");
    let small = crossterm::terminal::size().is_ok_and(|(w, h)| w < MIN_COLUMNS || h < MIN_ROWS);
    Ok(if args.plain || dumb || small {
        FaceKind::Plain
    } else {
        FaceKind::Tui
    })
}

/// The values given for a batch run, each checked before anything is written.
fn supplied_values(
    profile: &Profile,
    args: &WizardArgs,
) -> anyhow::Result<std::collections::BTreeMap<String, SecretString>> {
    let asked: Vec<&str> = catalog::all()
        .iter()
        .filter(|p| p.source == ValueSource::Asked && p.required(profile))
        .map(|p| p.name)
        .collect();
    if args.stdin.is_some() && args.sign_in == Some(clawboot::waves::SignInMode::Paste) {
        anyhow::bail!("--stdin and --sign-in paste both read standard input: give the secret with --from-file or CLAWBOOT_<NAME>");
    }
    let values = batch::supplied_values(&asked, &args.from_file, args.stdin.as_deref())?;
    // Warnings are told again when each value is used.
    ops::check_values(
        values
            .iter()
            .filter_map(|(name, value)| Some((catalog::find(name)?, value))),
    )?;
    Ok(values)
}
