//! A Docker-in-Docker sidecar without the docker CLI in the OpenClaw pod: sandboxes fail.

use crate::doctor::folder::Folder;
use crate::doctor::{Finding, Rule};

pub const RULE: Rule = Rule {
    id: "docker-cli-missing",
    finds: "a DinD sidecar without the docker CLI copied into the OpenClaw pod",
    check,
};

fn check(folder: &Folder) -> Vec<Finding> {
    let containers = folder.containers();
    let mut findings = Vec::new();
    for c in containers.iter().filter(|c| c.is_openclaw()) {
        let siblings = || containers.iter().filter(|o| std::ptr::eq(o.pod, c.pod));
        let has_dind = siblings().any(|o| o.image_contains("dind"));
        let has_cli = siblings().any(|o| o.image_contains("-cli") && o.image_contains("docker"));
        if has_dind && !has_cli {
            findings.push(RULE.finding(&c.doc.file, c.line(&[]),
                "the OpenClaw pod runs a Docker-in-Docker sidecar but never gets the docker CLI: every sandboxed session fails",
                "add an init container that copies /usr/local/bin/docker from docker:27-cli into an emptyDir on OpenClaw's PATH"));
        }
    }
    findings
}
