//! The journal: what a run applied, when, and non-secret facts (SSM versions, file hashes,
//! the signed-in profile), so an interrupted run resumes where it stopped. One JSON file per
//! profile under the XDG state dir, written atomically after every change. Never a value.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::Wave;
use crate::fsutil::write_atomic;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum EntryState {
    Applied,
    Skipped,
    /// Stopped midway (Ctrl-C): what is in `facts` was done.
    Interrupted,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    pub state: EntryState,
    pub at: String,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub facts: BTreeMap<String, String>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Journal {
    /// The task of the last run (`setup`, `rotate`, `sign-in`) and whether it finished.
    #[serde(default)]
    pub task: Option<String>,
    #[serde(default)]
    pub started: Option<String>,
    #[serde(default)]
    pub finished: Option<String>,
    #[serde(default)]
    pub waves: BTreeMap<Wave, Entry>,
    #[serde(skip)]
    path: Option<PathBuf>,
}

impl Journal {
    /// The journal of `task` for the profile at `profile_path` (None: the embedded defaults),
    /// read from `$XDG_STATE_HOME/clawboot` (default `~/.local/state/clawboot`). One file per
    /// task, so a rotation does not erase where an interrupted setup stopped. A missing file is
    /// a new journal; an unreadable one is an error that says where it is.
    pub fn open(profile_path: Option<&Path>, task: &str) -> anyhow::Result<Self> {
        let path = state_dir()?.join(file_name(profile_path, task));
        let mut journal = match std::fs::read_to_string(&path) {
            Ok(text) => serde_json::from_str(&text).map_err(|e| {
                anyhow::anyhow!(
                    "the journal {} is damaged ({e}): move it away to start afresh",
                    path.display()
                )
            })?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Journal::default(),
            Err(e) => anyhow::bail!("cannot read the journal {}: {e}", path.display()),
        };
        journal.path = Some(path);
        Ok(journal)
    }

    /// A journal kept only in memory (`clawboot status`, tests).
    pub fn in_memory() -> Self {
        Self::default()
    }

    /// The unfinished run of `task`, if the last run was that task and stopped early.
    pub fn unfinished(&self, task: &str) -> bool {
        self.task.as_deref() == Some(task) && self.finished.is_none() && !self.waves.is_empty()
    }

    /// Start a run: an unfinished run of the same task is continued, anything else starts afresh.
    pub fn begin(&mut self, task: &str) -> anyhow::Result<()> {
        if !self.unfinished(task) {
            self.task = Some(task.to_string());
            self.started = Some(now());
            self.waves.clear();
        }
        self.finished = None;
        self.save()
    }

    pub fn record(
        &mut self,
        wave: Wave,
        state: EntryState,
        facts: BTreeMap<String, String>,
    ) -> anyhow::Result<()> {
        let entry = self.waves.entry(wave).or_insert_with(|| Entry {
            state,
            at: now(),
            facts: BTreeMap::new(),
        });
        entry.state = state;
        entry.at = now();
        entry.facts.extend(facts);
        self.save()
    }

    pub fn finish(&mut self) -> anyhow::Result<()> {
        self.finished = Some(now());
        self.save()
    }

    fn save(&self) -> anyhow::Result<()> {
        let Some(path) = &self.path else {
            return Ok(());
        };
        let mut text = serde_json::to_string_pretty(self)?;
        text.push('\n');
        write_atomic(path, text.as_bytes(), 0o600)
            .map_err(|e| e.context(format!("cannot write the journal {}", path.display())))
    }
}

pub fn state_dir() -> anyhow::Result<PathBuf> {
    use etcetera::BaseStrategy;
    let strategy = etcetera::choose_base_strategy().map_err(|_| {
        anyhow::anyhow!("neither XDG_STATE_HOME nor HOME is set: set one for the journal")
    })?;
    let base = strategy
        .state_dir()
        .unwrap_or_else(|| strategy.home_dir().join(".local/state"));
    Ok(base.join("clawboot"))
}

/// `default.<task>.json` for the embedded profile, `<stem>-<hash of the full path>.<task>.json`
/// otherwise, so two answers files with the same name keep separate journals.
fn file_name(profile_path: Option<&Path>, task: &str) -> String {
    let Some(path) = profile_path else {
        return format!("default.{task}.json");
    };
    let full = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    let hash = Sha256::digest(full.as_os_str().as_encoded_bytes());
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "profile".to_string());
    format!(
        "{stem}-{:02x}{:02x}{:02x}{:02x}.{task}.json",
        hash[0], hash[1], hash[2], hash[3]
    )
}

/// UTC now, e.g. `2026-11-23T10:04:05Z`.
pub fn now() -> String {
    aws_smithy_types::DateTime::from(std::time::SystemTime::now())
        .fmt(aws_smithy_types::date_time::Format::DateTime)
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn journals_are_kept_per_profile_path() {
        assert_eq!(file_name(None, "setup"), "default.setup.json");
        let a = file_name(Some(Path::new("/a/answers.yaml")), "setup");
        let b = file_name(Some(Path::new("/b/answers.yaml")), "setup");
        assert!(a.starts_with("answers-") && a.ends_with(".setup.json"));
        assert_ne!(a, b);
        assert_ne!(a, file_name(Some(Path::new("/a/answers.yaml")), "rotate"));
    }

    #[test]
    fn an_unfinished_run_is_continued_and_a_finished_one_starts_afresh() {
        let mut journal = Journal::in_memory();
        journal.begin("setup").unwrap();
        journal
            .record(Wave::Infrastructure, EntryState::Applied, BTreeMap::new())
            .unwrap();
        assert!(journal.unfinished("setup"));
        journal.begin("setup").unwrap();
        assert_eq!(journal.waves.len(), 1);
        journal.finish().unwrap();
        journal.begin("setup").unwrap();
        assert!(journal.waves.is_empty());
    }
}
