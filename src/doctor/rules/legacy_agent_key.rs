//! The top-level `agent` key of an old schema: OpenClaw rejects the whole config.

use crate::doctor::folder::Folder;
use crate::doctor::{Finding, Rule};

pub const RULE: Rule = Rule {
    id: "legacy-agent-key",
    finds: "top-level `agent` (moved to `agents.defaults`, `models.providers`, `tools.elevated`)",
    check,
};

fn check(folder: &Folder) -> Vec<Finding> {
    folder
        .openclaw_configs()
        .iter()
        .filter(|config| config.value.get("agent").is_some())
        .map(|config| RULE.finding(&config.file, config.key_line(&["agent"]),
            "the top-level `agent` key is from an old schema: OpenClaw rejects the whole config",
            "move agent.model to agents.defaults.model, agent.models.providers to models.providers, agent.elevated to tools.elevated"))
        .collect()
}
