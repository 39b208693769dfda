//! OpenClaw's own JSON schema of its config, as each supported release prints it
//! (`openclaw config schema`), shipped compressed in `assets/` (written by
//! `scripts/openclaw_schema.sh` from the npm package). doctor validates every openclaw.json
//! against the schema of the release the manifests run, so it finds what OpenClaw would refuse.

use std::io::Read;

use anyhow::Context;
use serde_json::Value;

use super::release::Release;

const SCHEMAS: &[(&str, &[u8])] = &[
    (
        "2026.5.28",
        include_bytes!("../../assets/openclaw-schema-2026.5.28.json.gz"),
    ),
    (
        "2026.9.6",
        include_bytes!("../../assets/openclaw-schema-2026.9.6.json.gz"),
    ),
];

/// One place where a config breaks the schema.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// The keys (and indexes) from the config's root to the value at fault; for a key the
    /// schema does not know, to that key.
    pub path: Vec<String>,
    /// The object holding the fault, as OpenClaw names it (`logging` for an unknown key in it).
    pub at: String,
    /// What the schema wants, e.g. `the value is not allowed; allowed: "pretty", "json"`; never
    /// the value itself.
    pub says: String,
}

/// A release's schema, as shipped (JSON text).
pub struct Schema {
    text: String,
}

impl Schema {
    /// The schema `release` prints, when clawboot ships it.
    pub fn of(release: Release) -> Option<anyhow::Result<Self>> {
        let name = release.to_string();
        let (_, compressed) = SCHEMAS.iter().find(|(r, _)| *r == name)?;
        let mut text = String::new();
        let read = flate2::read::GzDecoder::new(*compressed).read_to_string(&mut text);
        Some(
            read.map(|_| Self { text })
                .with_context(|| format!("the schema of OpenClaw {name}")),
        )
    }

    /// Whether the release keys agents by id (`agents.entries`, no `agents.list`): its
    /// migrations then move a list (see `legacy`).
    pub fn keys_agents_by_id(&self) -> anyhow::Result<bool> {
        #[derive(serde::Deserialize)]
        struct Root<'a> {
            #[serde(borrow)]
            properties: std::collections::BTreeMap<&'a str, &'a serde_json::value::RawValue>,
        }
        let root: Root = serde_json::from_str(&self.text)?;
        let Some(agents) = root.properties.get("agents") else {
            return Ok(false);
        };
        let agents: Value = serde_json::from_str(agents.get())?;
        let has = |key: &str| agents["properties"].get(key).is_some();
        Ok(has("entries") && !has("list"))
    }

    /// The schema cut down to what `config` can meet: under every `properties`, only the keys
    /// `config` has. Validating against it finds the same faults (a removed property only
    /// checks a key that is not there), and it compiles in a fraction of the time: the full
    /// schema is 2.4 MB, a config meets a few percent of it. Only the top level is parsed
    /// whole; the top-level keys the config lacks are never parsed.
    fn for_config(&self, config: &Value) -> anyhow::Result<Value> {
        type Raw = serde_json::Map<String, Value>;
        let root: std::collections::BTreeMap<&str, &serde_json::value::RawValue> =
            serde_json::from_str(&self.text)?;
        let mut schema: Raw = Raw::new();
        for (key, raw) in &root {
            if *key != "properties" {
                schema.insert(key.to_string(), serde_json::from_str(raw.get())?);
            }
        }
        let properties: std::collections::BTreeMap<&str, &serde_json::value::RawValue> =
            match root.get("properties") {
                Some(raw) => serde_json::from_str(raw.get())?,
                None => Default::default(),
            };
        let mut kept = Raw::new();
        for (key, value) in config.as_object().into_iter().flatten() {
            if let Some(raw) = properties.get(key.as_str()) {
                let mut property: Value = serde_json::from_str(raw.get())?;
                prune(&mut property, value);
                kept.insert(key.clone(), property);
            }
        }
        schema.insert("properties".into(), Value::Object(kept));
        Ok(Value::Object(schema))
    }

    /// Every place `config` breaks the schema. A missing "required" key is not one: the schema
    /// is of the config after OpenClaw fills in its defaults, and `openclaw config validate`
    /// accepts a config without them.
    pub fn violations(&self, config: &Value) -> anyhow::Result<Vec<Violation>> {
        use jsonschema::error::ValidationErrorKind;
        let schema = self.for_config(config)?;
        let validator = jsonschema::draft7::new(&schema).map_err(|e| anyhow::anyhow!("{e}"))?;
        let found = validator
            .iter_errors(config)
            .filter(|error| !matches!(error.kind(), ValidationErrorKind::Required { .. }))
            .map(|error| {
                let mut path: Vec<String> = error
                    .instance_path()
                    .as_str()
                    .split('/')
                    .skip(1)
                    .map(|s| s.replace("~1", "/").replace("~0", "~"))
                    .collect();
                let at = path.join(".");
                if let ValidationErrorKind::AdditionalProperties { unexpected } = error.kind() {
                    path.extend(unexpected.first().cloned());
                }
                let says = says(&schema, &error);
                Violation { path, at, says }
            })
            .collect();
        Ok(found)
    }
}

/// Keep, under each `properties` of `schema`, only the keys `value` has (recursively; what
/// `anyOf`, `$ref` and the like hold is kept whole).
fn prune(schema: &mut Value, value: &Value) {
    let (Some(properties), Some(object)) = (
        schema.get_mut("properties").and_then(Value::as_object_mut),
        value.as_object(),
    ) else {
        return;
    };
    properties.retain(|key, _| object.contains_key(key));
    for (key, property) in properties.iter_mut() {
        prune(property, &object[key]);
    }
}

/// What the schema wants, never the value refused: a config may hold a token in the wrong
/// place, and jsonschema's own message would print it.
fn says(schema: &Value, error: &jsonschema::ValidationError) -> String {
    use jsonschema::error::ValidationErrorKind;
    if let ValidationErrorKind::AdditionalProperties { unexpected } = error.kind() {
        let keys: Vec<String> = unexpected.iter().map(|k| format!("'{k}'")).collect();
        return format!("unknown key(s) {}", keys.join(", "));
    }
    if let Some(allowed) = allowed(schema, error) {
        return format!("the value is not allowed; allowed: {allowed}");
    }
    let keyword = error.kind().keyword();
    match schema.pointer(error.schema_path().as_str()) {
        Some(wanted) if !wanted.is_object() && wanted.to_string().len() <= 80 => {
            format!("the value does not meet `{keyword}: {wanted}`")
        }
        _ => format!("the value does not meet the schema's `{keyword}`"),
    }
}

/// The values the schema allows where a value was refused, when it lists them (an enum, a
/// const, or an anyOf of those).
fn allowed(schema: &Value, error: &jsonschema::ValidationError) -> Option<String> {
    use jsonschema::error::ValidationErrorKind;
    let listed = |node: &Value| -> Vec<Value> {
        match (node.get("const"), node.get("enum")) {
            (Some(value), _) => vec![value.clone()],
            (_, Some(Value::Array(values))) => values.clone(),
            _ => Vec::new(),
        }
    };
    let values = match error.kind() {
        ValidationErrorKind::Enum { options } => options.as_array()?.clone(),
        ValidationErrorKind::Constant { expected_value } => vec![(**expected_value).clone()],
        ValidationErrorKind::AnyOf { .. } => {
            let keyword = error.schema_path().as_str();
            let node = schema.pointer(keyword.strip_suffix("/anyOf")?)?;
            let branches = node.get("anyOf")?.as_array()?;
            let values: Vec<Value> = branches.iter().flat_map(listed).collect();
            // Only when every branch is a list of values: otherwise the list would be short.
            (!values.is_empty() && branches.iter().all(|b| !listed(b).is_empty()))
                .then_some(values)?
        }
        _ => return None,
    };
    let shown: Vec<String> = values.iter().map(Value::to_string).collect();
    Some(shown.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_supported_release_has_its_schema() {
        for supported in crate::openclaw::release::supported_list().split(", ") {
            let release = Release::parse(supported).unwrap();
            let schema = Schema::of(release).expect("shipped").unwrap();
            let bad = serde_json::json!({ "logging": { "consoleStyle": "fancy" } });
            let found = schema.violations(&bad).unwrap();
            assert_eq!(found.len(), 1, "{supported}: {found:?}");
            assert_eq!(found[0].at, "logging.consoleStyle");
            assert!(!found[0].says.contains("fancy"), "{supported}: {found:?}");
        }
    }
}
