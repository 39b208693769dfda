//! Every SSM parameter of spec/manifests.md: its name, which Kubernetes Secret carries it,
//! and where its value comes from. Values themselves never pass through here.

use serde::Serialize;

use crate::profile::Profile;

/// The Kubernetes Secret an ExternalSecret fills with the parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum TargetSecret {
    /// `openclaw-credentials`: read by the OpenClaw pod (and cloudflared for the tunnel token).
    OpenClaw,
    /// `litellm-credentials`: read only by the LiteLLM pod.
    LiteLlm,
}

/// Where a parameter's value comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ValueSource {
    /// The operator supplies it (a token made on a provider's site).
    Asked,
    /// clawboot generates it.
    Generated,
    /// The Cloudflare Terraform writes it; clawboot only checks it.
    Terraform,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Parameter {
    /// Last path segment in SSM, e.g. `DISCORD_BOT_TOKEN` or `tunnel-token`.
    pub name: &'static str,
    /// Key inside the Kubernetes Secret.
    pub secret_key: &'static str,
    pub target: TargetSecret,
    pub source: ValueSource,
    pub description: &'static str,
}

const OPENCLAW_PARAMETERS: [Parameter; 5] = [
    Parameter {
        name: "DISCORD_BOT_TOKEN",
        secret_key: "DISCORD_BOT_TOKEN",
        target: TargetSecret::OpenClaw,
        source: ValueSource::Asked,
        description: "Discord bot token (Discord developer portal)",
    },
    Parameter {
        name: "OPENCLAW_GATEWAY_TOKEN",
        secret_key: "OPENCLAW_GATEWAY_TOKEN",
        target: TargetSecret::OpenClaw,
        source: ValueSource::Generated,
        description: "OpenClaw gateway auth token (generated)",
    },
    Parameter {
        name: "GITHUB_TOKEN",
        secret_key: "GITHUB_TOKEN",
        target: TargetSecret::OpenClaw,
        source: ValueSource::Asked,
        description: "GitHub fine-grained PAT for the agent's pull requests",
    },
    Parameter {
        name: "OPENAI_API_KEY",
        secret_key: "OPENAI_API_KEY",
        target: TargetSecret::OpenClaw,
        source: ValueSource::Asked,
        description: "OpenAI API key for the codex CLI",
    },
    Parameter {
        name: "tunnel-token",
        secret_key: "TUNNEL_TOKEN",
        target: TargetSecret::OpenClaw,
        source: ValueSource::Terraform,
        description: "Cloudflare Tunnel token (written by Terraform)",
    },
];

const MASTER_KEY: Parameter = Parameter {
    name: "LITELLM_MASTER_KEY",
    secret_key: "LITELLM_MASTER_KEY",
    target: TargetSecret::LiteLlm,
    source: ValueSource::Generated,
    description: "LiteLLM master key, also OpenClaw's LITELLM_PROXY_KEY (generated)",
};

const PROVIDER_KEYS: [Parameter; 4] = [
    Parameter {
        name: "ANTHROPIC_API_KEY",
        secret_key: "ANTHROPIC_API_KEY",
        target: TargetSecret::LiteLlm,
        source: ValueSource::Asked,
        description: "Anthropic API key (LiteLLM only, never the OpenClaw pod)",
    },
    Parameter {
        name: "OPENAI_API_KEY",
        secret_key: "OPENAI_API_KEY",
        target: TargetSecret::LiteLlm,
        source: ValueSource::Asked,
        description: "OpenAI API key for LiteLLM's openai/* models",
    },
    Parameter {
        name: "ZAI_API_KEY",
        secret_key: "ZAI_API_KEY",
        target: TargetSecret::LiteLlm,
        source: ValueSource::Asked,
        description: "Z.AI API key for LiteLLM's zai/* models",
    },
    Parameter {
        name: "GEMINI_API_KEY",
        secret_key: "GEMINI_API_KEY",
        target: TargetSecret::LiteLlm,
        source: ValueSource::Asked,
        description: "Gemini API key for LiteLLM's google/* models",
    },
];

/// The parameters each Kubernetes Secret needs for this profile, in manifest order.
/// A parameter read by both pods (OPENAI_API_KEY) appears once per Secret.
pub fn parameters(profile: &Profile) -> Vec<Parameter> {
    let provider_keys = profile.litellm_provider_keys();
    let litellm = provider_keys.iter().filter_map(|key| {
        PROVIDER_KEYS
            .iter()
            .find(|p| p.name == key.as_str())
            .cloned()
    });
    OPENCLAW_PARAMETERS
        .into_iter()
        .chain(litellm)
        .chain(std::iter::once(MASTER_KEY))
        .collect()
}

/// Full SSM path of a parameter under the profile's prefix.
pub fn ssm_path(profile: &Profile, parameter: &Parameter) -> String {
    format!("{}/{}", profile.aws.ssm_prefix, parameter.name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_model_key_has_a_parameter() {
        for card in crate::profile::model_catalog() {
            assert!(
                PROVIDER_KEYS.iter().any(|p| p.name == card.api_key),
                "{} needs {}",
                card.id,
                card.api_key
            );
        }
    }

    #[test]
    fn anthropic_key_goes_to_litellm_only() {
        let params = parameters(&Profile::embedded());
        let anthropic: Vec<_> = params
            .iter()
            .filter(|p| p.name == "ANTHROPIC_API_KEY")
            .collect();
        assert_eq!(anthropic.len(), 1);
        assert_eq!(anthropic[0].target, TargetSecret::LiteLlm);
    }
}
