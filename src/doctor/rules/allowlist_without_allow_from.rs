//! A Discord DM allowlist with no ids: every DM is dropped.

use serde_json::Value;

use crate::doctor::folder::{key, Folder};
use crate::doctor::{Finding, Rule};

pub const RULE: Rule = Rule {
    id: "allowlist-without-allow-from",
    finds: "DM policy allowlist with no ids: every DM dropped",
    check,
};

fn check(folder: &Folder) -> Vec<Finding> {
    let mut findings = Vec::new();
    for config in folder.openclaw_configs() {
        let Some(discord) = config.value.pointer("/channels/discord") else {
            continue;
        };
        let legacy_dm = discord.get("dm");
        let policy = discord
            .get("dmPolicy")
            .or_else(|| legacy_dm.and_then(|dm| dm.get("policy")))
            .and_then(Value::as_str);
        let allow_from = discord
            .get("allowFrom")
            .or_else(|| legacy_dm.and_then(|dm| dm.get("allowFrom")))
            .and_then(Value::as_array)
            .is_some_and(|ids| !ids.is_empty());
        if policy == Some("allowlist") && !allow_from {
            let discord_key = key("discord");
            let line = config.line(&[
                &[&discord_key[0], &discord_key[1]],
                &["\"allowlist\"", "allowlist"],
            ]);
            findings.push(RULE.finding(&config.file, line,
                "the Discord DM policy is allowlist with no allowFrom: every DM is dropped",
                "list the Discord user ids allowed to DM the bot in channels.discord.allowFrom (or use dmPolicy \"pairing\")"));
        }
    }
    findings
}
