//! Wave 2, the secrets in SSM Parameter Store, and the tasks over them: status, seed, rotate,
//! history, rollback. Generated values are generated, the operator's own are asked one at a
//! time (masked) and written as soon as each is checked, so an interrupted run keeps what was
//! entered and the next one asks only for the rest.

use std::collections::BTreeMap;

use futures_util::stream::{FuturesUnordered, StreamExt};
use secrecy::{ExposeSecret, SecretString};

use super::data::Written;
use super::journal::EntryState;
use super::{
    Answer, Consent, Data, Engine, Event, Halt, Mark, Question, Reach, Report, Status, TokenChecks,
    Wave,
};
use crate::secrets::catalog::{self, Parameter, ValueSource};
use crate::secrets::check::Verdict;
use crate::secrets::live;
use crate::secrets::ops::{self, ClusterFollowUp, State, Write, WriteReport};

pub async fn observe(engine: &Engine) -> Report {
    match statuses(engine, Live::Checked).await {
        Ok(statuses) => report_of(&statuses),
        Err(e) => Report::new(Wave::Secrets, Status::Skipped("AWS does not answer".into()))
            .line(Mark::Fail, format!("AWS: {e}")),
    }
}

/// Whether a look at the parameters also checks each token where it works.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Live {
    Checked,
    Unchecked,
}

/// Every parameter's state, as SSM has it now.
async fn statuses(engine: &Engine, live: Live) -> anyhow::Result<Vec<ops::Status>> {
    let apis = match live {
        Live::Checked => engine.settings.token_checks.at_status(),
        Live::Unchecked => None,
    };
    ops::status(engine.store().await, &engine.profile, apis).await
}

/// The wave's report over the parameters' states.
fn report_of(statuses: &[ops::Status]) -> Report {
    let mut report = Report::new(Wave::Secrets, Status::Pending);
    let (mut ask, mut generate, mut terraform, mut refused) = (0, 0, 0, 0);
    for s in statuses.iter().filter(|s| s.required) {
        let version = s
            .version
            .map(|v| format!(" (version {v})"))
            .unwrap_or_default();
        let (mark, text) = match (s.state, s.source) {
            (State::Set, _) => match &s.live {
                Some(live) => {
                    refused += matches!(live, live::Live::Refused { .. }) as usize;
                    live_line(s.name, &version, live)
                }
                None => (Mark::Ok, format!("{} is set{version}", s.name)),
            },
            (State::InvalidShape, ValueSource::Asked) => {
                ask += 1;
                (
                    Mark::Warn,
                    format!(
                        "{} is set but the value {}: seeding asks for a new one (the old version stays)",
                        s.name,
                        s.problem.as_deref().unwrap_or("looks wrong")
                    ),
                )
            }
            (State::InvalidShape, _) => (
                Mark::Warn,
                format!(
                    "{} is set but the value {}: rotate it",
                    s.name,
                    s.problem.as_deref().unwrap_or("looks wrong")
                ),
            ),
            (_, ValueSource::Terraform) => {
                terraform += 1;
                (
                    Mark::Info,
                    format!(
                        "{} comes from the Cloudflare Terraform (Wave 1's apply)",
                        s.name
                    ),
                )
            }
            (_, ValueSource::Generated) => {
                generate += 1;
                (Mark::Todo, format!("{} will be generated", s.name))
            }
            (_, ValueSource::Asked) => {
                ask += 1;
                (Mark::Todo, format!("{} needs your value", s.name))
            }
        };
        report = report.line(mark, text);
    }
    report.status = match (ask + generate, terraform) {
        _ if refused > 0 => Status::Attention(format!(
            "{refused} stored token(s) refused where they work: rotate them"
        )),
        (0, 0) => Status::Done("every value is set".into()),
        (0, _) => Status::Attention(
            "every value clawboot writes is set; the tunnel token waits for the Cloudflare Terraform"
                .into(),
        ),
        _ => Status::Todo(format!("{ask} to ask, {generate} to generate")),
    };
    report
}

/// A set token's line, with how it fared where it works: a warning (a missing permission, a
/// bot in no server) or a refusal stands out.
fn live_line(name: &str, version: &str, live: &live::Live) -> (Mark, String) {
    let said = live::live_words(live);
    match live {
        live::Live::Refused { .. } => (
            Mark::Fail,
            format!("{name} is set{version} but {said}: `clawboot rotate {name}`"),
        ),
        live::Live::Unchecked { .. } => (Mark::Ok, format!("{name} is set{version} ({said})")),
        live::Live::Works { notes } if notes.iter().any(|n| n.warning) => {
            (Mark::Warn, format!("{name} is set{version}: {said}"))
        }
        live::Live::Works { .. } => (Mark::Ok, format!("{name} is set{version}: {said}")),
    }
}

/// `secrets status`: the wave's report, and every parameter's state as data.
pub async fn status(engine: &Engine) -> Result<Report, Halt> {
    let statuses = engine.read(statuses(engine, Live::Checked)).await??;
    engine.send(Event::Data(Data::Secrets {
        parameters: statuses.clone(),
    }));
    Ok(report_of(&statuses))
}

/// Wave 2's apply: seed what is missing.
pub async fn apply(engine: &Engine) -> Result<Report, Halt> {
    seed(engine, false).await
}

/// Write every required value that is missing (or a Terraform `dummy`); replace the operator's
/// values of the wrong shape (and, with `overwrite`, all of them) once that is confirmed. A
/// generated value that is set is replaced only by a rotation.
pub async fn seed(engine: &Engine, overwrite: bool) -> Result<Report, Halt> {
    let statuses = engine.read(statuses(engine, Live::Unchecked)).await??;
    let writable = |s: &&ops::Status| s.required && s.source != ValueSource::Terraform;
    let mut targets: Vec<(&'static Parameter, bool)> = statuses
        .iter()
        .filter(writable)
        .filter(|s| !s.state.is_set())
        .filter_map(|s| catalog::find(s.name).map(|p| (p, false)))
        .collect();
    let set: Vec<&'static Parameter> = statuses
        .iter()
        .filter(writable)
        .filter(|s| s.state.is_set())
        .filter_map(|s| catalog::find(s.name))
        .collect();
    let mut kept: Vec<String> = set.iter().map(|p| p.name.to_string()).collect();
    // A value of the wrong shape is offered for replacement on every seed, with the same
    // confirmation as --overwrite; a good one only with --overwrite.
    let malformed = |p: &Parameter| {
        statuses
            .iter()
            .any(|s| s.name == p.name && s.state == State::InvalidShape)
    };
    let replaceable: Vec<&'static Parameter> = set
        .iter()
        .copied()
        .filter(|p| p.source == ValueSource::Asked && (overwrite || malformed(p)))
        .collect();
    let declined = !replaceable.is_empty() && !confirm_replace(engine, &replaceable).await?;
    if !replaceable.is_empty() && !declined {
        kept.retain(|name| !replaceable.iter().any(|p| p.name == name));
        targets.extend(replaceable.iter().map(|p| (*p, true)));
    }
    let mut written = write_new_values(engine, &targets).await?;
    written.kept.extend(kept);
    written.terraform_unset = statuses
        .iter()
        .filter(|s| s.required && s.source == ValueSource::Terraform && !s.state.is_set())
        .map(|s| s.name.to_string())
        .collect();
    engine
        .journal()
        .record(Wave::Secrets, entry_state(&written), versions(&written))?;
    let left = written.left.clone();
    let now = after_writes(statuses, &written);
    finish_writes(engine, written)?;
    let mut report = report_of(&now);
    if !left.is_empty() {
        report = report.line(
            Mark::Info,
            format!("left for later: {} (run clawboot again)", left.join(", ")),
        );
    }
    if declined {
        report.status = Status::Todo("the set values were not replaced: not confirmed".into());
    }
    Ok(report)
}

/// The states after `written`: what was read before, with each value written now set at its
/// new version (checked before it was written), so nothing is read twice.
fn after_writes(mut statuses: Vec<ops::Status>, written: &Written) -> Vec<ops::Status> {
    for w in &written.written {
        if let Some(s) = statuses.iter_mut().find(|s| s.name == w.name) {
            s.state = State::Set;
            s.problem = None;
            s.version = Some(w.version);
        }
    }
    statuses
}

async fn confirm_replace(engine: &Engine, parameters: &[&Parameter]) -> Result<bool, Halt> {
    let names: Vec<&str> = parameters.iter().map(|p| p.name).collect();
    let question = Question::Confirm {
        wave: Wave::Secrets,
        consent: Consent::Replace,
        text: format!(
            "Replace the current values of {} (the old versions stay in SSM)?",
            names.join(", ")
        ),
        default: false,
    };
    match engine.ask(question).await {
        Answer::Yes => Ok(true),
        Answer::Interrupt => Err(Halt::Interrupted),
        _ => {
            engine.log(format!(
                "kept the current values of {}: nothing was replaced",
                names.join(", ")
            ));
            Ok(false)
        }
    }
}

/// Give each of `targets` (parameter, whether it replaces a set value) a new value: the
/// generated ones together, then each of the operator's as soon as it is given and checked.
/// Writes run while the next value is asked (a batch run gives them all at once); Ctrl-C waits
/// for the writes under way, so none is cut short.
async fn write_new_values(
    engine: &Engine,
    targets: &[(&'static Parameter, bool)],
) -> Result<Written, Halt> {
    let mut written = Written::default();
    let mut pending = FuturesUnordered::new();
    let generated: Vec<Write> = targets
        .iter()
        .filter(|(p, _)| p.source == ValueSource::Generated)
        .filter_map(|(p, replaces)| {
            let value = p.shape.generate()?;
            Some(Write::new(&engine.profile, p, value, *replaces))
        })
        .collect();
    if !generated.is_empty() {
        pending.push(write(engine, generated));
    }
    let asked: Vec<_> = targets
        .iter()
        .filter(|(p, _)| p.source == ValueSource::Asked)
        .collect();
    let total = asked.len() as u64;
    for (done, (parameter, replaces)) in asked.into_iter().enumerate() {
        engine.send(Event::Progress {
            wave: Wave::Secrets,
            done: done as u64,
            total,
            countdown: false,
        });
        let asking = ask_value(engine, parameter, *replaces, None);
        tokio::pin!(asking);
        let answer = loop {
            tokio::select! {
                answer = &mut asking => break answer,
                Some(report) = pending.next() => add(&mut written, report),
            }
        };
        match answer {
            Answer::Secret(value) => {
                let one = Write::new(&engine.profile, parameter, value, *replaces);
                pending.push(write(engine, vec![one]));
            }
            Answer::Skip if *replaces => written.kept.push(parameter.name.to_string()),
            Answer::Interrupt => {
                while let Some(report) = pending.next().await {
                    add(&mut written, report);
                }
                return stopped(engine, &written);
            }
            _ => written.left.push(parameter.name.to_string()),
        }
    }
    while let Some(report) = pending.next().await {
        add(&mut written, report);
    }
    written.written.sort_by(|a, b| a.name.cmp(&b.name));
    written.unchanged.sort();
    written.failed.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(written)
}

async fn write(engine: &Engine, writes: Vec<Write>) -> WriteReport {
    let report = ops::write_all(engine.store().await, writes).await;
    for w in &report.written {
        engine.log(format!("{} written (version {})", w.name, w.version));
    }
    report
}

fn add(written: &mut Written, report: WriteReport) {
    written.written.extend(report.written);
    written.unchanged.extend(report.unchanged);
    written.failed.extend(report.failed);
}

/// Ctrl-C: what was written is journaled, so the next run asks only for the rest.
fn stopped<T>(engine: &Engine, written: &Written) -> Result<T, Halt> {
    engine
        .journal()
        .record(Wave::Secrets, EntryState::Interrupted, versions(written))?;
    Err(Halt::Interrupted)
}

/// The versions written, for the journal.
fn versions(written: &Written) -> BTreeMap<String, String> {
    written
        .written
        .iter()
        .map(|w| (w.name.clone(), format!("v{}", w.version)))
        .collect()
}

/// Hand the writes to the face; a partial failure ends the task saying what was written.
fn finish_writes(engine: &Engine, written: Written) -> Result<(), Halt> {
    let failure = (!written.failed.is_empty()).then(|| {
        let names = |mut list: Vec<&str>| match list.is_empty() {
            true => "none".to_string(),
            false => {
                list.sort_unstable();
                list.join(", ")
            }
        };
        anyhow::anyhow!(
            "written: {}; NOT written: {}. Run the same command again to finish: what is written is skipped.",
            names(written.written.iter().map(|w| w.name.as_str()).collect()),
            names(written.failed.iter().map(|f| f.name.as_str()).collect()),
        )
    });
    engine.send(Event::Data(Data::Written(written)));
    match failure {
        Some(e) => Err(Halt::Failed(e)),
        None => Ok(()),
    }
}

/// Ask until the value has the right shape (and is not `stored`, the value a rotation
/// replaces), or the operator leaves it (empty) or stops.
async fn ask_value(
    engine: &Engine,
    parameter: &Parameter,
    replaces: bool,
    stored: Option<&SecretString>,
) -> Answer {
    if engine.stop_requested() {
        return Answer::Interrupt;
    }
    let page = catalog::token_page(parameter.name, &engine.profile)
        .map(|(url, steps)| (url.to_string(), steps));
    if engine.settings.open_browser {
        if let Some((url, _)) = &page {
            // The address is shown too: a browser that cannot open is not an error.
            let _ = open::that_detached(url);
        }
    }
    let question = Question::Secret {
        name: parameter.name.to_string(),
        replaces,
        description: parameter.description.to_string(),
        page,
        problem: None,
    };
    let mut problem = None;
    loop {
        let asked = match problem.take() {
            Some(why) => question.clone().refusing(why),
            None => question.clone(),
        };
        let answer = engine.ask(asked).await;
        let Answer::Secret(value) = &answer else {
            return answer;
        };
        if stored.is_some_and(|s| s.expose_secret() == value.expose_secret()) {
            problem = Some("the value is the one already stored: give the new one".to_string());
            continue;
        }
        match parameter.shape.check(value) {
            Verdict::Valid => {}
            Verdict::Warning(why) => {
                engine.log(format!("warning: {}: the value {why}", parameter.name));
            }
            Verdict::Invalid(why) => {
                problem = Some(format!("the value {why}"));
                continue;
            }
        }
        match refusal(engine, parameter, value).await {
            Ok(None) => return answer,
            Ok(Some(why)) => problem = Some(why),
            Err(_) => return Answer::Interrupt,
        }
    }
}

/// The value checked where it works, when tokens are checked as they are given: why it is
/// refused, if it is; what the API said goes to the log. Ctrl-C drops the check.
async fn refusal(
    engine: &Engine,
    parameter: &Parameter,
    value: &SecretString,
) -> Result<Option<String>, Halt> {
    let TokenChecks::On(apis) = &engine.settings.token_checks else {
        return Ok(None);
    };
    engine.log(format!("checking {} where it works…", parameter.name));
    let checked = live::check(apis, &engine.profile, parameter, value);
    let Some(live) = engine.read(checked).await? else {
        return Ok(None);
    };
    for line in live::said(parameter.name, &live) {
        engine.log(line);
    }
    Ok(match live {
        live::Live::Refused { why } => Some(format!("{why} ({})", live::OVERRIDE)),
        _ => None,
    })
}

/// The value a rotation replaces, so the same one is not taken as new; None when it cannot be
/// read (the write then says why) or Ctrl-C came first (the question then is not asked).
async fn stored_value(engine: &Engine, parameter: &Parameter) -> Option<SecretString> {
    let path = catalog::ssm_path(&engine.profile, parameter);
    let read = engine
        .read(async { engine.store().await.get(&path).await })
        .await;
    read.ok()?.ok()?.map(|current| current.value)
}

/// A new value for a rotation: generated, else the operator's, other than the stored one.
async fn new_value(engine: &Engine, parameter: &Parameter) -> Answer {
    match parameter.source {
        ValueSource::Generated => parameter
            .shape
            .generate()
            .map_or(Answer::Skip, Answer::Secret),
        _ => {
            let stored = stored_value(engine, parameter).await;
            ask_value(engine, parameter, true, stored.as_ref()).await
        }
    }
}

/// The parameters a rotation may replace: set, and not owned by Terraform.
pub async fn rotatable(engine: &Engine) -> Result<Vec<&'static Parameter>, Halt> {
    let statuses = engine.read(statuses(engine, Live::Unchecked)).await??;
    Ok(statuses
        .iter()
        .filter(|s| s.state.is_set() && s.source != ValueSource::Terraform)
        .filter_map(|s| catalog::find(s.name))
        .collect())
}

/// The named parameters, each one a rotation may replace, or why not (before anything is written).
pub async fn rotatable_named(
    engine: &Engine,
    names: &[String],
) -> Result<Vec<&'static Parameter>, Halt> {
    let set = rotatable(engine).await?;
    let named = names
        .iter()
        .map(|name| {
            let parameter = catalog::replaceable(name)?;
            anyhow::ensure!(
                set.iter().any(|p| p.name == parameter.name),
                "{} does not exist yet: run `clawboot secrets seed` first. Nothing was written.",
                catalog::ssm_path(&engine.profile, parameter)
            );
            Ok(parameter)
        })
        .collect::<anyhow::Result<_>>()?;
    Ok(named)
}

/// A value left for later is not done: the next run asks for it again.
fn entry_state(written: &Written) -> EntryState {
    match written.left.is_empty() {
        true => EntryState::Applied,
        false => EntryState::Skipped,
    }
}

/// Replace the values of `parameters` (the old versions stay, the last labelled `previous`),
/// then make the cluster fetch them and restart what reads them.
pub async fn rotate(engine: &Engine, parameters: &[&'static Parameter]) -> Result<Report, Halt> {
    let mut written = Written::default();
    for parameter in parameters {
        match new_value(engine, parameter).await {
            Answer::Secret(value) => {
                let one = Write::new(&engine.profile, parameter, value, true);
                add(&mut written, write(engine, vec![one]).await);
            }
            Answer::Interrupt => return stopped(engine, &written),
            _ => written.left.push(parameter.name.to_string()),
        }
    }
    engine
        .journal()
        .record(Wave::Secrets, entry_state(&written), versions(&written))?;
    let changed: Vec<&Parameter> = written
        .written
        .iter()
        .filter_map(|w| catalog::find(&w.name))
        .collect();
    let names: Vec<&str> = changed.iter().map(|p| p.name).collect();
    let mut report = Report::new(
        Wave::Secrets,
        Status::Done(match names.len() {
            0 => "nothing rotated".to_string(),
            _ => format!(
                "rotated {}; the versions before are labelled {}",
                names.join(", "),
                ops::PREVIOUS_LABEL
            ),
        }),
    );
    if !written.left.is_empty() {
        report.status = Status::Todo(format!(
            "no new value for {}: type it, or give it as CLAWBOOT_<NAME>, --from-file or --stdin",
            written.left.join(", ")
        ));
    }
    let follow_up = ClusterFollowUp::for_parameters(&engine.profile, &changed);
    written.cluster = follow_up.shown(engine.kubectl(), &ClusterFollowUp::stamp());
    finish_writes(engine, written)?;
    for (mark, text) in tell_cluster(engine, &follow_up).await? {
        report = report.line(mark, text);
    }
    Ok(report)
}

/// `secrets history`: every version of one parameter, without values.
pub async fn history(engine: &Engine, name: &str) -> Result<Report, Halt> {
    let parameter = catalog::known(name)?;
    let path = catalog::ssm_path(&engine.profile, parameter);
    let versions = engine
        .read(async { engine.store().await.history(&path).await })
        .await?
        .map_err(anyhow::Error::from)?;
    if versions.is_empty() {
        return Err(Halt::Failed(anyhow::anyhow!(
            "{path} does not exist: run `clawboot secrets seed`"
        )));
    }
    let count = versions.len();
    engine.send(Event::Data(Data::History {
        name: name.to_string(),
        path: path.clone(),
        versions,
    }));
    Ok(Report::new(
        Wave::Secrets,
        Status::Done(format!("{path}: {count} version(s)")),
    ))
}

/// `secrets rollback`: an earlier version's value written back as a new version, then the
/// cluster told, as after a rotation.
pub async fn rollback(engine: &Engine, name: &str, to: Option<i64>) -> Result<Report, Halt> {
    let parameter = catalog::replaceable(name)?;
    let done = ops::rollback(engine.store().await, &engine.profile, parameter, to).await?;
    let follow_up = ClusterFollowUp::for_parameters(&engine.profile, &[parameter]);
    let cluster = follow_up.shown(engine.kubectl(), &ClusterFollowUp::stamp());
    let mut facts = BTreeMap::new();
    facts.insert(done.name.clone(), format!("v{}", done.new_version));
    engine
        .journal()
        .record(Wave::Secrets, EntryState::Applied, facts)?;
    let mut report = Report::new(
        Wave::Secrets,
        Status::Done(format!(
            "{}: version {} restored as version {} (labelled {}); version {} is labelled {}",
            done.name,
            done.restored_version,
            done.new_version,
            done.label,
            done.replaced_version,
            ops::PREVIOUS_LABEL
        )),
    );
    engine.send(Event::Data(Data::RolledBack {
        rollback: done,
        cluster,
    }));
    for (mark, text) in tell_cluster(engine, &follow_up).await? {
        report = report.line(mark, text);
    }
    Ok(report)
}

/// Force-sync the ExternalSecrets and restart the deployments, or say what to run.
async fn tell_cluster(
    engine: &Engine,
    follow_up: &ClusterFollowUp,
) -> anyhow::Result<Vec<(Mark, String)>> {
    let stamp = ClusterFollowUp::stamp();
    let kubectl = engine.kubectl();
    let commands = follow_up.shown(kubectl, &stamp);
    if commands.is_empty() {
        return Ok(Vec::new());
    }
    let reachable =
        engine.settings.touch_cluster && matches!(engine.reach().await, Reach::Reachable);
    if !reachable {
        let why = match engine.settings.touch_cluster {
            false => "the cluster was not touched (--no-cluster)",
            true => "the cluster does not answer",
        };
        let mut lines = vec![(Mark::Todo, format!("{why}; to pick up the new values run:"))];
        lines.extend(commands.into_iter().map(|c| (Mark::Info, c)));
        return Ok(lines);
    }
    // The cause and each command on lines of their own, so a copied command is only a command.
    let progress = |_: &str, done, total| {
        engine.send(Event::Progress {
            wave: Wave::Secrets,
            done,
            total,
            countdown: false,
        })
    };
    follow_up.run(kubectl, &stamp, progress).await.map_err(|e| {
        anyhow::anyhow!(
            "the new values are in SSM, but the cluster did not pick them up:\n  {e:#}\nto pick them up, run by hand:\n  {}",
            commands.join("\n  ")
        )
    })?;
    Ok(vec![(
        Mark::Ok,
        format!(
            "external-secrets fetched the new values; restarted {} (rollout finished)",
            follow_up.deployments.join(", ")
        ),
    )])
}
