//! The wizard's tasks and the launcher every command shares: pick the face (full screen,
//! plain prompts, or batch), start the engine's task for it, and hand back how it ended.

use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::path::Path;
use std::sync::Arc;

use secrecy::SecretString;

use crate::cli::{OutputFormat, WizardArgs};
use clawboot::profile::Profile;
use clawboot::secrets::catalog::{self, ValueSource};
use clawboot::secrets::live::{self, Apis};
use clawboot::secrets::ops;
use clawboot::ui::batch::{self, BatchFace};
use clawboot::ui::face::{exit_code, Ran, Started};
use clawboot::ui::text::write_outcome;
use clawboot::ui::{plain, tui};
use clawboot::waves::flow::{self, Task};
use clawboot::waves::journal::Journal;
use clawboot::waves::{Engine, Event, Settings, SignInMode, TokenChecks};

use super::Outcome;

/// Smaller than this, the full-screen face gives way to plain prompts.
const MIN_COLUMNS: u16 = 60;
const MIN_ROWS: u16 = 16;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FaceKind {
    Tui,
    Plain,
    Batch,
}

/// Everything a task needs to run under a face.
pub struct Launch<'a> {
    pub profile_path: Option<&'a Path>,
    pub profile: Profile,
    pub settings: Settings,
    pub face: FaceKind,
    /// The batch face's answers; its `show_commands` is every face's.
    pub batch: BatchFace,
    /// None: the home screen decides.
    pub task: Option<Task>,
}

/// Run a wizard task (None: the home screen decides) with the face the terminal allows.
pub fn run(
    profile_path: Option<&Path>,
    profile: Profile,
    format: OutputFormat,
    args: &WizardArgs,
    task: Option<Task>,
) -> anyhow::Result<Outcome> {
    let face = pick_face(
        args.plain,
        args.non_interactive || task == Some(Task::Check),
        true,
    )?;
    if face == FaceKind::Batch && matches!(&task, Some(Task::Rotate(names)) if names.is_empty()) {
        anyhow::bail!("name the secrets to rotate, e.g. `clawboot rotate --non-interactive OPENCLAW_GATEWAY_TOKEN`");
    }
    if args.stdin.is_some() && args.sign_in == Some(crate::cli::SignInHow::Paste) {
        anyhow::bail!("--stdin and --sign-in paste both read standard input: give the secret with --from-file or CLAWBOOT_<NAME>");
    }
    let asked = asked_names(&profile, catalog::all().iter().map(|p| p.name));
    let token_checks = token_checks(&profile, args.skip_token_check, face)?;
    let values = match face {
        FaceKind::Batch => supplied_values(
            &profile,
            &asked,
            (&args.from_file, args.stdin.as_deref()),
            &token_checks,
        )?,
        _ => BTreeMap::new(),
    };
    let settings = Settings {
        region: args.region.clone(),
        endpoint_url: args.endpoint_url.clone(),
        state_dir: args.state_dir.clone(),
        openclaw_release: None,
        issuer: args.issuer.clone(),
        sign_in: args.sign_in.map(SignInMode::from).unwrap_or_default(),
        callback_port: args.callback_port,
        open_browser: !args.no_browser && face != FaceKind::Batch,
        touch_cluster: !args.no_cluster,
        approve_pairing: args.approve_pairing.clone(),
        token_checks,
        profile_path: profile_path.map(Path::to_path_buf),
    };
    let ran = launch(Launch {
        profile_path,
        profile,
        settings,
        face,
        batch: BatchFace {
            values,
            sign_in: args.sign_in.is_some(),
            yes: args.yes,
            show_commands: args.show_commands,
            json: format == OutputFormat::Json,
        },
        task,
    })?;
    Ok(Outcome::Code(exit_code(&ran.outcome)))
}

/// Start the task under the face and wait for its end.
pub fn launch(launch: Launch) -> anyhow::Result<Ran> {
    let Launch {
        profile_path,
        profile,
        settings,
        face,
        batch,
        task,
    } = launch;
    let show_commands = batch.show_commands;
    // Every task's journal is opened now, so a damaged one is reported before anything runs;
    // a task that only looks (status) goes on without it, with a warning.
    let read_only = task.as_ref().is_some_and(Task::is_read_only);
    let mut journals = std::collections::HashMap::new();
    for name in ["setup", "rotate", "sign-in", "seed", "upgrade"] {
        let journal = match Journal::open(profile_path, name) {
            Ok(journal) => journal,
            Err(e) if read_only => {
                eprintln!("warning: {e:#}; this check goes on without it");
                Journal::in_memory()
            }
            Err(e) => return Err(e),
        };
        journals.insert(name, journal);
    }
    let resumable = journals["setup"].unfinished("setup");
    let runtime = super::runtime()?;
    let _entered = runtime.enter();
    let mut parts = Some((profile, settings));
    let mut start = |task: Task| -> Started {
        let (profile, settings) = parts.take().expect("one task per run");
        let journal = match task.is_read_only() {
            true => Journal::in_memory(),
            false => journals
                .remove(task.name())
                .unwrap_or_else(Journal::in_memory),
        };
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
        let asked = engine.clone();
        Started {
            events: receiver,
            stop: Box::new(move || engine.request_stop()),
            stopping: Box::new(move || asked.stop_requested()),
        }
    };
    Ok(match face {
        FaceKind::Batch => {
            let task = task.unwrap_or(Task::Setup);
            batch::run(task.clone(), start(task), batch)
        }
        FaceKind::Plain => plain::run(&mut start, task, resumable, show_commands)?,
        FaceKind::Tui => {
            let ran = tui::run(&mut start, task, resumable, show_commands)?;
            // The full screen is gone: its last word stays in the terminal.
            write_outcome(&mut std::io::stderr(), &ran.task, &ran.outcome)?;
            ran
        }
    })
}

/// Batch when asked for, or when there is no terminal for a command that can run without one
/// (`full_screen` off); else plain prompts (asked for, a dumb or small terminal, or a command)
/// or the full screen.
pub fn pick_face(
    plain: bool,
    non_interactive: bool,
    full_screen: bool,
) -> anyhow::Result<FaceKind> {
    let terminal = std::io::stdin().is_terminal() && std::io::stdout().is_terminal();
    if non_interactive || (!terminal && !full_screen) {
        return Ok(FaceKind::Batch);
    }
    if !terminal {
        anyhow::bail!("no terminal to ask in: run with --non-interactive (secrets from CLAWBOOT_<NAME>, --from-file or --stdin)");
    }
    let dumb = std::env::var("TERM").is_ok_and(|t| t == "dumb");
    let small = crossterm::terminal::size().is_ok_and(|(w, h)| w < MIN_COLUMNS || h < MIN_ROWS);
    Ok(if plain || dumb || small || !full_screen {
        FaceKind::Plain
    } else {
        FaceKind::Tui
    })
}

/// Of `names`, the parameters the operator supplies that the profile needs.
pub fn asked_names<'a>(
    profile: &Profile,
    names: impl Iterator<Item = &'a str>,
) -> Vec<&'static str> {
    names
        .filter_map(catalog::find)
        .filter(|p| p.source == ValueSource::Asked && p.required(profile))
        .map(|p| p.name)
        .collect()
}

/// How this run checks tokens where they work: not at all (`checks.tokens: false`,
/// `--skip-token-check`); else at status, and before a value is stored: as it is given, or
/// for a batch run, all at once before the task begins.
pub fn token_checks(profile: &Profile, skip: bool, face: FaceKind) -> anyhow::Result<TokenChecks> {
    if skip || !profile.checks.tokens {
        return Ok(TokenChecks::Off);
    }
    let apis = Apis::from_env()?;
    Ok(match face {
        FaceKind::Batch => TokenChecks::AtStatus(apis),
        _ => TokenChecks::On(apis),
    })
}

/// The values given for a batch run (`--from-file` and `--stdin`, else `CLAWBOOT_<NAME>`),
/// each checked before anything is written: its shape, then where it works.
pub fn supplied_values(
    profile: &Profile,
    names: &[&str],
    (from_files, stdin): (&[String], Option<&str>),
    token_checks: &TokenChecks,
) -> anyhow::Result<BTreeMap<String, SecretString>> {
    let values = batch::supplied_values(names, from_files, stdin)?;
    let given: Vec<_> = values
        .iter()
        .filter_map(|(name, value)| Some((catalog::find(name)?, value)))
        .collect();
    // Warnings are told again when each value is used.
    ops::check_values(given.iter().copied())?;
    if let TokenChecks::AtStatus(apis) = token_checks {
        for line in super::runtime()?.block_on(live::check_all(apis, profile, given))? {
            eprintln!("{line}");
        }
    }
    Ok(values)
}
