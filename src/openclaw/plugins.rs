//! OpenClaw's external plugins: which ones the profile needs (from the release table), the
//! script the pod's `init-plugins` container runs to install them, and how to read
//! `openclaw plugins list --json` to tell whether each one is there and loaded.

use serde::Deserialize;

use super::release::{newest, ExternalPlugin, Need, Release};
use crate::profile::Profile;

/// Installs each `id=package@version` argument with the release's own installer, unless the
/// image bundles it or that version is already in the state dir: a second start installs
/// nothing. npm's retries are bounded so an unreachable registry fails the pod in minutes,
/// with a reason, instead of hanging.
pub const INSTALL_SCRIPT: &str = openclaw_script!(
    r#"# The installer records its own edits in a scratch config: GitOps owns openclaw.json. It sits
# in a folder of its own, as OpenClaw chmods a config's folder (a root-owned /tmp refuses).
work=$(mktemp -d "${TMPDIR:-/tmp}/clawboot.XXXXXX")
trap 'rm -rf "$work"' EXIT
export OPENCLAW_CONFIG_PATH="$work/plugin-install.json"
export npm_config_fetch_retries="${npm_config_fetch_retries:-2}" npm_config_fetch_timeout="${npm_config_fetch_timeout:-30000}"
export npm_config_fetch_retry_mintimeout="${npm_config_fetch_retry_mintimeout:-2000}" npm_config_fetch_retry_maxtimeout="${npm_config_fetch_retry_maxtimeout:-10000}"
registry="${npm_config_registry:-https://registry.npmjs.org/}"
log="$work/plugin-install.log"
# "ORIGIN VERSION" of the plugin $1 in the listing on stdin, or "missing".
plugin_state() { node -e 'const t=require("fs").readFileSync(0,"utf8");const p=JSON.parse(t.slice(t.indexOf("{"))).plugins.find(p=>p.id===process.argv[1]);console.log(p?p.origin+" "+p.version:"missing")' "$1"; }
listing=$(oc plugins list --json)
for pin in "$@"; do
  id="${pin%%=*}" spec="${pin#*=}"
  have=$(printf '%s' "$listing" | plugin_state "$id")
  case "$have" in
    "bundled "*) echo "plugin $id: in the image (${have#bundled })"; continue ;;
    *" ${spec##*@}") echo "plugin $id: ${spec##*@} already installed"; continue ;;
  esac
  # A restored volume keeps install records whose packages the archive left out: OpenClaw's own
  # update puts them back (an install then fails its payload check). Without a record it fails.
  if [ "$have" = missing ] && oc plugins update "$id" >"$log" 2>&1; then
    have=$(oc plugins list --json | plugin_state "$id")
    case "$have" in
      *" ${spec##*@}") echo "plugin $id: ${spec##*@} put back from its install record"; continue ;;
    esac
  fi
  echo "plugin $id: installing $spec from $registry (now: $have)"
  if ! oc plugins install "$spec" --pin --force >"$log" 2>&1; then
    reason=$(grep -m1 -E 'npm error (code|[0-9]{3} )|requires plugin API|not found' "$log" || tail -n 1 "$log")
    echo "cannot install $spec from $registry: $reason" >&2
    echo "the pod needs HTTPS to that registry (NetworkPolicy openclaw-network); an air-gapped cluster sets openclaw.plugin_registry to a mirror holding $spec (and network_policy.plugin_registry_cidrs)" >&2
    exit 1
  fi
  echo "plugin $id: $spec installed"
done
"#
);

/// Lists the plugins as OpenClaw loads them.
pub const LIST_SCRIPT: &str = openclaw_script!("oc plugins list --json\n");

/// The Discord connection as the running gateway reports it.
pub const DISCORD_STATUS_SCRIPT: &str =
    openclaw_script!("oc channels status --probe --channel discord --timeout 15000 --json\n");

/// The plugins this profile needs from outside the release's npm package.
pub fn needed(profile: &Profile) -> Vec<&'static ExternalPlugin> {
    profile
        .release()
        .external_plugins()
        .iter()
        .filter(|p| match p.need {
            Need::Discord => true,
            Need::CodexSubscription => profile.openclaw.codex_subscription,
        })
        .collect()
}

/// The arguments of [`INSTALL_SCRIPT`]: `id=package@version` for each needed plugin npm has.
pub fn install_args(profile: &Profile) -> Vec<String> {
    needed(profile)
        .into_iter()
        .filter_map(|p| p.spec().map(|spec| format!("{}={spec}", p.id)))
        .collect()
}

/// What the operator must know about needed plugins nothing can install for this release.
pub fn not_installable(profile: &Profile) -> Vec<String> {
    needed(profile)
        .into_iter()
        .filter(|p| p.version.is_none() && !p.in_image)
        .map(|p| not_installable_reason(p, profile.release()))
        .collect()
}

/// Why `plugin` cannot be had on `release`, and where to go instead.
pub fn not_installable_reason(plugin: &ExternalPlugin, release: Release) -> String {
    format!(
        "the {} plugin: no {} on npm runs on OpenClaw {release} and its image does not bundle it, so the bot never connects; set openclaw.release and images.openclaw to {}",
        plugin.id,
        plugin.package,
        newest()
    )
}

/// One plugin as `openclaw plugins list --json` reports it.
#[derive(Debug, Clone, Deserialize)]
pub struct Listed {
    pub id: String,
    #[serde(default)]
    pub version: Option<String>,
    #[serde(default)]
    pub origin: String,
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub error: Option<String>,
}

#[derive(Deserialize)]
struct Listing {
    plugins: Vec<Listed>,
}

/// The plugins in the output of `openclaw plugins list --json` (notices before it are skipped).
pub fn parse_listing(output: &str) -> Result<Vec<Listed>, String> {
    let start = output
        .find('{')
        .ok_or("no JSON in the output of `openclaw plugins list --json`")?;
    let mut documents = serde_json::Deserializer::from_str(&output[start..]).into_iter::<Listing>();
    match documents.next() {
        Some(Ok(listing)) => Ok(listing.plugins),
        Some(Err(e)) => Err(format!(
            "`openclaw plugins list --json` printed unexpected JSON: {e}"
        )),
        None => Err("`openclaw plugins list --json` printed nothing".into()),
    }
}

/// How one needed plugin stands in a listing: `Ok(line)` when installed and loaded.
pub fn judge(plugin: &ExternalPlugin, listed: &[Listed]) -> Result<String, String> {
    let Some(found) = listed.iter().find(|l| l.id == plugin.id) else {
        return Err(format!(
            "the {} plugin is not installed: the init-plugins container did not run or failed; see `kubectl logs deploy/openclaw -c init-plugins`",
            plugin.id
        ));
    };
    let version = found.version.as_deref().unwrap_or("?");
    if found.status != "loaded" {
        let why = found.error.as_deref().unwrap_or("no error given");
        return Err(format!(
            "the {} plugin {version} ({}) is {}: {why}",
            plugin.id, found.origin, found.status
        ));
    }
    Ok(format!(
        "the {} plugin {version} ({}) is loaded",
        plugin.id, found.origin
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_profile_installs_discord_and_codex_pinned() {
        let profile = Profile::embedded();
        assert_eq!(
            install_args(&profile),
            [
                "discord=@openclaw/discord@2026.9.6",
                "codex=@openclaw/codex@2026.9.5"
            ]
        );
        assert!(not_installable(&profile).is_empty());
        let no_codex = Profile::from_answers(
            "openclaw:\n  codex_subscription: false\n  fallback_models: [litellm/anthropic/claude-opus-4-6]\n",
        )
        .unwrap();
        assert_eq!(
            install_args(&no_codex),
            ["discord=@openclaw/discord@2026.9.6"]
        );
    }

    #[test]
    fn a_release_without_an_installable_discord_is_said_plainly() {
        let old = Profile::from_answers(
            "openclaw:\n  release: \"2026.5.28\"\nimages:\n  openclaw: ghcr.io/openclaw/openclaw:2026.5.28\n",
        )
        .unwrap();
        assert!(install_args(&old).is_empty());
        let said = not_installable(&old);
        assert_eq!(said.len(), 1);
        assert!(
            said[0].contains("@openclaw/discord") && said[0].contains("2026.9.6"),
            "{said:?}"
        );
    }

    #[test]
    fn a_listing_tells_loaded_from_missing_and_broken() {
        let out = "[plugins] notice\n{\"registry\":{},\"plugins\":[{\"id\":\"discord\",\"version\":\"2026.9.6\",\"origin\":\"global\",\"status\":\"loaded\"},{\"id\":\"codex\",\"version\":\"2026.9.5\",\"origin\":\"global\",\"status\":\"error\",\"error\":\"boom\"}],\"diagnostics\":[]}";
        let listed = parse_listing(out).unwrap();
        let plugins = Profile::embedded().release().external_plugins();
        assert!(judge(&plugins[0], &listed).unwrap().contains("loaded"));
        assert!(judge(&plugins[1], &listed).unwrap_err().contains("boom"));
        assert!(judge(&plugins[0], &[])
            .unwrap_err()
            .contains("init-plugins"));
        assert!(parse_listing("nothing").is_err());
    }
}
