//! The one write of a credentials file, as a POSIX `sh` script that runs where the file lives:
//! inside the OpenClaw container (`kubectl exec -i … -- sh -c SCRIPT sh PATH`) or on this machine
//! for a local state dir. The content arrives on stdin, never in argv. The script takes
//! OpenClaw's lock file, keeps one backup (0600) of the old file, writes a temp file, syncs it,
//! sets 0600 and renames it over the old one, so a write killed midway leaves the old file
//! intact. Once the write is verified, `CLEANUP_SCRIPT` removes the plaintext copies.

use std::process::Stdio;

use anyhow::Context;
use secrecy::{ExposeSecret, SecretString};
use tokio::io::AsyncWriteExt;

use super::kubectl::Kubectl;

/// Exit code of the script when OpenClaw's lock stays held.
pub const LOCK_HELD: i32 = 75;

pub const WRITE_SCRIPT: &str = r#"set -eu
target="$1"
dir=$(dirname "$target")
lock="$target.lock"
tmp="$target.$$.tmp"
umask 077
mkdir -p "$dir"
chmod 700 "$dir"
# OpenClaw's lock: a file created exclusively holding {"pid","createdAt"}; stale when that pid
# is gone, or after 30 s without a pid.
tries=0
while ! ( set -C; printf '{"pid":%s,"createdAt":"%s"}\n' "$$" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" > "$lock" ) 2>/dev/null; do
  pid=$(sed -n 's/.*"pid":[ ]*\([0-9][0-9]*\).*/\1/p' "$lock" 2>/dev/null || true)
  if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then rm -f "$lock"; continue; fi
  if [ -z "$pid" ] && [ -n "$(find "$lock" -mmin +0.5 2>/dev/null)" ]; then rm -f "$lock"; continue; fi
  tries=$((tries + 1))
  if [ "$tries" -ge 100 ]; then echo "the lock $lock is held by pid ${pid:-unknown}: try again when OpenClaw is done" >&2; exit 75; fi
  sleep 0.1
done
trap 'rm -f "$lock" "$tmp"' EXIT
cat > "$tmp"
if [ ! -s "$tmp" ]; then echo "refusing to write an empty credentials file" >&2; exit 65; fi
# One backup, 0600 (umask 077 on a new file), until the write is verified: then it goes.
rm -f "$target.bak" "$target".bak-*
if [ -f "$target" ]; then cp "$target" "$target.bak"; fi
chmod 600 "$tmp"
sync "$tmp" 2>/dev/null || sync
mv -f "$tmp" "$target"
sync "$dir" 2>/dev/null || sync
"#;

/// After a verified write (and import): the backup goes, and so do the archives OpenClaw's
/// import leaves of the JSON file (`…migrated-<time>-<uuid>`): every one a plaintext copy of
/// tokens that now live in the file or in OpenClaw's store. `$2` is `archives` to remove those.
pub const CLEANUP_SCRIPT: &str = r#"set -eu
target="$1"
rm -f "$target.bak" "$target".bak-*
if [ "${2:-}" = archives ]; then rm -f "$target".migrated-*; fi
"#;

/// Run the script on this machine.
pub async fn write_local(path: &std::path::Path, text: &SecretString) -> anyhow::Result<()> {
    let mut command = tokio::process::Command::new("sh");
    command.arg("-c").arg(WRITE_SCRIPT).arg("sh").arg(path);
    let output = run_bounded(command, Some(text.expose_secret().as_bytes()), IN_POD_LIMIT).await?;
    if output.status.success() {
        return Ok(());
    }
    anyhow::bail!(
        "the credentials were not written ({}): {}",
        output.status,
        String::from_utf8_lossy(&output.stderr).trim()
    )
}

/// How long a write may take (the lock wait is 10 s of it).
const IN_POD_LIMIT: std::time::Duration = std::time::Duration::from_secs(60);

/// Run the script in the OpenClaw container through `kubectl exec -i`.
pub async fn write_in_pod(
    kubectl: &Kubectl,
    pod: &str,
    container: &str,
    path: &str,
    text: &SecretString,
) -> anyhow::Result<()> {
    let content = text.expose_secret().as_bytes();
    kubectl
        .exec_script(
            pod,
            container,
            (WRITE_SCRIPT, &[path]),
            Some(content),
            IN_POD_LIMIT,
        )
        .await
        .map(drop)
        .map_err(|e| anyhow::anyhow!("the credentials were not written: {}", e.message))
}

/// Run a local process to its end within `limit` (killed after it), feeding `stdin`.
pub async fn run_bounded(
    mut command: tokio::process::Command,
    stdin: Option<&[u8]>,
    limit: std::time::Duration,
) -> anyhow::Result<std::process::Output> {
    let mut child = command
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .context("cannot start sh")?;
    let running = async {
        if let (Some(data), Some(mut pipe)) = (stdin, child.stdin.take()) {
            pipe.write_all(data).await?;
        }
        child.wait_with_output().await
    };
    tokio::time::timeout(limit, running)
        .await
        .map_err(|_| anyhow::anyhow!("stopped after {} s", limit.as_secs()))?
        .map_err(Into::into)
}
