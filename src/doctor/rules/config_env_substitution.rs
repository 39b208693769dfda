//! `sed`/`envsubst` of openclaw.json in a container: the secret values land in plain text.

use crate::doctor::folder::Folder;
use crate::doctor::{Finding, Rule};

pub const RULE: Rule = Rule {
    id: "config-env-substitution",
    finds: "`sed`/`envsubst` of openclaw.json in a container (secrets in plain text on the volume)",
    check,
};

fn check(folder: &Folder) -> Vec<Finding> {
    let mut findings = Vec::new();
    for c in folder.containers() {
        let script = c.command_line().join(" ");
        let rewrites = ["sed ", "envsubst"]
            .iter()
            .any(|tool| script.contains(tool));
        if rewrites && script.contains("openclaw.json") {
            findings.push(RULE.finding(&c.doc.file, c.line(&[&["sed ", "envsubst"]]),
                format!("container {} of {} substitutes variables into openclaw.json: the secret values land in plain text on the volume", c.name, c.workload),
                "copy openclaw.json as is: OpenClaw resolves ${VAR} and SecretRefs in memory"));
        }
    }
    findings
}
