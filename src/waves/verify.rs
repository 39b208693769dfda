//! Wave 5: check that it all runs, from the cluster's side and from inside the OpenClaw pod.
//! Observe only; each failed check says where to look.

use super::{unreachable, Engine, Line, Mark, Reach, Report, Status, Wave};
use crate::cluster::kubectl::Kubectl;
use crate::openclaw::config::GATEWAY_PORT;
use crate::openclaw::store::CONTAINER;

const TIMEOUT: &str = "--request-timeout=20s";
const POD: &str = "deploy/openclaw";

pub async fn observe(engine: &Engine) -> Report {
    if let Reach::Unreachable(why) = engine.reach().await {
        return unreachable(Wave::Verify, why);
    }
    let kubectl = engine.kubectl();
    let mut lines = vec![
        conditions(
            kubectl,
            "externalsecrets",
            "Ready",
            "reason",
            "SecretSynced",
        )
        .await,
        conditions(kubectl, "deployments", "Available", "status", "True").await,
        readyz(kubectl).await,
        internet_allowed(kubectl).await,
        cluster_blocked(kubectl).await,
        anthropic_key_absent(kubectl).await,
    ];
    if engine.profile.openclaw.codex_subscription {
        lines.push(models_status(kubectl).await);
    }
    let failed = lines.iter().filter(|l| l.mark == Mark::Fail).count();
    let status = match failed {
        0 => Status::Done(format!("all {} checks pass", lines.len())),
        n => Status::Attention(format!("{n} of {} checks fail", lines.len())),
    };
    Report {
        lines,
        ..Report::new(Wave::Verify, status)
    }
}

/// Every object of `kind` has the condition `kind_of` with `field` = `want`.
async fn conditions(
    kubectl: &Kubectl,
    kind: &str,
    condition: &str,
    field: &str,
    want: &str,
) -> Line {
    let template = format!(
        "jsonpath={{range .items[*]}}{{.metadata.name}}={{.status.conditions[?(@.type==\"{condition}\")].{field}}}{{\"\\n\"}}{{end}}"
    );
    let listing = match kubectl.run(&["get", kind, "-o", &template, TIMEOUT]).await {
        Ok(listing) => listing,
        Err(e) => return Line::new(Mark::Fail, format!("{kind}: {e:#}")),
    };
    let pairs: Vec<(&str, &str)> = listing.lines().filter_map(|l| l.split_once('=')).collect();
    let behind: Vec<String> = pairs
        .iter()
        .filter(|(_, got)| *got != want)
        .map(|(name, got)| {
            format!(
                "{name} ({})",
                if got.is_empty() { "no status" } else { got }
            )
        })
        .collect();
    match (pairs.is_empty(), behind.is_empty()) {
        (true, _) => Line::new(
            Mark::Fail,
            format!(
                "{kind}: none in namespace {}: has Argo CD synced the manifests?",
                kubectl.namespace
            ),
        ),
        (false, true) => Line::new(Mark::Ok, format!("{kind}: all {} {want}", pairs.len())),
        (false, false) => Line::new(
            Mark::Fail,
            format!(
                "{kind} not {want}: {}; see `kubectl -n {} describe {kind}`",
                behind.join(", "),
                kubectl.namespace
            ),
        ),
    }
}

/// Run `script` with node in the OpenClaw container; its stdout.
async fn node(kubectl: &Kubectl, script: &str) -> anyhow::Result<String> {
    kubectl
        .run(&["exec", POD, "-c", CONTAINER, "--", "node", "-e", script])
        .await
}

async fn readyz(kubectl: &Kubectl) -> Line {
    let script = format!(
        "fetch('http://127.0.0.1:{GATEWAY_PORT}/readyz').then(r=>r.text()).then(t=>console.log(t))"
    );
    match node(kubectl, &script).await {
        Ok(body) if body.contains("\"ready\":true") => {
            Line::new(Mark::Ok, format!("OpenClaw /readyz: {}", body.trim()))
        }
        Ok(body) => Line::new(
            Mark::Fail,
            format!(
                "OpenClaw /readyz: {}: see `kubectl -n {} logs {POD} -c {CONTAINER}`",
                body.trim(),
                kubectl.namespace
            ),
        ),
        Err(e) => Line::new(Mark::Fail, format!("OpenClaw /readyz: {e:#}")),
    }
}

/// `ok` when the request got any HTTP answer, `blocked` when the connection failed.
fn reach_script(url: &str) -> String {
    format!(
        "fetch('{url}',{{signal:AbortSignal.timeout(8000)}}).then(()=>console.log('ok'),()=>console.log('blocked'))"
    )
}

async fn internet_allowed(kubectl: &Kubectl) -> Line {
    match node(kubectl, &reach_script("https://api.github.com")).await {
        Ok(out) if out.trim() == "ok" => Line::new(Mark::Ok, "NetworkPolicy: HTTPS to the internet is allowed"),
        Ok(_) => Line::new(Mark::Fail, "NetworkPolicy: HTTPS to the internet is blocked: check the openclaw egress rule and the node's route out"),
        Err(e) => Line::new(Mark::Fail, format!("NetworkPolicy probe: {e:#}")),
    }
}

/// CoreDNS's metrics port: a cluster service that DNS egress alone does not open.
async fn cluster_blocked(kubectl: &Kubectl) -> Line {
    let url = "http://kube-dns.kube-system.svc.cluster.local:9153/metrics";
    match node(kubectl, &reach_script(url)).await {
        Ok(out) if out.trim() == "blocked" => Line::new(Mark::Ok, "NetworkPolicy: cluster-internal services are blocked"),
        Ok(_) => Line::new(Mark::Fail, format!("NetworkPolicy: {url} answered from the OpenClaw pod: is a NetworkPolicy controller running, and are the pod/service CIDRs excepted?")),
        Err(e) => Line::new(Mark::Fail, format!("NetworkPolicy probe: {e:#}")),
    }
}

/// Tested without printing: the value must never reach this process.
async fn anthropic_key_absent(kubectl: &Kubectl) -> Line {
    let test = [
        "exec",
        POD,
        "-c",
        CONTAINER,
        "--",
        "sh",
        "-c",
        "test -z \"${ANTHROPIC_API_KEY+set}\"",
    ];
    match kubectl.run(&test).await {
        Ok(_) => Line::new(Mark::Ok, "the Anthropic key is not in the OpenClaw pod's environment"),
        Err(_) => Line::new(Mark::Fail, "ANTHROPIC_API_KEY is in the OpenClaw pod's environment: only LiteLLM may hold it (render the manifests again)"),
    }
}

async fn models_status(kubectl: &Kubectl) -> Line {
    let check = [
        "exec", POD, "-c", CONTAINER, "--", "sh", "-c",
        "if command -v openclaw >/dev/null 2>&1; then openclaw models status --check; else node /app/openclaw.mjs models status --check; fi >/dev/null",
    ];
    match kubectl.run(&check).await {
        Ok(_) => Line::new(
            Mark::Ok,
            "openclaw models status --check: the sign-in is accepted",
        ),
        Err(_) => Line::new(
            Mark::Fail,
            "openclaw models status --check fails in the pod: sign in again (`clawboot sign-in`)",
        ),
    }
}
