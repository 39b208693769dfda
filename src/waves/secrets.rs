//! Wave 2: the secrets in SSM Parameter Store. Generated values are generated, the operator's
//! own are asked one at a time (masked) and written as soon as each is checked, so an
//! interrupted wave keeps what was entered and the next run asks only for the rest.

use std::collections::BTreeMap;

use secrecy::SecretString;

use super::journal::EntryState;
use super::preflight::brief;
use super::{Answer, Engine, Event, Halt, Mark, Question, Reach, Report, Status, Wave};
use crate::cluster::kubectl::Kubectl;
use crate::secrets::catalog::{self, Parameter, ValueSource};
use crate::secrets::check::Verdict;
use crate::secrets::ops::{self, ClusterFollowUp, State};

pub async fn observe(engine: &Engine) -> Report {
    let statuses = match ops::status(engine.store().await, &engine.profile).await {
        Ok(statuses) => statuses,
        Err(e) => {
            return Report::new(Wave::Secrets, Status::Skipped("AWS does not answer".into()))
                .line(Mark::Fail, format!("AWS: {}", brief(&format!("{e:#}"))))
        }
    };
    let mut report = Report::new(Wave::Secrets, Status::Pending);
    let (mut ask, mut generate) = (0, 0);
    for s in statuses.iter().filter(|s| s.required) {
        let version = s
            .version
            .map(|v| format!(" (version {v})"))
            .unwrap_or_default();
        let line = match (s.state, s.source) {
            (State::Set, _) => (Mark::Ok, format!("{} is set{version}", s.name)),
            (State::InvalidShape, _) => (
                Mark::Warn,
                format!(
                    "{} is set but the value {}: rotate it",
                    s.name,
                    s.problem.as_deref().unwrap_or("looks wrong")
                ),
            ),
            (_, ValueSource::Terraform) => (
                Mark::Info,
                format!(
                    "{} comes from the Cloudflare Terraform (Wave 1's apply)",
                    s.name
                ),
            ),
            (_, ValueSource::Generated) => {
                generate += 1;
                (Mark::Todo, format!("{} will be generated", s.name))
            }
            (_, ValueSource::Asked) => {
                ask += 1;
                (Mark::Todo, format!("{} needs your value", s.name))
            }
        };
        report = report.line(line.0, line.1);
    }
    report.status = if ask + generate == 0 {
        Status::Done("every value clawboot writes is set".into())
    } else {
        Status::Todo(format!("{ask} to ask, {generate} to generate"))
    };
    report
}

/// Generate what is generated, then ask for each missing value of the operator's.
pub async fn apply(engine: &Engine) -> Result<Report, Halt> {
    let statuses = ops::status(engine.store().await, &engine.profile).await?;
    let missing: Vec<&'static Parameter> = statuses
        .iter()
        .filter(|s| s.required && s.source != ValueSource::Terraform && !s.state.is_set())
        .filter_map(|s| catalog::find(s.name))
        .collect();
    let total = missing.len() as u64;
    let mut facts = BTreeMap::new();
    let mut skipped = Vec::new();
    for (done, parameter) in missing.iter().enumerate() {
        engine.send(Event::Progress {
            wave: Wave::Secrets,
            done: done as u64,
            total,
            countdown: false,
        });
        let value = match new_value(engine, parameter).await {
            NewValue::Value(value) => value,
            NewValue::Left => {
                skipped.push(parameter.name);
                continue;
            }
            NewValue::Stop => return interrupted(engine, facts),
        };
        let version = write(engine, parameter, value, false).await?;
        engine.log(format!("{} written (version {version})", parameter.name));
        facts.insert(parameter.name.to_string(), format!("v{version}"));
        engine
            .journal()
            .record(Wave::Secrets, EntryState::Interrupted, facts.clone())?;
    }
    engine
        .journal()
        .record(Wave::Secrets, EntryState::Applied, facts)?;
    let mut report = observe(engine).await;
    if !skipped.is_empty() {
        report = report.line(
            Mark::Info,
            format!(
                "left for later: {} (run clawboot again)",
                skipped.join(", ")
            ),
        );
    }
    Ok(report)
}

fn interrupted(engine: &Engine, facts: BTreeMap<String, String>) -> Result<Report, Halt> {
    engine
        .journal()
        .record(Wave::Secrets, EntryState::Interrupted, facts)?;
    Err(Halt::Interrupted)
}

enum NewValue {
    Value(SecretString),
    /// Left for later (an empty field, or no value in a batch run).
    Left,
    /// Ctrl-C, or a stop asked for while the last write ran.
    Stop,
}

/// A generated value, or the operator's.
async fn new_value(engine: &Engine, parameter: &Parameter) -> NewValue {
    if engine.stop_requested() {
        return NewValue::Stop;
    }
    if parameter.source == ValueSource::Generated {
        return parameter
            .shape
            .generate()
            .map_or(NewValue::Left, NewValue::Value);
    }
    match ask_value(engine, parameter).await {
        Answer::Secret(value) => NewValue::Value(value),
        Answer::Interrupt => NewValue::Stop,
        _ => NewValue::Left,
    }
}

/// Ask until the value has the right shape, or the operator leaves it (empty) or stops.
async fn ask_value(engine: &Engine, parameter: &Parameter) -> Answer {
    let page = catalog::token_page(parameter.name, &engine.profile)
        .map(|(url, steps)| (url.to_string(), steps));
    if engine.settings.open_browser {
        if let Some((url, _)) = &page {
            // The address is shown too: a browser that cannot open is not an error.
            let _ = open::that_detached(url);
        }
    }
    let mut problem = None;
    loop {
        let answer = engine
            .ask(Question::Secret {
                name: parameter.name.to_string(),
                description: parameter.description.to_string(),
                page: page.clone(),
                problem: problem.take(),
            })
            .await;
        let Answer::Secret(value) = &answer else {
            return answer;
        };
        match parameter.shape.check(value) {
            Verdict::Valid => return answer,
            Verdict::Warning(why) => {
                engine.log(format!("warning: {}: the value {why}", parameter.name));
                return answer;
            }
            Verdict::Invalid(why) => problem = Some(format!("the value {why}")),
        }
    }
}

/// Write one value; its new version.
async fn write(
    engine: &Engine,
    parameter: &Parameter,
    value: SecretString,
    keep_previous: bool,
) -> anyhow::Result<i64> {
    let write = ops::Write::new(&engine.profile, parameter, value, keep_previous);
    let report = ops::write_all(engine.store().await, vec![write]).await;
    if let Some(failed) = report.failed.first() {
        anyhow::bail!("{} was not written: {}", failed.name, failed.error);
    }
    match report.written.first() {
        Some(written) => Ok(written.version),
        None => anyhow::bail!(
            "{} already holds exactly this value: give a new one",
            parameter.name
        ),
    }
}

/// The parameters a rotation may replace: set, and not owned by Terraform.
pub async fn rotatable(engine: &Engine) -> anyhow::Result<Vec<&'static Parameter>> {
    let statuses = ops::status(engine.store().await, &engine.profile).await?;
    Ok(statuses
        .iter()
        .filter(|s| s.state.is_set() && s.source != ValueSource::Terraform)
        .filter_map(|s| catalog::find(s.name))
        .collect())
}

/// Replace the values of `parameters` (the old versions stay, the last labelled `previous`),
/// then make the cluster fetch them and restart what reads them.
pub async fn rotate(engine: &Engine, parameters: &[&'static Parameter]) -> Result<Report, Halt> {
    let mut facts = BTreeMap::new();
    let mut changed = Vec::new();
    for parameter in parameters {
        let value = match new_value(engine, parameter).await {
            NewValue::Value(value) => value,
            NewValue::Left => continue,
            NewValue::Stop => return interrupted(engine, facts),
        };
        let version = write(engine, parameter, value, true).await?;
        engine.log(format!(
            "{} rotated to version {version}; the one before is labelled {}",
            parameter.name,
            ops::PREVIOUS_LABEL
        ));
        facts.insert(parameter.name.to_string(), format!("v{version}"));
        changed.push(*parameter);
    }
    engine
        .journal()
        .record(Wave::Secrets, EntryState::Applied, facts)?;
    let names: Vec<&str> = changed.iter().map(|p| p.name).collect();
    let mut report = Report::new(
        Wave::Secrets,
        Status::Done(match names.len() {
            0 => "nothing rotated".to_string(),
            _ => format!("rotated {}", names.join(", ")),
        }),
    );
    for line in follow_up(engine, &changed).await? {
        report = report.line(line.0, line.1);
    }
    Ok(report)
}

/// Force-sync the ExternalSecrets and restart the deployments, or say what to run.
async fn follow_up(
    engine: &Engine,
    changed: &[&'static Parameter],
) -> anyhow::Result<Vec<(Mark, String)>> {
    let follow_up = ClusterFollowUp::for_parameters(&engine.profile, changed);
    let stamp = ClusterFollowUp::stamp();
    let kubectl: &Kubectl = engine.kubectl();
    let commands = follow_up.shown(kubectl, &stamp);
    if commands.is_empty() {
        return Ok(Vec::new());
    }
    let reachable = matches!(engine.reach().await, Reach::Reachable);
    if !(engine.settings.touch_cluster && reachable) {
        let why = if reachable {
            "the cluster was not touched"
        } else {
            "the cluster does not answer"
        };
        let mut lines = vec![(Mark::Todo, format!("{why}; to pick up the new values run:"))];
        lines.extend(commands.into_iter().map(|c| (Mark::Info, c)));
        return Ok(lines);
    }
    follow_up.run(kubectl, &stamp).await?;
    Ok(vec![(
        Mark::Ok,
        format!(
            "external-secrets fetched the new values; restarted {}",
            follow_up.deployments.join(", ")
        ),
    )])
}
