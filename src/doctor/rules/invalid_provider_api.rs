//! A model provider's `api` that OpenClaw does not accept.

use serde_json::Value;

use crate::doctor::folder::Folder;
use crate::doctor::{Finding, Rule};
use crate::profile::CODEX_MODEL_REF;

pub const RULE: Rule = Rule {
    id: "invalid-provider-api",
    finds: "`api: \"openai-chat\"` or any other value OpenClaw rejects",
    check,
};

/// `api` values OpenClaw accepts for a model provider (spec/openclaw-config.md).
const PROVIDER_APIS: [&str; 11] = [
    "openai-completions",
    "openai-responses",
    "openai-chatgpt-responses",
    "anthropic-messages",
    "google-generative-ai",
    "google-vertex",
    "github-copilot",
    "bedrock-converse-stream",
    "ollama",
    "pi-messages",
    "azure-openai-responses",
];

fn check(folder: &Folder) -> Vec<Finding> {
    let mut findings = Vec::new();
    for config in folder.openclaw_configs() {
        let providers = config
            .value
            .pointer("/models/providers")
            .or_else(|| config.value.pointer("/agent/models/providers"))
            .and_then(Value::as_object);
        for (name, provider) in providers.into_iter().flatten() {
            let Some(api) = provider.get("api").and_then(Value::as_str) else {
                continue;
            };
            if PROVIDER_APIS.contains(&api) {
                continue;
            }
            let quoted = format!("\"{api}\"");
            findings.push(RULE.finding(
                &config.file,
                config.line(&[&[&quoted]]),
                format!("models.providers.{name}.api is {api:?}, which OpenClaw does not accept"),
                fix(name, api),
            ));
        }
    }
    findings
}

fn fix(provider: &str, api: &str) -> String {
    if api == "openai-chat" || provider == "litellm" {
        "use api \"openai-completions\" (LiteLLM speaks the OpenAI chat completions API)".into()
    } else if api == "openai-codex" {
        format!("remove this provider: the Codex subscription is model {CODEX_MODEL_REF} with plugins.entries.codex.enabled: true")
    } else {
        format!("use one of: {}", PROVIDER_APIS.join(", "))
    }
}
