//! Where a Codex sign-in is kept for OpenClaw: a local state dir or the running pod's volume.
//! Read, merge, write (through `cluster::volume`), import where the release needs it, and list
//! what OpenClaw itself sees. Shared by `clawboot codex …` and the wizard's Wave 4.

use std::path::PathBuf;

use secrecy::SecretString;
use serde::Serialize;
use serde_json::Value;

use super::credentials::{self, Merged, StoredProfile, AUTH_PROFILES};
use super::release::Release;
use crate::cluster::kubectl::Kubectl;
use crate::cluster::pod::{ready_pod, NoPod};
use crate::cluster::volume;
use crate::codex::{claims::Claims, token::Tokens};

/// The state dir inside the official image (the PVC mount).
pub const POD_STATE_DIR: &str = "/home/node/.openclaw";
pub const CONTAINER: &str = "openclaw";
/// Selects the OpenClaw pod.
pub const POD_SELECTOR: &str = "app.kubernetes.io/name=openclaw";
/// OpenClaw's SQLite store beside the JSON file, where releases that import keep sign-ins.
const AGENT_STORE: &str = "openclaw-agent.sqlite";
/// How long a read in the pod may take.
const IN_POD_LIMIT: std::time::Duration = std::time::Duration::from_secs(30);
/// How long OpenClaw's own commands may take in the pod (node starts, SQLite migrates).
const OPENCLAW_LIMIT: std::time::Duration = std::time::Duration::from_secs(180);
/// A sign-in that expires sooner than this is reported as expiring.
const EXPIRING_MS: i64 = 24 * 3600 * 1000;

/// Imports the JSON file into OpenClaw's SQLite store (≥ 2026.7) with `openclaw doctor --fix`,
/// then lists what OpenClaw sees. Both run on a scratch config holding only the config's
/// `agents.list` (where each agent keeps its auth store): the GitOps-owned openclaw.json is not
/// touched, and neither the secret references nor the models are resolved, so nothing waits
/// for a gateway that may be down (often the reason to sign in again) or for the network.
const IMPORT_SCRIPT: &str = openclaw_script!(
    r#"with_scratch_config "$1"
OPENCLAW_STATE_DIR="$1" OPENCLAW_CONFIG_PATH="$scratch" oc doctor --fix --non-interactive --yes >/dev/null
OPENCLAW_STATE_DIR="$1" OPENCLAW_CONFIG_PATH="$scratch" oc models auth list --provider "$2" --json
"#
);

/// `openclaw models status --check` on the state dir `$1` (its exit code is the verdict), on a
/// scratch config with the agent list and the plugins `$2…` enabled, as the GitOps config has
/// them (the Codex sign-in is used through the codex plugin).
pub const MODELS_CHECK_SCRIPT: &str = openclaw_script!(
    r#"with_scratch_config "$1"
state="$1"; shift
node -e 'const fs=require("fs");const f=process.argv[1];const c=JSON.parse(fs.readFileSync(f,"utf8"));c.plugins={entries:{}};for(const id of process.argv.slice(2))c.plugins.entries[id]={enabled:true};fs.writeFileSync(f,JSON.stringify(c))' "$scratch" "$@"
OPENCLAW_STATE_DIR="$state" OPENCLAW_CONFIG_PATH="$scratch" oc models status --check >&2
"#
);

/// Lists the Codex profiles with OpenClaw itself (for releases that keep them in SQLite).
const LIST_SCRIPT: &str = openclaw_script!(
    r#"with_scratch_config "$1"
OPENCLAW_STATE_DIR="$1" OPENCLAW_CONFIG_PATH="$scratch" oc models auth list --provider "$2" --json
"#
);

/// One archive (0600) of the credentials and the config under the state dir `$1`, named with
/// the time `$2`: openclaw.json, each agent's auth files and SQLite store, OpenClaw's state
/// database and legacy credentials. Prints the archive's path.
const BACKUP_SCRIPT: &str = r#"set -eu
state="$1" archive="$1/clawboot-backup-$2.tar.gz"
umask 077
cd "$state"
set --
for f in openclaw.json credentials state $(find agents -path '*/agent/*' \( -name 'auth-*.json' -o -name '*.sqlite*' \) 2>/dev/null); do
  if [ -e "$f" ]; then set -- "$@" "$f"; fi
done
if [ $# -eq 0 ]; then echo "nothing to back up in $state: no config and no credentials" >&2; exit 66; fi
tar czf "$archive.tmp" "$@"
chmod 600 "$archive.tmp"
sync "$archive.tmp" 2>/dev/null || sync
mv "$archive.tmp" "$archive"
echo "$archive"
"#;

/// Where the credentials live.
pub enum Place {
    Local(PathBuf),
    Pod { kubectl: Kubectl, pod: String },
}

/// How a stored sign-in stands, as `openclaw models status --check` sees it (worst last).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SignIn {
    Ok,
    Expiring,
    Expired,
}

impl SignIn {
    /// The word for it everywhere: reports, tables and JSON.
    pub fn word(self) -> &'static str {
        match self {
            Self::Ok => "ok",
            Self::Expiring => "expiring",
            Self::Expired => "expired",
        }
    }

    pub fn of(profile: &StoredProfile, now_ms: i64) -> Self {
        match profile.expires_ms {
            Some(ms) if ms <= now_ms => Self::Expired,
            Some(ms) if ms - now_ms < EXPIRING_MS => Self::Expiring,
            Some(_) => Self::Ok,
            None => Self::Expired,
        }
    }
}

/// A sign-in ready to be written: the merged file and what merging changes.
pub struct Prepared {
    pub id: String,
    pub claims: Claims,
    pub expires_at_ms: i64,
    pub merged: Merged,
}

impl Prepared {
    /// The rendered config lists only the profile of `openclaw.codex_email`: a sign-in with
    /// another account would be ignored by OpenClaw. What to say when they differ.
    pub fn config_disagreement(&self, codex_email: &str) -> Option<String> {
        let email = self.claims.email.as_deref();
        (!codex_email.is_empty() && email != Some(codex_email)).then(|| {
            format!(
                "signed in as {} but the profile's openclaw.codex_email is {codex_email}: OpenClaw will not use this sign-in until they agree (edit the profile and render)",
                email.unwrap_or("an account without e-mail")
            )
        })
    }
}

pub struct CredentialStore {
    pub release: Release,
    pub place: Place,
}

impl CredentialStore {
    /// Where the sign-in is kept: the JSON file, or (imported) OpenClaw's own store.
    pub fn describe(&self) -> String {
        match &self.place {
            Place::Local(dir) if credentials::needs_import(self.release) => format!(
                "OpenClaw's store {}",
                dir.join(AUTH_PROFILES)
                    .with_file_name(AGENT_STORE)
                    .display()
            ),
            Place::Local(_) => self.auth_profiles(),
            Place::Pod { .. } => self.place.describe(),
        }
    }

    /// Before a sign-in: what storing it needs is there, so a sign-in is never thrown away
    /// after its code was exchanged. The stored file must be one clawboot can merge into; a
    /// local state dir must be writable, and for releases that import, the `openclaw` on PATH
    /// must be the pinned release.
    pub async fn ready(&self) -> anyhow::Result<()> {
        if let Some(text) = self.read().await? {
            // A trial merge: the same checks as the real one after the sign-in.
            let trial = serde_json::json!({});
            credentials::merge(Some(&text), "clawboot-trial", trial).map_err(|e| {
                anyhow::anyhow!(
                    "{} cannot take a new sign-in ({e:#}): fix it or move it away, then sign in",
                    self.auth_profiles()
                )
            })?;
        }
        let Place::Local(dir) = &self.place else {
            return Ok(());
        };
        let folder = dir.join(AUTH_PROFILES);
        let folder = folder.parent().unwrap_or(dir);
        std::fs::create_dir_all(folder)
            .and_then(|()| tempfile::tempfile_in(folder).map(drop))
            .map_err(|e| anyhow::anyhow!("cannot write in {}: {e}", folder.display()))?;
        if credentials::needs_import(self.release) {
            local_openclaw_is(self.release).await?;
        }
        Ok(())
    }

    /// Merge new tokens into what is stored; nothing is written yet.
    pub async fn prepare(&self, tokens: &Tokens) -> anyhow::Result<Prepared> {
        let claims = tokens.claims()?;
        let id = credentials::profile_id(self.release, &claims);
        let entry = credentials::profile_entry(self.release, tokens, &claims);
        let merged = credentials::merge(self.read().await?.as_ref(), &id, entry)?;
        Ok(Prepared {
            id,
            claims,
            expires_at_ms: tokens.expires_at_ms,
            merged,
        })
    }

    /// Write the merged file (when it changed) and import it where the release needs it; once
    /// OpenClaw lists the profile (or the file read back holds it), the plaintext copies go.
    pub async fn commit(&self, prepared: &Prepared) -> anyhow::Result<()> {
        if prepared.merged.change != credentials::ProfileChange::Unchanged {
            self.write(&prepared.merged.text).await?;
        }
        let importing = credentials::needs_import(self.release);
        if importing {
            self.import(&prepared.id).await?;
        } else {
            self.verify_written(&prepared.id).await?;
        }
        let target = self.auth_profiles();
        let mut args = vec![target.as_str()];
        if importing {
            args.push("archives");
        }
        self.run_script(volume::CLEANUP_SCRIPT, &args)
            .await
            .map(drop)
    }

    /// After an upgrade to a release that imports: the profiles of the JSON file an older
    /// release wrote, imported by this release's OpenClaw and listed by it under its own
    /// provider; then the plaintext copies go. The ids now listed (none: no file, no sign-in).
    pub async fn import_existing(&self) -> anyhow::Result<Vec<String>> {
        let Some(text) = self.read().await? else {
            return Ok(Vec::new());
        };
        let provider = credentials::provider(self.release);
        let ids: Vec<String> = credentials::stored_profiles(&text)?
            .into_iter()
            .map(|p| match p.id.split_once(':') {
                Some((_, rest)) => format!("{provider}:{rest}"),
                None => p.id,
            })
            .collect();
        for id in &ids {
            self.import(id).await?;
        }
        let target = self.auth_profiles();
        self.run_script(volume::CLEANUP_SCRIPT, &[&target, "archives"])
            .await?;
        Ok(ids)
    }

    /// The file read back holds the profile.
    async fn verify_written(&self, id: &str) -> anyhow::Result<()> {
        let text = self.read().await?;
        let profiles = match &text {
            Some(text) => credentials::stored_profiles(text)?,
            None => Vec::new(),
        };
        anyhow::ensure!(
            profiles.iter().any(|p| p.id == id),
            "{} does not hold {id} after the write: the backup {}.bak is kept",
            self.describe(),
            self.auth_profiles()
        );
        Ok(())
    }

    /// The credentials file, as the place where it lives names it.
    fn auth_profiles(&self) -> String {
        match &self.place {
            Place::Local(dir) => dir.join(AUTH_PROFILES).display().to_string(),
            Place::Pod { .. } => format!("{POD_STATE_DIR}/{AUTH_PROFILES}"),
        }
    }

    /// The Codex profiles OpenClaw will see: the JSON file, or (imported) OpenClaw's own list.
    /// For releases that keep them in SQLite, OpenClaw itself is asked (the pinned release, on
    /// a local state dir): a JSON file left by a failed import is not what OpenClaw uses.
    pub async fn profiles(&self) -> anyhow::Result<Vec<StoredProfile>> {
        if credentials::needs_import(self.release) {
            if let Place::Local(_) = &self.place {
                local_openclaw_is(self.release).await?;
            }
            return parse_listing(
                &self
                    .run_openclaw(LIST_SCRIPT, "listing its sign-ins")
                    .await?,
            );
        }
        match self.read().await? {
            Some(text) => credentials::stored_profiles(&text),
            None => Ok(Vec::new()),
        }
    }

    pub async fn read(&self) -> anyhow::Result<Option<SecretString>> {
        match &self.place {
            Place::Local(dir) => match std::fs::read_to_string(dir.join(AUTH_PROFILES)) {
                Ok(text) => Ok(Some(SecretString::from(text))),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
                Err(e) => Err(anyhow::anyhow!(
                    "cannot read {}: {e}",
                    dir.join(AUTH_PROFILES).display()
                )),
            },
            Place::Pod { kubectl, pod } => {
                let path = format!("{POD_STATE_DIR}/{AUTH_PROFILES}");
                let script = ("cat \"$1\" 2>/dev/null || true", &[path.as_str()][..]);
                let text = kubectl
                    .exec_script(pod, CONTAINER, script, None, IN_POD_LIMIT)
                    .await
                    .map_err(|e| {
                        anyhow::anyhow!("cannot read {path} in pod {pod}: {}", e.message)
                    })?;
                Ok((!text.trim().is_empty()).then(|| SecretString::from(text)))
            }
        }
    }

    pub async fn write(&self, text: &SecretString) -> anyhow::Result<()> {
        match &self.place {
            Place::Local(dir) => volume::write_local(&dir.join(AUTH_PROFILES), text).await,
            Place::Pod { kubectl, pod } => {
                let path = format!("{POD_STATE_DIR}/{AUTH_PROFILES}");
                volume::write_in_pod(kubectl, pod, CONTAINER, &path, text).await
            }
        }
    }

    /// Run the import and check that OpenClaw now lists the profile.
    async fn import(&self, id: &str) -> anyhow::Result<()> {
        let listed = parse_listing(
            &self
                .run_openclaw(IMPORT_SCRIPT, "importing the sign-in")
                .await?,
        )?;
        anyhow::ensure!(
            listed.iter().any(|p| p.id == id),
            "OpenClaw {} did not import {id} (it lists: {}): check `openclaw doctor` in the pod",
            self.release,
            listed
                .iter()
                .map(|p| p.id.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        );
        Ok(())
    }

    /// Run one of the OpenClaw scripts (state dir, provider) where the state lives; its stdout.
    /// `doing` names it in an error ("listing the sign-ins").
    async fn run_openclaw(&self, script: &str, doing: &str) -> anyhow::Result<String> {
        let state = match &self.place {
            Place::Local(dir) => dir.display().to_string(),
            Place::Pod { .. } => POD_STATE_DIR.to_string(),
        };
        let provider = credentials::provider(self.release);
        self.run_script(script, &[&state, provider])
            .await
            .map_err(|e| anyhow::anyhow!("OpenClaw {} failed {doing}: {e}", self.release))
    }

    async fn run_script(&self, script: &str, args: &[&str]) -> anyhow::Result<String> {
        self.place.run(script, args, None, OPENCLAW_LIMIT).await
    }
}

impl Place {
    /// The state dir as the script that runs there names it.
    pub fn state_dir(&self) -> String {
        match self {
            Place::Local(dir) => dir.display().to_string(),
            Place::Pod { .. } => POD_STATE_DIR.to_string(),
        }
    }

    /// Archive the credentials and the config where they live; the archive's path there.
    pub async fn backup(&self, stamp: &str) -> anyhow::Result<String> {
        let printed = self
            .run(
                BACKUP_SCRIPT,
                &[&self.state_dir(), stamp],
                None,
                IN_POD_LIMIT,
            )
            .await
            .map_err(|e| anyhow::anyhow!("the backup was not made: {e}"))?;
        Ok(printed.trim().to_string())
    }

    /// Where it is, for a message: the folder, or the pod.
    pub fn describe(&self) -> String {
        match self {
            Place::Local(dir) => dir.display().to_string(),
            Place::Pod { kubectl, pod } => format!("pod {}/{pod}", kubectl.namespace),
        }
    }

    /// Run `script` with `args` (and `stdin`) where the state lives, within `limit`; its
    /// stdout, or the reason its error output gives.
    pub async fn run(
        &self,
        script: &str,
        args: &[&str],
        stdin: Option<&[u8]>,
        limit: std::time::Duration,
    ) -> anyhow::Result<String> {
        match self {
            Place::Local(_) => {
                let mut command = tokio::process::Command::new("sh");
                command.arg("-c").arg(script).arg("sh").args(args);
                let output = volume::run_bounded(command, stdin, limit).await?;
                if !output.status.success() {
                    anyhow::bail!(
                        "{}",
                        crate::printable::reason(&String::from_utf8_lossy(&output.stderr))
                    );
                }
                Ok(String::from_utf8_lossy(&output.stdout).into_owned())
            }
            Place::Pod { kubectl, pod } => kubectl
                .exec_script(pod, CONTAINER, (script, args), stdin, limit)
                .await
                .map_err(|e| anyhow::anyhow!("{}", crate::printable::reason(&e.message))),
        }
    }
}

/// The `openclaw` on PATH is `release` (the import runs it on a local state dir). Asked once
/// per run: PATH does not change under it, and each ask starts Node.
pub async fn local_openclaw_is(release: Release) -> anyhow::Result<()> {
    static CONFIRMED: std::sync::Mutex<Option<Release>> = std::sync::Mutex::new(None);
    let confirmed = || *CONFIRMED.lock().unwrap_or_else(|e| e.into_inner());
    if confirmed() == Some(release) {
        return Ok(());
    }
    ask_local_openclaw_is(release).await?;
    *CONFIRMED.lock().unwrap_or_else(|e| e.into_inner()) = Some(release);
    Ok(())
}

async fn ask_local_openclaw_is(release: Release) -> anyhow::Result<()> {
    let output = tokio::process::Command::new("openclaw")
        .arg("--version")
        .stdin(std::process::Stdio::null())
        .output()
        .await
        .map_err(|_| {
            anyhow::anyhow!(
                "OpenClaw {release} keeps the sign-in in its own store, and clawboot imports it with the `openclaw` CLI, which is not on PATH: install it (npm install -g openclaw@{release}), then run the command again"
            )
        })?;
    let said = String::from_utf8_lossy(&output.stdout);
    let version = said.split_whitespace().nth(1).unwrap_or("unknown");
    anyhow::ensure!(
        output.status.success() && version == release.to_string(),
        "the `openclaw` on PATH is {version}, but the sign-in is for OpenClaw {release} (openclaw.release, or --openclaw-version): put {release} first on PATH (npm install -g openclaw@{release}), then run the command again"
    );
    Ok(())
}

/// `openclaw models auth list --json` → profiles (id, email, expiry).
fn parse_listing(listing: &str) -> anyhow::Result<Vec<StoredProfile>> {
    let value = super::first_json(listing)?;
    Ok(value
        .get("profiles")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|p| StoredProfile {
            id: p
                .get("id")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string(),
            email: p.get("email").and_then(Value::as_str).map(str::to_string),
            plan: None,
            expires_ms: p
                .get("expiresAt")
                .and_then(Value::as_str)
                .and_then(|t| {
                    aws_smithy_types::DateTime::from_str(
                        t,
                        aws_smithy_types::date_time::Format::DateTime,
                    )
                    .ok()
                })
                .map(|d| d.to_millis().unwrap_or(0)),
        })
        .collect())
}

/// The OpenClaw pod to talk to (the one Verify uses too), or what to do when there is none.
pub async fn openclaw_pod(kubectl: &Kubectl) -> anyhow::Result<String> {
    match ready_pod(kubectl, POD_SELECTOR, CONTAINER).await {
        Ok(pod) => Ok(pod),
        Err(NoPod::Kubectl(e)) => Err(e.into()),
        Err(why) => Err(anyhow::anyhow!(
            "{why} in namespace {}: sync the manifests (Argo CD) or run `{}`, wait until it is ready (`{}`), then try again; or use --state-dir for a local OpenClaw",
            kubectl.namespace,
            kubectl.display(&["scale", "deployment/openclaw", "--replicas=1"]),
            kubectl.display(&["rollout", "status", "deployment/openclaw"])
        )),
    }
}

/// `2026-12-03T12:36:26Z`
pub fn format_ms(ms: i64) -> String {
    aws_smithy_types::DateTime::from_secs(ms.div_euclid(1000))
        .fmt(aws_smithy_types::date_time::Format::DateTime)
        .unwrap_or_else(|_| ms.to_string())
}

#[cfg(test)]
mod tests {
    use super::SignIn;

    #[test]
    fn one_word_for_a_state_in_tables_reports_and_json() {
        for state in [SignIn::Ok, SignIn::Expiring, SignIn::Expired] {
            assert_eq!(serde_json::to_value(state).unwrap(), state.word());
        }
    }
}
