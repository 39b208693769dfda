//! A channel or plugin enabled that the release's image does not bundle and nothing installs.

use serde_json::Value;

use crate::doctor::folder::Folder;
use crate::doctor::{Finding, Rule};
use crate::openclaw::release::newest;

pub const RULE: Rule = Rule {
    id: "plugin-not-installed",
    finds: "a channel or plugin enabled in openclaw.json that the release's image (from the OpenClaw image tag; else the newest supported release) does not bundle and no container installs (`plugins install <package>`)",
    check,
};

fn check(folder: &Folder) -> Vec<Finding> {
    let (release, missing) = folder.plugins_nothing_installs();
    let mut findings = Vec::new();
    for config in folder.openclaw_configs() {
        for plugin in &missing {
            let channel_on = config
                .value
                .pointer(&format!("/channels/{}", plugin.id))
                .is_some_and(|c| c.get("enabled").and_then(Value::as_bool) != Some(false));
            let entry_on = config
                .value
                .pointer(&format!("/plugins/entries/{}/enabled", plugin.id))
                .and_then(Value::as_bool)
                == Some(true);
            if !(channel_on || entry_on) {
                continue;
            }
            let fix = match plugin.spec() {
                Some(spec) => format!("install it before the gateway starts: an init container of the OpenClaw image running `openclaw plugins install {spec}` into the volume (`clawboot render` emits one)"),
                None => format!("no {} on npm runs on OpenClaw {release}: move to {}", plugin.package, newest()),
            };
            findings.push(RULE.finding(&config.file, config.key_line(&[plugin.id]),
                format!("the {} plugin is enabled, but OpenClaw {release}'s image does not bundle it and nothing in these manifests installs it: the gateway starts and never connects", plugin.id),
                fix));
        }
    }
    findings
}
