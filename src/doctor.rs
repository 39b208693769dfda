//! Lint an existing GitOps folder for the failure modes the seed plan ran into (and a few more):
//! each finding names the file, the line, why it breaks and the fix.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::openclaw::release::{newest, ExternalPlugin, Release};
use crate::profile::{image_tag, memory_bytes, unpinned_image_reason, CODEX_MODEL_REF};

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Finding {
    pub rule: &'static str,
    pub file: PathBuf,
    pub line: usize,
    pub problem: String,
    pub fix: String,
}

/// `api` values OpenClaw accepts for a model provider (spec/openclaw-config.md).
const PROVIDER_APIS: [&str; 11] = [
    "openai-completions",
    "openai-responses",
    "openai-chatgpt-responses",
    "anthropic-messages",
    "google-generative-ai",
    "google-vertex",
    "github-copilot",
    "bedrock-converse-stream",
    "ollama",
    "pi-messages",
    "azure-openai-responses",
];

/// One YAML document (or a standalone openclaw.json) and the text it came from.
struct Document {
    file: PathBuf,
    text: std::sync::Arc<str>,
    value: Value,
}

/// A container of a workload, with the pod it runs in.
struct Container<'a> {
    doc: &'a Document,
    workload: String,
    name: String,
    spec: &'a Value,
    pod: &'a Value,
}

struct Linter {
    docs: Vec<Document>,
    findings: Vec<Finding>,
}

/// Lint every YAML and JSON file under `dir`; findings are sorted by file and line.
pub fn run(dir: &Path) -> anyhow::Result<Vec<Finding>> {
    let mut linter = Linter {
        docs: load_documents(dir)?,
        findings: Vec::new(),
    };
    linter.check_openclaw_configs();
    linter.check_containers();
    linter.check_litellm();
    linter.check_network_policies();
    linter.check_external_secrets();
    let mut findings = linter.findings;
    findings.sort_by(|a, b| (&a.file, a.line, a.rule).cmp(&(&b.file, b.line, b.rule)));
    findings.dedup();
    Ok(findings)
}

fn load_documents(dir: &Path) -> anyhow::Result<Vec<Document>> {
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
        let text: std::sync::Arc<str> = std::fs::read_to_string(&path)
            .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?
            .into();
        let file = path.strip_prefix(dir).unwrap_or(&path).to_path_buf();
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
        docs.extend(
            values
                .into_iter()
                .filter(|v| !v.is_null())
                .map(|value| Document {
                    file: file.clone(),
                    text: text.clone(),
                    value,
                }),
        );
    }
    Ok(docs)
}

fn collect_files(dir: &Path, out: &mut Vec<PathBuf>) -> anyhow::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        let hidden = path
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with('.'));
        if hidden {
            continue;
        }
        if path.is_dir() {
            collect_files(&path, out)?;
        } else if matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("yaml" | "yml" | "json" | "json5")
        ) {
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

/// The 1-based line reached by searching forward for each step in turn (any of its
/// alternatives); when a step is not found, the line of the last step that was.
fn locate(text: &str, steps: &[&[&str]]) -> usize {
    let lines: Vec<&str> = text.lines().collect();
    let mut at = 0;
    let mut found = 0;
    for step in steps {
        match (at..lines.len()).find(|&i| step.iter().any(|needle| lines[i].contains(needle))) {
            Some(i) => {
                at = i;
                found = i + 1;
            }
            None => break,
        }
    }
    found.max(1)
}

/// Needles for a key in JSON (`"key"`), JSON5 (`key:`) or YAML (`key:`).
fn key(name: &str) -> [String; 2] {
    [format!("\"{name}\""), format!("{name}:")]
}

/// The elements of the array at a JSON pointer; none when it is absent or not an array.
fn items<'v>(value: &'v Value, pointer: &str) -> std::slice::Iter<'v, Value> {
    value
        .pointer(pointer)
        .and_then(Value::as_array)
        .map_or([].iter(), |array| array.iter())
}

fn str_at<'v>(value: &'v Value, path: &[&str]) -> Option<&'v str> {
    path.iter()
        .try_fold(value, |v, k| v.get(k))
        .and_then(Value::as_str)
}

fn is_openclaw_config(value: &Value) -> bool {
    value.is_object()
        && ["gateway", "channels", "agents", "agent", "models"]
            .iter()
            .any(|k| value.get(k).is_some())
}

impl Linter {
    fn report(
        &mut self,
        doc_file: &Path,
        line: usize,
        rule: &'static str,
        problem: String,
        fix: String,
    ) {
        self.findings.push(Finding {
            rule,
            file: doc_file.to_path_buf(),
            line,
            problem,
            fix,
        });
    }

    /// openclaw.json files, standalone or inside a ConfigMap, with the line where each starts.
    fn openclaw_configs(&self) -> Vec<(PathBuf, std::sync::Arc<str>, usize, Value)> {
        let mut configs = Vec::new();
        for doc in &self.docs {
            if is_openclaw_config(&doc.value) {
                configs.push((doc.file.clone(), doc.text.clone(), 1, doc.value.clone()));
                continue;
            }
            if doc.value.get("kind").and_then(Value::as_str) != Some("ConfigMap") {
                continue;
            }
            let Some(data) = doc.value.get("data").and_then(Value::as_object) else {
                continue;
            };
            for (name, content) in data {
                let Some(content) = content.as_str() else {
                    continue;
                };
                if !name.ends_with(".json") && !name.ends_with(".json5") {
                    continue;
                }
                if let Ok(value) = parse_json5(content) {
                    if is_openclaw_config(&value) {
                        let start = locate(&doc.text, &[&[&format!("{name}:")]]);
                        configs.push((doc.file.clone(), doc.text.clone(), start, value));
                    }
                }
            }
        }
        configs
    }

    fn check_openclaw_configs(&mut self) {
        let uninstalled = self.plugins_nothing_installs();
        for (file, text, start, config) in self.openclaw_configs() {
            let body: String = text.lines().skip(start - 1).collect::<Vec<_>>().join("\n");
            let at = |steps: &[&[&str]]| start - 1 + locate(&body, steps);
            let k = |name: &str| key(name);
            let agent = k("agent");
            if config.get("agent").is_some() {
                self.report(&file, at(&[&[&agent[0], &agent[1]]]), "legacy-agent-key",
                    "the top-level `agent` key is from an old schema: OpenClaw rejects the whole config".into(),
                    "move agent.model to agents.defaults.model, agent.models.providers to models.providers, agent.elevated to tools.elevated".into());
            }
            self.check_providers(&file, &config, &at);
            let gateway = k("gateway");
            if config.get("gateway").and_then(|g| g.get("mode")).is_none() {
                self.report(&file, at(&[&[&gateway[0], &gateway[1]]]), "gateway-mode-missing",
                    "gateway.mode is not set: `openclaw gateway run` refuses to start (exit 78), and `openclaw config validate` does not catch it".into(),
                    "set gateway.mode to \"local\"".into());
            }
            if config
                .pointer("/gateway/controlUi/allowInsecureAuth")
                .is_some()
            {
                let needle = k("allowInsecureAuth");
                self.report(&file, at(&[&[&needle[0], &needle[1]]]), "retired-allow-insecure-auth",
                    "gateway.controlUi.allowInsecureAuth is retired: current OpenClaw rejects the config".into(),
                    "remove it; behind Cloudflare Access set gateway.controlUi.allowedOrigins to [\"https://<hostname>\"]".into());
            }
            self.check_discord(&file, &config, &at);
            self.check_model_refs(&file, &config, &body, start);
            self.check_plugins_installed(&file, &config, &at, &uninstalled);
        }
    }

    /// The release the manifests run (the OpenClaw image's tag, else the newest supported one)
    /// and the plugins it needs that its image lacks and no container installs.
    fn plugins_nothing_installs(&self) -> (Release, Vec<&'static ExternalPlugin>) {
        let containers = self.containers();
        let tagged = containers.iter().find_map(|c| {
            let image = str_at(c.spec, &["image"])?;
            image.contains("openclaw/openclaw").then_some(())?;
            Release::parse(image_tag(image)?)
        });
        let release = tagged
            .filter(|r| r.supported().is_some())
            .unwrap_or_else(newest);
        let installers: Vec<String> = containers
            .iter()
            .map(|c| command_line(c.spec).join(" "))
            .filter(|line| line.contains("plugins install"))
            .collect();
        let missing = release
            .external_plugins()
            .iter()
            .filter(|p| !p.in_image && !installers.iter().any(|l| l.contains(p.package)))
            .collect();
        (release, missing)
    }

    /// A plugin enabled in the config among those nothing installs.
    fn check_plugins_installed(
        &mut self,
        file: &Path,
        config: &Value,
        at: &dyn Fn(&[&[&str]]) -> usize,
        (release, missing): &(Release, Vec<&'static ExternalPlugin>),
    ) {
        for plugin in missing {
            let channel_on = config
                .pointer(&format!("/channels/{}", plugin.id))
                .is_some_and(|c| c.get("enabled").and_then(Value::as_bool) != Some(false));
            let entry_on = config
                .pointer(&format!("/plugins/entries/{}/enabled", plugin.id))
                .and_then(Value::as_bool)
                == Some(true);
            if !(channel_on || entry_on) {
                continue;
            }
            let fix = match plugin.spec() {
                Some(spec) => format!("install it before the gateway starts: an init container of the OpenClaw image running `openclaw plugins install {spec}` into the volume (`clawboot render` emits one)"),
                None => format!("no {} on npm runs on OpenClaw {release}: move to {}", plugin.package, newest()),
            };
            let needle = key(plugin.id);
            self.report(
                file,
                at(&[&[&needle[0], &needle[1]]]),
                "plugin-not-installed",
                format!("the {} plugin is enabled, but OpenClaw {release}'s image does not bundle it and nothing in these manifests installs it: the gateway starts and never connects", plugin.id),
                fix,
            );
        }
    }

    fn check_providers(&mut self, file: &Path, config: &Value, at: &dyn Fn(&[&[&str]]) -> usize) {
        let providers = config
            .pointer("/models/providers")
            .or_else(|| config.pointer("/agent/models/providers"))
            .and_then(Value::as_object);
        for (name, provider) in providers.into_iter().flatten() {
            let Some(api) = provider.get("api").and_then(Value::as_str) else {
                continue;
            };
            if PROVIDER_APIS.contains(&api) {
                continue;
            }
            let fix = if api == "openai-chat" || name == "litellm" {
                "use api \"openai-completions\" (LiteLLM speaks the OpenAI chat completions API)"
                    .to_string()
            } else if api == "openai-codex" {
                format!("remove this provider: the Codex subscription is model {CODEX_MODEL_REF} with plugins.entries.codex.enabled: true")
            } else {
                format!("use one of: {}", PROVIDER_APIS.join(", "))
            };
            let quoted = format!("\"{api}\"");
            self.report(
                file,
                at(&[&[&quoted]]),
                "invalid-provider-api",
                format!("models.providers.{name}.api is {api:?}, which OpenClaw does not accept"),
                fix,
            );
        }
    }

    fn check_discord(&mut self, file: &Path, config: &Value, at: &dyn Fn(&[&[&str]]) -> usize) {
        let Some(discord) = config.pointer("/channels/discord") else {
            return;
        };
        let discord_key = key("discord");
        let discord_line = at(&[
            &[&key("channels")[0], &key("channels")[1]],
            &[&discord_key[0], &discord_key[1]],
        ]);
        let enabled = discord
            .get("enabled")
            .and_then(Value::as_bool)
            .unwrap_or(true);
        let plugin_enabled = config
            .pointer("/plugins/entries/discord/enabled")
            .and_then(Value::as_bool)
            == Some(true);
        if enabled && !plugin_enabled {
            self.report(
                file,
                discord_line,
                "discord-plugin-disabled",
                "channels.discord is enabled but the discord plugin is not: the bot never connects"
                    .into(),
                "add plugins.entries.discord.enabled: true".into(),
            );
        }
        let legacy_dm = discord.get("dm");
        if legacy_dm.is_some() {
            let dm = key("dm");
            self.report(
                file,
                at(&[&[&discord_key[0], &discord_key[1]], &[&dm[0], &dm[1]]]),
                "retired-dm-policy",
                "channels.discord.dm is retired: current OpenClaw rejects dm.policy".into(),
                "use channels.discord.dmPolicy, with allowFrom at the channel root".into(),
            );
        }
        let policy = discord
            .get("dmPolicy")
            .or_else(|| legacy_dm.and_then(|dm| dm.get("policy")))
            .and_then(Value::as_str);
        let allow_from = discord
            .get("allowFrom")
            .or_else(|| legacy_dm.and_then(|dm| dm.get("allowFrom")))
            .and_then(Value::as_array)
            .is_some_and(|ids| !ids.is_empty());
        if policy == Some("allowlist") && !allow_from {
            let needle = "\"allowlist\"";
            self.report(file, at(&[&[&discord_key[0], &discord_key[1]], &[needle, "allowlist"]]), "allowlist-without-allow-from",
                "the Discord DM policy is allowlist with no allowFrom: every DM is dropped".into(),
                "list the Discord user ids allowed to DM the bot in channels.discord.allowFrom (or use dmPolicy \"pairing\")".into());
        }
    }

    fn check_model_refs(&mut self, file: &Path, config: &Value, body: &str, start: usize) {
        let mut refs = Vec::new();
        collect_strings(config, &mut refs);
        for model_ref in refs.into_iter().filter(|s| s.starts_with("openai-codex/")) {
            let model = &model_ref["openai-codex/".len()..];
            let rejected = ["gpt-5.1", "gpt-5.2", "gpt-5.3"]
                .iter()
                .any(|p| model.starts_with(p));
            let problem = if rejected {
                format!("{model_ref} is rejected by ChatGPT/Codex OAuth accounts")
            } else {
                format!("{model_ref} is a legacy route (openai-codex/* model refs are repaired by `openclaw doctor --fix`)")
            };
            let line = start - 1 + locate(body, &[&[&model_ref]]);
            self.report(file, line, "legacy-codex-model", problem,
                format!("use {CODEX_MODEL_REF} with plugins.entries.codex.enabled: true; sign in with an openai-codex profile"));
        }
    }

    fn containers(&self) -> Vec<Container<'_>> {
        let mut out = Vec::new();
        for doc in &self.docs {
            let kind = doc.value.get("kind").and_then(Value::as_str).unwrap_or("");
            let pod = match kind {
                "Pod" => doc.value.get("spec"),
                "CronJob" => doc.value.pointer("/spec/jobTemplate/spec/template/spec"),
                _ => doc.value.pointer("/spec/template/spec"),
            };
            let Some(pod) = pod else { continue };
            let workload = str_at(&doc.value, &["metadata", "name"])
                .unwrap_or("?")
                .to_string();
            for list in ["initContainers", "containers"] {
                for spec in pod
                    .get(list)
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                {
                    out.push(Container {
                        doc,
                        workload: workload.clone(),
                        name: str_at(spec, &["name"]).unwrap_or("?").to_string(),
                        spec,
                        pod,
                    });
                }
            }
        }
        out
    }

    fn check_containers(&mut self) {
        let mut found = Vec::new();
        for c in self.containers() {
            if let Some(image) = str_at(c.spec, &["image"]) {
                if let Some(why) = unpinned_image_reason(image) {
                    found.push((
                        c.doc.file.clone(),
                        container_line(&c, &[&["image:"]]),
                        "unpinned-image",
                        format!(
                            "container {} of {}: {why}: a restart can silently run another version",
                            c.name, c.workload
                        ),
                        "pin a release tag (or a digest)".to_string(),
                    ));
                }
            }
            for arg in command_line(c.spec) {
                if leaks_secret_in_argv(&arg) {
                    found.push((c.doc.file.clone(), container_line(&c, &[&[&arg]]), "token-in-args",
                        format!("container {} of {} passes a secret as an argument ({arg}): it shows in /proc/*/cmdline and `kubectl describe`", c.name, c.workload),
                        "pass it as an environment variable from the Secret (cloudflared reads TUNNEL_TOKEN by itself)".to_string()));
                }
            }
            for var in env_names(c.spec) {
                if var.starts_with("AZURE_") {
                    found.push((
                        c.doc.file.clone(),
                        container_line(&c, &[&[&format!("name: {var}")]]),
                        "azure-leftover",
                        format!(
                            "container {} still sets {var}: Azure OpenAI is not used any more",
                            c.name
                        ),
                        "remove the AZURE_* variables and the Azure ExternalSecret".to_string(),
                    ));
                }
            }
            if is_openclaw(&c) {
                let anthropic = env_names(c.spec).contains(&"ANTHROPIC_API_KEY".to_string());
                if anthropic {
                    found.push((c.doc.file.clone(), container_line(&c, &[&["name: ANTHROPIC_API_KEY"]]), "anthropic-key-in-openclaw",
                        format!("container {} of the OpenClaw pod gets ANTHROPIC_API_KEY: an elevated session or a prompt injection can read it", c.name),
                        "remove it: only the LiteLLM pod holds the Anthropic key; OpenClaw reaches Claude through LiteLLM".to_string()));
                }
            }
        }
        for (file, line, rule, problem, fix) in found {
            self.report(&file, line, rule, problem, fix);
        }
        self.check_secrets_reaching_openclaw();
        self.check_proxy_key();
        self.check_openclaw_init();
    }

    /// The init steps of the OpenClaw pod: the config copied as is, the docker CLI for the sandbox.
    fn check_openclaw_init(&mut self) {
        let mut found = Vec::new();
        let containers = self.containers();
        for c in &containers {
            let script = command_line(c.spec).join(" ");
            let rewrites = ["sed ", "envsubst"]
                .iter()
                .any(|tool| script.contains(tool));
            if rewrites && script.contains("openclaw.json") {
                found.push((c.doc.file.clone(), container_line(c, &[&["sed ", "envsubst"]]), "config-env-substitution",
                    format!("container {} of {} substitutes variables into openclaw.json: the secret values land in plain text on the volume", c.name, c.workload),
                    "copy openclaw.json as is: OpenClaw resolves ${VAR} and SecretRefs in memory".to_string()));
            }
        }
        for c in containers.iter().filter(|c| is_openclaw(c)) {
            let siblings = || containers.iter().filter(|o| std::ptr::eq(o.pod, c.pod));
            let has_dind = siblings().any(|o| image_contains(o, "dind"));
            let has_cli =
                siblings().any(|o| image_contains(o, "-cli") && image_contains(o, "docker"));
            if has_dind && !has_cli {
                found.push((c.doc.file.clone(), container_line(c, &[]), "docker-cli-missing",
                    "the OpenClaw pod runs a Docker-in-Docker sidecar but never gets the docker CLI: every sandboxed session fails".into(),
                    "add an init container that copies /usr/local/bin/docker from docker:27-cli into an emptyDir on OpenClaw's PATH".to_string()));
            }
        }
        for (file, line, rule, problem, fix) in found {
            self.report(&file, line, rule, problem, fix);
        }
    }

    /// Secrets mounted or referenced by the OpenClaw pod that an ExternalSecret fills with the Anthropic key.
    fn check_secrets_reaching_openclaw(&mut self) {
        let mut openclaw_secrets = Vec::new();
        for c in self.containers().iter().filter(|c| is_openclaw(c)) {
            for from in items(c.spec, "/envFrom") {
                if let Some(name) = str_at(from, &["secretRef", "name"]) {
                    openclaw_secrets.push(name.to_string());
                }
            }
            for volume in items(c.pod, "/volumes") {
                if let Some(name) = str_at(volume, &["secret", "secretName"]) {
                    openclaw_secrets.push(name.to_string());
                }
            }
        }
        let mut found = Vec::new();
        for doc in self
            .docs
            .iter()
            .filter(|d| str_at(&d.value, &["kind"]) == Some("ExternalSecret"))
        {
            let target = str_at(&doc.value, &["spec", "target", "name"])
                .or_else(|| str_at(&doc.value, &["metadata", "name"]))
                .unwrap_or("");
            let is_openclaw_secret =
                target == "openclaw-credentials" || openclaw_secrets.iter().any(|s| s == target);
            let has_anthropic = items(&doc.value, "/spec/data")
                .any(|d| str_at(d, &["secretKey"]) == Some("ANTHROPIC_API_KEY"));
            if is_openclaw_secret && has_anthropic {
                found.push((
                    doc.file.clone(),
                    locate(&doc.text, &[&["secretKey: ANTHROPIC_API_KEY"]]),
                    target.to_string(),
                ));
            }
        }
        for (file, line, target) in found {
            self.report(
                &file,
                line,
                "anthropic-key-in-openclaw",
                format!(
                    "the Secret {target} reaches the OpenClaw pod and carries ANTHROPIC_API_KEY"
                ),
                "move ANTHROPIC_API_KEY to the LiteLLM ExternalSecret (litellm-credentials) only"
                    .into(),
            );
        }
    }

    /// Without a database LiteLLM authenticates only its master key.
    fn check_proxy_key(&mut self) {
        if self.litellm_has_database() {
            return;
        }
        let mut found = Vec::new();
        for c in self.containers().iter().filter(|c| is_openclaw(c)) {
            for var in items(c.spec, "/env") {
                if str_at(var, &["name"]) != Some("LITELLM_PROXY_KEY") {
                    continue;
                }
                let key = str_at(var, &["valueFrom", "secretKeyRef", "key"]);
                if key != Some("LITELLM_MASTER_KEY") {
                    found.push((
                        c.doc.file.clone(),
                        container_line(c, &[&["name: LITELLM_PROXY_KEY"]]),
                    ));
                }
            }
        }
        for (file, line) in found {
            self.report(&file, line, "litellm-proxy-key",
                "LITELLM_PROXY_KEY is not the LiteLLM master key, and LiteLLM has no database for virtual keys: every request fails with 400".into(),
                "take LITELLM_PROXY_KEY from secret litellm-credentials, key LITELLM_MASTER_KEY".into());
        }
    }

    fn litellm_has_database(&self) -> bool {
        let env_has_db = self
            .containers()
            .iter()
            .filter(|c| is_litellm(c))
            .any(|c| env_names(c.spec).iter().any(|n| n == "DATABASE_URL"));
        let config_has_db = self
            .litellm_configs()
            .iter()
            .any(|(_, cfg)| cfg.pointer("/general_settings/database_url").is_some());
        env_has_db || config_has_db
    }

    /// LiteLLM `config.yaml` documents inside ConfigMaps.
    fn litellm_configs(&self) -> Vec<(&Document, Value)> {
        self.docs
            .iter()
            .filter(|d| str_at(&d.value, &["kind"]) == Some("ConfigMap"))
            .filter_map(|d| {
                let data = d.value.get("data")?.as_object()?;
                data.values()
                    .filter_map(Value::as_str)
                    .filter_map(|text| {
                        serde_yaml::from_str::<serde_yaml::Value>(text)
                            .ok()
                            .map(yaml_to_json)
                    })
                    .find(|cfg| cfg.get("model_list").is_some())
                    .map(|cfg| (d, cfg))
            })
            .collect()
    }

    fn check_litellm(&mut self) {
        let mut found = Vec::new();
        for c in self.containers().iter().filter(|c| is_litellm(c)) {
            let limit = str_at(c.spec, &["resources", "limits", "memory"]);
            if let Some(limit) = limit.filter(|l| memory_bytes(l).is_some_and(|b| b < 1 << 30)) {
                found.push((c.doc.file.clone(), container_line(c, &[&["limits:"], &["memory:"]]), "litellm-memory",
                    format!("LiteLLM's memory limit is {limit}: it is OOMKilled (exit 137) while loading its modules"),
                    "set resources.limits.memory to at least 1Gi (request 512Mi)".to_string()));
            }
            let mounts_config = items(c.spec, "/volumeMounts").any(|m| {
                str_at(m, &["mountPath"])
                    .is_some_and(|p| p.ends_with(".yaml") || p.ends_with(".yml"))
            });
            let has_path = env_names(c.spec).iter().any(|n| n == "CONFIG_FILE_PATH")
                || command_line(c.spec)
                    .iter()
                    .any(|a| a.starts_with("--config"));
            if mounts_config && !has_path {
                found.push((c.doc.file.clone(), container_line(c, &[&["image:"]]), "litellm-config-path",
                    "LiteLLM mounts a config file but is not told to read it: it starts with no models".into(),
                    "add env CONFIG_FILE_PATH=/app/config.yaml (the mounted file)".to_string()));
            }
        }
        for (doc, cfg) in self.litellm_configs() {
            for entry in items(&cfg, "/model_list") {
                let model = str_at(entry, &["litellm_params", "model"]).unwrap_or("");
                if model.starts_with("azure/") {
                    found.push((doc.file.clone(), locate(&doc.text, &[&[model]]), "azure-leftover",
                        format!("LiteLLM still routes a model through Azure OpenAI ({model})"),
                        "remove the Azure entries from model_list; use the Codex subscription (openai/gpt-5.5) instead".to_string()));
                }
            }
        }
        for (file, line, rule, problem, fix) in found {
            self.report(&file, line, rule, problem, fix);
        }
    }

    fn check_network_policies(&mut self) {
        let sandboxed = self.openclaw_configs().iter().all(|(_, _, _, cfg)| {
            cfg.pointer("/agents/defaults/sandbox/mode")
                .and_then(Value::as_str)
                != Some("off")
        });
        let mut found = Vec::new();
        for doc in self
            .docs
            .iter()
            .filter(|d| str_at(&d.value, &["kind"]) == Some("NetworkPolicy"))
        {
            let selects_openclaw = doc
                .value
                .pointer("/spec/podSelector/matchLabels")
                .and_then(Value::as_object)
                .is_some_and(|labels| labels.values().any(|v| v.as_str() == Some("openclaw")));
            if !selects_openclaw || !sandboxed {
                continue;
            }
            let rules: Vec<&Value> = items(&doc.value, "/spec/egress").collect();
            let internet = |r: &Value| {
                items(r, "/to").any(|to| str_at(to, &["ipBlock", "cidr"]) == Some("0.0.0.0/0"))
            };
            let allows_80 = rules.iter().copied().filter(|r| internet(r)).any(|r| {
                items(r, "/ports").any(|p| p.get("port").and_then(Value::as_u64) == Some(80))
            });
            if rules.iter().copied().any(internet) && !allows_80 {
                let name = str_at(&doc.value, &["metadata", "name"]).unwrap_or("");
                found.push((
                    doc.file.clone(),
                    locate(&doc.text, &[&[&format!("name: {name}")], &["0.0.0.0/0"]]),
                    name.to_string(),
                ));
            }
        }
        for (file, line, name) in found {
            self.report(&file, line, "sandbox-http-blocked",
                format!("NetworkPolicy {name} lets OpenClaw reach the internet on 443 only: apt-get inside the sandbox fails on port 80"),
                "add TCP port 80 to the internet egress rule of the OpenClaw pod".into());
        }
    }

    fn check_external_secrets(&mut self) {
        let mut found = Vec::new();
        for doc in &self.docs {
            let is_es = str_at(&doc.value, &["kind"]) == Some("ExternalSecret");
            let name = doc.file.to_string_lossy().to_lowercase();
            let azure_keys: Vec<String> = items(&doc.value, "/spec/data")
                .filter_map(|d| str_at(d, &["secretKey"]))
                .filter(|k| k.starts_with("AZURE_"))
                .map(str::to_string)
                .collect();
            if is_es && (name.contains("azure") || !azure_keys.is_empty()) {
                let line = azure_keys
                    .first()
                    .map_or(1, |k| locate(&doc.text, &[&[&format!("secretKey: {k}")]]));
                found.push((doc.file.clone(), line));
            }
        }
        for (file, line) in found {
            self.report(
                &file,
                line,
                "azure-leftover",
                "an ExternalSecret still pulls Azure OpenAI credentials".into(),
                "delete it and its entry in kustomization.yaml (sync with prune)".into(),
            );
        }
    }
}

fn collect_strings(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::String(s) => out.push(s.clone()),
        Value::Array(items) => items.iter().for_each(|v| collect_strings(v, out)),
        Value::Object(map) => map.iter().for_each(|(k, v)| {
            out.push(k.clone());
            collect_strings(v, out);
        }),
        _ => {}
    }
}

fn container_line(c: &Container<'_>, steps: &[&[&str]]) -> usize {
    let workload = format!("name: {}", c.workload);
    let container = format!("- name: {}", c.name);
    let mut all: Vec<&[&str]> = vec![&["kind:"]];
    let workload_step = [workload.as_str()];
    let container_step = [container.as_str()];
    all.push(&workload_step);
    all.push(&container_step);
    all.extend_from_slice(steps);
    locate(&c.doc.text, &all)
}

fn command_line(spec: &Value) -> Vec<String> {
    ["command", "args"]
        .iter()
        .filter_map(|k| spec.get(k).and_then(Value::as_array))
        .flatten()
        .filter_map(|v| v.as_str().map(str::to_string))
        .collect()
}

fn env_names(spec: &Value) -> Vec<String> {
    items(spec, "/env")
        .filter_map(|v| str_at(v, &["name"]).map(str::to_string))
        .collect()
}

/// `--token`, `--token=…` or a `$(SECRET_VAR)` expansion in a container's argv.
fn leaks_secret_in_argv(arg: &str) -> bool {
    let lower = arg.to_lowercase();
    let flag = lower.starts_with("--token")
        || lower.starts_with("--api-key")
        || lower.starts_with("--password");
    let expansion = arg.split("$(").skip(1).any(|rest| {
        let var = rest.split(')').next().unwrap_or("");
        ["TOKEN", "KEY", "SECRET", "PASSWORD"]
            .iter()
            .any(|w| var.contains(w))
    });
    flag || expansion
}

fn image_contains(c: &Container<'_>, needle: &str) -> bool {
    str_at(c.spec, &["image"]).is_some_and(|image| image.contains(needle))
}

fn is_openclaw(c: &Container<'_>) -> bool {
    c.name == "openclaw"
        || (image_contains(c, "openclaw/openclaw") && !c.name.starts_with("init"))
        || (c.workload == "openclaw" && c.name == "main")
}

fn is_litellm(c: &Container<'_>) -> bool {
    image_contains(c, "litellm")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locate_walks_steps_forward() {
        let text = "a: 1\nname: x\n  limits:\n    memory: 1\n";
        assert_eq!(locate(text, &[&["name: x"], &["limits:"], &["memory:"]]), 4);
        assert_eq!(locate(text, &[&["name: x"], &["nothing"]]), 2);
        assert_eq!(locate(text, &[&["nothing"]]), 1);
    }

    #[test]
    fn argv_secrets() {
        assert!(leaks_secret_in_argv("--token"));
        assert!(leaks_secret_in_argv("$(TUNNEL_TOKEN)"));
        assert!(!leaks_secret_in_argv("--no-autoupdate"));
        assert!(!leaks_secret_in_argv("$(POD_NAME)"));
    }
}
