//! `clawboot pairing list|approve [CODE]`: the engine's Discord DM pairing tasks, in the running
//! OpenClaw pod (or a local state dir); without a code, in a terminal, pick a request.

use clawboot::profile::Profile;
use clawboot::ui::batch::BatchFace;
use clawboot::ui::face::exit_code;
use clawboot::waves::flow::Task;
use clawboot::waves::Settings;

use super::wizard::{launch, pick_face, FaceKind, Launch};
use super::Outcome;
use crate::cli::{OutputFormat, PairingCommand};

pub fn run(
    format: OutputFormat,
    profile_path: Option<&std::path::Path>,
    profile: Profile,
    command: &PairingCommand,
    state_dir: Option<std::path::PathBuf>,
    show_commands: bool,
) -> anyhow::Result<Outcome> {
    let task = match command {
        PairingCommand::List => Task::PairingList,
        PairingCommand::Approve { code } => Task::PairingApprove(code.clone()),
    };
    let face = pick_face(false, false, false)?;
    if face == FaceKind::Batch && task == Task::PairingApprove(None) {
        anyhow::bail!("give the code the bot sent: `clawboot pairing approve CODE` (`clawboot pairing list` shows the requests waiting), or run it in a terminal to pick one");
    }
    let ran = launch(Launch {
        profile_path,
        profile,
        settings: Settings {
            state_dir,
            ..Settings::default()
        },
        face,
        batch: BatchFace {
            values: Default::default(),
            sign_in: false,
            yes: false,
            show_commands,
            json: format == OutputFormat::Json,
        },
        task: Some(task),
    })?;
    Ok(Outcome::Code(exit_code(&ran.outcome)))
}
