//! A LiteLLM memory limit under 1Gi: OOMKilled while it loads its modules.

use crate::doctor::folder::{str_at, Folder};
use crate::doctor::{Finding, Rule};
use crate::profile::memory_bytes;

pub const RULE: Rule = Rule {
    id: "litellm-memory",
    finds: "LiteLLM memory limit under 1Gi (OOMKilled)",
    check,
};

fn check(folder: &Folder) -> Vec<Finding> {
    let mut findings = Vec::new();
    for c in folder.containers().iter().filter(|c| c.is_litellm()) {
        let limit = str_at(c.spec, &["resources", "limits", "memory"]);
        if let Some(limit) = limit.filter(|l| memory_bytes(l).is_some_and(|b| b < 1 << 30)) {
            findings.push(RULE.finding(&c.doc.file, c.line(&[&["limits:"], &["memory:"]]),
                format!("LiteLLM's memory limit is {limit}: it is OOMKilled (exit 137) while loading its modules"),
                "set resources.limits.memory to at least 1Gi (request 512Mi)"));
        }
    }
    findings
}
