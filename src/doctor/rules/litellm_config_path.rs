//! A LiteLLM config mounted but not read: it starts with no models.

use crate::doctor::folder::{items, str_at, Folder};
use crate::doctor::{Finding, Rule};

pub const RULE: Rule = Rule {
    id: "litellm-config-path",
    finds: "LiteLLM config mounted but no `CONFIG_FILE_PATH` / `--config`",
    check,
};

fn check(folder: &Folder) -> Vec<Finding> {
    let mut findings = Vec::new();
    for c in folder.containers().iter().filter(|c| c.is_litellm()) {
        let mounts_config = items(c.spec, "/volumeMounts").any(|m| {
            str_at(m, &["mountPath"]).is_some_and(|p| p.ends_with(".yaml") || p.ends_with(".yml"))
        });
        let has_path = c.env_names().iter().any(|n| n == "CONFIG_FILE_PATH")
            || c.command_line().iter().any(|a| a.starts_with("--config"));
        if mounts_config && !has_path {
            findings.push(RULE.finding(
                &c.doc.file,
                c.line(&[&["image:"]]),
                "LiteLLM mounts a config file but is not told to read it: it starts with no models",
                "add env CONFIG_FILE_PATH=/app/config.yaml (the mounted file)",
            ));
        }
    }
    findings
}
