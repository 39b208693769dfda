//! The folder doctor reads: every YAML and JSON(5) file under it as documents, and the views
//! the rules look through (containers with their pods, openclaw.json configs, LiteLLM configs).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde_json::Value;

use super::locate::locate;
use crate::openclaw::release::{newest, ExternalPlugin, Release};
use crate::profile::types::ImageRef;

/// One YAML document (or a standalone openclaw.json): its own text, and the line of its file
/// where that text starts.
pub struct Document {
    pub file: PathBuf,
    pub text: Arc<str>,
    pub start: usize,
    pub value: Value,
}

impl Document {
    pub fn kind(&self) -> Option<&str> {
        str_at(&self.value, &["kind"])
    }

    /// The line of the file reached by `steps` inside this document.
    pub fn locate(&self, steps: &[&[&str]]) -> usize {
        self.start - 1 + locate(&self.text, steps)
    }
}

/// A file that could not be linted, why, and what to do; the rest of the folder still is.
pub struct Unreadable {
    pub file: PathBuf,
    pub line: usize,
    pub why: String,
    pub fix: &'static str,
}

const READ_FIX: &str = "replace a link with the file itself (doctor reads only regular files), or make the file readable UTF-8 text";
const PARSE_FIX: &str = "correct it where the parser says (Kubernetes and OpenClaw would refuse it too), or lint what renders it";

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
        self.doc.locate(&all)
    }
}

/// An openclaw.json, standalone or inside a ConfigMap: the document's text, and the line of
/// the file where the config starts.
pub struct OpenClawConfig {
    pub file: PathBuf,
    pub text: Arc<str>,
    /// The line of the file where `text` starts.
    pub text_start: usize,
    pub start: usize,
    pub value: Value,
}

impl OpenClawConfig {
    /// The text from the config's first line on.
    pub fn body(&self) -> String {
        self.text
            .lines()
            .skip(self.start - self.text_start)
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

/// What doctor reads: the documents, the files it could not lint (each a finding), the Helm
/// templates among them, and how it read the folder.
#[derive(Default)]
pub struct Folder {
    pub docs: Vec<Document>,
    pub unreadable: Vec<Unreadable>,
    /// The folders holding a Chart.yaml.
    pub charts: Vec<PathBuf>,
    /// Files with `{{ … }}` outside those charts.
    pub templates: Vec<PathBuf>,
    /// How the folder was read, when not file by file as it is (a kustomize build).
    pub read_as: Option<String>,
    /// The release to assume when no OpenClaw image names one (the profile's).
    pub assumed: Option<Release>,
}

impl Folder {
    pub fn load(dir: &Path) -> anyhow::Result<Self> {
        if !dir.is_dir() {
            anyhow::bail!(
                "{} is not a folder: give the GitOps folder that holds the OpenClaw manifests (or - for a stream on standard input)",
                dir.display()
            );
        }
        let mut paths = Vec::new();
        collect_files(dir, &mut paths)?;
        paths.sort();
        // kustomize would follow a link (and read what it points at): not with links about.
        let linked = paths.iter().any(|p| p.is_symlink());
        let built = kustomization(dir).map(|file| match linked {
            true => Err(
                "the folder holds symbolic links, which `kubectl kustomize` would follow".into(),
            ),
            false => kustomize(dir, &file),
        });
        if let Some(Ok(stream)) = built {
            let mut folder = Self::from_stream(BUILT, stream);
            folder.read_as = Some("as built by `kubectl kustomize`".into());
            return Ok(folder);
        }
        let mut folder = Self::file_by_file(dir, paths);
        if let Some(Err(why)) = built {
            folder.read_as = Some(format!("file by file: {why}"));
        }
        Ok(folder)
    }

    fn file_by_file(dir: &Path, paths: Vec<PathBuf>) -> Self {
        let mut folder = Self::default();
        for path in paths {
            let file = path.strip_prefix(dir).unwrap_or(&path).to_path_buf();
            match read_text(&path) {
                Ok(text) => folder.add_file(file, text, false),
                Err(why) => folder.unreadable.push(Unreadable {
                    file,
                    line: 1,
                    why,
                    fix: READ_FIX,
                }),
            }
        }
        folder
    }

    /// A multi-document stream (`helm template … | clawboot doctor -`), read as `file`.
    pub fn from_stream(file: &str, text: String) -> Self {
        let mut folder = Self::default();
        folder.add_file(PathBuf::from(file), text, true);
        folder
    }

    /// Whether anything here is OpenClaw's: its container, LiteLLM's, or an openclaw.json.
    pub fn has_openclaw(&self) -> bool {
        self.containers()
            .iter()
            .any(|c| c.is_openclaw() || c.is_litellm())
            || !self.openclaw_configs().is_empty()
    }

    /// Whether anything at all could be linted.
    pub fn is_empty(&self) -> bool {
        self.docs.is_empty()
            && self.charts.is_empty()
            && self.templates.is_empty()
            && self.unreadable.is_empty()
    }

    /// Files come sorted, so a chart's Chart.yaml is seen before its templates. A file with
    /// `{{` is a template when it sits in a chart or is not YAML as it is; one that parses
    /// (`{{ }}` inside a value, an alert's template) is linted, and so is every stream, which
    /// is rendered output.
    fn add_file(&mut self, file: PathBuf, text: String, stream: bool) {
        if file.file_name().is_some_and(|n| n == "Chart.yaml") {
            let chart = file.parent().unwrap_or(Path::new("")).to_path_buf();
            self.charts.push(chart);
        }
        let templated = !stream && !is_json(&file) && text.contains("{{");
        if templated && self.charts.iter().any(|chart| file.starts_with(chart)) {
            return;
        }
        let (docs, unreadable) = parse_file(&file, &text);
        if templated && !unreadable.is_empty() {
            self.templates.push(file);
            return;
        }
        self.docs.extend(docs);
        self.unreadable.extend(unreadable);
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

    /// openclaw.json files: a JSON5 file of its own, or a `*.json`/`*.json5` entry of a
    /// ConfigMap's `data` or a Secret's `stringData`, or any text of a Helm values file (a
    /// document with no `kind`).
    pub fn openclaw_configs(&self) -> Vec<OpenClawConfig> {
        let mut configs = Vec::new();
        for doc in &self.docs {
            // OpenClaw reads its config as JSON5 only: a YAML document with a `gateway:` key is a
            // Helm values file, not a config.
            if is_json(&doc.file) && is_openclaw_config(&doc.value) {
                configs.push(OpenClawConfig {
                    file: doc.file.clone(),
                    text: doc.text.clone(),
                    text_start: doc.start,
                    start: doc.start,
                    value: doc.value.clone(),
                });
                continue;
            }
            for (name, content) in embedded_texts(doc) {
                let Ok(value) = parse_json5(content) else {
                    continue;
                };
                if is_openclaw_config(&value) {
                    configs.push(OpenClawConfig {
                        file: doc.file.clone(),
                        text: doc.text.clone(),
                        text_start: doc.start,
                        start: doc.locate(&[&[&format!("{name}:")]]),
                        value,
                    });
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

    /// The release the manifests run, and where that comes from: the OpenClaw image's tag,
    /// else the profile's release, else the newest supported one.
    pub fn release(&self) -> (Release, &'static str) {
        let tagged = self.containers().iter().find_map(|c| {
            let image = str_at(c.spec, &["image"])?;
            image.contains("openclaw/openclaw").then_some(())?;
            ImageRef::new(image).release()
        });
        match (tagged.filter(|r| r.supported().is_some()), self.assumed) {
            (Some(release), _) => (release, "the OpenClaw image's tag"),
            (None, Some(release)) => (
                release,
                "the profile's openclaw.release: no OpenClaw image tag of a supported release",
            ),
            (None, None) => (
                newest(),
                "the newest supported: no OpenClaw image tag of a supported release",
            ),
        }
    }

    /// The release the manifests run and the plugins it needs that its image lacks and no
    /// container installs.
    pub fn plugins_nothing_installs(&self) -> (Release, Vec<&'static ExternalPlugin>) {
        let containers = self.containers();
        let (release, _) = self.release();
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

/// The name findings in a kustomize build carry (the build is one stream).
pub const BUILT: &str = "<kustomize build>";

/// The folder's kustomization file, if it has one.
fn kustomization(dir: &Path) -> Option<PathBuf> {
    ["kustomization.yaml", "kustomization.yml", "Kustomization"]
        .iter()
        .map(|name| dir.join(name))
        .find(|path| path.is_file())
}

/// `kubectl kustomize` of the folder: what the cluster would get. Bounded: a remote base could
/// hang on the network.
fn kustomize(dir: &Path, file: &Path) -> Result<String, String> {
    const BOUND: std::time::Duration = std::time::Duration::from_secs(30);
    let kubectl = which::which("kubectl").map_err(|_| {
        format!(
            "kubectl is not on PATH to build {}",
            file.file_name().unwrap_or_default().to_string_lossy()
        )
    })?;
    let mut child = std::process::Command::new(kubectl)
        .arg("kustomize")
        .arg(dir)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .map_err(|e| format!("kubectl did not start: {e}"))?;
    let deadline = std::time::Instant::now() + BOUND;
    let output = loop {
        match child.try_wait() {
            Ok(Some(_)) => break child.wait_with_output(),
            Ok(None) if std::time::Instant::now() < deadline => {
                std::thread::sleep(std::time::Duration::from_millis(20))
            }
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!(
                    "`kubectl kustomize` did not finish in {} s",
                    BOUND.as_secs()
                ));
            }
        }
    }
    .map_err(|e| format!("`kubectl kustomize` failed: {e}"))?;
    if !output.status.success() {
        let said = String::from_utf8_lossy(&output.stderr);
        let first = said.lines().next().unwrap_or("no message");
        return Err(format!("`kubectl kustomize` failed: {first}"));
    }
    String::from_utf8(output.stdout).map_err(|_| "`kubectl kustomize` printed no UTF-8 text".into())
}

/// The texts of a document that may hold an openclaw.json, each with its key.
fn embedded_texts(doc: &Document) -> Vec<(&str, &str)> {
    let json_named = |name: &str| name.ends_with(".json") || name.ends_with(".json5");
    let entries = |field: &str| {
        let map = doc.value.get(field).and_then(Value::as_object);
        map.into_iter()
            .flatten()
            .filter(|(name, _)| json_named(name))
            .filter_map(|(name, v)| Some((name.as_str(), v.as_str()?)))
            .collect::<Vec<_>>()
    };
    match doc.kind() {
        Some("ConfigMap") => entries("data"),
        Some("Secret") => entries("stringData"),
        Some(_) => Vec::new(),
        None => {
            let mut texts = Vec::new();
            nested_texts(&doc.value, &mut texts);
            texts
        }
    }
}

/// Every text under a values file's keys that could be a JSON object.
fn nested_texts<'v>(value: &'v Value, out: &mut Vec<(&'v str, &'v str)>) {
    if let Some(map) = value.as_object() {
        for (name, v) in map {
            match v.as_str() {
                Some(text) if text.trim_start().starts_with('{') => out.push((name, text)),
                _ => nested_texts(v, out),
            }
        }
    }
}

fn read_text(path: &Path) -> Result<String, String> {
    let bytes = crate::fsutil::read_regular(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::InvalidInput => e.to_string(),
        _ => format!("cannot read it: {e}"),
    })?;
    String::from_utf8(bytes).map_err(|_| "it is not UTF-8 text".to_string())
}

fn is_json(file: &Path) -> bool {
    matches!(
        file.extension().and_then(|e| e.to_str()),
        Some("json" | "json5")
    )
}

/// The documents of a file, each parsed alone so that one bad document (a duplicated key) does
/// not hide the others; each that does not parse is unreadable at its own line.
fn parse_file(file: &Path, text: &str) -> (Vec<Document>, Vec<Unreadable>) {
    let (mut docs, mut unreadable) = (Vec::new(), Vec::new());
    let unreadable_at = |line: usize, why: String| Unreadable {
        file: file.to_path_buf(),
        line,
        why,
        fix: PARSE_FIX,
    };
    if is_json(file) {
        match parse_json5(text) {
            Ok(value) => docs.push(document(file, text, 1, value)),
            Err(e) => unreadable.push(unreadable_at(
                e.line_display(),
                format!("not valid JSON5 (OpenClaw reads its config as JSON5): {e}"),
            )),
        }
        return (docs, unreadable);
    }
    for (start, chunk) in yaml_documents(text) {
        match serde_yaml::from_str::<serde_yaml::Value>(&chunk) {
            Ok(value) => {
                let value = yaml_to_json(value);
                if !value.is_null() {
                    docs.push(document(file, &chunk, start, value));
                }
            }
            Err(e) => {
                let (line, why) = yaml_error(&chunk, &e);
                unreadable.push(unreadable_at(
                    start - 1 + line,
                    format!("not valid YAML: {why}"),
                ));
            }
        }
    }
    (docs, unreadable)
}

/// Where in `chunk` serde_yaml's error is, and its words without its own position (which
/// counts from the document, not the file). A duplicated key is shown at its second entry.
fn yaml_error(chunk: &str, error: &serde_yaml::Error) -> (usize, String) {
    let said = error.to_string();
    let why = match said.find(" at line ") {
        Some(at) => said[..at].to_string(),
        None => said,
    };
    let line = error.location().map_or(1, |l| l.line());
    let duplicate = why
        .split_once("duplicate entry with key \"")
        .and_then(|(_, rest)| rest.split_once('"'))
        .map(|(key, _)| format!("{key}:"));
    let second = duplicate.and_then(|key| {
        chunk
            .lines()
            .enumerate()
            .skip(line - 1)
            .filter(|(_, l)| l.trim_start().starts_with(&key))
            .nth(1)
            .map(|(i, _)| i + 1)
    });
    (second.unwrap_or(line), why)
}

fn document(file: &Path, text: &str, start: usize, value: Value) -> Document {
    Document {
        file: file.to_path_buf(),
        text: text.into(),
        start,
        value,
    }
}

/// The documents of a YAML stream, split at `---` lines, with the line each starts at.
fn yaml_documents(text: &str) -> Vec<(usize, String)> {
    let mut documents = vec![(1, String::new())];
    for (i, line) in text.lines().enumerate() {
        let separator = line
            .strip_prefix("---")
            .is_some_and(|rest| rest.is_empty() || rest.starts_with(char::is_whitespace));
        if separator {
            documents.push((i + 2, String::new()));
        } else if let Some((_, chunk)) = documents.last_mut() {
            chunk.push_str(line);
            chunk.push('\n');
        }
    }
    documents
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
