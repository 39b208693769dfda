//! The folder doctor reads: every YAML and JSON(5) file under it as documents, and the views
//! the rules look through (containers with their pods, openclaw.json configs, LiteLLM configs).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Deserialize;
use serde_json::Value;

use super::locate::locate;
use crate::openclaw::release::{newest, ExternalPlugin, Release};
use crate::profile::types::ImageRef;

/// One YAML document (or a standalone openclaw.json) and the text it came from.
pub struct Document {
    pub file: PathBuf,
    pub text: Arc<str>,
    pub value: Value,
}

impl Document {
    pub fn kind(&self) -> Option<&str> {
        str_at(&self.value, &["kind"])
    }
}

/// A container of a workload, with the pod it runs in.
pub struct Container<'a> {
    pub doc: &'a Document,
    pub workload: String,
    pub name: String,
    pub spec: &'a Value,
    pub pod: &'a Value,
}

impl Container<'_> {
    pub fn image_contains(&self, needle: &str) -> bool {
        str_at(self.spec, &["image"]).is_some_and(|image| image.contains(needle))
    }

    pub fn is_openclaw(&self) -> bool {
        self.name == "openclaw"
            || (self.image_contains("openclaw/openclaw") && !self.name.starts_with("init"))
            || (self.workload == "openclaw" && self.name == "main")
    }

    pub fn is_litellm(&self) -> bool {
        self.image_contains("litellm")
    }

    /// `command` then `args`.
    pub fn command_line(&self) -> Vec<String> {
        command_line(self.spec)
    }

    pub fn env_names(&self) -> Vec<String> {
        items(self.spec, "/env")
            .filter_map(|v| str_at(v, &["name"]).map(str::to_string))
            .collect()
    }

    /// The line of this container, then of `steps` below it.
    pub fn line(&self, steps: &[&[&str]]) -> usize {
        let workload = format!("name: {}", self.workload);
        let container = format!("- name: {}", self.name);
        let workload_step = [workload.as_str()];
        let container_step = [container.as_str()];
        let mut all: Vec<&[&str]> = vec![&["kind:"], &workload_step, &container_step];
        all.extend_from_slice(steps);
        locate(&self.doc.text, &all)
    }
}

/// An openclaw.json, standalone or inside a ConfigMap, and the line where it starts.
pub struct OpenClawConfig {
    pub file: PathBuf,
    pub text: Arc<str>,
    pub start: usize,
    pub value: Value,
}

impl OpenClawConfig {
    /// The text from the config's first line on.
    pub fn body(&self) -> String {
        self.text
            .lines()
            .skip(self.start - 1)
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// The line of the file reached by `steps` from the config's start.
    pub fn line(&self, steps: &[&[&str]]) -> usize {
        self.start - 1 + locate(&self.body(), steps)
    }

    /// The line of a key (`"key"` in JSON, `key:` in JSON5 or YAML), after the keys before it.
    pub fn key_line(&self, path: &[&str]) -> usize {
        let needles: Vec<[String; 2]> = path.iter().map(|name| key(name)).collect();
        let steps: Vec<[&str; 2]> = needles
            .iter()
            .map(|[a, b]| [a.as_str(), b.as_str()])
            .collect();
        let steps: Vec<&[&str]> = steps.iter().map(|s| s.as_slice()).collect();
        self.line(&steps)
    }
}

/// Needles for a key in JSON (`"key"`), JSON5 (`key:`) or YAML (`key:`).
pub fn key(name: &str) -> [String; 2] {
    [format!("\"{name}\""), format!("{name}:")]
}

pub struct Folder {
    pub docs: Vec<Document>,
}

impl Folder {
    pub fn load(dir: &Path) -> anyhow::Result<Self> {
        if !dir.is_dir() {
            anyhow::bail!(
                "{} is not a folder: give the GitOps folder that holds the OpenClaw manifests",
                dir.display()
            );
        }
        let mut paths = Vec::new();
        collect_files(dir, &mut paths)?;
        paths.sort();
        let mut docs = Vec::new();
        for path in paths {
            docs.extend(load_file(dir, &path)?);
        }
        Ok(Self { docs })
    }

    pub fn of_kind<'a>(&'a self, kind: &'a str) -> impl Iterator<Item = &'a Document> + 'a {
        self.docs.iter().filter(move |d| d.kind() == Some(kind))
    }

    /// Every container (init containers first) of every workload.
    pub fn containers(&self) -> Vec<Container<'_>> {
        let mut out = Vec::new();
        for doc in &self.docs {
            let pod = match doc.kind().unwrap_or("") {
                "Pod" => doc.value.get("spec"),
                "CronJob" => doc.value.pointer("/spec/jobTemplate/spec/template/spec"),
                _ => doc.value.pointer("/spec/template/spec"),
            };
            let Some(pod) = pod else { continue };
            let workload = str_at(&doc.value, &["metadata", "name"]).unwrap_or("?");
            for list in ["initContainers", "containers"] {
                for spec in items(pod, &format!("/{list}")) {
                    out.push(Container {
                        doc,
                        workload: workload.to_string(),
                        name: str_at(spec, &["name"]).unwrap_or("?").to_string(),
                        spec,
                        pod,
                    });
                }
            }
        }
        out
    }

    /// openclaw.json files, standalone or inside a ConfigMap.
    pub fn openclaw_configs(&self) -> Vec<OpenClawConfig> {
        let mut configs = Vec::new();
        for doc in &self.docs {
            if is_openclaw_config(&doc.value) {
                configs.push(OpenClawConfig {
                    file: doc.file.clone(),
                    text: doc.text.clone(),
                    start: 1,
                    value: doc.value.clone(),
                });
                continue;
            }
            if doc.kind() != Some("ConfigMap") {
                continue;
            }
            let data = doc.value.get("data").and_then(Value::as_object);
            for (name, content) in data.into_iter().flatten() {
                let Some(content) = content.as_str() else {
                    continue;
                };
                if !name.ends_with(".json") && !name.ends_with(".json5") {
                    continue;
                }
                if let Ok(value) = parse_json5(content) {
                    if is_openclaw_config(&value) {
                        configs.push(OpenClawConfig {
                            file: doc.file.clone(),
                            text: doc.text.clone(),
                            start: locate(&doc.text, &[&[&format!("{name}:")]]),
                            value,
                        });
                    }
                }
            }
        }
        configs
    }

    /// LiteLLM `config.yaml` documents inside ConfigMaps.
    pub fn litellm_configs(&self) -> Vec<(&Document, Value)> {
        self.of_kind("ConfigMap")
            .filter_map(|d| {
                let data = d.value.get("data")?.as_object()?;
                data.values()
                    .filter_map(Value::as_str)
                    .filter_map(|text| serde_yaml::from_str::<serde_yaml::Value>(text).ok())
                    .map(yaml_to_json)
                    .find(|cfg| cfg.get("model_list").is_some())
                    .map(|cfg| (d, cfg))
            })
            .collect()
    }

    /// The release the manifests run (the OpenClaw image's tag, else the newest supported one)
    /// and the plugins it needs that its image lacks and no container installs.
    pub fn plugins_nothing_installs(&self) -> (Release, Vec<&'static ExternalPlugin>) {
        let containers = self.containers();
        let tagged = containers.iter().find_map(|c| {
            let image = str_at(c.spec, &["image"])?;
            image.contains("openclaw/openclaw").then_some(())?;
            Release::parse(ImageRef::new(image).tag()?)
        });
        let release = tagged
            .filter(|r| r.supported().is_some())
            .unwrap_or_else(newest);
        let installers: Vec<String> = containers
            .iter()
            .map(|c| c.command_line().join(" "))
            .filter(|line| line.contains("plugins install"))
            .collect();
        let missing = release
            .external_plugins()
            .iter()
            .filter(|p| !p.in_image && !installers.iter().any(|l| l.contains(p.package)))
            .collect();
        (release, missing)
    }
}

fn load_file(dir: &Path, path: &Path) -> anyhow::Result<Vec<Document>> {
    let bytes = crate::fsutil::read_regular(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::InvalidInput => anyhow::anyhow!("{e}"),
        _ => anyhow::anyhow!("cannot read {}: {e}", path.display()),
    })?;
    let text: Arc<str> = String::from_utf8(bytes)
        .map_err(|_| anyhow::anyhow!("{} is not UTF-8 text", path.display()))?
        .into();
    let file = path.strip_prefix(dir).unwrap_or(path).to_path_buf();
    let is_json = matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("json" | "json5")
    );
    let values: Vec<Value> = if is_json {
        vec![parse_json5(&text)
            .map_err(|e| anyhow::anyhow!("{} is not valid JSON5: {e}", path.display()))?]
    } else {
        serde_yaml::Deserializer::from_str(&text)
            .map(|doc| serde_yaml::Value::deserialize(doc).map(yaml_to_json))
            .collect::<Result<_, _>>()
            .map_err(|e| anyhow::anyhow!("{} is not valid YAML: {e}", path.display()))?
    };
    Ok(values
        .into_iter()
        .filter(|v| !v.is_null())
        .map(|value| Document {
            file: file.clone(),
            text: text.clone(),
            value,
        })
        .collect())
}

fn collect_files(dir: &Path, out: &mut Vec<PathBuf>) -> anyhow::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let path = entry.path();
        let hidden = path
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with('.'));
        if hidden {
            continue;
        }
        // The entry's own type: a link to a folder is not walked (it could loop or leave the
        // folder); a link among the manifests is refused when read.
        let kind = entry.file_type()?;
        let manifest = matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("yaml" | "yml" | "json" | "json5")
        );
        if kind.is_dir() {
            collect_files(&path, out)?;
        } else if kind.is_symlink() || manifest {
            out.push(path);
        }
    }
    Ok(())
}

fn yaml_to_json(value: serde_yaml::Value) -> Value {
    serde_json::to_value(value).unwrap_or(Value::Null)
}

/// JSON5, as OpenClaw reads its config: comments, trailing commas, bare keys, single quotes.
fn parse_json5(text: &str) -> Result<Value, jsonc_parser::errors::ParseError> {
    let json5 = jsonc_parser::ParseOptions {
        allow_missing_commas: false,
        ..Default::default()
    };
    jsonc_parser::parse_to_serde_value(text, &json5)
}

fn is_openclaw_config(value: &Value) -> bool {
    value.is_object()
        && ["gateway", "channels", "agents", "agent", "models"]
            .iter()
            .any(|k| value.get(k).is_some())
}

/// The elements of the array at a JSON pointer; none when it is absent or not an array.
pub fn items<'v>(value: &'v Value, pointer: &str) -> std::slice::Iter<'v, Value> {
    value
        .pointer(pointer)
        .and_then(Value::as_array)
        .map_or([].iter(), |array| array.iter())
}

pub fn str_at<'v>(value: &'v Value, path: &[&str]) -> Option<&'v str> {
    path.iter()
        .try_fold(value, |v, k| v.get(k))
        .and_then(Value::as_str)
}

fn command_line(spec: &Value) -> Vec<String> {
    ["command", "args"]
        .iter()
        .filter_map(|k| spec.get(k).and_then(Value::as_array))
        .flatten()
        .filter_map(|v| v.as_str().map(str::to_string))
        .collect()
}
