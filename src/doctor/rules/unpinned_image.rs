//! An image without a release tag: a restart can silently run another version.

use crate::doctor::folder::{str_at, Folder};
use crate::doctor::{Finding, Rule};
use crate::profile::types::ImageRef;

pub const RULE: Rule = Rule {
    id: "unpinned-image",
    finds: "`latest`, no tag, `main`, `main-*`",
    check,
};

fn check(folder: &Folder) -> Vec<Finding> {
    let mut findings = Vec::new();
    for c in folder.containers() {
        let image = str_at(c.spec, &["image"]).map(ImageRef::new);
        let Some(why) = image.and_then(|i| i.unpinned_reason()) else {
            continue;
        };
        findings.push(RULE.finding(
            &c.doc.file,
            c.line(&[&["image:"]]),
            format!(
                "container {} of {}: {why}: a restart can silently run another version",
                c.name, c.workload
            ),
            "pin a release tag (or a digest)",
        ));
    }
    findings
}
