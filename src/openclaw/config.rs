//! openclaw.json: the gateway config the emitted ConfigMap carries (spec/openclaw-config.md).
//! Secrets appear only as SecretRefs to environment variables, resolved by OpenClaw in memory.

use serde_json::{json, Value};

use super::credentials;
use crate::profile::Profile;

pub const GATEWAY_PORT: u16 = 18789;
pub const LITELLM_PORT: u16 = 4000;

fn env_ref(name: &str) -> Value {
    json!({ "source": "env", "provider": "default", "id": name })
}

/// The whole config, as OpenClaw reads it.
pub fn build(profile: &Profile) -> Value {
    let oc = &profile.openclaw;
    let allow_from = &oc.discord_allow_from;
    let mut config = json!({
        "gateway": {
            "mode": "local",
            "port": GATEWAY_PORT,
            // cloudflared reaches the gateway from another pod: it must listen beyond loopback.
            "bind": "lan",
            "auth": { "mode": "token", "token": env_ref("OPENCLAW_GATEWAY_TOKEN") },
            "controlUi": { "allowedOrigins": [format!("https://{}", profile.cloudflare.hostname)] },
        },
        "models": { "providers": { "litellm": litellm_provider(profile) } },
        "agents": { "defaults": {
            "model": { "primary": oc.primary_model, "fallbacks": oc.fallback_models },
            "sandbox": {
                "mode": oc.sandbox.mode,
                "scope": oc.sandbox.scope,
                "workspaceAccess": oc.sandbox.workspace_access,
                "docker": { "image": oc.sandbox.image, "network": oc.sandbox.network, "user": "1000:1000" },
            },
        } },
        "channels": { "discord": discord_channel(allow_from) },
        "plugins": { "entries": { "discord": { "enabled": true } } },
    });
    if !allow_from.is_empty() {
        config["tools"] =
            json!({ "elevated": { "enabled": true, "allowFrom": { "discord": allow_from } } });
    }
    if oc.codex_subscription {
        config["plugins"]["entries"]["codex"] = json!({ "enabled": true });
        if !oc.codex_email.is_empty() {
            // The same entry `codex login` stores the profile under, so the two agree.
            let (id, entry) = credentials::config_entry(profile.release(), &oc.codex_email);
            config["auth"] = json!({ "profiles": { id: entry } });
        }
    }
    config
}

/// Pretty JSON with a trailing newline, as OpenClaw itself writes it.
pub fn to_text(config: &Value) -> String {
    let mut text = serde_json::to_string_pretty(config).expect("a JSON value serializes");
    text.push('\n');
    text
}

fn litellm_provider(profile: &Profile) -> Value {
    let models: Vec<Value> = profile
        .enabled_models()
        .into_iter()
        .map(|card| {
            json!({
                "id": card.id,
                "name": card.name,
                "reasoning": card.reasoning,
                "input": card.input,
                "contextWindow": card.context_window,
                "maxTokens": card.max_tokens,
            })
        })
        .collect();
    json!({
        "baseUrl": format!("http://litellm.{}.svc.cluster.local:{LITELLM_PORT}", profile.cluster.namespace),
        // Without a database LiteLLM accepts only its master key; the pod binds it to this name.
        "apiKey": env_ref("LITELLM_PROXY_KEY"),
        "api": "openai-completions",
        "models": models,
    })
}

/// An empty allowlist would drop every DM, so no ids means pairing (the owner approves each user).
fn discord_channel(allow_from: &[String]) -> Value {
    let mut discord = json!({ "enabled": true, "token": env_ref("DISCORD_BOT_TOKEN") });
    if allow_from.is_empty() {
        discord["dmPolicy"] = json!("pairing");
    } else {
        discord["dmPolicy"] = json!("allowlist");
        discord["allowFrom"] = json!(allow_from);
    }
    discord
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_config_has_the_lessons_built_in() {
        let profile = Profile::embedded();
        let config = build(&profile);
        assert_eq!(config["gateway"]["mode"], "local");
        assert_eq!(
            config["models"]["providers"]["litellm"]["api"],
            "openai-completions"
        );
        assert_eq!(config["plugins"]["entries"]["discord"]["enabled"], true);
        assert_eq!(config["plugins"]["entries"]["codex"]["enabled"], true);
        assert_eq!(config["channels"]["discord"]["dmPolicy"], "pairing");
        assert!(config.get("agent").is_none());
    }

    #[test]
    fn allowlist_comes_with_its_ids() {
        let profile =
            Profile::from_answers("openclaw:\n  discord_allow_from: [\"123456789012345678\"]\n")
                .unwrap();
        let config = build(&profile);
        assert_eq!(config["channels"]["discord"]["dmPolicy"], "allowlist");
        assert_eq!(
            config["channels"]["discord"]["allowFrom"][0],
            "123456789012345678"
        );
        assert_eq!(
            config["tools"]["elevated"]["allowFrom"]["discord"][0],
            "123456789012345678"
        );
    }
}
