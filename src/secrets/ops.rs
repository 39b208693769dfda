//! Status, seed, rotate and roll back: the operations over the store, independent of any face.
//! Values stay in `SecretString`s; reports carry names, versions and states only.

use futures_util::{stream, StreamExt};
use secrecy::{ExposeSecret, SecretString};
use serde::Serialize;

use super::catalog::{self, Parameter, ValueSource};
use super::check::{is_placeholder, Verdict};
use super::live::{self, Apis, Live};
use super::ssm::{Current, Store, Version};
use crate::cluster::kubectl::Kubectl;
use crate::profile::Profile;

/// The label the version before a rotation or rollback carries.
pub const PREVIOUS_LABEL: &str = "previous";

/// Parallel requests to SSM: its default throughput is 40 transactions per second.
const CONCURRENCY: usize = 8;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum State {
    Missing,
    /// The `dummy` Terraform creates: counts as not set.
    Dummy,
    Set,
    InvalidShape,
}

impl State {
    /// The word for it in tables and JSON.
    pub fn word(self) -> &'static str {
        match self {
            Self::Missing => "missing",
            Self::Dummy => "dummy",
            Self::Set => "set",
            Self::InvalidShape => "invalid-shape",
        }
    }

    pub fn is_set(self) -> bool {
        matches!(self, Self::Set | Self::InvalidShape)
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Status {
    pub name: &'static str,
    pub path: String,
    pub required: bool,
    pub source: ValueSource,
    pub state: State,
    /// Why the value's shape is wrong or questionable (never the value).
    pub problem: Option<String>,
    pub version: Option<i64>,
    pub last_modified: Option<String>,
    pub key_id: Option<String>,
    /// How the stored value fared where it works (when tokens are checked).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub live: Option<Live>,
}

/// Classify a stored value against its parameter's shape.
pub fn classify(parameter: &Parameter, current: Option<&Current>) -> (State, Option<String>) {
    match current {
        None => (State::Missing, None),
        Some(c) if is_placeholder(&c.value) => (State::Dummy, None),
        Some(c) => match parameter.shape.check(&c.value) {
            Verdict::Valid => (State::Set, None),
            Verdict::Warning(why) => (State::Set, Some(why)),
            Verdict::Invalid(why) => (State::InvalidShape, Some(why)),
        },
    }
}

/// The state of every parameter of the catalog, with SSM's metadata; with `apis`, each set
/// token is also checked where it works (all at once).
pub async fn status(
    store: &Store,
    profile: &Profile,
    apis: Option<&Apis>,
) -> anyhow::Result<Vec<Status>> {
    let paths = catalog_paths(profile);
    let (metadata, mut values) = tokio::try_join!(
        store.describe(&profile.aws.ssm_prefix),
        store.get_many(&paths)
    )?;
    let metadata = &metadata;
    let statuses = catalog::all().iter().map(|parameter| {
        let path = catalog::ssm_path(profile, parameter);
        let current = values.remove(&path);
        async move {
            let (state, problem) = classify(parameter, current.as_ref());
            let live = match (apis, &current, state) {
                (Some(apis), Some(current), State::Set) => {
                    live::check(apis, profile, parameter, &current.value).await
                }
                _ => None,
            };
            let meta = metadata.get(&path);
            Status {
                name: parameter.name,
                required: parameter.required(profile),
                source: parameter.source,
                state,
                problem,
                version: current.as_ref().map(|c| c.version),
                last_modified: meta.and_then(|m| m.last_modified.clone()),
                key_id: meta.and_then(|m| m.key_id.clone()),
                live,
                path,
            }
        }
    });
    Ok(futures_util::future::join_all(statuses).await)
}

fn catalog_paths(profile: &Profile) -> Vec<String> {
    catalog::all()
        .iter()
        .map(|p| catalog::ssm_path(profile, p))
        .collect()
}

/// A value to write to one parameter.
pub struct Write {
    pub name: String,
    pub path: String,
    pub description: String,
    pub value: SecretString,
    /// Label the version being replaced `previous` first (rotation, rollback).
    pub keep_previous: bool,
}

impl Write {
    pub fn new(
        profile: &Profile,
        parameter: &Parameter,
        value: SecretString,
        keep_previous: bool,
    ) -> Self {
        Self {
            name: parameter.name.to_string(),
            path: catalog::ssm_path(profile, parameter),
            description: parameter.description.to_string(),
            value,
            keep_previous,
        }
    }
}

/// Check each value against its parameter's shape before anything is written: the warnings,
/// or one error naming every refused value. Messages never hold a value.
pub fn check_values<'a>(
    values: impl IntoIterator<Item = (&'a Parameter, &'a SecretString)>,
) -> anyhow::Result<Vec<String>> {
    let mut warnings = Vec::new();
    let mut invalid = Vec::new();
    for (parameter, value) in values {
        match parameter.shape.check(value) {
            Verdict::Valid => {}
            Verdict::Warning(why) => warnings.push(format!("{}: the value {why}", parameter.name)),
            Verdict::Invalid(why) => invalid.push(format!("{}: the value {why}", parameter.name)),
        }
    }
    if invalid.is_empty() {
        Ok(warnings)
    } else {
        anyhow::bail!("{}\nNothing was written.", invalid.join("\n"))
    }
}

#[derive(Debug, Default, Serialize)]
pub struct WriteReport {
    pub written: Vec<Written>,
    /// Already held exactly this value: no new version was made.
    pub unchanged: Vec<String>,
    pub failed: Vec<Failed>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Written {
    pub name: String,
    pub version: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Failed {
    pub name: String,
    pub error: String,
}

/// Write every value, at most [`CONCURRENCY`] at a time. The stored values are read first (in
/// batches), so an unchanged value makes no new version and a re-run after a partial failure
/// writes only what is still missing.
pub async fn write_all(store: &Store, writes: Vec<Write>) -> WriteReport {
    let paths: Vec<String> = writes.iter().map(|w| w.path.clone()).collect();
    let mut report = WriteReport::default();
    let mut current = match store.get_many(&paths).await {
        Ok(current) => current,
        Err(e) => {
            let error = format!("{e:#}");
            report.failed = writes
                .into_iter()
                .map(|w| Failed {
                    name: w.name,
                    error: error.clone(),
                })
                .collect();
            return report;
        }
    };
    let jobs: Vec<(Write, Option<Current>)> = writes
        .into_iter()
        .map(|w| {
            let stored = current.remove(&w.path);
            (w, stored)
        })
        .collect();
    let results: Vec<(String, anyhow::Result<Option<i64>>)> = stream::iter(jobs)
        .map(|(write, stored)| async move {
            let name = write.name.clone();
            (name, write_one(store, write, stored).await)
        })
        .buffer_unordered(CONCURRENCY)
        .collect()
        .await;
    for (name, result) in results {
        match result {
            Ok(Some(version)) => report.written.push(Written { name, version }),
            Ok(None) => report.unchanged.push(name),
            Err(e) => report.failed.push(Failed {
                name,
                error: format!("{e:#}"),
            }),
        }
    }
    report.written.sort_by(|a, b| a.name.cmp(&b.name));
    report.unchanged.sort();
    report.failed.sort_by(|a, b| a.name.cmp(&b.name));
    report
}

/// Write one value over what is `stored`; `Ok(None)` when that is already this value.
async fn write_one(
    store: &Store,
    write: Write,
    stored: Option<Current>,
) -> anyhow::Result<Option<i64>> {
    if let Some(stored) = &stored {
        if stored.value.expose_secret() == write.value.expose_secret() {
            return Ok(None);
        }
        if write.keep_previous {
            store
                .label(&write.path, stored.version, PREVIOUS_LABEL)
                .await?;
        }
    }
    store
        .put(
            &write.path,
            &write.description,
            &write.value,
            stored.is_some(),
        )
        .await
        .map(Some)
        .map_err(Into::into)
}

/// What a rollback did.
#[derive(Debug, Clone, Serialize)]
pub struct Rollback {
    pub name: String,
    pub restored_version: i64,
    pub replaced_version: i64,
    pub new_version: i64,
    pub label: String,
}

/// Write the value of an earlier version back as a new version (SSM versions are immutable),
/// label it `restored-v<N>`, and label the replaced version `previous`. Nothing is deleted.
/// Without `to`, the version labelled `previous` is restored.
pub async fn rollback(
    store: &Store,
    profile: &Profile,
    parameter: &Parameter,
    to: Option<i64>,
) -> anyhow::Result<Rollback> {
    let path = catalog::ssm_path(profile, parameter);
    let history = store.history(&path).await?;
    let latest = history.last().map(|v| v.version).ok_or_else(|| {
        anyhow::anyhow!("{path} does not exist: nothing to roll back (run `clawboot secrets seed`)")
    })?;
    let target = rollback_target(&history, to, &path)?;
    if target == latest {
        anyhow::bail!("version {target} is already the current version of {path}");
    }
    let value = store.get_version(&path, target).await?;
    let write = Write::new(profile, parameter, value, true);
    let stored = store.get(&path).await?;
    let new_version = write_one(store, write, stored).await?.ok_or_else(|| {
        anyhow::anyhow!("version {target} holds the same value as the current version of {path}: nothing to roll back")
    })?;
    let label = format!("restored-v{target}");
    store.label(&path, new_version, &label).await?;
    Ok(Rollback {
        name: parameter.name.to_string(),
        restored_version: target,
        replaced_version: latest,
        new_version,
        label,
    })
}

fn rollback_target(history: &[Version], to: Option<i64>, path: &str) -> anyhow::Result<i64> {
    match to {
        Some(version) if history.iter().any(|v| v.version == version) => Ok(version),
        Some(version) => anyhow::bail!(
            "{path} has no version {version}; see `clawboot secrets history`"
        ),
        None => history
            .iter()
            .find(|v| v.labels.iter().any(|l| l == PREVIOUS_LABEL))
            .map(|v| v.version)
            .ok_or_else(|| {
                anyhow::anyhow!("no version of {path} is labelled {PREVIOUS_LABEL}: give --to VERSION (see `clawboot secrets history`)")
            }),
    }
}

/// What the cluster must do after parameters changed: make external-secrets fetch them now,
/// then restart the deployments that read them.
#[derive(Debug, Default, PartialEq, Eq, Serialize)]
pub struct ClusterFollowUp {
    pub external_secrets: Vec<&'static str>,
    pub deployments: Vec<&'static str>,
}

impl ClusterFollowUp {
    pub fn for_parameters(profile: &Profile, parameters: &[&Parameter]) -> Self {
        let mut follow_up = Self::default();
        for parameter in parameters {
            for es in parameter.external_secrets(profile) {
                if !follow_up.external_secrets.contains(&es) {
                    follow_up.external_secrets.push(es);
                }
            }
            for deployment in parameter.readers {
                if !follow_up.deployments.contains(deployment) {
                    follow_up.deployments.push(deployment);
                }
            }
        }
        follow_up
    }

    /// The force-sync value of a follow-up started now: the Unix time.
    pub fn stamp() -> String {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or_default()
            .to_string()
    }

    /// The commands as the operator would type them, to show or to run by hand.
    pub fn shown(&self, kubectl: &Kubectl, stamp: &str) -> Vec<String> {
        self.commands(stamp)
            .iter()
            .map(|c| kubectl.display(&as_args(c)))
            .collect()
    }

    /// The kubectl commands, in order (`stamp` is the force-sync value, e.g. the Unix time).
    fn commands(&self, stamp: &str) -> Vec<Vec<String>> {
        let mut commands = self.annotations(stamp);
        commands.extend(self.restarts());
        commands
    }

    fn annotations(&self, stamp: &str) -> Vec<Vec<String>> {
        self.external_secrets
            .iter()
            .map(|es| {
                vec![
                    "annotate".to_string(),
                    format!("externalsecret/{es}"),
                    format!("force-sync={stamp}"),
                    "--overwrite".to_string(),
                ]
            })
            .collect()
    }

    /// Restart each deployment, then wait for each rollout.
    fn restarts(&self) -> Vec<Vec<String>> {
        let rollout = |verb: &str, d: &str| {
            let mut command = vec![
                "rollout".to_string(),
                verb.to_string(),
                format!("deployment/{d}"),
            ];
            if verb == "status" {
                command.push(format!("--timeout={}s", ROLLOUT_LIMIT.as_secs()));
            }
            command
        };
        let restarts = self.deployments.iter().map(|d| rollout("restart", d));
        let waits = self.deployments.iter().map(|d| rollout("status", d));
        restarts.chain(waits).collect()
    }

    /// Run the commands. The pods restart only after external-secrets has fetched the new
    /// values (its refresh time moved past the annotation), or they would start with the old
    /// ones; then wait for each rollout, telling `progress(deployment, done, total)`.
    pub async fn run(
        &self,
        kubectl: &Kubectl,
        stamp: &str,
        mut progress: impl FnMut(&str, u64, u64),
    ) -> anyhow::Result<()> {
        let mut before = Vec::new();
        for es in &self.external_secrets {
            before.push(refresh_time(kubectl, es).await?);
        }
        for es in &self.external_secrets {
            let resource = format!("externalsecret/{es}");
            kubectl
                .annotate(&resource, &format!("force-sync={stamp}"))
                .await?;
        }
        for (es, before) in self.external_secrets.iter().zip(&before) {
            wait_for_refresh(kubectl, es, before).await?;
        }
        for deployment in &self.deployments {
            kubectl.rollout_restart(deployment).await?;
        }
        for deployment in &self.deployments {
            kubectl
                .rollout_status(deployment, ROLLOUT_LIMIT, |done, total| {
                    progress(deployment, done, total)
                })
                .await
                .map_err(|e| {
                    anyhow::anyhow!(
                        "deployment/{deployment} did not finish its rollout: {}\nsee `{}`",
                        e.message,
                        kubectl.display(&["describe", &format!("deployment/{deployment}")])
                    )
                })?;
        }
        Ok(())
    }
}

fn as_args(command: &[String]) -> Vec<&str> {
    command.iter().map(String::as_str).collect()
}

/// How long a restarted deployment may take to be ready again (image pulls included).
pub const ROLLOUT_LIMIT: std::time::Duration = std::time::Duration::from_secs(300);
/// How often, and how many times, to look whether an ExternalSecret has refreshed.
const REFRESH_POLL: std::time::Duration = std::time::Duration::from_secs(2);
const REFRESH_POLLS: u32 = 60;

#[derive(serde::Deserialize)]
struct ExternalSecret {
    #[serde(default)]
    status: RefreshStatus,
}

#[derive(Default, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct RefreshStatus {
    #[serde(default)]
    refresh_time: Option<String>,
}

async fn refresh_time(kubectl: &Kubectl, es: &str) -> anyhow::Result<Option<String>> {
    let resource = format!("externalsecret/{es}");
    let es: ExternalSecret = kubectl.get_json(&[&resource]).await?;
    Ok(es.status.refresh_time)
}

async fn wait_for_refresh(
    kubectl: &Kubectl,
    es: &str,
    before: &Option<String>,
) -> anyhow::Result<()> {
    for _ in 0..REFRESH_POLLS {
        if refresh_time(kubectl, es).await? != *before {
            return Ok(());
        }
        tokio::time::sleep(REFRESH_POLL).await;
    }
    anyhow::bail!(
        "externalsecret/{es} did not refresh within {} s: see `{}`",
        REFRESH_POLL.as_secs() * u64::from(REFRESH_POLLS),
        kubectl.display(&["describe", &format!("externalsecret/{es}")])
    )
}

#[cfg(test)]
mod tests {
    use super::State;

    #[test]
    fn one_word_for_a_state_in_tables_and_json() {
        for state in [
            State::Missing,
            State::Dummy,
            State::Set,
            State::InvalidShape,
        ] {
            assert_eq!(serde_json::to_value(state).unwrap(), state.word());
        }
    }
}
