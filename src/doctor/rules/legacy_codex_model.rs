//! `openai-codex/*` model refs: a legacy route, and 5.1–5.3 are rejected by Codex OAuth accounts.

use serde_json::Value;

use crate::doctor::folder::Folder;
use crate::doctor::{Finding, Rule};
use crate::profile::CODEX_MODEL_REF;

pub const RULE: Rule = Rule {
    id: "legacy-codex-model",
    finds: "`openai-codex/*` model refs (5.1–5.3 rejected by Codex OAuth accounts)",
    check,
};

fn check(folder: &Folder) -> Vec<Finding> {
    let mut findings = Vec::new();
    for config in folder.openclaw_configs() {
        let mut strings = Vec::new();
        collect_strings(&config.value, &mut strings);
        for model_ref in strings.iter().filter(|s| s.starts_with("openai-codex/")) {
            let model = &model_ref["openai-codex/".len()..];
            let rejected = ["gpt-5.1", "gpt-5.2", "gpt-5.3"]
                .iter()
                .any(|p| model.starts_with(p));
            let problem = match rejected {
                true => format!("{model_ref} is rejected by ChatGPT/Codex OAuth accounts"),
                false => format!("{model_ref} is a legacy route (openai-codex/* model refs are repaired by `openclaw doctor --fix`)"),
            };
            findings.push(RULE.finding(&config.file, config.line(&[&[model_ref]]), problem,
                format!("use {CODEX_MODEL_REF} with plugins.entries.codex.enabled: true; sign in with an openai-codex profile")));
        }
    }
    findings
}

/// Every string and key in a value.
fn collect_strings(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::String(s) => out.push(s.clone()),
        Value::Array(items) => items.iter().for_each(|v| collect_strings(v, out)),
        Value::Object(map) => map.iter().for_each(|(k, v)| {
            out.push(k.clone());
            collect_strings(v, out);
        }),
        _ => {}
    }
}
