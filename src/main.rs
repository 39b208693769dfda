//! clawboot: parse the command line, run the command, map the outcome to an exit code.
//! Exit codes: 0 done and nothing to report, 1 something to report (changes, findings),
//! 2 the command could not do its job (bad input, unreadable file, …); the wizard also 130 when
//! it was interrupted (Ctrl-C) and can resume.

use std::io::{Read, Write};
use std::path::Path;
use std::process::ExitCode;

mod cli;
mod commands;

use clap::Parser;
use serde_json::json;

use clawboot::profile::{self, Profile};
use clawboot::render::output::{Change, PlannedFile};
use clawboot::waves::flow::Task;
use clawboot::{doctor, fsutil, openclaw, render};
use cli::{Cli, Command, OutputFormat, ProfileCommand, WizardArgs};
use commands::Outcome;

/// Exit code when the reader of the output went away (`clawboot render | head`): what a shell
/// reports for a process stopped by SIGPIPE, quietly.
const CLOSED_PIPE: u8 = 141;

fn main() -> ExitCode {
    clawboot::hygiene::no_core_dumps();
    clawboot::secrets::env::take();
    quiet_on_closed_pipe();
    let cli = Cli::parse();
    clawboot::log::init();
    tracing::info!(command = ?std::env::args().nth(1), "clawboot started");
    clawboot::ui::prompts::respect_no_color();
    match run(&cli) {
        Ok(Outcome::Clean) => ExitCode::SUCCESS,
        Ok(Outcome::Reported) => ExitCode::from(1),
        Ok(Outcome::Code(code)) => ExitCode::from(code),
        Err(e) if closed_pipe(&e) => ExitCode::from(CLOSED_PIPE),
        Err(e) => {
            tracing::warn!("failed: {e:#}");
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn closed_pipe(e: &anyhow::Error) -> bool {
    e.chain()
        .filter_map(|cause| cause.downcast_ref::<std::io::Error>())
        .any(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
}

/// `println!` panics when the reader is gone: that is an end, not a bug.
fn quiet_on_closed_pipe() {
    let report = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let payload = info.payload();
        let message = payload
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| payload.downcast_ref::<&str>().copied())
            .unwrap_or_default();
        if message.starts_with("failed printing to stdout") && message.contains("Broken pipe") {
            std::process::exit(CLOSED_PIPE.into());
        }
        report(info);
    }));
}

fn run(cli: &Cli) -> anyhow::Result<Outcome> {
    clawboot::tls::check()?;
    let profile = Profile::load(cli.profile.as_deref())?;
    let Some(command) = &cli.command else {
        return commands::wizard::run(
            cli.profile.as_deref(),
            profile,
            cli.output,
            &cli.wizard,
            None,
        );
    };
    let wizard_task = matches!(
        command,
        Command::Setup(_)
            | Command::Rotate { .. }
            | Command::SignIn(_)
            | Command::Status(_)
            | Command::Upgrade { .. }
    );
    if !wizard_task && !cli.wizard.is_unset() {
        anyhow::bail!("those options are the wizard's: they go with no command, or with setup, rotate, sign-in or status; see `clawboot <command> --help` for this command's own");
    }
    let wizard = |args: &WizardArgs, task: Task| {
        commands::wizard::run(
            cli.profile.as_deref(),
            profile.clone(),
            cli.output,
            &args.with_earlier(&cli.wizard),
            Some(task),
        )
    };
    match command {
        Command::Setup(args) => wizard(args, Task::Setup),
        Command::Rotate {
            names,
            wizard: args,
        } => wizard(args, Task::Rotate(names.clone())),
        Command::SignIn(args) => wizard(args, Task::SignIn),
        Command::Status(args) => wizard(args, Task::Check),
        Command::Upgrade { to, wizard: args } => {
            let release = clawboot::openclaw::release::Release::parse(to).ok_or_else(|| {
                anyhow::anyhow!("--to {to:?} is not an OpenClaw release like 2026.9.6")
            })?;
            wizard(args, Task::Upgrade(release))
        }
        Command::Render { out, only, check } => {
            let roots = match out {
                Some(dir) => render::Roots::under(dir),
                None => render::Roots::from_profile(&profile),
            };
            let planned =
                render::output::plan(render::render(&profile, only.map(Into::into))?, &roots)?;
            if !check {
                render::output::apply(&planned)?;
            }
            report_render(cli.output, &profile, &planned, *check, only.map(Into::into))
        }
        Command::Doctor { path } => {
            let dir = path
                .clone()
                .unwrap_or_else(|| profile.repos.gitops.path.join(&profile.repos.gitops.folder));
            let assumed = Some(profile.release());
            let report = match dir.as_os_str() == "-" {
                true => doctor::run_stream(read_stdin_text()?, assumed)?,
                false => doctor::run(&dir, assumed)?,
            };
            report_doctor(cli.output, &dir, &report)
        }
        Command::Profile(command) => run_profile(cli.output, &profile, command),
        Command::Codex(command) => {
            commands::codex::run(cli.output, cli.profile.as_deref(), profile, command)
        }
        Command::Pairing {
            command,
            state_dir,
            show_commands,
        } => commands::pairing::run(
            cli.output,
            cli.profile.as_deref(),
            profile,
            command,
            state_dir.clone(),
            *show_commands,
        ),
        Command::Secrets {
            region,
            endpoint_url,
            command,
        } => commands::secrets::run(
            cli.output,
            cli.profile.as_deref(),
            profile,
            commands::secrets::Endpoint {
                region: region.as_deref(),
                url: endpoint_url.as_deref(),
            },
            command,
        ),
    }
}

fn report_render(
    format: OutputFormat,
    profile: &Profile,
    planned: &[PlannedFile],
    check: bool,
    only: Option<render::Group>,
) -> anyhow::Result<Outcome> {
    let changed = planned
        .iter()
        .filter(|f| f.change != Change::Unchanged)
        .count();
    let not_done = not_done_by_render(profile, only);
    let mut out = std::io::stdout().lock();
    match format {
        OutputFormat::Json => {
            let report = json!({
                "openclaw_release": profile.release().to_string(),
                "check": check,
                "changed": changed,
                "files": planned,
                "not_done": not_done,
            });
            writeln!(out, "{}", serde_json::to_string_pretty(&report)?)?;
        }
        OutputFormat::Text => {
            let verb = |change| match (change, check) {
                (Change::Created, false) => "created",
                (Change::Created, true) => "would create",
                (Change::Updated, false) => "updated",
                (Change::Updated, true) => "would update",
                (Change::Unchanged, _) => "unchanged",
            };
            for file in planned.iter().filter(|f| f.change != Change::Unchanged) {
                writeln!(out, "{:>12}  {}", verb(file.change), file.path.display())?;
                write!(out, "{}", file.diff)?;
            }
            writeln!(
                out,
                "{} files for OpenClaw {}: {changed} {}, {} unchanged",
                planned.len(),
                profile.release(),
                if check { "would change" } else { "written" },
                planned.len() - changed
            )?;
            writeln!(out, "Not done by render:")?;
            for line in &not_done {
                writeln!(out, "  - {line}")?;
            }
        }
    }
    Ok(if check && changed > 0 {
        Outcome::Reported
    } else {
        Outcome::Clean
    })
}

/// What the operator still has to do after rendering `only` that group (or all): the steps for
/// the files written, said plainly.
fn not_done_by_render(profile: &Profile, only: Option<render::Group>) -> Vec<String> {
    let rendered = |group| only.is_none_or(|only| only == group);
    let mut lines = Vec::new();
    if rendered(render::Group::Terraform) {
        lines.push("terraform plan/apply of terraform/ (through the infrastructure repo's pull request flow): needs AWS and Cloudflare access".to_string());
        lines.push(format!(
            "seeding the secret values into SSM under {}: needs AWS access",
            profile.aws.ssm_prefix
        ));
    }
    if rendered(render::Group::K8s) {
        lines.push(
            "Argo CD sync of the GitOps folder (apply application.yaml once): needs the cluster"
                .to_string(),
        );
        lines.extend(openclaw::plugins::not_installable(profile));
        if profile.openclaw.discord_allow_from.is_empty() {
            lines.push(
                "Discord DMs use pairing: `clawboot setup` (or `clawboot pairing approve`) approves the first DM's code; or set openclaw.discord_allow_from to your Discord user id(s) for an allowlist"
                    .to_string(),
            );
        }
    }
    if rendered(render::Group::Workspace) {
        lines.push(
            "the workspace files into OpenClaw's volume: `clawboot setup` writes them (Wave 5) once the pod runs"
                .to_string(),
        );
    }
    lines
}

/// Standard input as text, for `doctor -`.
fn read_stdin_text() -> anyhow::Result<String> {
    let mut text = String::new();
    std::io::stdin()
        .read_to_string(&mut text)
        .map_err(|e| anyhow::anyhow!("cannot read standard input as text: {e}"))?;
    Ok(text)
}

fn report_doctor(
    format: OutputFormat,
    dir: &Path,
    report: &doctor::Report,
) -> anyhow::Result<Outcome> {
    let mut out = std::io::stdout().lock();
    let findings = &report.findings;
    match format {
        OutputFormat::Json => {
            let json = json!({ "path": dir, "read_as": report.read_as, "findings": findings });
            writeln!(out, "{}", serde_json::to_string_pretty(&json)?)?;
        }
        OutputFormat::Text => {
            if let Some(read_as) = &report.read_as {
                writeln!(out, "{}: read {read_as}", dir.display())?;
            }
            for f in findings {
                // A stream's findings carry its name (`<stdin>`), not a path under `dir`.
                let file = match f.file.to_string_lossy().starts_with('<') {
                    true => f.file.clone(),
                    false => dir.join(&f.file),
                };
                writeln!(
                    out,
                    "{}:{}: [{}] {}",
                    file.display(),
                    f.line,
                    f.rule,
                    f.problem
                )?;
                writeln!(out, "    fix: {}", f.fix)?;
            }
            match findings.len() {
                0 => writeln!(out, "{}: no known failure mode found", dir.display())?,
                n => writeln!(out, "{n} finding(s) in {}", dir.display())?,
            }
        }
    }
    Ok(if findings.is_empty() {
        Outcome::Clean
    } else {
        Outcome::Reported
    })
}

fn run_profile(
    format: OutputFormat,
    profile: &Profile,
    command: &ProfileCommand,
) -> anyhow::Result<Outcome> {
    let mut out = std::io::stdout().lock();
    match command {
        ProfileCommand::Init { path, force } => {
            if path.exists() && !force {
                anyhow::bail!(
                    "{} already exists; edit it, or pass --force to replace it with the defaults",
                    path.display()
                );
            }
            fsutil::write_atomic(path, profile::DEFAULT_PROFILE_YAML.as_bytes(), 0o644)?;
            writeln!(
                out,
                "wrote {}: edit it, then run `clawboot --profile {} render`",
                path.display(),
                path.display()
            )?;
        }
        ProfileCommand::Show => match format {
            OutputFormat::Json => writeln!(out, "{}", serde_json::to_string_pretty(profile)?)?,
            OutputFormat::Text => write!(out, "{}", serde_yaml::to_string(profile)?)?,
        },
        ProfileCommand::Models => {
            let catalog = profile::model_catalog();
            match format {
                OutputFormat::Json => writeln!(out, "{}", serde_json::to_string_pretty(&catalog)?)?,
                OutputFormat::Text => {
                    for card in catalog {
                        let on = profile.litellm.models.contains(&card.id);
                        writeln!(
                            out,
                            "{} {:<40} {:<18} {}",
                            if on { "*" } else { " " },
                            card.id,
                            card.api_key,
                            card.name
                        )?;
                    }
                    writeln!(out, "* = enabled in litellm.models")?;
                }
            }
        }
    }
    Ok(Outcome::Clean)
}
