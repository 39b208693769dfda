//! The Codex sign-in as OpenClaw stores it (spec/openclaw-credentials.md): the profile in the
//! shape the pinned release reads, merged into `auth-profiles.json` without dropping any profile
//! or key we did not write. The merged text carries tokens, so it only exists as a SecretString.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use secrecy::{ExposeSecret, SecretString};
use serde_json::{json, Map, Value};

use super::release::Release;
use crate::codex::claims::Claims;
use crate::codex::token::Tokens;

/// The default agent's folder under the state dir, where its auth store lives.
pub const AGENT_DIR: &str = "agents/main/agent";
/// Where the default agent keeps its credentials, under the state dir.
pub const AUTH_PROFILES: &str = "agents/main/agent/auth-profiles.json";

/// Fields of a profile that are secret: never shown, never compared in a report.
const SECRET_FIELDS: [&str; 2] = ["access", "refresh"];

/// The provider id a Codex sign-in is stored under by this release.
pub fn provider(release: Release) -> &'static str {
    if release >= Release::new(2026, 6, 0) {
        "openai"
    } else {
        "openai-codex"
    }
}

/// From 2026.7 the runtime reads SQLite; the JSON file is only imported (by `openclaw doctor --fix`).
pub fn needs_import(release: Release) -> bool {
    release >= Release::new(2026, 7, 0)
}

/// The profile id this release gives the sign-in.
pub fn profile_id(release: Release, claims: &Claims) -> String {
    if release < Release::new(2026, 2, 26) {
        return "openai-codex:default".to_string();
    }
    let provider = provider(release);
    match (&claims.email, &claims.subject) {
        (Some(email), _) => format!("{provider}:{email}"),
        (None, Some(subject)) => format!("{provider}:id-{}", URL_SAFE_NO_PAD.encode(subject)),
        (None, None) => format!(
            "{provider}:id-{}",
            URL_SAFE_NO_PAD.encode(&claims.account_id)
        ),
    }
}

/// The profile entry, exactly as OpenClaw writes it.
pub fn profile_entry(release: Release, tokens: &Tokens, claims: &Claims) -> Value {
    let mut entry = json!({
        "type": "oauth",
        "provider": provider(release),
        "access": tokens.access.expose_secret(),
        "refresh": tokens.refresh.expose_secret(),
        "expires": tokens.expires_at_ms,
        "accountId": claims.account_id,
    });
    if let Some(plan) = &claims.plan {
        entry["chatgptPlanType"] = json!(plan);
    }
    if let Some(email) = &claims.email {
        entry["email"] = json!(email);
    }
    entry
}

/// The `auth.profiles` entry of openclaw.json for this sign-in (routing metadata, no secret).
pub fn config_entry(release: Release, email: &str) -> (String, Value) {
    let claims = Claims {
        account_id: String::new(),
        plan: None,
        email: Some(email.to_string()),
        subject: None,
    };
    let id = profile_id(release, &claims);
    (
        id,
        json!({ "provider": provider(release), "mode": "oauth", "email": email }),
    )
}

/// What merging did to the profile of our id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProfileChange {
    Added,
    /// The non-secret fields that change (`field: old → new`), and whether the tokens change.
    Replaced {
        fields: Vec<String>,
        tokens: bool,
    },
    Unchanged,
}

impl ProfileChange {
    /// The changed fields that say whose sign-in it is (all but the expiry a renewal moves):
    /// replacing those is the operator's decision.
    pub fn identity_changes(&self) -> Vec<&str> {
        match self {
            ProfileChange::Replaced { fields, .. } => fields
                .iter()
                .map(String::as_str)
                .filter(|f| !f.starts_with("expires:"))
                .collect(),
            _ => Vec::new(),
        }
    }
}

pub struct Merged {
    pub text: SecretString,
    pub change: ProfileChange,
    /// Ids of the other profiles, kept as they were.
    pub kept: Vec<String>,
}

/// Put `entry` under `profiles[id]` of the existing file (absent or empty: a new file); every
/// other profile and every other key stays as it was. 2-space JSON with a trailing newline.
pub fn merge(existing: Option<&SecretString>, id: &str, entry: Value) -> anyhow::Result<Merged> {
    let mut document: Value = match existing.map(|t| t.expose_secret().trim()) {
        None | Some("") => json!({ "version": 1, "profiles": {} }),
        Some(text) => serde_json::from_str(text).map_err(|_| {
            anyhow::anyhow!("the existing auth-profiles.json is not valid JSON: fix or move it; nothing was written")
        })?,
    };
    let root = document.as_object_mut().ok_or_else(|| {
        anyhow::anyhow!("the existing auth-profiles.json is not a JSON object; nothing was written")
    })?;
    let profiles = root
        .entry("profiles")
        .or_insert_with(|| Value::Object(Map::new()))
        .as_object_mut()
        .ok_or_else(|| {
            anyhow::anyhow!(
                "auth-profiles.json has a `profiles` that is not an object; nothing was written"
            )
        })?;
    let kept = profiles.keys().filter(|k| *k != id).cloned().collect();
    let change = match profiles.get(id) {
        None => ProfileChange::Added,
        Some(old) => describe_change(old, &entry),
    };
    let merged_entry = match profiles.remove(id) {
        // Keys OpenClaw added that we do not write survive a new sign-in.
        Some(Value::Object(mut old)) => {
            for (key, value) in entry.as_object().cloned().unwrap_or_default() {
                old.insert(key, value);
            }
            Value::Object(old)
        }
        _ => entry,
    };
    profiles.insert(id.to_string(), merged_entry);
    let mut text = serde_json::to_string_pretty(&document)?;
    text.push('\n');
    Ok(Merged {
        text: SecretString::from(text),
        change,
        kept,
    })
}

fn describe_change(old: &Value, new: &Value) -> ProfileChange {
    let mut fields = Vec::new();
    let mut tokens = false;
    for (key, value) in new.as_object().into_iter().flatten() {
        let before = old.get(key);
        if before == Some(value) {
            continue;
        }
        if SECRET_FIELDS.contains(&key.as_str()) {
            tokens = true;
        } else {
            // Epoch milliseconds are shown as dates; text without its JSON quotes.
            let show = |v: Option<&Value>| match v {
                None => "(none)".to_string(),
                Some(Value::Number(n)) if key == "expires" => n
                    .as_i64()
                    .map_or_else(|| n.to_string(), super::store::format_ms),
                Some(Value::String(text)) => crate::printable::printable(text),
                Some(other) => other.to_string(),
            };
            fields.push(format!("{key}: {} → {}", show(before), show(Some(value))));
        }
    }
    if fields.is_empty() && !tokens {
        ProfileChange::Unchanged
    } else {
        ProfileChange::Replaced { fields, tokens }
    }
}

/// A stored Codex profile, as far as a status report needs it (never its tokens).
#[derive(Debug, Clone, serde::Serialize)]
pub struct StoredProfile {
    pub id: String,
    pub email: Option<String>,
    pub plan: Option<String>,
    pub expires_ms: Option<i64>,
    /// 16 hex digits of the SHA-256 of the refresh token OpenClaw holds: which tokens, unshown.
    #[serde(skip)]
    pub fingerprint: Option<String>,
    #[serde(skip)]
    pub account_id: Option<String>,
}

/// The fingerprint OpenClaw's store is read back with (`StoredProfile::fingerprint`).
pub fn fingerprint(refresh: &SecretString) -> String {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(refresh.expose_secret().as_bytes());
    digest[..8].iter().map(|b| format!("{b:02x}")).collect()
}

/// The Codex profiles (of either provider id) in an auth-profiles.json.
pub fn stored_profiles(text: &SecretString) -> anyhow::Result<Vec<StoredProfile>> {
    let document: Value = serde_json::from_str(text.expose_secret())
        .map_err(|_| anyhow::anyhow!("auth-profiles.json is not valid JSON"))?;
    let profiles = document.get("profiles").and_then(Value::as_object);
    Ok(profiles
        .into_iter()
        .flatten()
        .filter(|(_, p)| {
            matches!(
                p.get("provider").and_then(Value::as_str),
                Some("openai-codex" | "openai")
            ) && p
                .get("type")
                .or_else(|| p.get("mode"))
                .and_then(Value::as_str)
                == Some("oauth")
        })
        .map(|(id, p)| StoredProfile {
            id: id.clone(),
            email: p.get("email").and_then(Value::as_str).map(str::to_string),
            plan: p
                .get("chatgptPlanType")
                .and_then(Value::as_str)
                .map(str::to_string),
            expires_ms: p.get("expires").and_then(Value::as_i64),
            fingerprint: p
                .get("refresh")
                .and_then(Value::as_str)
                .map(|t| fingerprint(&SecretString::from(t.to_string()))),
            account_id: p
                .get("accountId")
                .and_then(Value::as_str)
                .map(str::to_string),
        })
        .collect())
}

/// The refresh token of a stored profile.
pub fn stored_refresh_token(text: &SecretString, id: &str) -> anyhow::Result<SecretString> {
    let document: Value = serde_json::from_str(text.expose_secret())
        .map_err(|_| anyhow::anyhow!("auth-profiles.json is not valid JSON"))?;
    document
        .pointer(&format!(
            "/profiles/{}/refresh",
            id.replace('~', "~0").replace('/', "~1")
        ))
        .and_then(Value::as_str)
        .map(|t| SecretString::from(t.to_string()))
        .ok_or_else(|| {
            anyhow::anyhow!(
                "the profile {id} has no refresh token: sign in again with `clawboot codex login`"
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims(email: Option<&str>) -> Claims {
        Claims {
            account_id: "acct".into(),
            plan: Some("plus".into()),
            email: email.map(str::to_string),
            subject: Some("user-1".into()),
        }
    }

    fn tokens(access: &str) -> Tokens {
        Tokens {
            access: SecretString::from(access.to_string()),
            refresh: SecretString::from("r".to_string()),
            id_token: None,
            expires_at_ms: 1_796_212_288_000,
        }
    }

    #[test]
    fn ids_and_providers_follow_the_release() {
        let old = Release::new(2026, 2, 1);
        let json_era = Release::new(2026, 5, 28);
        let sqlite_era = Release::new(2026, 9, 6);
        assert_eq!(
            profile_id(old, &claims(Some("a@b.c"))),
            "openai-codex:default"
        );
        assert_eq!(
            profile_id(json_era, &claims(Some("a@b.c"))),
            "openai-codex:a@b.c"
        );
        assert_eq!(
            profile_id(sqlite_era, &claims(Some("a@b.c"))),
            "openai:a@b.c"
        );
        assert_eq!(
            profile_id(json_era, &claims(None)),
            "openai-codex:id-dXNlci0x"
        );
        assert!(!needs_import(json_era) && needs_import(sqlite_era));
    }

    #[test]
    fn merge_keeps_other_profiles_and_unknown_keys() {
        let existing = SecretString::from(
            r#"{"version":1,"future":{"x":1},"profiles":{
                "anthropic:me":{"type":"api_key","provider":"anthropic","key":"k","extra":true},
                "openai-codex:a@b.c":{"type":"oauth","provider":"openai-codex","access":"old","refresh":"r","expires":1,"accountId":"acct","email":"a@b.c","note":"kept"}}}"#
                .to_string(),
        );
        let release = Release::new(2026, 5, 28);
        let entry = profile_entry(release, &tokens("new"), &claims(Some("a@b.c")));
        let merged = merge(Some(&existing), "openai-codex:a@b.c", entry).unwrap();
        let doc: Value = serde_json::from_str(merged.text.expose_secret()).unwrap();
        assert_eq!(doc["future"]["x"], 1);
        assert_eq!(doc["profiles"]["anthropic:me"]["extra"], true);
        assert_eq!(doc["profiles"]["openai-codex:a@b.c"]["note"], "kept");
        assert_eq!(doc["profiles"]["openai-codex:a@b.c"]["access"], "new");
        assert_eq!(merged.kept, ["anthropic:me"]);
        match merged.change {
            ProfileChange::Replaced { fields, tokens } => {
                assert!(tokens);
                assert!(
                    fields
                        .iter()
                        .any(|f| f.starts_with("expires: 1970-01-01T00:00:00Z → 20")),
                    "dates, not epoch milliseconds: {fields:?}"
                );
                assert!(
                    fields.iter().all(|f| !f.contains("new")),
                    "no token in the report"
                );
            }
            other => panic!("{other:?}"),
        }
        assert!(merged.text.expose_secret().ends_with("}\n"));
    }

    #[test]
    fn a_broken_existing_file_is_refused() {
        let broken = SecretString::from("{not json".to_string());
        assert!(merge(Some(&broken), "x", json!({})).is_err());
    }
}
