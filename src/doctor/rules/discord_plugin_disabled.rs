//! The Discord channel enabled while its plugin is not: the bot never connects.

use serde_json::Value;

use crate::doctor::folder::Folder;
use crate::doctor::{Finding, Rule};

pub const RULE: Rule = Rule {
    id: "discord-plugin-disabled",
    finds: "Discord channel enabled without `plugins.entries.discord.enabled`",
    check,
};

fn check(folder: &Folder) -> Vec<Finding> {
    let mut findings = Vec::new();
    for config in folder.openclaw_configs() {
        let Some(discord) = config.value.pointer("/channels/discord") else {
            continue;
        };
        let enabled = discord.get("enabled").and_then(Value::as_bool) != Some(false);
        let plugin_enabled = config
            .value
            .pointer("/plugins/entries/discord/enabled")
            .and_then(Value::as_bool)
            == Some(true);
        if enabled && !plugin_enabled {
            findings.push(RULE.finding(
                &config.file,
                config.key_line(&["channels", "discord"]),
                "channels.discord is enabled but the discord plugin is not: the bot never connects",
                "add plugins.entries.discord.enabled: true",
            ));
        }
    }
    findings
}
