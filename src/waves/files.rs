//! Waves 1 and 3: render the Terraform into the infrastructure repo, the manifests (and the
//! workspace files) into the GitOps repo. Observe = render and compare; apply = write what
//! changed, atomically.

use std::collections::BTreeMap;

use sha2::{Digest, Sha256};

use super::journal::EntryState;
use super::{Answer, Engine, Halt, Mark, Question, Reach, Report, Status, Wave};
use crate::cluster::kubectl::Failure;
use crate::openclaw::plugins;
use crate::render::output::{self, Change, PlannedFile};
use crate::render::{self, Group, Roots};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Infrastructure,
    Manifests,
}

impl Target {
    pub fn wave(self) -> Wave {
        match self {
            Target::Infrastructure => Wave::Infrastructure,
            Target::Manifests => Wave::Manifests,
        }
    }

    fn groups(self) -> &'static [Group] {
        match self {
            Target::Infrastructure => &[Group::Terraform],
            Target::Manifests => &[Group::K8s, Group::Workspace],
        }
    }
}

/// The files of `target` against what is on disk.
fn plan(engine: &Engine, target: Target) -> anyhow::Result<Vec<PlannedFile>> {
    let roots = Roots::from_profile(&engine.profile);
    let mut planned = Vec::new();
    for group in target.groups() {
        planned.extend(output::plan(
            render::render(&engine.profile, Some(*group))?,
            &roots,
        )?);
    }
    Ok(planned)
}

pub fn observe(engine: &Engine, target: Target) -> Report {
    let wave = target.wave();
    let planned = match plan(engine, target) {
        Ok(planned) => planned,
        Err(e) => {
            return Report::new(wave, Status::Failed(format!("{e:#}")));
        }
    };
    let changed: Vec<&PlannedFile> = planned
        .iter()
        .filter(|f| f.change != Change::Unchanged)
        .collect();
    let status = if changed.is_empty() {
        Status::Done(format!("{} files up to date", planned.len()))
    } else {
        Status::Todo(format!(
            "{} of {} files to write into {}",
            changed.len(),
            planned.len(),
            destination(engine, target)
        ))
    };
    let mut report = Report::new(wave, status);
    for file in &changed {
        let verb = match file.change {
            Change::Created => "create",
            _ => "update",
        };
        report = report.line(Mark::Todo, format!("{verb} {}", file.path.display()));
        report.diff.push_str(&file.diff);
    }
    if target == Target::Manifests {
        for warning in plugins::not_installable(&engine.profile) {
            report = report.line(Mark::Warn, warning);
        }
    }
    if changed.is_empty() {
        for line in next_steps(engine, target) {
            report = report.line(Mark::Info, line);
        }
    }
    report
}

/// Write what changed; the journal gets the count and a hash of the files.
pub fn apply(engine: &Engine, target: Target) -> anyhow::Result<Report> {
    let planned = plan(engine, target)?;
    output::apply(&planned)?;
    let written = planned
        .iter()
        .filter(|f| f.change != Change::Unchanged)
        .count();
    let mut hash = Sha256::new();
    for file in &planned {
        hash.update(file.path.as_os_str().as_encoded_bytes());
        hash.update(crate::fsutil::read_regular(&file.path)?);
    }
    let facts = BTreeMap::from([
        ("files".to_string(), planned.len().to_string()),
        ("written".to_string(), written.to_string()),
        ("sha256".to_string(), format!("{:x}", hash.finalize())),
    ]);
    engine
        .journal()
        .record(target.wave(), EntryState::Applied, facts)?;
    let mut report = Report::new(
        target.wave(),
        Status::Done(format!(
            "{written} files written into {}",
            destination(engine, target)
        )),
    );
    for line in next_steps(engine, target) {
        report = report.line(Mark::Info, line);
    }
    Ok(report)
}

fn destination(engine: &Engine, target: Target) -> String {
    let repos = &engine.profile.repos;
    match target {
        Target::Infrastructure => repos.infrastructure.path.display().to_string(),
        Target::Manifests => repos
            .gitops
            .path
            .join(&repos.gitops.folder)
            .display()
            .to_string(),
    }
}

/// What only the operator can do after the files are written.
fn next_steps(engine: &Engine, target: Target) -> Vec<String> {
    let profile = &engine.profile;
    match target {
        Target::Infrastructure => vec![
            format!(
                "then, in {}: commit on a branch and open a pull request; `terraform plan` / `terraform apply` of terraform/aws/openclaw and terraform/cloudflare/{}/openclaw run through the repo's PR flow",
                profile.repos.infrastructure.path.display(),
                profile.cloudflare.zone
            ),
        ],
        Target::Manifests => vec![
            format!(
                "then, in {}: commit and push to {}; Argo CD syncs {} from there",
                profile.repos.gitops.path.display(),
                profile.repos.gitops.revision,
                profile.repos.gitops.folder
            ),
        ],
    }
}

fn application_manifest(engine: &Engine) -> std::path::PathBuf {
    let gitops = &engine.profile.repos.gitops;
    gitops.path.join(&gitops.folder).join("application.yaml")
}

/// The Argo CD Application, fully qualified (`application` alone may resolve to app.k8s.io).
const APPLICATION: &str = "applications.argoproj.io/openclaw";

/// Ask Argo CD to refresh the openclaw Application now; what happened, in one line.
pub async fn refresh_application(engine: &Engine) -> String {
    let argocd = engine
        .kubectl()
        .in_namespace(&engine.profile.argocd.namespace);
    let args = [
        "annotate",
        APPLICATION,
        "argocd.argoproj.io/refresh=normal",
        "--overwrite",
    ];
    match argocd.run(&args).await {
        Ok(_) => format!("done: {}", argocd.display(&args)),
        Err(e) => format!("Argo CD Application: {e}; sync it yourself"),
    }
}

/// When the cluster answers: create the Argo CD Application when it is missing, or (after new
/// manifests were `written`) ask Argo CD to refresh it, on the operator's word (the repo must be
/// pushed). A step that fails is a warning: the setup goes on.
pub async fn offer_sync(
    engine: &Engine,
    mut report: Report,
    written: bool,
) -> Result<Report, Halt> {
    if !matches!(engine.reach().await, Reach::Reachable) {
        return Ok(report.line(
            Mark::Info,
            format!(
                "the first time only, once pushed: kubectl apply -n {} -f {} (or run the setup again when the cluster answers: it offers to)",
                engine.profile.argocd.namespace,
                application_manifest(engine).display()
            ),
        ));
    }
    let profile = &engine.profile;
    let argocd = engine.kubectl().in_namespace(&profile.argocd.namespace);
    let manifest = application_manifest(engine).display().to_string();
    let exists = match argocd.run(&["get", APPLICATION, "-o", "name"]).await {
        Ok(_) => true,
        Err(e) if e.failure == Failure::NotFound => false,
        Err(e) if e.failure == Failure::Forbidden => {
            return Ok(report.line(Mark::Warn, format!(
                "Argo CD Application: not allowed to read it (grant `get` on applications.argoproj.io in namespace {}); when pushed, create it with: {}",
                profile.argocd.namespace,
                argocd.display(&["apply", "-f", &manifest])
            )))
        }
        Err(e) => {
            return Ok(report.line(Mark::Warn, format!("Argo CD Application: could not check: {}", e.message)))
        }
    };
    let (text, args): (&str, Vec<&str>) = match (exists, written) {
        (true, false) => return Ok(report),
        (true, true) => (
            "Ask Argo CD to refresh the openclaw Application now (push the GitOps repo first)?",
            vec![
                "annotate",
                APPLICATION,
                "argocd.argoproj.io/refresh=normal",
                "--overwrite",
            ],
        ),
        (false, _) => (
            "Create the Argo CD Application now (push the GitOps repo first)?",
            vec!["apply", "-f", &manifest],
        ),
    };
    let question = Question::Confirm {
        consent: super::Consent::Apply,
        wave: Wave::Manifests,
        text: text.into(),
        default: false,
    };
    match engine.ask(question).await {
        Answer::Yes => {
            report = match argocd.run(&args).await {
                Ok(_) => report.line(Mark::Ok, format!("done: {}", argocd.display(&args))),
                Err(e) => report.line(Mark::Warn, format!("Argo CD Application: {}", e)),
            };
        }
        Answer::Interrupt => return Err(Halt::Interrupted),
        _ => {
            report = report.line(
                Mark::Info,
                format!("when pushed: {}", argocd.display(&args)),
            )
        }
    }
    Ok(report)
}
