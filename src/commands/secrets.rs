//! `clawboot secrets …`: the engine's secret tasks (status, seed, rotate, history, rollback)
//! under plain prompts in a terminal or as a batch run. Values come from CLAWBOOT_<NAME>,
//! --from-file, --stdin or a masked prompt, and are checked before anything is written.

use clawboot::profile::Profile;
use clawboot::secrets::catalog::{self, ValueSource};
use clawboot::ui::batch::BatchFace;
use clawboot::ui::face::exit_code;
use clawboot::waves::flow::Task;
use clawboot::waves::Settings;

use super::wizard::{
    asked_names, launch, pick_face, supplied_values, token_checks, FaceKind, Launch,
};
use super::Outcome;
use crate::cli::{OutputFormat, SecretsCommand, ValueArgs};

pub struct Endpoint<'a> {
    pub region: Option<&'a str>,
    pub url: Option<&'a str>,
}

pub fn run(
    format: OutputFormat,
    profile_path: Option<&std::path::Path>,
    profile: Profile,
    endpoint: Endpoint,
    command: &SecretsCommand,
) -> anyhow::Result<Outcome> {
    let no_values = ValueArgs::default();
    let status_args;
    let (task, values, touch_cluster) = match command {
        SecretsCommand::Status { skip_token_check } => {
            status_args = ValueArgs {
                skip_token_check: *skip_token_check,
                ..ValueArgs::default()
            };
            (Task::SecretsStatus, &status_args, false)
        }
        SecretsCommand::Seed { overwrite, values } => (
            Task::Seed {
                overwrite: *overwrite,
            },
            values,
            false,
        ),
        SecretsCommand::Rotate {
            names,
            cluster,
            values,
        } => (Task::Rotate(names.clone()), values, !cluster.no_cluster),
        SecretsCommand::History { name } => (Task::History(name.clone()), &no_values, false),
        SecretsCommand::Rollback { name, to, cluster } => (
            Task::Rollback {
                name: name.clone(),
                to: *to,
            },
            &no_values,
            !cluster.no_cluster,
        ),
    };
    let face = pick_face(false, values.non_interactive, false)?;
    let token_checks = token_checks(&profile, values.skip_token_check, face)?;
    let supplied = match face {
        FaceKind::Batch => {
            let names = takes_values(&task, &profile)?;
            let given = (values.from_file.as_slice(), values.stdin.as_deref());
            supplied_values(&profile, &names, given, &token_checks)?
        }
        _ => Default::default(),
    };
    let settings = Settings {
        region: endpoint.region.map(str::to_string),
        endpoint_url: endpoint.url.map(str::to_string),
        open_browser: !values.no_browser && face != FaceKind::Batch,
        touch_cluster,
        token_checks,
        ..Settings::default()
    };
    let ran = launch(Launch {
        profile_path,
        profile,
        settings,
        face,
        batch: BatchFace {
            values: supplied,
            sign_in: false,
            yes: values.yes,
            show_commands: values.show_commands,
            json: format == OutputFormat::Json,
        },
        task: Some(task),
    })?;
    Ok(Outcome::Code(exit_code(&ran.outcome)))
}

/// The parameters a task may be given values for (a rotation: the named ones, checked first).
fn takes_values(task: &Task, profile: &Profile) -> anyhow::Result<Vec<&'static str>> {
    Ok(match task {
        Task::Rotate(names) => names
            .iter()
            .map(|name| catalog::replaceable(name))
            .filter(|p| p.as_ref().map_or(true, |p| p.source == ValueSource::Asked))
            .map(|p| p.map(|p| p.name))
            .collect::<anyhow::Result<_>>()?,
        _ => asked_names(profile, catalog::all().iter().map(|p| p.name)),
    })
}
