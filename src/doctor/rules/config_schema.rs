//! openclaw.json checked against the schema the release itself prints (`openclaw config
//! schema`): retired and unknown keys, values out of range, as `openclaw config validate` of that
//! release would refuse them.

use crate::doctor::folder::Folder;
use crate::doctor::{Finding, Rule};
use crate::openclaw::schema::Schema;

pub const RULE: Rule = Rule {
    id: "config-schema",
    finds: "anything in openclaw.json the release's own JSON schema refuses: an unknown or retired key, a value not allowed (the release from the OpenClaw image tag, else the profile's)",
    check,
};

fn check(folder: &Folder) -> Vec<Finding> {
    let configs = folder.openclaw_configs();
    if configs.is_empty() {
        return Vec::new();
    }
    let (release, from) = folder.release();
    let schema = match Schema::of(release) {
        Some(Ok(schema)) => schema,
        // Every supported release ships its schema (a unit test holds it).
        _ => return Vec::new(),
    };
    let keyed_agents = schema.keys_agents_by_id().unwrap_or(false);
    let mut findings = Vec::new();
    for config in &configs {
        // Judged as OpenClaw reads it: after the release's own legacy migrations.
        let (migrated, moved) = crate::openclaw::legacy::migrate(&config.value, keyed_agents);
        for legacy in moved {
            let keys: Vec<&str> = legacy.path.iter().map(String::as_str).collect();
            findings.push(RULE.finding(
                &config.file,
                config.key_line(&keys),
                format!(
                    "OpenClaw {release} ({from}) reads a legacy key, `{}`: {}; what it moves is checked below as it will read it",
                    legacy.path.join("."),
                    legacy.says
                ),
                "write the new shape in the GitOps config (`openclaw doctor --fix` of that release shows it on a copy)",
            ));
        }
        let violations = match schema.violations(&migrated) {
            Ok(violations) => violations,
            // The schema ships with clawboot and its tests compile it; said if it ever fails.
            Err(e) => {
                findings.push(RULE.finding(
                    &config.file,
                    config.start,
                    format!("the schema of OpenClaw {release} could not be applied: {e:#}"),
                    "check the config with `openclaw config validate` of that release",
                ));
                continue;
            }
        };
        for violation in violations {
            let keys: Vec<&str> = violation
                .path
                .iter()
                .map(String::as_str)
                .filter(|k| k.parse::<usize>().is_err())
                .collect();
            let at = match violation.at.is_empty() {
                true => "the top level".to_string(),
                false => format!("`{}`", violation.at),
            };
            findings.push(RULE.finding(
                &config.file,
                config.key_line(&keys),
                format!(
                    "OpenClaw {release} ({from}) refuses the config at {at}: {}",
                    violation.says
                ),
                format!(
                    "correct or remove `{}` as the schema allows (`openclaw config schema`; `openclaw config validate` says the same)",
                    violation.path.join(".")
                ),
            ));
        }
    }
    findings
}
