//! OpenClaw's internet egress on 443 only while the sandbox is on: apt-get fails on port 80.

use serde_json::Value;

use crate::doctor::folder::{items, str_at, Folder};
use crate::doctor::{Finding, Rule};

pub const RULE: Rule = Rule {
    id: "sandbox-http-blocked",
    finds: "OpenClaw's internet egress without port 80 while the sandbox is on",
    check,
};

fn check(folder: &Folder) -> Vec<Finding> {
    let sandboxed = folder.openclaw_configs().iter().all(|config| {
        config
            .value
            .pointer("/agents/defaults/sandbox/mode")
            .and_then(Value::as_str)
            != Some("off")
    });
    if !sandboxed {
        return Vec::new();
    }
    let mut findings = Vec::new();
    for doc in folder.of_kind("NetworkPolicy") {
        let selects_openclaw = doc
            .value
            .pointer("/spec/podSelector/matchLabels")
            .and_then(Value::as_object)
            .is_some_and(|labels| labels.values().any(|v| v.as_str() == Some("openclaw")));
        let internet = |r: &&Value| {
            items(r, "/to").any(|to| str_at(to, &["ipBlock", "cidr"]) == Some("0.0.0.0/0"))
        };
        let to_internet: Vec<&Value> = items(&doc.value, "/spec/egress").filter(internet).collect();
        let allows_80 = to_internet
            .iter()
            .any(|r| items(r, "/ports").any(|p| p.get("port").and_then(Value::as_u64) == Some(80)));
        if selects_openclaw && !to_internet.is_empty() && !allows_80 {
            let name = str_at(&doc.value, &["metadata", "name"]).unwrap_or("");
            findings.push(RULE.finding(&doc.file, doc.locate(&[&[&format!("name: {name}")], &["0.0.0.0/0"]]),
                format!("NetworkPolicy {name} lets OpenClaw reach the internet on 443 only: apt-get inside the sandbox fails on port 80"),
                "add TCP port 80 to the internet egress rule of the OpenClaw pod"));
        }
    }
    findings
}
