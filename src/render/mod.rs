//! Every file the wizard emits, rendered from the embedded `templates/`.
//! Templates only ever see the profile and names of secrets, never a secret value.

pub mod output;

use std::path::{Path, PathBuf};

use minijinja::{context, Environment, Value};
use serde::Serialize;

use crate::openclaw::config::{self, GATEWAY_PORT, LITELLM_PORT};
use crate::openclaw::plugins;
use crate::profile::types::Cidr;
use crate::profile::{plugin_registry_port, Profile};
use crate::secrets::catalog::{self, TargetSecret, ValueSource};

/// The three kinds of output, each written under its own root.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Group {
    /// The GitOps folder: manifests, kustomization, Argo CD Application.
    K8s,
    /// The two Terraform folders of the infrastructure repo.
    Terraform,
    /// The agent workspace: SOUL.md and skills/.
    Workspace,
}

/// One rendered file: its group, its path under the group's root, its text.
#[derive(Debug, Clone)]
pub struct RenderedFile {
    pub group: Group,
    pub path: PathBuf,
    pub text: String,
}

/// Where each group is written.
#[derive(Debug, Clone)]
pub struct Roots {
    pub k8s: PathBuf,
    pub terraform: PathBuf,
    pub workspace: PathBuf,
}

impl Roots {
    /// The repositories the profile names (relative paths are taken from the current folder).
    pub fn from_profile(profile: &Profile) -> Self {
        Self {
            k8s: profile.repos.gitops.path.clone(),
            terraform: profile.repos.infrastructure.path.clone(),
            workspace: profile.repos.workspace_path.clone(),
        }
    }

    /// Everything under one folder, laid out as in the two repos, the workspace in `workspace/`.
    pub fn under(out: &Path) -> Self {
        Self {
            k8s: out.to_path_buf(),
            terraform: out.to_path_buf(),
            workspace: out.join("workspace"),
        }
    }

    pub fn root(&self, group: Group) -> &Path {
        match group {
            Group::K8s => &self.k8s,
            Group::Terraform => &self.terraform,
            Group::Workspace => &self.workspace,
        }
    }
}

macro_rules! templates {
    ($($name:literal),* $(,)?) => {
        [$(($name, include_str!(concat!("../../templates/", $name)))),*]
    };
}

const TEMPLATES: [(&str, &str); 28] = templates![
    "k8s/_macros.j2",
    "k8s/namespace.yaml",
    "k8s/externalsecret.yaml",
    "k8s/externalsecret-litellm.yaml",
    "k8s/configmap-litellm.yaml",
    "k8s/deployment-litellm.yaml",
    "k8s/service-litellm.yaml",
    "k8s/configmap-openclaw.yaml",
    "k8s/deployment-openclaw.yaml",
    "k8s/service-openclaw.yaml",
    "k8s/pvc.yaml",
    "k8s/deployment-cloudflared.yaml",
    "k8s/networkpolicy.yaml",
    "k8s/kustomization.yaml",
    "k8s/application.yaml",
    "terraform/aws/provider.tf",
    "terraform/aws/variables.tf",
    "terraform/aws/ssm.tf",
    "terraform/common/backend.tf",
    "terraform/common/tfaction.yaml",
    "terraform/common/aqua.yaml",
    "terraform/cloudflare/provider.tf",
    "terraform/cloudflare/variables.tf",
    "terraform/cloudflare/dns.tf",
    "terraform/cloudflare/tunnel.tf",
    "terraform/cloudflare/access.tf",
    "workspace/SOUL.md",
    "workspace/skills/codex-review/SKILL.md",
];

/// The manifests the kustomization lists, in order.
const K8S_RESOURCES: [&str; 12] = [
    "namespace.yaml",
    "externalsecret.yaml",
    "externalsecret-litellm.yaml",
    "configmap-litellm.yaml",
    "deployment-litellm.yaml",
    "service-litellm.yaml",
    "configmap-openclaw.yaml",
    "deployment-openclaw.yaml",
    "service-openclaw.yaml",
    "pvc.yaml",
    "deployment-cloudflared.yaml",
    "networkpolicy.yaml",
];

const IPV4_PRIVATE: [&str; 4] = [
    "10.0.0.0/8",
    "172.16.0.0/12",
    "192.168.0.0/16",
    "169.254.0.0/16",
];
const IPV6_PRIVATE: [&str; 2] = ["fc00::/7", "fe80::/10"];

/// Render the files of the chosen groups (all when `only` is `None`).
pub fn render(profile: &Profile, only: Option<Group>) -> anyhow::Result<Vec<RenderedFile>> {
    let env = environment()?;
    let base = base_context(profile);
    let wanted = |group| only.is_none_or(|g| g == group);
    let mut files = Vec::new();
    let mut emit = |group, path: String, template: &str, extra: Value| -> anyhow::Result<()> {
        let ctx = context! { ..extra, ..base.clone() };
        let text = env.get_template(template)?.render(ctx)?;
        files.push(RenderedFile {
            group,
            path: PathBuf::from(path),
            text: ensure_trailing_newline(text),
        });
        Ok(())
    };
    if wanted(Group::K8s) {
        let folder = &profile.repos.gitops.folder;
        for file in K8S_RESOURCES
            .iter()
            .chain(&["kustomization.yaml", "application.yaml"])
        {
            emit(
                Group::K8s,
                format!("{folder}/{file}"),
                &format!("k8s/{file}"),
                Value::UNDEFINED,
            )?;
        }
    }
    if wanted(Group::Terraform) {
        for (dir, own) in terraform_folders(profile) {
            let state_key = context! { state_key => format!("{dir}/v1/terraform.tfstate") };
            for file in own {
                let name = file.rsplit('/').next().unwrap_or(file);
                emit(
                    Group::Terraform,
                    format!("{dir}/{name}"),
                    file,
                    state_key.clone(),
                )?;
            }
            for (file, template) in [
                ("backend.tf", "terraform/common/backend.tf"),
                ("tfaction.yaml", "terraform/common/tfaction.yaml"),
                ("aqua/aqua.yaml", "terraform/common/aqua.yaml"),
            ] {
                emit(
                    Group::Terraform,
                    format!("{dir}/{file}"),
                    template,
                    state_key.clone(),
                )?;
            }
        }
    }
    if wanted(Group::Workspace) {
        for file in ["SOUL.md", "skills/codex-review/SKILL.md"] {
            emit(
                Group::Workspace,
                file.to_string(),
                &format!("workspace/{file}"),
                Value::UNDEFINED,
            )?;
        }
    }
    files.sort_by(|a, b| (a.group as u8, &a.path).cmp(&(b.group as u8, &b.path)));
    Ok(files)
}

/// The two Terraform folders and the templates only each of them has.
fn terraform_folders(profile: &Profile) -> [(String, Vec<&'static str>); 2] {
    [
        (
            "terraform/aws/openclaw".to_string(),
            vec![
                "terraform/aws/provider.tf",
                "terraform/aws/variables.tf",
                "terraform/aws/ssm.tf",
            ],
        ),
        (
            format!("terraform/cloudflare/{}/openclaw", profile.cloudflare.zone),
            vec![
                "terraform/cloudflare/provider.tf",
                "terraform/cloudflare/variables.tf",
                "terraform/cloudflare/dns.tf",
                "terraform/cloudflare/tunnel.tf",
                "terraform/cloudflare/access.tf",
            ],
        ),
    ]
}

/// Files start with content and end with exactly one newline, whatever the template's whitespace.
fn ensure_trailing_newline(text: String) -> String {
    format!("{}\n", text.trim_start_matches('\n').trim_end_matches('\n'))
}

fn environment() -> anyhow::Result<Environment<'static>> {
    let mut env = Environment::new();
    env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
    env.set_keep_trailing_newline(true);
    env.add_filter("yaml", yaml_scalar);
    env.add_filter("hcl", hcl_string);
    for (name, source) in TEMPLATES {
        env.add_template(name, source)?;
    }
    Ok(env)
}

/// A YAML scalar: plain when that reads back as the same string, JSON-quoted otherwise.
fn yaml_scalar(value: String) -> String {
    let plain_safe = !value.is_empty()
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._/-@:".contains(&b))
        // A leading digit with a colon could read as a YAML 1.1 sexagesimal number.
        && (value.as_bytes()[0].is_ascii_alphabetic()
            || (value.as_bytes()[0].is_ascii_digit() && !value.contains(':')))
        && matches!(
            serde_yaml::from_str::<serde_yaml::Value>(&value),
            Ok(serde_yaml::Value::String(ref s)) if *s == value
        );
    if plain_safe {
        value
    } else {
        serde_json::to_string(&value).expect("a string serializes")
    }
}

/// An HCL string literal; `${` and `%{` are escaped so no value becomes an interpolation.
fn hcl_string(value: String) -> String {
    serde_json::to_string(&value)
        .expect("a string serializes")
        .replace("${", "$${")
        .replace("%{", "%%{")
}

#[derive(Serialize)]
struct ParameterView {
    secret_key: &'static str,
    path: String,
    resource: String,
    description: &'static str,
}

#[derive(Serialize)]
struct VariableView {
    name: &'static str,
    r#type: &'static str,
    description: &'static str,
    default: Option<String>,
}

fn base_context(profile: &Profile) -> Value {
    let view = |p: &catalog::Parameter| ParameterView {
        secret_key: p.secret_key,
        path: catalog::ssm_path(profile, p),
        resource: p.name.to_lowercase().replace('-', "_"),
        description: p.description,
    };
    let for_secret = |target| -> Vec<ParameterView> {
        catalog::for_secret(profile, target)
            .into_iter()
            .map(view)
            .collect()
    };
    let ssm_parameters: Vec<ParameterView> = catalog::all()
        .iter()
        .filter(|p| p.required(profile) && p.source != ValueSource::Terraform)
        .map(view)
        .collect();
    let tunnel = catalog::all()
        .iter()
        .find(|p| p.source == ValueSource::Terraform)
        .expect("the catalog has the tunnel token");
    let openclaw_env_keys: Vec<&str> = catalog::for_secret(profile, TargetSecret::OpenClaw)
        .into_iter()
        .filter(|p| p.source != ValueSource::Terraform)
        .map(|p| p.secret_key)
        .collect();
    let litellm_secret_keys: Vec<&str> = catalog::for_secret(profile, TargetSecret::LiteLlm)
        .into_iter()
        .map(|p| p.secret_key)
        .collect();
    let openclaw_json = config::to_text(&config::build(profile));
    let litellm_config_hash = content_hash(&format!("{:?}", profile.enabled_models()));
    let release = profile.release();
    let (ipv4_except, ipv6_except) = excepted_cidrs(profile);
    let (startup_path, startup_check) = if release.has_startupz() {
        ("/startupz", "b.status==='started'")
    } else {
        ("/healthz", "b.ok===true")
    };
    let zone = &profile.cloudflare.zone;
    let hostname = &profile.cloudflare.hostname;
    context! {
        ns => profile.cluster.namespace,
        secret_store => profile.cluster.secret_store,
        node_arch => profile.cluster.node_arch,
        images => profile.images,
        resources => profile.resources,
        storage => profile.storage,
        aws => profile.aws,
        terraform => profile.terraform,
        cloudflare => profile.cloudflare,
        argocd => profile.argocd,
        gitops => profile.repos.gitops,
        folder => profile.repos.gitops.folder,
        release => release.to_string(),
        gateway_port => GATEWAY_PORT,
        litellm_port => LITELLM_PORT,
        openclaw_parameters => for_secret(TargetSecret::OpenClaw),
        litellm_parameters => for_secret(TargetSecret::LiteLlm),
        ssm_parameters,
        tunnel_token_path => catalog::ssm_path(profile, tunnel),
        openclaw_env_keys,
        litellm_secret_keys,
        models => profile.enabled_models(),
        openclaw_config_hash => content_hash(&openclaw_json),
        openclaw_json,
        litellm_config_hash,
        startup_probe_script => probe_script(startup_path, startup_check),
        readiness_probe_script => probe_script("/readyz", "b.ready===true"),
        liveness_probe_script => probe_script("/healthz", "b.ok===true"),
        ipv4_except,
        ipv6_except,
        node_local_dns => node_local_dns_cidr(profile),
        k8s_resources => K8S_RESOURCES,
        record_name => hostname.strip_suffix(&format!(".{zone}")).unwrap_or(hostname),
        gateway_service_url => format!(
            "http://openclaw.{}.svc.cluster.local:{GATEWAY_PORT}",
            profile.cluster.namespace
        ),
        cloudflare_variables => cloudflare_variables(profile),
        github_repos => profile.github_repos(),
        plugin_install_script => plugins::INSTALL_SCRIPT,
        startup_import_script => crate::openclaw::credentials::needs_import(release)
            .then_some(crate::openclaw::store::STARTUP_IMPORT_SCRIPT),
        plugin_install_args => plugins::install_args(profile),
        plugin_registry => profile.openclaw.plugin_registry,
        registry_egress => registry_egress(profile),
    }
}

#[derive(Serialize)]
struct RegistryEgress {
    port: u16,
    cidrs: Vec<Cidr>,
}

/// The egress rule a plugin registry mirror needs beyond the internet rule (443 and 80): its
/// private CIDRs on its port, or the internet on an unusual port; none for npm's own.
fn registry_egress(profile: &Profile) -> Option<RegistryEgress> {
    let url = &profile.openclaw.plugin_registry;
    let port = plugin_registry_port(url).ok()?;
    let cidrs = profile.network_policy.plugin_registry_cidrs.clone();
    let covered = cidrs.is_empty() && [443, 80].contains(&port);
    (!url.is_empty() && !covered).then_some(RegistryEgress { port, cidrs })
}

/// A probe that reads the JSON body: the Control UI answers unknown paths with 200.
pub fn probe_script(path: &str, check: &str) -> String {
    format!(
        "fetch('http://127.0.0.1:{GATEWAY_PORT}{path}').then(r=>r.json()).then(b=>process.exit({check}?0:1),()=>process.exit(1))"
    )
}

/// RFC 1918 and link-local ranges plus the profile's extra ones, split by address family.
pub fn excepted_cidrs(profile: &Profile) -> (Vec<String>, Vec<String>) {
    let mut ipv4: Vec<String> = IPV4_PRIVATE.iter().map(|c| c.to_string()).collect();
    let mut ipv6: Vec<String> = IPV6_PRIVATE.iter().map(|c| c.to_string()).collect();
    for Cidr(net) in &profile.network_policy.extra_excepted_cidrs {
        let family = match net {
            ipnet::IpNet::V6(_) => &mut ipv6,
            ipnet::IpNet::V4(_) => &mut ipv4,
        };
        let text = net.to_string();
        if !family.contains(&text) {
            family.push(text);
        }
    }
    (ipv4, ipv6)
}

fn node_local_dns_cidr(profile: &Profile) -> Option<String> {
    let address = &profile.network_policy.node_local_dns;
    (!address.is_empty()).then(|| {
        let width = if address.contains(':') { 128 } else { 32 };
        format!("{address}/{width}")
    })
}

/// Cloudflare ids are not secret: the profile may fill them in, or Terraform asks.
fn cloudflare_variables(profile: &Profile) -> Vec<VariableView> {
    let cf = &profile.cloudflare;
    let quoted = |s: &str| (!s.is_empty()).then(|| hcl_string(s.to_string()));
    let emails: Vec<String> = cf
        .access_allowed_emails
        .iter()
        .map(|e| hcl_string(e.clone()))
        .collect();
    vec![
        VariableView {
            name: "account_id",
            r#type: "string",
            description: "Cloudflare account id",
            default: quoted(&cf.account_id),
        },
        VariableView {
            name: "zone_id",
            r#type: "string",
            description: "Cloudflare zone id",
            default: quoted(&cf.zone_id),
        },
        VariableView {
            name: "github_identity_provider_id",
            r#type: "string",
            description: "Cloudflare Access identity provider id of the GitHub login",
            default: quoted(&cf.github_identity_provider_id),
        },
        VariableView {
            name: "access_allowed_emails",
            r#type: "list(string)",
            description: "E-mail addresses allowed through Cloudflare Access",
            default: Some(format!("[{}]", emails.join(", "))),
        },
    ]
}

/// A stable hash as hex (the first 64 bits of SHA-256): an annotation that changes when its
/// input does.
fn content_hash(text: &str) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(text.as_bytes())[..8]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_scalars_stay_readable_but_safe() {
        assert_eq!(yaml_scalar("openclaw".into()), "openclaw");
        assert_eq!(yaml_scalar("docker:27-dind".into()), "docker:27-dind");
        assert_eq!(yaml_scalar("1:20".into()), "\"1:20\"");
        assert_eq!(yaml_scalar("true".into()), "\"true\"");
        assert_eq!(yaml_scalar("1".into()), "\"1\"");
        assert_eq!(yaml_scalar("a: b".into()), "\"a: b\"");
    }

    #[test]
    fn hcl_strings_never_interpolate() {
        assert_eq!(hcl_string("${var.x}".into()), "\"$${var.x}\"");
    }

    #[test]
    fn extra_cidrs_go_to_their_family() {
        let profile = Profile::from_answers(
            "network_policy:\n  extra_excepted_cidrs: [100.64.0.0/10, fd00:10::/64, 10.0.0.0/8]\n",
        )
        .unwrap();
        let (v4, v6) = excepted_cidrs(&profile);
        assert_eq!(v4.last().unwrap(), "100.64.0.0/10");
        assert_eq!(v4.len(), 5);
        assert_eq!(v6.last().unwrap(), "fd00:10::/64");
    }
}
