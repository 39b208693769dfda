//! Lint an existing GitOps folder for the failure modes the seed plan ran into (and a few more):
//! each finding names the file, the line, why it breaks and the fix. The rules are a registry,
//! the ruff/clippy way: one file per rule under `rules/`, listed once in `rules::ALL`.

pub mod folder;
mod locate;
pub mod rules;

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::openclaw::release::Release;
use folder::Folder;

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Finding {
    pub rule: &'static str,
    pub file: PathBuf,
    pub line: usize,
    pub problem: String,
    pub fix: String,
}

/// One check: its id, what it finds (the README's table), and the check over a folder.
pub struct Rule {
    pub id: &'static str,
    pub finds: &'static str,
    pub check: fn(&Folder) -> Vec<Finding>,
}

impl Rule {
    pub fn finding(
        &self,
        file: &Path,
        line: usize,
        problem: impl Into<String>,
        fix: impl Into<String>,
    ) -> Finding {
        Finding {
            rule: self.id,
            file: file.to_path_buf(),
            line,
            problem: problem.into(),
            fix: fix.into(),
        }
    }
}

/// Every rule, in the order of the README's table.
pub fn rules() -> &'static [Rule] {
    rules::ALL
}

/// What doctor found, and how it read what it was given.
pub struct Report {
    pub findings: Vec<Finding>,
    /// Set when not read file by file as it is (a kustomize build, or why not).
    pub read_as: Option<String>,
}

/// Lint every YAML and JSON file under `dir` (or its kustomize build); findings are sorted by
/// file and line. An error only when nothing could be linted at all.
/// `assumed` is the release to check against when no OpenClaw image names one.
pub fn run(dir: &Path, assumed: Option<Release>) -> anyhow::Result<Report> {
    let folder = Folder::load(dir)?;
    lint(folder, assumed, &dir.display().to_string())
}

/// Lint a multi-document stream (`helm template … | clawboot doctor -`).
pub fn run_stream(text: String, assumed: Option<Release>) -> anyhow::Result<Report> {
    lint(Folder::from_stream(STDIN, text), assumed, "standard input")
}

/// The rule that checks openclaw.json against the release's schema.
const SCHEMA_RULE: &str = "config-schema";

/// The name findings in a stream on standard input carry.
pub const STDIN: &str = "<stdin>";

fn lint(mut folder: Folder, assumed: Option<Release>, name: &str) -> anyhow::Result<Report> {
    folder.assumed = assumed;
    if folder.is_empty() {
        anyhow::bail!(
            "nothing to lint in {name}: no YAML or JSON manifest in it; give the folder that holds the OpenClaw manifests"
        );
    }
    let findings = findings(&folder);
    // A clean report of a folder that holds nothing of OpenClaw would be a wrong "all is well".
    if findings.is_empty() && !folder.has_openclaw() {
        anyhow::bail!(
            "nothing of OpenClaw in {name}: no OpenClaw or LiteLLM container and no openclaw.json among its {} document(s); give the folder that holds the OpenClaw manifests",
            folder.docs.len()
        );
    }
    Ok(Report {
        findings,
        read_as: folder.read_as,
    })
}

/// Every rule's findings, sorted by file and line.
fn findings(folder: &Folder) -> Vec<Finding> {
    let mut findings: Vec<Finding> = rules().iter().flat_map(|r| (r.check)(folder)).collect();
    findings.sort_by(|a, b| (&a.file, a.line, a.rule).cmp(&(&b.file, b.line, b.rule)));
    findings.dedup();
    // Where a rule of its own says what the schema says, its words (and fix) are the better.
    let specific: Vec<(PathBuf, usize)> = findings
        .iter()
        .filter(|f| f.rule != SCHEMA_RULE)
        .map(|f| (f.file.clone(), f.line))
        .collect();
    findings.retain(|f| f.rule != SCHEMA_RULE || !specific.contains(&(f.file.clone(), f.line)));
    findings
}
