//! Every SSM parameter of spec/manifests.md: who reads it, where its value comes from, when it
//! is needed and what shape its value has. Values themselves never pass through here.

use serde::Serialize;

use crate::profile::Profile;
use crate::secrets::check::Shape;

/// The Kubernetes Secret an ExternalSecret fills with the parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum TargetSecret {
    /// `openclaw-credentials` (ExternalSecret `openclaw-es`): the OpenClaw pod and cloudflared.
    OpenClaw,
    /// `litellm-credentials` (ExternalSecret `litellm-es`): the LiteLLM pod (and OpenClaw's proxy key).
    LiteLlm,
}

impl TargetSecret {
    pub fn external_secret(self) -> &'static str {
        match self {
            Self::OpenClaw => "openclaw-es",
            Self::LiteLlm => "litellm-es",
        }
    }
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

/// When a Secret needs the parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Need {
    Always,
    /// When an enabled LiteLLM model uses this key.
    ModelKey,
    /// Only with a LiteLLM database (virtual keys), which the emitted manifests do not have.
    Database,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Parameter {
    /// Last path segment in SSM, e.g. `DISCORD_BOT_TOKEN` or `tunnel-token`.
    pub name: &'static str,
    /// Key inside the Kubernetes Secret(s).
    pub secret_key: &'static str,
    pub source: ValueSource,
    pub shape: Shape,
    pub description: &'static str,
    /// Deployments that read the value (restarted after a rotation).
    pub readers: &'static [&'static str],
    #[serde(skip)]
    targets: &'static [(TargetSecret, Need)],
}

const CATALOG: [Parameter; 10] = [
    Parameter {
        name: "DISCORD_BOT_TOKEN",
        secret_key: "DISCORD_BOT_TOKEN",
        source: ValueSource::Asked,
        shape: Shape::DiscordBotToken,
        description: "Discord bot token (Discord developer portal)",
        readers: &["openclaw"],
        targets: &[(TargetSecret::OpenClaw, Need::Always)],
    },
    Parameter {
        name: "OPENCLAW_GATEWAY_TOKEN",
        secret_key: "OPENCLAW_GATEWAY_TOKEN",
        source: ValueSource::Generated,
        shape: Shape::GatewayToken,
        description: "OpenClaw gateway auth token (generated)",
        readers: &["openclaw"],
        targets: &[(TargetSecret::OpenClaw, Need::Always)],
    },
    Parameter {
        name: "GITHUB_TOKEN",
        secret_key: "GITHUB_TOKEN",
        source: ValueSource::Asked,
        shape: Shape::GitHubToken,
        description: "GitHub fine-grained PAT for the agent's pull requests",
        readers: &["openclaw"],
        targets: &[(TargetSecret::OpenClaw, Need::Always)],
    },
    Parameter {
        name: "OPENAI_API_KEY",
        secret_key: "OPENAI_API_KEY",
        source: ValueSource::Asked,
        shape: Shape::OpenAiKey,
        description: "OpenAI API key for the codex CLI (and LiteLLM's openai/* models)",
        readers: &["openclaw", "litellm"],
        targets: &[
            (TargetSecret::OpenClaw, Need::Always),
            (TargetSecret::LiteLlm, Need::ModelKey),
        ],
    },
    Parameter {
        name: "ANTHROPIC_API_KEY",
        secret_key: "ANTHROPIC_API_KEY",
        source: ValueSource::Asked,
        shape: Shape::AnthropicKey,
        description: "Anthropic API key (LiteLLM only, never the OpenClaw pod)",
        readers: &["litellm"],
        targets: &[(TargetSecret::LiteLlm, Need::ModelKey)],
    },
    Parameter {
        name: "ZAI_API_KEY",
        secret_key: "ZAI_API_KEY",
        source: ValueSource::Asked,
        shape: Shape::ApiKey,
        description: "Z.AI API key for LiteLLM's zai/* models",
        readers: &["litellm"],
        targets: &[(TargetSecret::LiteLlm, Need::ModelKey)],
    },
    Parameter {
        name: "GEMINI_API_KEY",
        secret_key: "GEMINI_API_KEY",
        source: ValueSource::Asked,
        shape: Shape::ApiKey,
        description: "Gemini API key for LiteLLM's google/* models",
        readers: &["litellm"],
        targets: &[(TargetSecret::LiteLlm, Need::ModelKey)],
    },
    Parameter {
        name: "LITELLM_MASTER_KEY",
        secret_key: "LITELLM_MASTER_KEY",
        source: ValueSource::Generated,
        shape: Shape::LiteLlmMasterKey,
        description: "LiteLLM master key, also OpenClaw's LITELLM_PROXY_KEY (generated)",
        readers: &["litellm", "openclaw"],
        targets: &[(TargetSecret::LiteLlm, Need::Always)],
    },
    Parameter {
        name: "LITELLM_PROXY_KEY",
        secret_key: "LITELLM_PROXY_KEY",
        source: ValueSource::Generated,
        shape: Shape::LiteLlmMasterKey,
        description: "LiteLLM virtual key; only used with a LiteLLM database",
        readers: &[],
        targets: &[(TargetSecret::LiteLlm, Need::Database)],
    },
    Parameter {
        name: "tunnel-token",
        secret_key: "TUNNEL_TOKEN",
        source: ValueSource::Terraform,
        shape: Shape::Any,
        description: "Cloudflare Tunnel token (written by Terraform)",
        readers: &["cloudflared"],
        targets: &[(TargetSecret::OpenClaw, Need::Always)],
    },
];

impl Parameter {
    /// Whether `target` needs this parameter under `profile`.
    pub fn feeds(&self, profile: &Profile, target: TargetSecret) -> bool {
        self.targets
            .iter()
            .any(|&(t, need)| t == target && is_needed(self, profile, need))
    }

    /// Whether any Secret needs it: an ExternalSecret fails as a whole when one key is missing.
    pub fn required(&self, profile: &Profile) -> bool {
        self.targets
            .iter()
            .any(|&(_, need)| is_needed(self, profile, need))
    }

    /// The ExternalSecrets that read the parameter under `profile`.
    pub fn external_secrets(&self, profile: &Profile) -> Vec<&'static str> {
        [TargetSecret::OpenClaw, TargetSecret::LiteLlm]
            .into_iter()
            .filter(|&t| self.feeds(profile, t))
            .map(TargetSecret::external_secret)
            .collect()
    }
}

fn is_needed(parameter: &Parameter, profile: &Profile, need: Need) -> bool {
    match need {
        Need::Always => true,
        Need::ModelKey => profile
            .litellm_provider_keys()
            .iter()
            .any(|key| key == parameter.name),
        Need::Database => false,
    }
}

/// Every parameter of the table, in a stable order.
pub fn all() -> &'static [Parameter] {
    &CATALOG
}

/// A parameter by its SSM name (case-sensitive, as in SSM).
pub fn find(name: &str) -> Option<&'static Parameter> {
    CATALOG.iter().find(|p| p.name == name)
}

/// A parameter by its name, or an error listing the names there are.
pub fn known(name: &str) -> anyhow::Result<&'static Parameter> {
    find(name).ok_or_else(|| {
        let names: Vec<&str> = CATALOG.iter().map(|p| p.name).collect();
        anyhow::anyhow!(
            "{name} is not a parameter clawboot manages; one of: {}",
            names.join(", ")
        )
    })
}

/// A parameter clawboot may give a new value (rotate, roll back): not one Terraform owns.
pub fn replaceable(name: &str) -> anyhow::Result<&'static Parameter> {
    let parameter = known(name)?;
    anyhow::ensure!(
        parameter.source != ValueSource::Terraform,
        "{name} is written by the Cloudflare Terraform: replace the tunnel there (terraform apply) to change it"
    );
    Ok(parameter)
}

/// The parameters `target` needs under `profile`, in manifest order.
pub fn for_secret(profile: &Profile, target: TargetSecret) -> Vec<&'static Parameter> {
    CATALOG
        .iter()
        .filter(|p| p.feeds(profile, target))
        .collect()
}

/// Full SSM path of a parameter under the profile's prefix.
pub fn ssm_path(profile: &Profile, parameter: &Parameter) -> String {
    format!("{}/{}", profile.aws.ssm_prefix, parameter.name)
}

/// The page where a token is made, and what to do there.
pub fn token_page(name: &str, profile: &Profile) -> Option<(&'static str, Vec<String>)> {
    let page = match name {
        "DISCORD_BOT_TOKEN" => (
            "https://discord.com/developers/applications",
            vec![
                "open your application (or create one) > Bot".to_string(),
                "Reset Token, copy it; turn on MESSAGE CONTENT INTENT on the same page".to_string(),
            ],
        ),
        "GITHUB_TOKEN" => (
            "https://github.com/settings/personal-access-tokens/new",
            vec![
                "fine-grained token, expiration 90 days or less".to_string(),
                format!(
                    "Repository access: Only select repositories: {}",
                    profile.github_repos().join(", ")
                ),
                "Permissions: Contents: Read and write; Pull requests: Read and write; Metadata: Read-only".to_string(),
            ],
        ),
        "ANTHROPIC_API_KEY" => (
            "https://console.anthropic.com/settings/keys",
            vec!["Create Key; it starts with sk-ant-".to_string()],
        ),
        "OPENAI_API_KEY" => (
            "https://platform.openai.com/api-keys",
            vec!["Create new secret key; it starts with sk-".to_string()],
        ),
        "ZAI_API_KEY" => (
            "https://z.ai/manage-apikey/apikey-list",
            vec!["Create a new API key".to_string()],
        ),
        "GEMINI_API_KEY" => (
            "https://aistudio.google.com/apikey",
            vec!["Create API key".to_string()],
        ),
        _ => return None,
    };
    Some(page)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_model_key_has_a_parameter() {
        for card in crate::profile::model_catalog() {
            assert!(
                find(&card.api_key).is_some_and(|p| p.source == ValueSource::Asked),
                "{} needs {}",
                card.id,
                card.api_key
            );
        }
    }

    #[test]
    fn anthropic_key_goes_to_litellm_only() {
        let profile = Profile::embedded();
        let anthropic = find("ANTHROPIC_API_KEY").unwrap();
        assert!(anthropic.feeds(&profile, TargetSecret::LiteLlm));
        assert!(!anthropic.feeds(&profile, TargetSecret::OpenClaw));
        assert_eq!(anthropic.external_secrets(&profile), ["litellm-es"]);
    }

    #[test]
    fn requirements_follow_the_enabled_models() {
        let profile = Profile::embedded();
        let required: Vec<&str> = all()
            .iter()
            .filter(|p| p.required(&profile))
            .map(|p| p.name)
            .collect();
        assert_eq!(
            required,
            [
                "DISCORD_BOT_TOKEN",
                "OPENCLAW_GATEWAY_TOKEN",
                "GITHUB_TOKEN",
                "OPENAI_API_KEY",
                "ANTHROPIC_API_KEY",
                "LITELLM_MASTER_KEY",
                "tunnel-token"
            ]
        );
        assert!(!find("OPENAI_API_KEY")
            .unwrap()
            .feeds(&profile, TargetSecret::LiteLlm));
    }
}
