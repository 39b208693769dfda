//! `gateway.controlUi.allowInsecureAuth`, retired: current OpenClaw rejects the config.

use crate::doctor::folder::Folder;
use crate::doctor::{Finding, Rule};

pub const RULE: Rule = Rule {
    id: "retired-allow-insecure-auth",
    finds: "`gateway.controlUi.allowInsecureAuth` (retired)",
    check,
};

fn check(folder: &Folder) -> Vec<Finding> {
    folder
        .openclaw_configs()
        .iter()
        .filter(|config| config.value.pointer("/gateway/controlUi/allowInsecureAuth").is_some())
        .map(|config| RULE.finding(&config.file, config.key_line(&["allowInsecureAuth"]),
            "gateway.controlUi.allowInsecureAuth is retired: current OpenClaw rejects the config",
            "remove it; behind Cloudflare Access set gateway.controlUi.allowedOrigins to [\"https://<hostname>\"]"))
        .collect()
}
