//! `LITELLM_PROXY_KEY` that is not the master key while LiteLLM has no database for virtual keys.

use crate::doctor::folder::{items, str_at, Folder};
use crate::doctor::{Finding, Rule};

pub const RULE: Rule = Rule {
    id: "litellm-proxy-key",
    finds: "`LITELLM_PROXY_KEY` not bound to the master key while LiteLLM has no database",
    check,
};

fn check(folder: &Folder) -> Vec<Finding> {
    if has_database(folder) {
        return Vec::new();
    }
    let mut findings = Vec::new();
    for c in folder.containers().iter().filter(|c| c.is_openclaw()) {
        let bound_elsewhere = items(c.spec, "/env").any(|var| {
            str_at(var, &["name"]) == Some("LITELLM_PROXY_KEY")
                && str_at(var, &["valueFrom", "secretKeyRef", "key"]) != Some("LITELLM_MASTER_KEY")
        });
        if bound_elsewhere {
            findings.push(RULE.finding(&c.doc.file, c.line(&[&["name: LITELLM_PROXY_KEY"]]),
                "LITELLM_PROXY_KEY is not the LiteLLM master key, and LiteLLM has no database for virtual keys: every request fails with 400",
                "take LITELLM_PROXY_KEY from secret litellm-credentials, key LITELLM_MASTER_KEY"));
        }
    }
    findings
}

/// Without a database LiteLLM authenticates only its master key.
fn has_database(folder: &Folder) -> bool {
    let env_has_db = folder
        .containers()
        .iter()
        .filter(|c| c.is_litellm())
        .any(|c| c.env_names().iter().any(|n| n == "DATABASE_URL"));
    let config_has_db = folder
        .litellm_configs()
        .iter()
        .any(|(_, cfg)| cfg.pointer("/general_settings/database_url").is_some());
    env_has_db || config_has_db
}
