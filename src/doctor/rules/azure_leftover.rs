//! What is left of Azure OpenAI: `AZURE_*` env, `azure/` LiteLLM models, an Azure ExternalSecret.

use crate::doctor::folder::{items, str_at, Folder};
use crate::doctor::{Finding, Rule};

pub const RULE: Rule = Rule {
    id: "azure-leftover",
    finds: "`AZURE_*` env, `azure/` LiteLLM models, an Azure ExternalSecret",
    check,
};

fn check(folder: &Folder) -> Vec<Finding> {
    let mut findings = Vec::new();
    for c in folder.containers() {
        for var in c.env_names().iter().filter(|v| v.starts_with("AZURE_")) {
            findings.push(RULE.finding(
                &c.doc.file,
                c.line(&[&[&format!("name: {var}")]]),
                format!(
                    "container {} still sets {var}: Azure OpenAI is not used any more",
                    c.name
                ),
                "remove the AZURE_* variables and the Azure ExternalSecret",
            ));
        }
    }
    for (doc, cfg) in folder.litellm_configs() {
        for entry in items(&cfg, "/model_list") {
            let model = str_at(entry, &["litellm_params", "model"]).unwrap_or("");
            if model.starts_with("azure/") {
                findings.push(RULE.finding(&doc.file, doc.locate(&[&[model]]),
                    format!("LiteLLM still routes a model through Azure OpenAI ({model})"),
                    "remove the Azure entries from model_list; use the Codex subscription (openai/gpt-5.5) instead"));
            }
        }
    }
    for doc in folder.of_kind("ExternalSecret") {
        let name = doc.file.to_string_lossy().to_lowercase();
        let azure_keys: Vec<&str> = items(&doc.value, "/spec/data")
            .filter_map(|d| str_at(d, &["secretKey"]))
            .filter(|k| k.starts_with("AZURE_"))
            .collect();
        if name.contains("azure") || !azure_keys.is_empty() {
            let line = azure_keys
                .first()
                .map_or(1, |k| doc.locate(&[&[&format!("secretKey: {k}")]]));
            findings.push(RULE.finding(
                &doc.file,
                line,
                "an ExternalSecret still pulls Azure OpenAI credentials",
                "delete it and its entry in kustomization.yaml (sync with prune)",
            ));
        }
    }
    findings
}
