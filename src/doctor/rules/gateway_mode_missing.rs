//! No `gateway.mode`: the gateway refuses to start, and `config validate` does not catch it.

use crate::doctor::folder::Folder;
use crate::doctor::{Finding, Rule};

pub const RULE: Rule = Rule {
    id: "gateway-mode-missing",
    finds: "no `gateway.mode` (the gateway refuses to start; `config validate` misses it)",
    check,
};

fn check(folder: &Folder) -> Vec<Finding> {
    folder
        .openclaw_configs()
        .iter()
        .filter(|config| config.value.pointer("/gateway/mode").is_none())
        .map(|config| RULE.finding(&config.file, config.key_line(&["gateway"]),
            "gateway.mode is not set: `openclaw gateway run` refuses to start (exit 78), and `openclaw config validate` does not catch it",
            "set gateway.mode to \"local\""))
        .collect()
}
