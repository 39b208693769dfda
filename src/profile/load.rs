//! Loading a profile: the embedded defaults, overlaid by an answers file, checked in one go.
//! Every problem is reported together, so one edit fixes them all: unknown keys and values of
//! the wrong type (found by comparing with the defaults), values a type refuses, and the checks
//! across keys.

use std::path::Path;

use serde_yaml::{Mapping, Value};

use super::{Profile, DEFAULT_PROFILE_YAML};

/// One problem in a profile: the key's path and what is allowed there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProfileIssue {
    pub path: String,
    pub message: String,
}

/// Every problem found in an answers file.
#[derive(Debug, thiserror::Error)]
#[error("the profile {source_name} is not valid:\n{}\nfix these keys (`clawboot profile init` writes a commented example)", list(.issues))]
pub struct ProfileError {
    pub source_name: String,
    pub issues: Vec<ProfileIssue>,
}

fn list(issues: &[ProfileIssue]) -> String {
    issues
        .iter()
        .map(|i| format!("  {}: {}", i.path, i.message))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Collects problems so that all of them are reported together.
#[derive(Default)]
pub(super) struct Issues(pub(super) Vec<ProfileIssue>);

impl Issues {
    pub(super) fn check(&mut self, ok: bool, path: &str, message: String) {
        if !ok {
            self.push(path, message);
        }
    }

    pub(super) fn push(&mut self, path: &str, message: String) {
        self.0.push(ProfileIssue {
            path: path.into(),
            message,
        });
    }
}

/// At most this many values refused by their types are reported (each costs one more parse).
const MAX_TYPE_ISSUES: usize = 64;

impl Profile {
    /// The embedded defaults.
    pub fn embedded() -> Self {
        Self::from_yaml_layers(None, "the embedded profile")
            .expect("assets/profile.yaml is valid (checked by tests)")
    }

    /// The defaults, overridden by the answers file at `path` when given.
    pub fn load(path: Option<&Path>) -> anyhow::Result<Self> {
        let Some(path) = path else {
            return Ok(Self::embedded());
        };
        let text = std::fs::read_to_string(path).map_err(|e| {
            anyhow::anyhow!(
                "cannot read the profile {}: {e} (create one with `clawboot profile init {}`)",
                path.display(),
                path.display()
            )
        })?;
        Ok(Self::from_yaml_layers(
            Some(&text),
            &path.display().to_string(),
        )?)
    }

    pub fn from_answers(answers: &str) -> Result<Self, ProfileError> {
        Self::from_yaml_layers(Some(answers), "the answers")
    }

    fn from_yaml_layers(answers: Option<&str>, source: &str) -> Result<Self, ProfileError> {
        let defaults: Value =
            serde_yaml::from_str(DEFAULT_PROFILE_YAML).expect("embedded profile parses");
        let mut issues = Issues::default();
        let mut merged = defaults.clone();
        if let Some(text) = answers {
            match serde_yaml::from_str::<Value>(text) {
                Ok(Value::Null) => {}
                Ok(overrides @ Value::Mapping(_)) => {
                    let kept = keep_known(&defaults, overrides, "", &mut issues);
                    merge(&mut merged, kept);
                }
                Ok(_) => issues.push("(file)", "must be a mapping of keys".into()),
                Err(e) => issues.push("(file)", format!("not valid YAML: {e}")),
            }
        }
        let profile = deserialize_all(merged, &defaults, &mut issues);
        if let Some(profile) = &profile {
            issues.0.extend(profile.validate());
        }
        match (profile, issues.0.is_empty()) {
            (Some(profile), true) => Ok(profile),
            _ => Err(ProfileError {
                source_name: source.to_string(),
                issues: issues.0,
            }),
        }
    }
}

/// What of `overrides` has a place in `defaults` with the same shape; every unknown key and
/// every value of another kind is an issue and left out.
fn keep_known(defaults: &Value, overrides: Value, path: &str, issues: &mut Issues) -> Value {
    match (defaults, overrides) {
        (Value::Mapping(known), Value::Mapping(given)) => {
            let mut kept = Mapping::new();
            for (key, value) in given {
                let name = key.as_str().unwrap_or("?").to_string();
                let at = join(path, &name);
                match known.get(&key) {
                    Some(default) => {
                        kept.insert(key, keep_known(default, value, &at, issues));
                    }
                    None => issues.push(&at, unknown_key(&name, known)),
                }
            }
            Value::Mapping(kept)
        }
        (Value::Sequence(_), Value::Sequence(given)) => {
            // Every list of the profile is a list of strings.
            let printable =
                |v: &Value| matches!(v, Value::String(t) if !t.chars().any(char::is_control));
            for (i, item) in given.iter().enumerate() {
                match item {
                    Value::String(_) if !printable(item) => {
                        issues.push(&format!("{path}[{i}]"), CONTROL_CHARACTERS.into())
                    }
                    Value::String(_) => {}
                    _ => issues.push(
                        &format!("{path}[{i}]"),
                        wrong_kind(&Value::String(String::new()), item),
                    ),
                }
            }
            Value::Sequence(given.into_iter().filter(printable).collect())
        }
        (_, Value::String(text)) if text.chars().any(char::is_control) => {
            issues.push(path, CONTROL_CHARACTERS.into());
            defaults.clone()
        }
        (default, given) if same_kind(default, &given) => given,
        (default, given) => {
            issues.push(path, wrong_kind(default, &given));
            default.clone()
        }
    }
}

/// Every value of the profile ends up in a manifest, a command line or the terminal: a newline
/// could start a second YAML document, an escape sequence could rewrite the screen.
const CONTROL_CHARACTERS: &str =
    "must not hold control characters (newlines, tabs, escape sequences)";

fn same_kind(a: &Value, b: &Value) -> bool {
    std::mem::discriminant(a) == std::mem::discriminant(b)
}

/// A key path for messages; a key the file gives is shown with its control characters escaped.
fn join(path: &str, key: &str) -> String {
    let key = crate::printable::printable(key);
    match path.is_empty() {
        true => key.to_string(),
        false => format!("{path}.{key}"),
    }
}

fn unknown_key(name: &str, known: &Mapping) -> String {
    let names: Vec<&str> = known.keys().filter_map(Value::as_str).collect();
    let closest = names
        .iter()
        .map(|k| (strsim::jaro_winkler(name, k), *k))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0));
    let hint = closest.map_or(String::new(), |(_, k)| format!("; did you mean `{k}`?"));
    format!(
        "unknown field `{}`{hint} (known here: {})",
        crate::printable::printable(name),
        names.join(", ")
    )
}

fn wrong_kind(default: &Value, given: &Value) -> String {
    let kind = |v: &Value| match v {
        Value::Null => "nothing",
        Value::Bool(_) => "true or false",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Sequence(_) => "a list",
        Value::Mapping(_) => "a mapping of keys",
        Value::Tagged(_) => "a tagged value",
    };
    let quote = match (default, given) {
        (Value::String(_), Value::Number(_) | Value::Bool(_)) => " (quote it in YAML)",
        _ => "",
    };
    format!("must be {}, not {}{quote}", kind(default), kind(given))
}

/// Overlay `overrides` on `base`: mappings merge key by key, anything else replaces.
fn merge(base: &mut Value, overrides: Value) {
    match (base, overrides) {
        (Value::Mapping(base_map), Value::Mapping(over_map)) => {
            for (key, value) in over_map {
                match base_map.get_mut(&key) {
                    Some(slot) => merge(slot, value),
                    None => {
                        base_map.insert(key, value);
                    }
                }
            }
        }
        (slot, value) => *slot = value,
    }
}

/// Deserialize, and each time a type refuses a value, note why, put the default back in its
/// place (or drop a list entry) and try again, so every refused value is reported.
fn deserialize_all(mut merged: Value, defaults: &Value, issues: &mut Issues) -> Option<Profile> {
    for _ in 0..MAX_TYPE_ISSUES {
        let error = match serde_path_to_error::deserialize::<_, Profile>(merged.clone()) {
            Ok(profile) => return Some(profile),
            Err(error) => error,
        };
        let path = error.path().to_string();
        issues.push(&path, error.into_inner().to_string());
        if !restore_default(&mut merged, defaults, &path) {
            return None;
        }
    }
    None
}

/// Put the default value at `path` (`a.b[2].c`) back; a list entry without one is removed.
fn restore_default(merged: &mut Value, defaults: &Value, path: &str) -> bool {
    let steps: Vec<Step> = path.split('.').flat_map(steps_of).collect();
    let Some((last, parents)) = steps.split_last() else {
        return false;
    };
    let mut slot = merged;
    let mut default = Some(defaults);
    for step in parents {
        let Some(next) = step.get_mut(slot) else {
            return false;
        };
        slot = next;
        default = default.and_then(|d| step.get(d));
    }
    let default = default.and_then(|d| last.get(d)).cloned();
    match (last, slot, default) {
        (Step::Key(key), Value::Mapping(map), Some(value)) => {
            map.insert(Value::String(key.clone()), value);
            true
        }
        (Step::Index(i), Value::Sequence(list), _) if *i < list.len() => {
            list.remove(*i);
            true
        }
        _ => false,
    }
}

enum Step {
    Key(String),
    Index(usize),
}

impl Step {
    fn get<'v>(&self, value: &'v Value) -> Option<&'v Value> {
        match self {
            Step::Key(key) => value.get(key.as_str()),
            Step::Index(i) => value.get(*i),
        }
    }

    fn get_mut<'v>(&self, value: &'v mut Value) -> Option<&'v mut Value> {
        match self {
            Step::Key(key) => value.get_mut(key.as_str()),
            Step::Index(i) => value.get_mut(*i),
        }
    }
}

/// `name[1][2]` → the key, then the indexes.
fn steps_of(part: &str) -> Vec<Step> {
    let mut pieces = part.split('[');
    let mut steps = vec![Step::Key(pieces.next().unwrap_or_default().to_string())];
    steps.extend(pieces.filter_map(|p| p.trim_end_matches(']').parse().ok().map(Step::Index)));
    steps
}
