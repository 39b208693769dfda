//! Where a Codex sign-in is kept for OpenClaw: a local state dir or the running pod's volume.
//! Read, merge, write (through `cluster::volume`), import where the release needs it, and list
//! what OpenClaw itself sees. Shared by `clawboot codex …` and the wizard's Wave 4.

use std::path::PathBuf;

use secrecy::SecretString;
use serde::Serialize;
use serde_json::Value;

use super::credentials::{self, Merged, StoredProfile, AGENT_DIR, AUTH_PROFILES};
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
/// OpenClaw's SQLite state under the state dir, where releases that import keep sign-ins.
const SQLITE_STATE: &str = "state/openclaw.sqlite";
/// The new tokens (≥ 2026.7), 0600, until OpenClaw is seen holding them; kept when it is not.
const PENDING: &str = "agents/main/agent/clawboot-sign-in.json";
/// Removes the pending copy (and the backup its write keeps) once OpenClaw holds the tokens.
const DROP_PENDING_SCRIPT: &str = r#"rm -f "$1" "$1.bak" "$1".bak-*"#;
/// How long a read in the pod may take.
const IN_POD_LIMIT: std::time::Duration = std::time::Duration::from_secs(30);
/// How long OpenClaw's own commands may take in the pod (node starts, SQLite migrates).
const OPENCLAW_LIMIT: std::time::Duration = std::time::Duration::from_secs(180);
/// A sign-in that expires sooner than this is reported as expiring.
const EXPIRING_MS: i64 = 24 * 3600 * 1000;

/// Imports an auth-profiles.json an older release wrote into OpenClaw's SQLite store (≥ 2026.7)
/// with `openclaw doctor --fix`, then lists what OpenClaw sees. Both run on a scratch config
/// holding only the config's `agents.list` (where each agent keeps its auth store): the
/// GitOps-owned openclaw.json is not touched, and neither the secret references nor the models
/// are resolved, so nothing waits for a gateway that may be down or for the network. The
/// import adds only ids OpenClaw does not hold: a new sign-in is stored with `STORE_SCRIPT`.
const IMPORT_SCRIPT: &str = openclaw_script!(
    r#"with_scratch_config "$1"
OPENCLAW_STATE_DIR="$1" OPENCLAW_CONFIG_PATH="$scratch" oc doctor --fix --non-interactive --yes >/dev/null
OPENCLAW_STATE_DIR="$1" OPENCLAW_CONFIG_PATH="$(auth_config "$1")" oc models auth list --provider "$2" --json
"#
);

/// At the pod's start, before the gateway (≥ 2026.7): an `auth-profiles.json` in the state dir
/// `$1` (left by an older release, or by an import that failed) is imported by OpenClaw's own
/// `doctor --fix` on a scratch config, where no gateway holds the state. When the import fails
/// or leaves the file, it is moved aside (0600, named with the time) so the gateway still starts
/// (a file it has not migrated stops it: "requires legacy credential migration"); the reason is
/// in the init container's log, and `clawboot sign-in` stores a sign-in again.
pub const STARTUP_IMPORT_SCRIPT: &str = openclaw_script!(
    r#"legacy="$1/agents/main/agent/auth-profiles.json"
if [ ! -f "$legacy" ]; then exit 0; fi
with_scratch_config "$1"
if ! OPENCLAW_STATE_DIR="$1" OPENCLAW_CONFIG_PATH="$scratch" oc doctor --fix --non-interactive --yes >"$scratch_dir/doctor.log" 2>&1; then
  tail -n 5 "$scratch_dir/doctor.log" >&2
fi
if [ -f "$legacy" ]; then
  aside="$legacy.unimported-$(date -u +%Y%m%dT%H%M%SZ)"
  mv "$legacy" "$aside"
  chmod 600 "$aside"
  echo "OpenClaw did not import $legacy: moved to $aside so the gateway starts; sign in again with clawboot sign-in" >&2
fi
"#
);

/// Stores the sign-in of the pending copy `$3` (`{"id","credential"}`) in OpenClaw's own auth
/// store for the agent dir `$4` (≥ 2026.7; `$1` the state dir, `$2` the provider), with its plugin SDK's locked update: one
/// transaction puts the credential under its id, replacing what that id held, as `models auth
/// login` does (the SDK's upsert and the doctor's import keep a sign-in they already hold).
/// Runs beside a running gateway: OpenClaw's store lock orders the writes.
const STORE_SCRIPT: &str = openclaw_script!(
    r#"with_scratch_config "$1"
cat > "$scratch_dir/store.mjs" <<'JS'
import fs from "node:fs";
import path from "node:path";
const [pkg, agentDir, pending] = process.argv.slice(2);
const sdk = await import(path.join(pkg, "dist/plugin-sdk/provider-auth.js"));
const { id, credential } = JSON.parse(fs.readFileSync(pending, "utf8"));
const stored = await sdk.updateAuthProfileStoreWithLock({
  agentDir, sharedStoreWrite: true,
  saveOptions: { filterExternalAuthProfiles: false, syncExternalCli: false },
  updater: (store) => { store.profiles[id] = credential; return true; },
});
if (!stored) { console.error("OpenClaw could not write its auth store (locked or unreadable)"); process.exit(1); }
JS
OPENCLAW_STATE_DIR="$1" OPENCLAW_CONFIG_PATH="$scratch" node "$scratch_dir/store.mjs" "$(oc_package)" "$4" "$3"
"#
);

/// What OpenClaw holds for the provider `$2` in the state dir `$1` (agent dir `$3`): the
/// profiles its CLI lists (`models auth list --json`: id, e-mail, expiry), each with what only
/// its store says, read by its plugin SDK: the plan, the account and a fingerprint of the
/// refresh token (16 hex digits of its SHA-256), never a token.
const HELD_SCRIPT: &str = openclaw_script!(
    r#"with_scratch_config "$1"
OPENCLAW_STATE_DIR="$1" OPENCLAW_CONFIG_PATH="$(auth_config "$1")" oc models auth list --provider "$2" --json > "$scratch_dir/listed.json"
cat > "$scratch_dir/held.mjs" <<'JS'
import fs from "node:fs";
import path from "node:path";
import { createHash } from "node:crypto";
const [pkg, agentDir, listedPath] = process.argv.slice(2);
const sdk = await import(path.join(pkg, "dist/plugin-sdk/provider-auth.js"));
const text = fs.readFileSync(listedPath, "utf8");
const listed = JSON.parse(text.slice(text.indexOf("{"))).profiles ?? [];
const store = sdk.ensureAuthProfileStore(agentDir).profiles;
const digest = (s) => typeof s === "string" ? createHash("sha256").update(s).digest("hex").slice(0, 16) : null;
const profiles = listed.map((p) => ({
  id: p.id, email: p.email ?? null, expiresAt: p.expiresAt ?? null,
  plan: store[p.id]?.chatgptPlanType ?? null, accountId: store[p.id]?.accountId ?? null,
  fingerprint: digest(store[p.id]?.refresh),
}));
process.stdout.write(JSON.stringify({ profiles }) + "\n");
JS
OPENCLAW_STATE_DIR="$1" OPENCLAW_CONFIG_PATH="$scratch" node "$scratch_dir/held.mjs" "$(oc_package)" "$3" "$scratch_dir/listed.json"
"#
);

/// `openclaw models status --check --json` on the state dir `$1`, then its exit code on a line
/// of its own (as `verify::MODELS_STATUS_SCRIPT` prints it), on a scratch config with the agent
/// list and the plugins `$2…` enabled, as the GitOps config has them (the Codex sign-in is used
/// through the codex plugin).
pub const MODELS_CHECK_SCRIPT: &str = openclaw_script!(
    r#"with_scratch_config "$1"
state="$1"; shift
node -e 'const fs=require("fs");const f=process.argv[1];const c=JSON.parse(fs.readFileSync(f,"utf8"));c.plugins={entries:{}};for(const id of process.argv.slice(2))c.plugins.entries[id]={enabled:true};fs.writeFileSync(f,JSON.stringify(c))' "$scratch" "$@"
set +e
OPENCLAW_STATE_DIR="$state" OPENCLAW_CONFIG_PATH="$scratch" oc models status --check --json 2>/dev/null
echo "clawboot-exit=$?"
"#
);

/// OpenClaw's own verified backup of the state dir `$1` and its config (`openclaw backup create
/// --verify`: an online snapshot of the SQLite state, safe beside a running gateway, where a
/// copy of the live files is not), workspaces left out; written outside the state dir, as
/// OpenClaw requires, then printed in base64 for clawboot to keep (the folder goes at exit).
pub const BACKUP_SCRIPT: &str = openclaw_script!(
    r#"out=$(mktemp -d "${TMPDIR:-/tmp}/clawboot-backup.XXXXXX")
trap 'rm -rf "$out"' EXIT
config="$1/openclaw.json"
if [ ! -f "$config" ]; then config="$out/openclaw.json"; echo '{}' > "$config"; fi
# A file replaced while OpenClaw walks the state (a token refresh's write, before 2026.7) fails
# the walk: it is tried again, a little later.
for attempt in 1 2 3; do
  rm -rf "$out/archives"
  if OPENCLAW_STATE_DIR="$1" OPENCLAW_CONFIG_PATH="$config" oc backup create --verify --no-include-workspace --output "$out/archives" --json > "$out/said.json" 2>"$out/error.log"; then break; fi
  if [ "$attempt" = 3 ]; then cat "$out/error.log" >&2; exit 1; fi
  sleep 2
done
node -e 'const fs=require("fs");const said=JSON.parse(fs.readFileSync(process.argv[1],"utf8").replace(/^[^{]*/,""));if(!said.verified){console.error("OpenClaw did not verify the archive");process.exit(1)}process.stdout.write(fs.readFileSync(said.archivePath).toString("base64"))' "$out/said.json"
"#
);

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
    /// Into the JSON file (< 2026.7), or into what OpenClaw holds (≥ 2026.7: `kept` and the
    /// change only, nothing of it is written).
    pub merged: Merged,
    /// `{"id","credential"}`, what `STORE_SCRIPT` puts in OpenClaw's store (≥ 2026.7).
    pending: SecretString,
    /// Of the new refresh token: how OpenClaw is seen holding it.
    fingerprint: String,
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
            Place::Local(dir) if credentials::needs_import(self.release) => {
                format!("OpenClaw's store {}", dir.join(SQLITE_STATE).display())
            }
            Place::Local(_) => self.auth_profiles(),
            Place::Pod { .. } => self.place.describe(),
        }
    }

    /// Before a sign-in: what storing it needs is there, so a sign-in is never thrown away
    /// after its code was exchanged. A JSON file the release reads must be one clawboot can
    /// merge into; a local state dir must be writable, and the `openclaw` on PATH must be the
    /// pinned release (it is asked what it holds afterwards).
    pub async fn ready(&self) -> anyhow::Result<()> {
        let importing = credentials::needs_import(self.release);
        if let Some(text) = self.read().await?.filter(|_| !importing) {
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
        local_openclaw_is(self.release).await
    }

    /// Merge new tokens into what is stored (≥ 2026.7: what OpenClaw holds); nothing is
    /// written yet.
    pub async fn prepare(&self, tokens: &Tokens) -> anyhow::Result<Prepared> {
        let claims = tokens.claims()?;
        let id = credentials::profile_id(self.release, &claims);
        let entry = credentials::profile_entry(self.release, tokens, &claims);
        let existing = if credentials::needs_import(self.release) {
            Some(held_as_file(&self.held().await?, self.release))
        } else {
            self.read().await?
        };
        let merged = credentials::merge(existing.as_ref(), &id, entry.clone())?;
        let pending = serde_json::json!({ "id": id, "credential": entry }).to_string();
        Ok(Prepared {
            id,
            claims,
            expires_at_ms: tokens.expires_at_ms,
            merged,
            pending: SecretString::from(pending),
            fingerprint: credentials::fingerprint(&tokens.refresh),
        })
    }

    /// Store the sign-in as the release reads it: the merged JSON file (< 2026.7), or through
    /// OpenClaw's own locked store update (≥ 2026.7, from a pending copy). Done only once
    /// OpenClaw, asked, holds the new tokens with their expiry; then the plaintext copies go.
    /// When it does not, the pending copy stays and the error says what OpenClaw holds.
    pub async fn commit(&self, prepared: &Prepared) -> anyhow::Result<()> {
        if !credentials::needs_import(self.release) {
            if prepared.merged.change != credentials::ProfileChange::Unchanged {
                self.write(&prepared.merged.text).await?;
            }
            self.check_held(prepared).await?;
            let target = self.auth_profiles();
            return self
                .run_script(volume::CLEANUP_SCRIPT, &[&target])
                .await
                .map(drop);
        }
        let pending = self.under_state(PENDING);
        self.write_at(&pending, &prepared.pending).await?;
        let agent_dir = self.under_state(AGENT_DIR);
        let stored = self
            .run_openclaw(STORE_SCRIPT, &[&pending, &agent_dir], "storing the sign-in")
            .await;
        let checked = match stored {
            Ok(_) => self.check_held(prepared).await,
            Err(e) => {
                let now = match self.held().await {
                    Ok(held) => holding(&held, prepared),
                    Err(why) => format!("what OpenClaw holds could not be read ({why:#})"),
                };
                Err(anyhow::anyhow!("{e:#}; it holds {now}"))
            }
        };
        checked.map_err(|e| {
            anyhow::anyhow!(
                "{e:#}; the new tokens are kept in {pending} (0600): sign in again once OpenClaw answers"
            )
        })?;
        self.run_script(DROP_PENDING_SCRIPT, &[&pending])
            .await
            .map(drop)
    }

    /// OpenClaw, asked, holds the prepared tokens (by their fingerprint) and their expiry.
    async fn check_held(&self, prepared: &Prepared) -> anyhow::Result<()> {
        let held = self.held().await?;
        let holds_new = held.iter().any(|p| {
            p.id == prepared.id
                && p.fingerprint.as_deref() == Some(prepared.fingerprint.as_str())
                && p.expires_ms == Some(prepared.expires_at_ms)
        });
        anyhow::ensure!(
            holds_new,
            "OpenClaw {} does not hold the new sign-in (until {}): it holds {}",
            self.release,
            format_ms(prepared.expires_at_ms),
            holding(&held, prepared)
        );
        Ok(())
    }

    /// After an upgrade to a release that imports: the profiles of the JSON file an older
    /// release wrote, imported by this release's OpenClaw and listed by it under its own
    /// provider; then the plaintext copies go. The ids now listed (none: no file, no sign-in).
    /// In the pod the new pod's `init-credentials` imported them before its gateway started (an
    /// import beside a running gateway is refused): OpenClaw is asked what it lists.
    pub async fn import_existing(&self) -> anyhow::Result<Vec<String>> {
        if let Place::Pod { .. } = &self.place {
            return Ok(self.held().await?.into_iter().map(|p| p.id).collect());
        }
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

    /// The credentials file, as the place where it lives names it.
    fn auth_profiles(&self) -> String {
        self.under_state(AUTH_PROFILES)
    }

    /// A path under the state dir, as the script that runs there names it.
    fn under_state(&self, relative: &str) -> String {
        format!("{}/{relative}", self.place.state_dir())
    }

    /// What OpenClaw itself holds for the provider (its CLI and its store, asked by the pinned
    /// release): id, e-mail, expiry, plan, account and the refresh token's fingerprint.
    async fn held(&self) -> anyhow::Result<Vec<StoredProfile>> {
        if let Place::Local(_) = &self.place {
            local_openclaw_is(self.release).await?;
        }
        let agent_dir = self.under_state(AGENT_DIR);
        parse_listing(
            &self
                .run_openclaw(HELD_SCRIPT, &[&agent_dir], "listing its sign-ins")
                .await?,
        )
    }

    /// The Codex profiles OpenClaw will see: the JSON file, or (≥ 2026.7) what OpenClaw itself
    /// holds: a JSON file left by a failed import is not what OpenClaw uses.
    pub async fn profiles(&self) -> anyhow::Result<Vec<StoredProfile>> {
        if credentials::needs_import(self.release) {
            return self.held().await;
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
        self.write_at(&self.auth_profiles(), text).await
    }

    /// Write `text` atomically (0600) at `path` under the state dir, where it lives.
    async fn write_at(&self, path: &str, text: &SecretString) -> anyhow::Result<()> {
        match &self.place {
            Place::Local(_) => volume::write_local(std::path::Path::new(path), text).await,
            Place::Pod { kubectl, pod } => {
                volume::write_in_pod(kubectl, pod, CONTAINER, path, text).await
            }
        }
    }

    /// Run the import and check that OpenClaw now lists the profile.
    async fn import(&self, id: &str) -> anyhow::Result<()> {
        let listed = parse_listing(
            &self
                .run_openclaw(IMPORT_SCRIPT, &[], "importing the sign-in")
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

    /// Run one of the OpenClaw scripts (state dir, provider, `more`…) where the state lives;
    /// its stdout. `doing` names it in an error ("listing the sign-ins").
    async fn run_openclaw(
        &self,
        script: &str,
        more: &[&str],
        doing: &str,
    ) -> anyhow::Result<String> {
        let state = self.place.state_dir();
        let mut args = vec![state.as_str(), credentials::provider(self.release)];
        args.extend_from_slice(more);
        self.run_script(script, &args)
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

    /// OpenClaw's verified backup of the state where it lives, kept on this machine (0600, in
    /// clawboot's state folder, named with `stamp`): the archive's path. It holds the tokens.
    pub async fn backup(&self, stamp: &str) -> anyhow::Result<PathBuf> {
        // The archive holds the refresh token: both its copies are wiped when dropped.
        let printed = zeroize::Zeroizing::new(
            self.run(BACKUP_SCRIPT, &[&self.state_dir()], None, OPENCLAW_LIMIT)
                .await
                .map_err(|e| anyhow::anyhow!("the backup was not made: {e}"))?,
        );
        use base64::Engine;
        let archive = zeroize::Zeroizing::new(
            base64::engine::general_purpose::STANDARD
                .decode(printed.trim())
                .map_err(|_| {
                    anyhow::anyhow!(
                        "the backup was not made: OpenClaw's archive did not arrive whole"
                    )
                })?,
        );
        let folder = crate::waves::journal::state_dir()?.join("backups");
        use std::os::unix::fs::DirBuilderExt;
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(&folder)
            .map_err(|e| anyhow::anyhow!("cannot make {}: {e}", folder.display()))?;
        let path = folder.join(format!("openclaw-{stamp}.tar.gz"));
        crate::fsutil::write_atomic(&path, &archive, 0o600)?;
        Ok(path)
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
                "clawboot asks OpenClaw {release} itself what it holds (the `openclaw` CLI), which is not on PATH: install it (npm install -g openclaw@{release}), then run the command again"
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

/// What OpenClaw holds under the prepared sign-in's id, for a message.
fn holding(held: &[StoredProfile], prepared: &Prepared) -> String {
    match held.iter().find(|p| p.id == prepared.id) {
        None => format!("no profile {}", prepared.id),
        Some(p) => format!(
            "{} with {} tokens, until {}",
            p.id,
            if p.fingerprint.as_deref() == Some(prepared.fingerprint.as_str()) {
                "the new"
            } else {
                "older"
            },
            p.expires_ms.map_or("-".to_string(), format_ms)
        ),
    }
}

/// What OpenClaw holds as an auth-profiles.json without tokens: what a new sign-in is
/// compared with, to tell another account's sign-in (and keep the other profiles' ids).
fn held_as_file(held: &[StoredProfile], release: Release) -> SecretString {
    let profiles: serde_json::Map<String, Value> = held
        .iter()
        .map(|p| {
            let mut entry = serde_json::json!({
                "type": "oauth",
                "provider": credentials::provider(release),
            });
            let known = [
                ("email", p.email.clone().map(Value::from)),
                ("accountId", p.account_id.clone().map(Value::from)),
                ("chatgptPlanType", p.plan.clone().map(Value::from)),
                ("expires", p.expires_ms.map(Value::from)),
            ];
            for (key, value) in known {
                if let Some(value) = value {
                    entry[key] = value;
                }
            }
            (p.id.clone(), entry)
        })
        .collect();
    SecretString::from(serde_json::json!({ "version": 1, "profiles": profiles }).to_string())
}

/// What `HELD_SCRIPT` prints (`openclaw models auth list --json` and the store's plan,
/// account and fingerprint) → profiles.
fn parse_listing(listing: &str) -> anyhow::Result<Vec<StoredProfile>> {
    let value = super::first_json(listing)?;
    let text = |p: &Value, key: &str| p.get(key).and_then(Value::as_str).map(str::to_string);
    Ok(value
        .get("profiles")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|p| StoredProfile {
            id: text(p, "id").unwrap_or_default(),
            email: text(p, "email"),
            plan: text(p, "plan"),
            fingerprint: text(p, "fingerprint"),
            account_id: text(p, "accountId"),
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
