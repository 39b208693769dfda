//! Wave 5: the agent's workspace files (SOUL.md, skills/codex-review/SKILL.md) in OpenClaw's
//! volume, where the agent reads them (`<state dir>/workspace/`). Observe = each rendered file
//! against the volume's copy: equal, differs (with the diff) or missing; apply = write the ones
//! that differ, each atomically and only if it did not change since it was compared, keeping
//! the copy it replaces as `<file>.previous`. Files only the agent made are never touched.

use std::collections::BTreeMap;
use std::time::Duration;

use sha2::{Digest, Sha256};

use super::journal::EntryState;
use super::{openclaw_place, Engine, Halt, Mark, Report, Status, Wave};
use crate::openclaw::store::Place;
use crate::render::{self, output::unified_diff, Group};

/// Prints each file of `$2…` under the folder `$1`: `file <bytes> <path>` and its content, or
/// `missing 0 <path>`, or `other 0 <path>` (a folder or link where the file belongs).
const READ_SCRIPT: &str = r#"set -eu
dir="$1"; shift
for f in "$@"; do
  if [ -L "$dir/$f" ] || { [ -e "$dir/$f" ] && [ ! -f "$dir/$f" ]; }; then printf 'other 0 %s\n' "$f"
  elif [ -f "$dir/$f" ]; then printf 'file %s %s\n' "$(wc -c < "$dir/$f" | tr -d ' ')" "$f"; cat "$dir/$f"
  else printf 'missing 0 %s\n' "$f"; fi
done
"#;

/// Writes stdin to `$1` if `$1` still is what was compared (`$2`: its SHA-256, or `missing`):
/// a temp file, synced, renamed over it; the old copy stays as `$1.previous`.
const WRITE_SCRIPT: &str = r#"set -eu
target="$1" expected="$2"
dir=$(dirname "$target")
tmp="$target.clawboot-$$.tmp"
mkdir -p "$dir"
now=missing
if [ -e "$target" ]; then now=$(sha256sum < "$target" | cut -d' ' -f1); fi
if [ "$now" != "$expected" ]; then echo "$target changed since it was compared: run again to see how" >&2; exit 70; fi
trap 'rm -f "$tmp"' EXIT
cat > "$tmp"
if [ ! -s "$tmp" ]; then echo "refusing to write an empty $target" >&2; exit 65; fi
if [ -e "$target" ]; then cp -p "$target" "$target.previous"; fi
chmod 644 "$tmp"
sync "$tmp" 2>/dev/null || sync
mv -f "$tmp" "$target"
sync "$dir" 2>/dev/null || sync
"#;

const READ_LIMIT: Duration = Duration::from_secs(30);
const WRITE_LIMIT: Duration = Duration::from_secs(60);

/// One rendered workspace file against the volume's copy.
struct Compared {
    path: String,
    rendered: String,
    found: Found,
}

enum Found {
    Missing,
    File(Vec<u8>),
    /// A folder or a link where the file belongs: not replaced.
    Other,
}

impl Compared {
    fn is_equal(&self) -> bool {
        matches!(&self.found, Found::File(now) if now == self.rendered.as_bytes())
    }

    fn writable(&self) -> bool {
        !self.is_equal() && !matches!(self.found, Found::Other)
    }

    /// What the write script checks the file still is.
    fn expected(&self) -> String {
        match &self.found {
            Found::File(now) => format!("{:x}", Sha256::digest(now)),
            _ => "missing".into(),
        }
    }
}

fn folder(place: &Place) -> String {
    format!("{}/workspace", place.state_dir())
}

pub async fn observe(engine: &Engine) -> Report {
    match compare(engine).await {
        Ok((place, compared)) => report_of(&place, &compared),
        Err(report) => report,
    }
}

/// The rendered files against the volume's copies.
async fn compare(engine: &Engine) -> Result<(Place, Vec<Compared>), Report> {
    let failed = |e: anyhow::Error| Report::new(Wave::Workspace, Status::Failed(format!("{e:#}")));
    let place = openclaw_place(engine, Wave::Workspace).await?;
    let rendered = render::render(&engine.profile, Some(Group::Workspace)).map_err(failed)?;
    let paths: Vec<String> = rendered
        .iter()
        .map(|f| f.path.display().to_string())
        .collect();
    let mut args = vec![folder(&place)];
    args.extend(paths.iter().cloned());
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let listing = place
        .run(READ_SCRIPT, &args, None, READ_LIMIT)
        .await
        .map_err(|e| {
            failed(e.context(format!("cannot read {} in {}", args[0], place.describe())))
        })?;
    let mut found = parse_listing(listing.as_bytes()).map_err(failed)?;
    let compared = rendered
        .into_iter()
        .map(|file| {
            let path = file.path.display().to_string();
            Compared {
                found: found.remove(&path).unwrap_or(Found::Missing),
                path,
                rendered: file.text,
            }
        })
        .collect();
    Ok((place, compared))
}

/// `READ_SCRIPT`'s output, by path.
fn parse_listing(mut listing: &[u8]) -> anyhow::Result<BTreeMap<String, Found>> {
    let mut found = BTreeMap::new();
    while !listing.is_empty() {
        let end = listing
            .iter()
            .position(|&b| b == b'\n')
            .ok_or_else(|| anyhow::anyhow!("the workspace listing ends mid-line"))?;
        let header = String::from_utf8_lossy(&listing[..end]).into_owned();
        listing = &listing[end + 1..];
        let mut parts = header.splitn(3, ' ');
        let (kind, bytes, path) = (parts.next(), parts.next(), parts.next());
        let (Some(kind), Some(bytes), Some(path)) =
            (kind, bytes.and_then(|b| b.parse().ok()), path)
        else {
            anyhow::bail!("the workspace listing has a line it cannot read: {header}");
        };
        let bytes: usize = bytes;
        anyhow::ensure!(bytes <= listing.len(), "the workspace listing is cut short");
        let entry = match kind {
            "file" => Found::File(listing[..bytes].to_vec()),
            "other" => Found::Other,
            _ => Found::Missing,
        };
        listing = &listing[bytes..];
        found.insert(path.to_string(), entry);
    }
    Ok(found)
}

fn report_of(place: &Place, compared: &[Compared]) -> Report {
    let folder = folder(place);
    let mut report = Report::new(Wave::Workspace, Status::Pending);
    for file in compared {
        let (mark, text) = match &file.found {
            _ if file.is_equal() => (
                Mark::Ok,
                format!("{}: in the volume, as rendered", file.path),
            ),
            Found::Missing => (Mark::Todo, format!("{}: missing", file.path)),
            Found::File(now) => {
                report.diff.push_str(&unified_diff(
                    &String::from_utf8_lossy(now),
                    &file.rendered,
                    &std::path::Path::new(&folder).join(&file.path),
                ));
                (
                    Mark::Todo,
                    format!(
                        "{}: differs from the rendered file (edited in the volume?): writing keeps it as {}.previous",
                        file.path, file.path
                    ),
                )
            }
            Found::Other => (
                Mark::Fail,
                format!(
                    "{}: a folder or link is where the file belongs: move it away in {}",
                    file.path,
                    place.describe()
                ),
            ),
        };
        report = report.line(mark, text);
    }
    let to_write = compared.iter().filter(|f| f.writable()).count();
    let blocked = compared.iter().any(|f| matches!(f.found, Found::Other));
    report.status = match (to_write, blocked) {
        (0, false) => Status::Done(format!("{} files in {folder} up to date", compared.len())),
        (0, true) => Status::Attention(format!("cannot write into {folder}")),
        (n, _) => Status::Todo(format!(
            "{n} of {} files to write into {folder} ({})",
            compared.len(),
            place.describe()
        )),
    };
    report
}

/// Write each file that differs; what was written goes into the journal.
pub async fn apply(engine: &Engine) -> Result<Report, Halt> {
    let (place, compared) = match compare(engine).await {
        Ok(compared) => compared,
        Err(report) => return Ok(report),
    };
    let folder = folder(&place);
    let mut written = Vec::new();
    for file in compared.iter().filter(|f| f.writable()) {
        let target = format!("{folder}/{}", file.path);
        place
            .run(
                WRITE_SCRIPT,
                &[&target, &file.expected()],
                Some(file.rendered.as_bytes()),
                WRITE_LIMIT,
            )
            .await
            .map_err(|e| e.context(format!("{target} was not written")))?;
        written.push(file.path.clone());
    }
    let facts = BTreeMap::from([
        ("files".to_string(), compared.len().to_string()),
        ("written".to_string(), written.join(", ")),
    ]);
    engine
        .journal()
        .record(Wave::Workspace, EntryState::Applied, facts)?;
    let mut report = Report::new(
        Wave::Workspace,
        Status::Done(format!(
            "{} files written into {folder} ({})",
            written.len(),
            place.describe()
        )),
    );
    for path in written {
        report = report.line(Mark::Ok, format!("{path}: written"));
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_listing_keeps_each_file_whole() {
        let listing = b"file 6 SOUL.md\nab\ncd\nmissing 0 skills/a/SKILL.md\nother 0 x.md\n";
        let found = parse_listing(listing).unwrap();
        assert!(matches!(&found["SOUL.md"], Found::File(t) if t == b"ab\ncd\n"));
        assert!(matches!(found["skills/a/SKILL.md"], Found::Missing));
        assert!(matches!(found["x.md"], Found::Other));
        assert!(parse_listing(b"file 99 SOUL.md\nshort").is_err());
    }
}
