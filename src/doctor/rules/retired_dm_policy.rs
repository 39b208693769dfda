//! `channels.discord.dm`, retired: current OpenClaw rejects `dm.policy`.

use crate::doctor::folder::Folder;
use crate::doctor::{Finding, Rule};

pub const RULE: Rule = Rule {
    id: "retired-dm-policy",
    finds: "`channels.discord.dm` (retired)",
    check,
};

fn check(folder: &Folder) -> Vec<Finding> {
    folder
        .openclaw_configs()
        .iter()
        .filter(|config| config.value.pointer("/channels/discord/dm").is_some())
        .map(|config| {
            RULE.finding(
                &config.file,
                config.key_line(&["discord", "dm"]),
                "channels.discord.dm is retired: current OpenClaw rejects dm.policy",
                "use channels.discord.dmPolicy, with allowFrom at the channel root",
            )
        })
        .collect()
}
