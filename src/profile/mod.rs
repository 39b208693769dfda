//! The operator's profile: every choice the wizard makes, never a secret.
//! Defaults are embedded from `assets/profile.yaml`; an answers file overrides any subset of them.

use std::collections::BTreeSet;
use std::net::IpAddr;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::openclaw::release::Release;

pub mod edit;
mod load;
pub mod types;

use load::Issues;
pub use load::{ProfileError, ProfileIssue};
use types::{Cidr, DnsLabel, ImageRef, SandboxMode, SandboxScope, WorkspaceAccess};

pub const DEFAULT_PROFILE_YAML: &str = include_str!("../../assets/profile.yaml");
const MODELS_YAML: &str = include_str!("../../assets/models.yaml");

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    pub cluster: Cluster,
    pub aws: Aws,
    pub terraform: Terraform,
    pub repos: Repos,
    pub argocd: ArgoCd,
    pub cloudflare: Cloudflare,
    pub images: Images,
    pub openclaw: OpenClaw,
    pub litellm: LiteLlm,
    pub storage: Storage,
    pub resources: AllResources,
    pub network_policy: NetworkPolicy,
    pub checks: Checks,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Checks {
    /// Check each token against its API before storing it and at `status`.
    pub tokens: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Cluster {
    pub kube_context: String,
    pub namespace: DnsLabel,
    pub secret_store: DnsLabel,
    pub node_arch: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Aws {
    pub region: String,
    pub account_id: String,
    pub ssm_prefix: String,
    pub kms_key_alias: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Terraform {
    pub state_bucket: String,
    pub state_region: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Repos {
    pub gitops: GitOpsRepo,
    pub infrastructure: InfrastructureRepo,
    pub workspace_path: PathBuf,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GitOpsRepo {
    pub path: PathBuf,
    pub url: String,
    pub revision: String,
    pub folder: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InfrastructureRepo {
    pub path: PathBuf,
    pub url: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ArgoCd {
    pub namespace: String,
    pub project: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Cloudflare {
    pub zone: String,
    pub hostname: String,
    pub tunnel_name: String,
    pub account_id: String,
    pub zone_id: String,
    pub github_identity_provider_id: String,
    pub access_allowed_emails: Vec<String>,
    pub access_session_duration: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Images {
    pub openclaw: ImageRef,
    pub litellm: ImageRef,
    pub cloudflared: ImageRef,
    pub docker_dind: ImageRef,
    pub docker_cli: ImageRef,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OpenClaw {
    pub release: Release,
    pub discord_allow_from: Vec<String>,
    pub codex_subscription: bool,
    pub codex_email: String,
    pub primary_model: String,
    pub fallback_models: Vec<String>,
    pub sandbox: Sandbox,
    /// The npm registry the pod installs OpenClaw's external plugins from; empty = npm's own.
    pub plugin_registry: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sandbox {
    pub mode: SandboxMode,
    pub scope: SandboxScope,
    pub workspace_access: WorkspaceAccess,
    pub image: String,
    pub network: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LiteLlm {
    pub models: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Storage {
    pub class: String,
    pub size: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AllResources {
    pub openclaw: Resources,
    pub dind: Resources,
    pub litellm: Resources,
    pub cloudflared: Resources,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Resources {
    pub requests: CpuMemory,
    pub limits: CpuMemory,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CpuMemory {
    pub cpu: String,
    pub memory: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NetworkPolicy {
    pub extra_excepted_cidrs: Vec<Cidr>,
    pub node_local_dns: String,
    /// Where a plugin registry mirror inside the private ranges answers (the internet rule
    /// excludes those ranges).
    pub plugin_registry_cidrs: Vec<Cidr>,
}

/// A LiteLLM model clawboot can wire (from `assets/models.yaml`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelCard {
    pub id: String,
    pub name: String,
    pub litellm_model: String,
    pub api_key: String,
    pub reasoning: bool,
    pub input: Vec<String>,
    pub context_window: u64,
    pub max_tokens: u64,
}

/// The model ref of the Codex subscription route (see spec/manifests.md, "Models").
pub const CODEX_MODEL_REF: &str = "openai/gpt-5.5";

pub fn model_catalog() -> Vec<ModelCard> {
    serde_yaml::from_str(MODELS_YAML).expect("assets/models.yaml is valid (checked by tests)")
}

impl Profile {
    pub fn release(&self) -> Release {
        self.openclaw.release
    }

    /// Enabled LiteLLM models, in the order the profile lists them.
    pub fn enabled_models(&self) -> Vec<ModelCard> {
        let catalog = model_catalog();
        self.litellm
            .models
            .iter()
            .filter_map(|id| catalog.iter().find(|card| &card.id == id).cloned())
            .collect()
    }

    /// API key names LiteLLM needs for the enabled models, without repeats.
    pub fn litellm_provider_keys(&self) -> Vec<String> {
        let mut seen = BTreeSet::new();
        self.enabled_models()
            .into_iter()
            .map(|card| card.api_key)
            .filter(|key| seen.insert(key.clone()))
            .collect()
    }

    /// `owner/name` of the repositories the agent's GitHub token may touch (the profile check
    /// refuses a URL without both).
    pub fn github_repos(&self) -> Vec<String> {
        [&self.repos.gitops.url, &self.repos.infrastructure.url]
            .iter()
            .filter_map(|url| github_repo(url))
            .collect()
    }

    /// The checks that need more than one key (or more than a type): every problem found.
    fn validate(&self) -> Vec<ProfileIssue> {
        let mut issues = Issues::default();
        self.validate_names(&mut issues);
        self.validate_images(&mut issues);
        self.validate_openclaw(&mut issues);
        self.validate_resources(&mut issues);
        self.validate_network_policy(&mut issues);
        issues.0
    }

    /// Names, paths and addresses.
    fn validate_names(&self, issues: &mut Issues) {
        issues.check(
            is_context_name(&self.cluster.kube_context),
            "cluster.kube_context",
            "must be empty (kubectl's current context) or a context name from your kubeconfig: letters, digits and _.:/@-".into(),
        );
        for (path, region) in [
            ("aws.region", &self.aws.region),
            ("terraform.state_region", &self.terraform.state_region),
        ] {
            issues.check(
                is_aws_region(region),
                path,
                "must be an AWS region, e.g. ap-northeast-1".into(),
            );
        }
        for (path, name) in [
            ("argocd.namespace", &self.argocd.namespace),
            ("argocd.project", &self.argocd.project),
        ] {
            issues.check(
                DnsLabel::is_valid(name),
                path,
                "must be a DNS label: lowercase letters, digits and '-'".into(),
            );
        }
        issues.check(
            matches!(self.cluster.node_arch.as_str(), "amd64" | "arm64"),
            "cluster.node_arch",
            "must be amd64 or arm64".into(),
        );
        issues.check(
            is_ssm_prefix(&self.aws.ssm_prefix),
            "aws.ssm_prefix",
            "must start with '/', not end with '/', and use only letters, digits and _.-/".into(),
        );
        issues.check(
            self.aws.account_id.len() == 12
                && self.aws.account_id.bytes().all(|b| b.is_ascii_digit()),
            "aws.account_id",
            "must be the 12-digit AWS account id (quote it in YAML)".into(),
        );
        issues.check(
            self.aws.kms_key_alias.is_empty() || self.aws.kms_key_alias.starts_with("alias/"),
            "aws.kms_key_alias",
            "must be empty (account default key) or start with 'alias/'".into(),
        );
        issues.check(
            is_hostname(&self.cloudflare.zone),
            "cloudflare.zone",
            "must be a DNS zone, e.g. example.com".into(),
        );
        issues.check(
            is_hostname(&self.cloudflare.hostname)
                && self
                    .cloudflare
                    .hostname
                    .ends_with(&format!(".{}", self.cloudflare.zone)),
            "cloudflare.hostname",
            format!(
                "must be a host name inside the zone {}",
                self.cloudflare.zone
            ),
        );
        issues.check(
            !self.cloudflare.access_allowed_emails.is_empty()
                && self
                    .cloudflare
                    .access_allowed_emails
                    .iter()
                    .all(|e| e.contains('@')),
            "cloudflare.access_allowed_emails",
            "list at least one e-mail address allowed through Cloudflare Access".into(),
        );
        for (path, url) in [
            ("repos.gitops.url", &self.repos.gitops.url),
            ("repos.infrastructure.url", &self.repos.infrastructure.url),
        ] {
            issues.check(
                github_repo(url).is_some(),
                path,
                "must be the repository's URL, e.g. https://github.com/owner/name.git".into(),
            );
        }
        issues.check(
            is_relative_folder(&self.repos.gitops.folder),
            "repos.gitops.folder",
            "must be a relative folder inside the repo, without '..'".into(),
        );
    }

    /// The OpenClaw image's tag is the release (each image is pinned by its type).
    fn validate_images(&self, issues: &mut Issues) {
        let release = self.openclaw.release.to_string();
        issues.check(
            self.images
                .openclaw
                .tag()
                .is_some_and(|tag| tag.starts_with(&release)),
            "images.openclaw",
            format!(
                "the tag must be the release openclaw.release names ({release}), e.g. ghcr.io/openclaw/openclaw:{release}"
            ),
        );
    }

    /// Discord ids, sandbox, models and model refs.
    fn validate_openclaw(&self, issues: &mut Issues) {
        issues.check(
            self.openclaw.codex_email.is_empty() || self.openclaw.codex_email.contains('@'),
            "openclaw.codex_email",
            "must be empty or the e-mail of the ChatGPT account that signs in".into(),
        );
        for (i, id) in self.openclaw.discord_allow_from.iter().enumerate() {
            issues.check(
                (17..=20).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_digit()),
                &format!("openclaw.discord_allow_from[{i}]"),
                "must be a Discord user id (17-20 digits; quote it in YAML)".into(),
            );
        }
        let catalog = model_catalog();
        let known: Vec<&str> = catalog.iter().map(|c| c.id.as_str()).collect();
        issues.check(
            !self.litellm.models.is_empty(),
            "litellm.models",
            format!("enable at least one model; allowed: {}", known.join(", ")),
        );
        for (i, id) in self.litellm.models.iter().enumerate() {
            issues.check(
                known.contains(&id.as_str()),
                &format!("litellm.models[{i}]"),
                format!("unknown model {id:?}; allowed: {}", known.join(", ")),
            );
        }
        let refs = std::iter::once((
            "openclaw.primary_model".to_string(),
            &self.openclaw.primary_model,
        ))
        .chain(
            self.openclaw
                .fallback_models
                .iter()
                .enumerate()
                .map(|(i, r)| (format!("openclaw.fallback_models[{i}]"), r)),
        );
        for (path, model_ref) in refs {
            if let Err(message) = self.check_model_ref(model_ref) {
                issues.push(&path, message);
            }
        }
    }

    /// Storage and resource quantities.
    fn validate_resources(&self, issues: &mut Issues) {
        issues.check(
            is_quantity(&self.storage.size),
            "storage.size",
            "must be a Kubernetes quantity, e.g. 10Gi".into(),
        );
        issues.check(
            is_dns_subdomain(&self.storage.class),
            "storage.class",
            "must be a StorageClass name, e.g. longhorn".into(),
        );
        for (name, res) in [
            ("openclaw", &self.resources.openclaw),
            ("dind", &self.resources.dind),
            ("litellm", &self.resources.litellm),
            ("cloudflared", &self.resources.cloudflared),
        ] {
            for (kind, value) in [
                ("requests.cpu", &res.requests.cpu),
                ("requests.memory", &res.requests.memory),
                ("limits.cpu", &res.limits.cpu),
                ("limits.memory", &res.limits.memory),
            ] {
                issues.check(
                    is_quantity(value),
                    &format!("resources.{name}.{kind}"),
                    "must be a Kubernetes quantity, e.g. 500m or 1Gi".into(),
                );
            }
        }
        issues.check(
            memory_bytes(&self.resources.litellm.limits.memory)
                .is_none_or(|bytes| bytes >= 1 << 30),
            "resources.litellm.limits.memory",
            "must be at least 1Gi: LiteLLM is OOMKilled at 512Mi".into(),
        );
    }

    /// Extra CIDRs and the NodeLocal DNS address.
    fn validate_network_policy(&self, issues: &mut Issues) {
        issues.check(
            self.network_policy.node_local_dns.is_empty()
                || self.network_policy.node_local_dns.parse::<IpAddr>().is_ok(),
            "network_policy.node_local_dns",
            "must be empty or an IP address such as 169.254.20.10".into(),
        );
        if let Err(message) = plugin_registry_port(&self.openclaw.plugin_registry) {
            issues.push("openclaw.plugin_registry", message);
        }
        issues.check(
            self.network_policy.plugin_registry_cidrs.is_empty()
                || !self.openclaw.plugin_registry.is_empty(),
            "network_policy.plugin_registry_cidrs",
            "only goes with openclaw.plugin_registry (the mirror these addresses belong to)".into(),
        );
    }

    fn check_model_ref(&self, model_ref: &str) -> Result<(), String> {
        if let Some(id) = model_ref.strip_prefix("litellm/") {
            if self.litellm.models.iter().any(|m| m == id) {
                return Ok(());
            }
            return Err(format!(
                "{model_ref:?} is not an enabled LiteLLM model; enable {id:?} in litellm.models or pick one of: {}",
                self.litellm.models.iter().map(|m| format!("litellm/{m}")).collect::<Vec<_>>().join(", ")
            ));
        }
        if model_ref == CODEX_MODEL_REF {
            return if self.openclaw.codex_subscription {
                Ok(())
            } else {
                Err(format!(
                    "{CODEX_MODEL_REF} needs openclaw.codex_subscription: true"
                ))
            };
        }
        if model_ref.starts_with("openai-codex/") {
            return Err(format!(
                "{model_ref:?} is a legacy route that Codex OAuth accounts reject; use {CODEX_MODEL_REF}"
            ));
        }
        Err(format!(
            "{model_ref:?} is not a model clawboot wires; use litellm/<enabled model> or {CODEX_MODEL_REF}"
        ))
    }
}

/// The TCP port the pod reaches the plugin registry on (443 for npm's own when `url` is empty).
/// A URL with credentials is refused: it would end up in a manifest.
pub fn plugin_registry_port(url: &str) -> Result<u16, String> {
    if url.is_empty() {
        return Ok(443);
    }
    // The URL parser drops newlines and tabs, so the raw value is checked first.
    if url.chars().any(char::is_control) {
        return Err("must not hold control characters (newlines, tabs, escapes)".into());
    }
    let parsed = url::Url::parse(url)
        .map_err(|e| format!("{e}: give the registry's URL, e.g. https://npm.example.internal/"))?;
    if !matches!(parsed.scheme(), "https" | "http") || parsed.host_str().is_none() {
        return Err(
            "must be an http(s) URL with a host, e.g. https://npm.example.internal/".into(),
        );
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err("must not hold credentials: the URL is written into the manifests; give the mirror anonymous read access from the cluster".into());
    }
    parsed
        .port_or_known_default()
        .ok_or_else(|| "must name a port".to_string())
}

/// `owner/name` of a repository URL (`https://github.com/o/n(.git)`, `git@github.com:o/n`).
fn github_repo(url: &str) -> Option<String> {
    let trimmed = url.trim_end_matches('/').trim_end_matches(".git");
    let mut parts = trimmed.rsplit(['/', ':']);
    let (name, owner) = (parts.next()?, parts.next()?);
    let plain = |p: &str| {
        !p.is_empty()
            && p.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"_.-".contains(&b))
    };
    (plain(owner) && plain(name) && parts.next().is_some()).then(|| format!("{owner}/{name}"))
}

fn is_dns_subdomain(s: &str) -> bool {
    s.len() <= 253 && s.split('.').all(DnsLabel::is_valid)
}

fn is_hostname(s: &str) -> bool {
    s.contains('.') && is_dns_subdomain(s)
}

/// kubeconfig context names as clusters name them (`arn:aws:eks:…:cluster/x`, `gke_p_z_x`,
/// `user@cluster`): nothing a shell or a terminal would read as more than a name.
fn is_context_name(s: &str) -> bool {
    s.len() <= 253
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"_.:/@-".contains(&b))
}

/// `ap-northeast-1`, `us-gov-west-1`, `eu-central-2`.
fn is_aws_region(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    parts.len() >= 3
        && parts[..parts.len() - 1]
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase()))
        && parts[parts.len() - 1].parse::<u8>().is_ok()
}

fn is_ssm_prefix(s: &str) -> bool {
    s.starts_with('/')
        && !s.ends_with('/')
        && s.len() > 1
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"_.-/".contains(&b))
}

fn is_relative_folder(s: &str) -> bool {
    !s.is_empty()
        && !s.starts_with('/')
        && s.split('/').all(|part| !part.is_empty() && part != "..")
}

const QUANTITY_SUFFIXES: [(&str, u64); 9] = [
    ("Ki", 1 << 10),
    ("Mi", 1 << 20),
    ("Gi", 1 << 30),
    ("Ti", 1 << 40),
    ("k", 1_000),
    ("M", 1_000_000),
    ("G", 1_000_000_000),
    ("T", 1_000_000_000_000),
    ("m", 0),
];

fn split_quantity(s: &str) -> Option<(f64, &str)> {
    let digits_end = s
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(s.len());
    let (number, suffix) = s.split_at(digits_end);
    let value: f64 = number.parse().ok()?;
    (suffix.is_empty() || QUANTITY_SUFFIXES.iter().any(|(sfx, _)| *sfx == suffix))
        .then_some((value, suffix))
}

fn is_quantity(s: &str) -> bool {
    split_quantity(s).is_some()
}

/// Bytes of a memory quantity such as `512Mi` or `1G`; `None` when it is not one.
pub fn memory_bytes(s: &str) -> Option<u64> {
    let (value, suffix) = split_quantity(s)?;
    let factor = match suffix {
        "" => 1,
        "m" => return Some((value / 1000.0) as u64),
        sfx => QUANTITY_SUFFIXES.iter().find(|(k, _)| *k == sfx)?.1,
    };
    Some((value * factor as f64) as u64)
}

#[cfg(test)]
mod tests {
    use super::types::ImageRef;
    use super::*;

    #[test]
    fn embedded_profile_and_models_load() {
        let profile = Profile::embedded();
        assert_eq!(profile.cluster.namespace.as_str(), "openclaw");
        assert_eq!(profile.enabled_models().len(), 2);
        assert_eq!(profile.litellm_provider_keys(), vec!["ANTHROPIC_API_KEY"]);
    }

    #[test]
    fn answers_override_only_what_they_name() {
        let profile = Profile::from_answers("cluster:\n  namespace: claw\n").unwrap();
        assert_eq!(profile.cluster.namespace.as_str(), "claw");
        assert_eq!(profile.cluster.secret_store.as_str(), "parameterstore");
    }

    #[test]
    fn unknown_keys_wrong_types_and_bad_values_are_reported_together() {
        let err = Profile::from_answers(
            "cluster:\n  namespaec: claw\n  nod_arch: arm64\naws:\n  account_id: 123456789012\nopenclaw:\n  sandbox:\n    mode: sometimes\n  codex_subscription: maybe\nimages:\n  litellm: x:latest\nnetwork_policy:\n  extra_excepted_cidrs: [10.0.0.0/8, not-a-cidr]\nbogus: 1\n",
        )
        .unwrap_err();
        let paths: Vec<&str> = err.issues.iter().map(|i| i.path.as_str()).collect();
        for expected in [
            "cluster.namespaec",
            "cluster.nod_arch",
            "aws.account_id",
            "openclaw.sandbox.mode",
            "openclaw.codex_subscription",
            "images.litellm",
            "network_policy.extra_excepted_cidrs[1]",
            "bogus",
        ] {
            assert!(paths.contains(&expected), "{expected} not in {paths:?}");
        }
        assert_eq!(paths.len(), 8, "{paths:?}");
        let message = err.to_string();
        assert!(message.contains("did you mean `node_arch`"), "{message}");
        assert!(
            message.contains("must be a string, not a number (quote it in YAML)"),
            "{message}"
        );
        assert!(message.contains("allowed: off, non-main, all"), "{message}");
    }

    #[test]
    fn unknown_key_is_reported_with_its_path() {
        let err = Profile::from_answers("cluster:\n  namespaec: claw\n").unwrap_err();
        assert_eq!(err.issues[0].path, "cluster.namespaec");
        assert!(err.issues[0].message.contains("unknown field `namespaec`"));
        assert!(err.issues[0].message.contains("namespace"));
    }

    #[test]
    fn bad_values_are_all_reported_with_what_is_allowed() {
        let err = Profile::from_answers(
            "openclaw:\n  sandbox:\n    mode: sometimes\nimages:\n  litellm: ghcr.io/berriai/litellm:main-v1.63.2\nresources:\n  litellm:\n    limits: {cpu: 500m, memory: 512Mi}\n",
        )
        .unwrap_err();
        let paths: Vec<&str> = err.issues.iter().map(|i| i.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "images.litellm",
                "openclaw.sandbox.mode",
                "resources.litellm.limits.memory"
            ]
        );
        assert!(err.issues[1].message.contains("off, non-main, all"));
    }

    #[test]
    fn legacy_codex_model_refs_are_refused() {
        let err =
            Profile::from_answers("openclaw:\n  fallback_models: [openai-codex/gpt-5.3-codex]\n")
                .unwrap_err();
        assert_eq!(err.issues[0].path, "openclaw.fallback_models[0]");
        assert!(err.issues[0].message.contains("openai/gpt-5.5"));
    }

    #[test]
    fn github_repos_from_urls() {
        assert_eq!(
            Profile::embedded().github_repos(),
            ["boxp/lolice", "boxp/arch"]
        );
    }

    #[test]
    fn image_pinning() {
        let reason = |image: &str| ImageRef::new(image).unpinned_reason();
        assert!(reason("docker:27-dind").is_none());
        assert!(reason("localhost:5000/x").is_some());
        assert!(reason("x:latest").is_some());
        assert!(reason("x@sha256:abc").is_none());
        assert_eq!(ImageRef::new("localhost:5000/x:1.2").tag(), Some("1.2"));
        let pinned = ImageRef::new(&format!("ghcr.io/o/oc:2026.9.6@sha256:{}", "a".repeat(64)));
        assert_eq!(pinned.repository(), "ghcr.io/o/oc");
        assert_eq!(pinned.release(), Release::parse("2026.9.6"));
        assert_eq!(
            ImageRef::new("localhost:5000/x").repository(),
            "localhost:5000/x"
        );
    }

    #[test]
    fn quantities() {
        assert_eq!(memory_bytes("1Gi"), Some(1 << 30));
        assert_eq!(memory_bytes("512Mi"), Some(512 << 20));
        assert!(memory_bytes("1GB").is_none());
        assert!(types::Cidr::try_from("100.64.0.0/10".to_string()).is_ok());
        assert!(types::Cidr::try_from("10.0.0.0/33".to_string()).is_err());
    }
}
