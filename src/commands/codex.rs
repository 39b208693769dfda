//! `clawboot codex …`: the engine's sign-in tasks (sign in, status, refresh) for a local state
//! dir or the running OpenClaw pod, under plain prompts in a terminal or as a batch run.

use clawboot::codex::login::Mode;
use clawboot::openclaw::release::Release;
use clawboot::openclaw::store::SignIn;
use clawboot::profile::Profile;
use clawboot::ui::batch::BatchFace;
use clawboot::ui::face::Ran;
use clawboot::waves::flow::Task;
use clawboot::waves::{Data, Settings};

use super::wizard::{launch, pick_face, FaceKind, Launch};
use super::Outcome;
use crate::cli::{CodexCommand, CodexTarget, OutputFormat};

pub fn run(
    format: OutputFormat,
    profile_path: Option<&std::path::Path>,
    profile: Profile,
    command: &CodexCommand,
) -> anyhow::Result<Outcome> {
    let (task, target, mode, port, open_browser) = match command {
        CodexCommand::Login {
            paste,
            device_code,
            callback_port,
            no_browser,
            target,
        } => {
            let mode = match (*paste, *device_code) {
                (true, _) => Mode::Paste,
                (_, true) => Mode::Device,
                _ => Mode::Browser,
            };
            (Task::SignIn, target, mode, *callback_port, !no_browser)
        }
        CodexCommand::Status { target } => (Task::SignInStatus, target, Mode::Browser, 0, false),
        CodexCommand::Refresh { target } => (Task::Refresh, target, Mode::Browser, 0, false),
    };
    let face = pick_face(false, false, false)?;
    let settings = Settings {
        state_dir: target.state_dir.clone(),
        openclaw_release: release(target)?,
        issuer: target.issuer.clone(),
        sign_in: mode,
        callback_port: port,
        open_browser: open_browser && face != FaceKind::Batch,
        touch_cluster: true,
        ..Settings::default()
    };
    let ran = launch(Launch {
        profile_path,
        profile,
        settings,
        face,
        batch: BatchFace {
            values: Default::default(),
            sign_in: true,
            yes: target.yes,
            show_commands: target.show_commands,
            json: format == OutputFormat::Json,
        },
        task: Some(task),
    })?;
    Ok(Outcome::Code(exit_code(&ran)))
}

fn release(target: &CodexTarget) -> anyhow::Result<Option<Release>> {
    target
        .openclaw_version
        .as_deref()
        .map(|v| {
            Release::parse(v).ok_or_else(|| {
                anyhow::anyhow!("--openclaw-version {v:?} is not a release like 2026.9.6")
            })
        })
        .transpose()
}

/// `codex status` answers as `openclaw models status --check` does: 0 ok, 1 expired or
/// missing, 2 expiring within a day. Every other task: the wizard's codes.
fn exit_code(ran: &Ran) -> u8 {
    let states: Option<Vec<SignIn>> = ran.data.iter().find_map(|d| match d {
        Data::SignIns { profiles } => Some(profiles.iter().map(|p| p.state).collect()),
        _ => None,
    });
    match (ran.task == Task::SignInStatus, states) {
        (true, Some(states)) if states.is_empty() || states.contains(&SignIn::Expired) => 1,
        (true, Some(states)) if states.contains(&SignIn::Expiring) => 2,
        (true, Some(_)) => 0,
        _ => clawboot::ui::face::exit_code(&ran.outcome),
    }
}
