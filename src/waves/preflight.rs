//! Wave 0: look before anything is written. AWS (identity, region, SSM access), the kube
//! context, the ClusterSecretStore, the pod/service CIDRs against the NetworkPolicy exceptions,
//! and the tools on PATH. Observe only: every finding says what to do.

use std::net::IpAddr;

use super::{Engine, Line, Mark, Reach, Report, Status, Wave};
use crate::cluster::kubectl::{Failure, Kubectl, KubectlError};
use crate::cluster::objects::{Conditions, List};
use crate::render::excepted_cidrs;
use ipnet::IpNet;
use serde::Deserialize;

/// How long a cluster that does not answer is waited for.
const CLUSTER_TIMEOUT: &str = "--request-timeout=5s";

pub async fn observe(engine: &Engine) -> Report {
    let (aws, cluster) = tokio::join!(aws(engine), cluster(engine));
    let mut lines = vec![aws];
    lines.extend(cluster);
    lines.push(tools());
    let problems: Vec<&Line> = lines
        .iter()
        .filter(|l| matches!(l.mark, Mark::Fail | Mark::Warn))
        .collect();
    let status = match problems.len() {
        0 => Status::Done("AWS and the cluster answer".into()),
        n => Status::Attention(format!(
            "{n} finding(s): the waves that need them are skipped"
        )),
    };
    Report {
        lines,
        ..Report::new(Wave::Preflight, status)
    }
}

/// One DescribeParameters under the prefix proves credentials, region and SSM access at once.
async fn aws(engine: &Engine) -> Line {
    let prefix = &engine.profile.aws.ssm_prefix;
    let store = engine.store().await;
    match store.describe(prefix).await {
        Ok(found) => Line::new(
            Mark::Ok,
            format!(
                "AWS: SSM answers in {} ({} parameters under {prefix})",
                store.region(),
                found.len()
            ),
        ),
        Err(e) => Line::new(Mark::Fail, format!("AWS: {e}")),
    }
}

async fn cluster(engine: &Engine) -> Vec<Line> {
    match engine.reach().await {
        Reach::Unreachable(why) => vec![Line::new(Mark::Fail, why.clone())],
        Reach::Reachable => {
            let kubectl = engine.kubectl();
            let mut lines = vec![Line::new(Mark::Ok, "cluster: the API server answers")];
            lines.push(secret_store(engine, kubectl).await);
            lines.extend(cidrs(engine, kubectl).await);
            lines
        }
    }
}

/// Ask the API server for its version, with a short timeout; one line when it does not answer.
pub async fn probe_cluster(kubectl: &Kubectl) -> Reach {
    let output = kubectl
        .command(&["get", "--raw", "/version", CLUSTER_TIMEOUT])
        .stdin(std::process::Stdio::null())
        .output()
        .await;
    let output = match output {
        Ok(output) => output,
        Err(_) => {
            return Reach::Unreachable(
                "cluster: kubectl is not on PATH: install it; the waves that need the cluster are skipped"
                    .into(),
            )
        }
    };
    if output.status.success() {
        return Reach::Reachable;
    }
    let server = kubectl
        .run(&[
            "config",
            "view",
            "--minify",
            "-o",
            "jsonpath={.clusters[0].cluster.server}",
        ])
        .await
        .unwrap_or_default();
    let reason = String::from_utf8_lossy(&output.stderr)
        .lines()
        .rfind(|l| !l.trim().is_empty())
        .unwrap_or("no answer")
        .trim()
        .to_string();
    Reach::Unreachable(format!(
        "cluster unreachable: {} did not answer ({}): check the VPN and `kubectl config current-context`; the offline waves still work",
        if server.is_empty() { "the kube context" } else { &server },
        reason
    ))
}

/// The fields preflight reads, as `kubectl get -o json` gives them.
#[derive(Deserialize)]
struct Conditioned {
    #[serde(default)]
    status: Conditions,
}

#[derive(Deserialize)]
struct Node {
    #[serde(default)]
    spec: NodeSpec,
}

#[derive(Default, Deserialize)]
struct NodeSpec {
    #[serde(default, rename = "podCIDRs")]
    pod_cidrs: Vec<String>,
}

#[derive(Deserialize)]
struct ServiceCidr {
    spec: ServiceCidrSpec,
}

#[derive(Deserialize)]
struct ServiceCidrSpec {
    #[serde(default)]
    cidrs: Vec<String>,
}

#[derive(Deserialize)]
struct Service {
    spec: ServiceSpec,
}

#[derive(Deserialize)]
struct ServiceSpec {
    #[serde(default, rename = "clusterIP")]
    cluster_ip: String,
}

async fn secret_store(engine: &Engine, kubectl: &Kubectl) -> Line {
    let name = &engine.profile.cluster.secret_store;
    let store = format!("clustersecretstore/{name}");
    let read: Result<Conditioned, _> = kubectl.get_json(&[&store, CLUSTER_TIMEOUT]).await;
    let ready = read.map(|s| s.status.of("Ready").is_some_and(|c| c.status == "True"));
    match ready {
        Ok(true) => Line::new(Mark::Ok, format!("ClusterSecretStore/{name}: Ready")),
        Ok(false) => Line::new(
            Mark::Warn,
            format!("ClusterSecretStore/{name} is not Ready: see `kubectl describe clustersecretstore {name}` (IAM access of external-secrets to SSM)"),
        ),
        Err(e) => match e.failure {
            Failure::NotFound => Line::new(
                Mark::Fail,
                format!("ClusterSecretStore/{name} is missing: install external-secrets and create it for SSM Parameter Store (cluster.secret_store names it)"),
            ),
            Failure::Forbidden => Line::new(
                Mark::Fail,
                format!("ClusterSecretStore/{name}: not allowed to read it: grant `get` on clustersecretstores.external-secrets.io (cluster-scoped) to the account kubectl uses"),
            ),
            _ => Line::new(Mark::Warn, format!("ClusterSecretStore/{name}: could not check: {}", e.message)),
        },
    }
}

/// The pod CIDRs of the nodes and the service CIDRs must fall inside the ranges the
/// NetworkPolicies except from internet egress, or pods could reach cluster services. Each is
/// its own line: one that cannot be read is said, never left out.
async fn cidrs(engine: &Engine, kubectl: &Kubectl) -> Vec<Line> {
    let nodes = kubectl.get_json(&["nodes", CLUSTER_TIMEOUT]).await;
    let pods = nodes.map(|nodes: List<Node>| {
        nodes
            .items
            .into_iter()
            .flat_map(|n| n.spec.pod_cidrs)
            .collect()
    });
    let ranges = kubectl.get_json(&["servicecidrs", CLUSTER_TIMEOUT]).await;
    let services = match ranges.map(|r: List<ServiceCidr>| {
        r.items
            .into_iter()
            .flat_map(|r| r.spec.cidrs)
            .collect::<Vec<_>>()
    }) {
        Ok(cidrs) if !cidrs.is_empty() => Ok(cidrs),
        // Before ServiceCIDR objects: the API service's address stands for its range.
        _ => kubectl
            .in_namespace("default")
            .get_json(&["service/kubernetes", CLUSTER_TIMEOUT])
            .await
            .map(|s: Service| vec![s.spec.cluster_ip]),
    };
    vec![
        cidr_line(engine, "pod CIDRs", pods, "list nodes"),
        cidr_line(
            engine,
            "service CIDRs",
            services,
            "list servicecidrs.networking.k8s.io, or get service/kubernetes in default",
        ),
    ]
}

/// One kind of CIDR: inside the exceptions, outside them, or unknown (and what to do).
fn cidr_line(
    engine: &Engine,
    what: &str,
    read: Result<Vec<String>, KubectlError>,
    rbac: &str,
) -> Line {
    let read = match read {
        Ok(read) => read,
        Err(e) if e.failure == Failure::Forbidden => {
            return Line::new(Mark::Warn, format!("{what}: not allowed to read them ({rbac}); check them by hand against network_policy.extra_excepted_cidrs"))
        }
        Err(e) => return Line::new(Mark::Warn, format!("{what}: could not check: {}", e.message)),
    };
    let found: Vec<&str> = read
        .iter()
        .map(String::as_str)
        .filter(|c| !c.is_empty())
        .collect();
    if found.is_empty() {
        return Line::new(Mark::Warn, format!("{what}: the cluster does not say (with the AWS VPC CNI pods take VPC addresses); if they lie outside RFC 1918, add them to network_policy.extra_excepted_cidrs and render"));
    }
    let outside = not_excepted(&found, &engine.profile);
    if outside.is_empty() {
        Line::new(
            Mark::Ok,
            format!(
                "{what} {}: inside the NetworkPolicy exceptions",
                found.join(", ")
            ),
        )
    } else {
        Line::new(Mark::Fail, format!("{what} {} are not excepted from internet egress: add them to network_policy.extra_excepted_cidrs and render", outside.join(", ")))
    }
}

/// The CIDRs (or single addresses) not inside any excepted range.
pub fn not_excepted<'a>(found: &[&'a str], profile: &crate::profile::Profile) -> Vec<&'a str> {
    let (v4, v6) = excepted_cidrs(profile);
    let excepted: Vec<IpNet> = v4
        .iter()
        .chain(&v6)
        .filter_map(|c| c.parse().ok())
        .collect();
    found
        .iter()
        .copied()
        .filter(|cidr| {
            let range = cidr
                .parse::<IpNet>()
                .ok()
                .or_else(|| cidr.parse::<IpAddr>().ok().map(IpNet::from));
            !range.is_some_and(|r| excepted.iter().any(|e| e.contains(&r)))
        })
        .collect()
}

/// The programs the operator needs for what clawboot leaves to them.
fn tools() -> Line {
    let wanted = [
        ("kubectl", "every cluster step"),
        ("terraform", "Wave 1's plan/apply"),
        ("git", "the pull requests"),
    ];
    let missing: Vec<String> = wanted
        .iter()
        .filter(|(tool, _)| !on_path(tool))
        .map(|(tool, why)| format!("{tool} (for {why})"))
        .collect();
    if missing.is_empty() {
        Line::new(Mark::Ok, "tools: kubectl, terraform and git are on PATH")
    } else {
        // Not a finding: these may run elsewhere (CI runs terraform in the PR flow).
        Line::new(
            Mark::Info,
            format!("not on PATH here: {}", missing.join(", ")),
        )
    }
}

fn on_path(program: &str) -> bool {
    which::which(program).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::Profile;

    #[test]
    fn cidrs_inside_rfc1918_pass_and_cgnat_needs_an_exception() {
        let profile = Profile::embedded();
        let found = ["10.42.0.0/24", "10.43.0.1", "100.64.0.0/16", "fd00:10::/64"];
        assert_eq!(not_excepted(&found, &profile), ["100.64.0.0/16"].to_vec());
        let profile =
            Profile::from_answers("network_policy:\n  extra_excepted_cidrs: [100.64.0.0/10]\n")
                .unwrap();
        assert!(not_excepted(&found, &profile).is_empty());
    }
}
