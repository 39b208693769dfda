//! OpenClaw's own legacy-config migrations, ported from the pinned release's code, applied
//! before doctor validates a config: `openclaw doctor --fix` and the gateway's start apply them
//! first, so a config in an older shape is judged as OpenClaw will read it (the keys it rejects
//! inside the migrated shape included), and the legacy key is said in OpenClaw's words.

use serde_json::{Map, Value};

/// A legacy shape a migration moved: where it was and what OpenClaw says of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Moved {
    pub path: Vec<String>,
    pub says: &'static str,
}

/// `config` as the release's migrations leave it, and what they moved. `keyed_agents`: the
/// release keys agents by id (`agents.entries`, from 2026.9), so `agents.list` is legacy.
pub fn migrate(config: &Value, keyed_agents: bool) -> (Value, Vec<Moved>) {
    let mut config = config.clone();
    let mut moved = Vec::new();
    if keyed_agents && agents_list_to_entries(&mut config) {
        moved.push(Moved {
            path: vec!["agents".into(), "list".into()],
            says: "agents.list moved to keyed agents.entries",
        });
    }
    (config, moved)
}

/// 2026.9.6's `migrateAgentEntries` with `projectLegacyAgentRosterEntries`: with entries already
/// set the list goes; otherwise each object of the list becomes `entries.<id>` (the id normalized
/// as OpenClaw does, a repeated one suffixed `-2`, `-3`…; an entry that is not an object is
/// dropped). Its pin of the first agent's workspace only adds a valid `workspace` string and is
/// left out. Whether anything moved.
fn agents_list_to_entries(config: &mut Value) -> bool {
    let Some(agents) = config.get_mut("agents").and_then(Value::as_object_mut) else {
        return false;
    };
    let Some(Value::Array(list)) = agents.remove("list") else {
        return false;
    };
    if agents.get("entries").is_some_and(Value::is_object) {
        return true;
    }
    let mut entries = Map::new();
    for value in list {
        let Value::Object(mut entry) = value else {
            continue;
        };
        let raw = match entry.remove("id") {
            Some(Value::String(id)) if !id.trim().is_empty() => id.trim().to_string(),
            _ => "agent".to_string(),
        };
        let requested = normalize_agent_id(&raw);
        let mut id = requested.clone();
        let mut suffix = 2;
        while entries.contains_key(&id) {
            id = format!("{requested}-{suffix}");
            suffix += 1;
        }
        entries.insert(id, Value::Object(entry));
    }
    agents.insert("entries".into(), Value::Object(entries));
    true
}

/// OpenClaw's `normalizeAgentId`: a valid id (`[a-z0-9][a-z0-9_-]{0,63}`, any case) in lower
/// case; otherwise lower case, each run of characters other than `a-z0-9_-` one `-`, dashes at
/// either end gone, at most 64 characters; nothing left is `main`.
fn normalize_agent_id(raw: &str) -> String {
    let allowed = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-';
    let lower = raw.trim().to_lowercase();
    let valid = lower
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphanumeric())
        && lower.chars().count() <= 64
        && lower.chars().all(allowed);
    if valid {
        return lower;
    }
    let mut id = String::new();
    let mut in_run = false;
    for c in lower.chars() {
        if allowed(c) {
            id.push(c);
            in_run = false;
        } else if !in_run {
            id.push('-');
            in_run = true;
        }
    }
    let id: String = id.trim_matches('-').chars().take(64).collect();
    if id.is_empty() {
        "main".into()
    } else {
        id
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn agent_ids_are_normalized_as_openclaw_does() {
        assert_eq!(normalize_agent_id("Main Agent"), "main-agent");
        assert_eq!(normalize_agent_id("  ops_bot "), "ops_bot");
        assert_eq!(normalize_agent_id("--é!x--"), "x");
        assert_eq!(normalize_agent_id("a-!b"), "a--b");
        assert_eq!(normalize_agent_id("Ab-"), "ab-");
        assert_eq!(normalize_agent_id("!!!"), "main");
        assert_eq!(normalize_agent_id(&"a".repeat(70)).len(), 64);
    }

    #[test]
    fn a_list_becomes_keyed_entries_only_where_the_release_keys_them() {
        let config = json!({"agents": {"list": [
            {"id": "Main Agent", "runtime": "x"}, {"id": "main-agent"}, 5, {"model": "m"}
        ]}});
        let (migrated, moved) = migrate(&config, true);
        assert_eq!(
            migrated,
            json!({"agents": {"entries": {
                "main-agent": {"runtime": "x"}, "main-agent-2": {}, "agent": {"model": "m"}
            }}})
        );
        assert_eq!(moved.len(), 1);
        assert_eq!(migrate(&config, false), (config, Vec::new()));
        let both = json!({"agents": {"list": [{"id": "a"}], "entries": {"b": {}}}});
        assert_eq!(
            migrate(&both, true).0,
            json!({"agents": {"entries": {"b": {}}}})
        );
    }
}
