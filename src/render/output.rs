//! Compare rendered files with what is on disk, show the difference, write only what changed.

use std::path::PathBuf;

use serde::Serialize;

use super::{Group, RenderedFile, Roots};
use crate::fsutil::write_all_atomic;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Change {
    Unchanged,
    Created,
    Updated,
}

/// A rendered file set against the file at its destination.
#[derive(Debug, Serialize)]
pub struct PlannedFile {
    pub group: Group,
    pub path: PathBuf,
    pub change: Change,
    /// Unified diff from the current file (empty when unchanged).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub diff: String,
    #[serde(skip)]
    text: String,
}

/// Read each destination and decide what would change.
pub fn plan(files: Vec<RenderedFile>, roots: &Roots) -> anyhow::Result<Vec<PlannedFile>> {
    files
        .into_iter()
        .map(|file| {
            let path = roots.root(file.group).join(&file.path);
            let (change, diff) = match crate::fsutil::read_regular(&path) {
                Ok(current) if current == file.text.as_bytes() => {
                    (Change::Unchanged, String::new())
                }
                Ok(current) => {
                    let current = String::from_utf8_lossy(&current);
                    (Change::Updated, unified_diff(&current, &file.text, &path))
                }
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    (Change::Created, String::new())
                }
                Err(e) if e.kind() == std::io::ErrorKind::InvalidInput => anyhow::bail!("{e}"),
                Err(e) => anyhow::bail!("cannot read {}: {e}", path.display()),
            };
            Ok(PlannedFile {
                group: file.group,
                path,
                change,
                diff,
                text: file.text,
            })
        })
        .collect()
}

/// Write every created or updated file; unchanged files are not touched.
pub fn apply(planned: &[PlannedFile]) -> anyhow::Result<()> {
    let changed: Vec<(&std::path::Path, &[u8])> = planned
        .iter()
        .filter(|f| f.change != Change::Unchanged)
        .map(|f| (f.path.as_path(), f.text.as_bytes()))
        .collect();
    write_all_atomic(&changed, 0o644)
}

pub fn unified_diff(old: &str, new: &str, path: &std::path::Path) -> String {
    let name = path.display().to_string();
    similar::TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(3)
        .header(&format!("a/{name}"), &format!("b/{name}"))
        .to_string()
}
