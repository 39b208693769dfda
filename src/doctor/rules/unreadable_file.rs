//! A file that cannot be read or parsed: a finding of its own, so the rest is still linted.

use crate::doctor::folder::Folder;
use crate::doctor::{Finding, Rule};

pub const RULE: Rule = Rule {
    id: "unreadable-file",
    finds: "a file that cannot be read or parsed (the parser's words and line), a symbolic link (not followed)",
    check,
};

fn check(folder: &Folder) -> Vec<Finding> {
    folder
        .unreadable
        .iter()
        .map(|u| RULE.finding(&u.file, u.line, format!("not linted: {}", u.why), u.fix))
        .collect()
}
