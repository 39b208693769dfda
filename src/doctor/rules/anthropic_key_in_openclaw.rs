//! The Anthropic key within reach of the OpenClaw pod: in its env, or in a Secret it reads.

use crate::doctor::folder::{items, str_at, Folder};
use crate::doctor::{Finding, Rule};

pub const RULE: Rule = Rule {
    id: "anthropic-key-in-openclaw",
    finds: "the Anthropic key in the OpenClaw pod's env or in a Secret it reads",
    check,
};

fn check(folder: &Folder) -> Vec<Finding> {
    let mut findings = Vec::new();
    let mut openclaw_secrets = Vec::new();
    for c in folder.containers().iter().filter(|c| c.is_openclaw()) {
        if c.env_names().iter().any(|n| n == "ANTHROPIC_API_KEY") {
            findings.push(RULE.finding(&c.doc.file, c.line(&[&["name: ANTHROPIC_API_KEY"]]),
                format!("container {} of the OpenClaw pod gets ANTHROPIC_API_KEY: an elevated session or a prompt injection can read it", c.name),
                "remove it: only the LiteLLM pod holds the Anthropic key; OpenClaw reaches Claude through LiteLLM"));
        }
        let from_env = items(c.spec, "/envFrom").filter_map(|f| str_at(f, &["secretRef", "name"]));
        let from_volumes =
            items(c.pod, "/volumes").filter_map(|v| str_at(v, &["secret", "secretName"]));
        openclaw_secrets.extend(from_env.chain(from_volumes).map(str::to_string));
    }
    for doc in folder.of_kind("ExternalSecret") {
        let target = str_at(&doc.value, &["spec", "target", "name"])
            .or_else(|| str_at(&doc.value, &["metadata", "name"]))
            .unwrap_or("");
        let reaches_openclaw =
            target == "openclaw-credentials" || openclaw_secrets.iter().any(|s| s == target);
        let has_anthropic = items(&doc.value, "/spec/data")
            .any(|d| str_at(d, &["secretKey"]) == Some("ANTHROPIC_API_KEY"));
        if reaches_openclaw && has_anthropic {
            findings.push(RULE.finding(
                &doc.file,
                doc.locate(&[&["secretKey: ANTHROPIC_API_KEY"]]),
                format!(
                    "the Secret {target} reaches the OpenClaw pod and carries ANTHROPIC_API_KEY"
                ),
                "move ANTHROPIC_API_KEY to the LiteLLM ExternalSecret (litellm-credentials) only",
            ));
        }
    }
    findings
}
