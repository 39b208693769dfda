//! Wave 6: check that it all runs, from the cluster's side and from inside the OpenClaw pod.
//! Observe only; each failed check says where to look.

use super::{unreachable, Engine, Line, Mark, Reach, Report, Status, Wave};
use serde::Deserialize;
use serde_json::Value;

use crate::cluster::kubectl::{Failure, Kubectl, KubectlError};
use crate::cluster::objects::{Conditions, List};
use crate::openclaw::config::GATEWAY_PORT;
use crate::openclaw::plugins;
use crate::openclaw::store::{openclaw_pod, CONTAINER};

const TIMEOUT: &str = "--request-timeout=20s";

pub async fn observe(engine: &Engine) -> Report {
    if let Reach::Unreachable(why) = engine.reach().await {
        return unreachable(Wave::Verify, why);
    }
    let kubectl = engine.kubectl();
    let mut lines = vec![
        external_secrets_synced(kubectl).await,
        deployments_ready(kubectl).await,
    ];
    match openclaw_pod(kubectl).await {
        Ok(pod) => lines.extend(in_pod(engine, &InPod { kubectl, pod }).await),
        Err(e) => lines.push(Line::new(
            Mark::Warn,
            format!("the checks inside the OpenClaw pod were skipped: {e:#}"),
        )),
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

/// The checks that run inside the OpenClaw pod.
async fn in_pod(engine: &Engine, pod: &InPod<'_>) -> Vec<Line> {
    let mut lines = vec![
        readyz(pod).await,
        internet_allowed(pod).await,
        cluster_blocked(pod).await,
        metadata_blocked(pod).await,
        anthropic_key_absent(pod).await,
    ];
    lines.extend(plugins_loaded(engine, pod).await);
    lines.push(discord_connection(pod).await);
    if engine.profile.openclaw.codex_subscription {
        lines.push(models_status(pod).await);
    }
    lines
}

/// The OpenClaw pod the in-pod checks run in: the one the sign-in writes to.
struct InPod<'a> {
    kubectl: &'a Kubectl,
    pod: String,
}

/// How long one check inside the pod may take (the network probes wait 8 s of it).
const IN_POD_LIMIT: std::time::Duration = std::time::Duration::from_secs(30);

impl InPod<'_> {
    /// `kubectl exec POD -c openclaw -- ARGS…`, stopped after `IN_POD_LIMIT`.
    async fn exec(&self, args: &[&str]) -> Result<String, KubectlError> {
        self.kubectl
            .exec(&self.pod, CONTAINER, args, IN_POD_LIMIT)
            .await
    }
}

/// After a restart: does OpenClaw in the new pod accept the sign-in?
pub async fn sign_in_accepted(kubectl: &Kubectl) -> Line {
    match openclaw_pod(kubectl).await {
        Ok(pod) => models_status(&InPod { kubectl, pod }).await,
        Err(e) => Line::new(
            Mark::Warn,
            format!("openclaw models status --check: could not check: {e:#}"),
        ),
    }
}

/// Only the remote command's exit code is a verdict: anything else could not be checked.
fn verdict(what: &str, e: &KubectlError, failed: impl FnOnce() -> String) -> Line {
    match e.failure {
        Failure::Remote(_) => Line::new(Mark::Fail, failed()),
        _ => Line::new(
            Mark::Warn,
            format!("{what}: could not check: {}", e.message),
        ),
    }
}

#[derive(Deserialize)]
struct Deployment {
    metadata: DeploymentMeta,
    #[serde(default)]
    spec: DeploymentSpec,
    #[serde(default)]
    status: DeploymentStatus,
}

#[derive(Deserialize)]
struct DeploymentMeta {
    name: String,
    #[serde(default)]
    generation: i64,
}

#[derive(Deserialize)]
struct DeploymentSpec {
    #[serde(default = "one")]
    replicas: i64,
}

impl Default for DeploymentSpec {
    fn default() -> Self {
        Self { replicas: one() }
    }
}

/// Kubernetes' default for `spec.replicas`.
fn one() -> i64 {
    1
}

#[derive(Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct DeploymentStatus {
    #[serde(default)]
    observed_generation: i64,
    #[serde(default)]
    replicas: i64,
    #[serde(default)]
    updated_replicas: i64,
    #[serde(default)]
    available_replicas: i64,
}

impl Deployment {
    /// Why it does not serve yet, or `None` when at least one replica is available and the
    /// rollout is complete (`Available=True` alone also holds for 0 of 0).
    fn not_ready(&self) -> Option<String> {
        let (spec, status) = (&self.spec, &self.status);
        if spec.replicas < 1 {
            return Some("scaled to 0".into());
        }
        let rolled_out = status.observed_generation >= self.metadata.generation
            && status.updated_replicas == spec.replicas
            && status.replicas == spec.replicas;
        match (status.available_replicas >= 1, rolled_out) {
            (true, true) => None,
            (true, false) => Some("a rollout is under way".into()),
            (false, _) => Some(format!(
                "{} of {} available",
                status.available_replicas, spec.replicas
            )),
        }
    }
}

/// Every deployment serves: at least one replica available, its rollout complete.
async fn deployments_ready(kubectl: &Kubectl) -> Line {
    let deployments: List<Deployment> = match kubectl.get_json(&["deployments", TIMEOUT]).await {
        Ok(deployments) => deployments,
        Err(e) => {
            return Line::new(
                Mark::Warn,
                format!("deployments: could not check: {}", e.message),
            )
        }
    };
    let behind: Vec<String> = deployments
        .items
        .iter()
        .filter_map(|d| {
            d.not_ready()
                .map(|why| format!("{} ({why})", d.metadata.name))
        })
        .collect();
    match (deployments.items.len(), behind.is_empty()) {
        (0, _) => Line::new(
            Mark::Fail,
            format!(
                "deployments: none in namespace {}: has Argo CD synced the manifests?",
                kubectl.namespace
            ),
        ),
        (n, true) => Line::new(Mark::Ok, format!("deployments: all {n} ready")),
        (_, false) => Line::new(
            Mark::Fail,
            format!(
                "deployments not ready: {}; see `{}`",
                behind.join(", "),
                kubectl.display(&["get", "deployments"])
            ),
        ),
    }
}

#[derive(Deserialize)]
struct ExternalSecret {
    metadata: DeploymentMeta,
    #[serde(default)]
    status: Conditions,
}

/// Every ExternalSecret's Ready condition says SecretSynced.
async fn external_secrets_synced(kubectl: &Kubectl) -> Line {
    const KIND: &str = "externalsecrets";
    let listed: List<ExternalSecret> = match kubectl.get_json(&[KIND, TIMEOUT]).await {
        Ok(listed) => listed,
        Err(e) => {
            return Line::new(
                Mark::Warn,
                format!("{KIND}: could not check: {}", e.message),
            )
        }
    };
    let behind: Vec<String> = listed
        .items
        .iter()
        .filter_map(
            |es| match es.status.of("Ready").map(|c| c.reason.as_str()) {
                Some("SecretSynced") => None,
                Some("") | None => Some(format!("{} (no status)", es.metadata.name)),
                Some(reason) => Some(format!("{} ({reason})", es.metadata.name)),
            },
        )
        .collect();
    match (listed.items.len(), behind.is_empty()) {
        (0, _) => Line::new(
            Mark::Fail,
            format!(
                "{KIND}: none in namespace {}: has Argo CD synced the manifests?",
                kubectl.namespace
            ),
        ),
        (n, true) => Line::new(Mark::Ok, format!("{KIND}: all {n} SecretSynced")),
        (_, false) => Line::new(
            Mark::Fail,
            format!(
                "{KIND} not SecretSynced: {}; see `{}`",
                behind.join(", "),
                kubectl.display(&["describe", KIND])
            ),
        ),
    }
}

/// Run `script` with node in the OpenClaw container; its stdout.
async fn node(pod: &InPod<'_>, script: &str) -> Result<String, KubectlError> {
    pod.exec(&["node", "-e", script]).await
}

async fn readyz(pod: &InPod<'_>) -> Line {
    // A refused connection is one line (its cause), not node's stack trace.
    let script = format!(
        "fetch('http://127.0.0.1:{GATEWAY_PORT}/readyz').then(r=>r.text()).then(t=>console.log(t),e=>{{console.error(String(e.cause||e));process.exit(1)}})"
    );
    match node(pod, &script).await {
        Ok(body) if body.contains("\"ready\":true") => {
            Line::new(Mark::Ok, format!("OpenClaw /readyz: {}", body.trim()))
        }
        Ok(body) => Line::new(
            Mark::Fail,
            format!(
                "OpenClaw /readyz: {}: see `{}`",
                body.trim(),
                pod.kubectl.display(&["logs", &pod.pod, "-c", CONTAINER])
            ),
        ),
        Err(e) => verdict("OpenClaw /readyz", &e, || {
            format!(
                "OpenClaw /readyz: the gateway does not answer ({}): see `{}`",
                crate::printable::reason(&e.message),
                pod.kubectl.display(&["logs", &pod.pod, "-c", CONTAINER])
            )
        }),
    }
}

/// `ok` when the request got any HTTP answer, `blocked` when the connection failed.
fn reach_script(url: &str) -> String {
    format!(
        "fetch('{url}',{{signal:AbortSignal.timeout(8000)}}).then(()=>console.log('ok'),()=>console.log('blocked'))"
    )
}

async fn internet_allowed(pod: &InPod<'_>) -> Line {
    match node(pod, &reach_script("https://api.github.com")).await {
        Ok(out) if out.trim() == "ok" => Line::new(Mark::Ok, "NetworkPolicy: HTTPS to the internet is allowed"),
        Ok(_) => Line::new(Mark::Fail, "NetworkPolicy: HTTPS to the internet is blocked: check the openclaw egress rule and the node's route out"),
        Err(e) => verdict("NetworkPolicy probe", &e, || format!("NetworkPolicy probe: {}", e.message)),
    }
}

/// CoreDNS's metrics port: a cluster service that DNS egress alone does not open.
async fn cluster_blocked(pod: &InPod<'_>) -> Line {
    let url = "http://kube-dns.kube-system.svc.cluster.local:9153/metrics";
    match node(pod, &reach_script(url)).await {
        Ok(out) if out.trim() == "blocked" => Line::new(Mark::Ok, "NetworkPolicy: cluster-internal services are blocked"),
        Ok(_) => Line::new(Mark::Fail, format!("NetworkPolicy: {url} answered from the OpenClaw pod: is a NetworkPolicy controller running, and are the pod/service CIDRs excepted?")),
        Err(e) => verdict("NetworkPolicy probe", &e, || format!("NetworkPolicy probe: {}", e.message)),
    }
}

/// The cloud's instance metadata (node credentials on EKS) is link-local: the egress rules
/// leave it out, and so must the cluster.
async fn metadata_blocked(pod: &InPod<'_>) -> Line {
    match node(pod, &reach_script("http://169.254.169.254/latest/meta-data/")).await {
        Ok(out) if out.trim() == "blocked" => Line::new(Mark::Ok, "NetworkPolicy: the instance metadata address 169.254.169.254 is blocked"),
        Ok(_) => Line::new(Mark::Fail, "NetworkPolicy: 169.254.169.254 answered from the OpenClaw pod: the node's credentials are within reach; is a NetworkPolicy controller running? (on EKS also set the instance metadata hop limit to 1)"),
        Err(e) => verdict("NetworkPolicy probe", &e, || format!("NetworkPolicy probe: {}", crate::printable::reason(&e.message))),
    }
}

/// Tested without printing: the value must never reach this process.
async fn anthropic_key_absent(pod: &InPod<'_>) -> Line {
    let test = ["sh", "-c", "test -z \"${ANTHROPIC_API_KEY+set}\""];
    match pod.exec(&test).await {
        Ok(_) => Line::new(
            Mark::Ok,
            "the Anthropic key is not in the OpenClaw pod's environment",
        ),
        Err(e) => verdict("the Anthropic key check", &e, || {
            "ANTHROPIC_API_KEY is in the OpenClaw pod's environment: only LiteLLM may hold it (render the manifests again)".into()
        }),
    }
}

async fn models_status(pod: &InPod<'_>) -> Line {
    match openclaw(pod, MODELS_STATUS_SCRIPT).await {
        Ok(printed) => judge_models_status(&printed),
        Err(e) => verdict("openclaw models status --check", &e, || {
            format!(
                "openclaw models status --check could not run in the pod ({})",
                crate::printable::reason(&e.message)
            )
        }),
    }
}

/// `openclaw models status --check --json` with the live config, then its exit code (0 ok,
/// 1 not usable, 2 expiring) on a last line of its own.
pub const MODELS_STATUS_SCRIPT: &str = "if command -v openclaw >/dev/null 2>&1; then set -- openclaw; else set -- node /app/openclaw.mjs; fi
NO_COLOR=1 \"$@\" models status --check --json 2>/dev/null; echo \"clawboot-exit=$?\"";

/// OpenClaw's verdict (the exit code `MODELS_STATUS_SCRIPT` printed) with OpenClaw's own
/// reasons from its JSON, each with the fix that matches it: "sign in again" only when OpenClaw
/// says the credential is the problem.
pub fn judge_models_status(printed: &str) -> Line {
    const WHAT: &str = "openclaw models status --check";
    let code = printed
        .lines()
        .rev()
        .find_map(|l| l.trim().strip_prefix("clawboot-exit="))
        .and_then(|c| c.parse::<i32>().ok());
    let status = crate::openclaw::first_json(printed).unwrap_or(Value::Null);
    let auth = &status["auth"];
    match code {
        Some(0) => Line::new(Mark::Ok, format!("{WHAT}: the sign-in is accepted")),
        Some(2) => Line::new(
            Mark::Warn,
            format!(
                "{WHAT}: the sign-in expires within a day: sign in again soon (`clawboot sign-in`)"
            ),
        ),
        Some(_) => {
            let reasons = models_status_reasons(auth);
            let said = match reasons.is_empty() {
                true => {
                    "OpenClaw gave no reason in its JSON: run `openclaw models status` in the pod"
                        .to_string()
                }
                false => reasons.join("; "),
            };
            Line::new(Mark::Fail, format!("{WHAT} fails: {said}"))
        }
        None => Line::new(
            Mark::Warn,
            format!("{WHAT}: could not check: OpenClaw printed no verdict"),
        ),
    }
}

/// Each reason OpenClaw's `auth` section gives for a failed check, with its fix.
fn models_status_reasons(auth: &Value) -> Vec<String> {
    let text = |v: &Value, key: &str| crate::printable::printable(v[key].as_str().unwrap_or(""));
    let list = |key: &str| auth[key].as_array().cloned().unwrap_or_default();
    let sign_in = "sign in again (`clawboot sign-in`)";
    let mut reasons = Vec::new();
    for route in list("runtimeAuthRoutes") {
        if !matches!(route["status"].as_str(), Some("unavailable" | "missing")) {
            continue;
        }
        let detail = match text(&route, "runtimeDetail") {
            d if d.is_empty() => text(&route, "runtimeReason"),
            d => d,
        };
        if route["authStatus"].as_str() == Some("usable") {
            reasons.push(format!(
                "OpenClaw says \"{detail}\" (the sign-in itself is usable): the plugin that provides the {} runtime must be installed and enabled in the GitOps openclaw.json (render the manifests, `clawboot doctor`, sync)",
                text(&route, "runtime")
            ));
        } else {
            reasons.push(format!(
                "OpenClaw has no usable sign-in for {} ({}): {sign_in}",
                text(&route, "provider"),
                if detail.is_empty() {
                    text(&route["effective"], "detail")
                } else {
                    detail
                }
            ));
        }
    }
    for issue in list("modelRouteIssues") {
        let fix = match issue["kind"].as_str() {
            Some("missing-auth") => sign_in,
            _ => "fix the model in the GitOps openclaw.json (`clawboot doctor`)",
        };
        reasons.push(format!(
            "OpenClaw says \"{}\": {fix}",
            text(&issue, "message")
        ));
    }
    for provider in list("missingProvidersInUse") {
        let provider = crate::printable::printable(provider.as_str().unwrap_or(""));
        reasons.push(format!(
            "OpenClaw holds no credential for {provider}, which the config's models use: {sign_in}"
        ));
    }
    for profile in auth["oauth"]["profiles"].as_array().into_iter().flatten() {
        if matches!(profile["status"].as_str(), Some("expired" | "missing")) {
            reasons.push(format!(
                "OpenClaw says the sign-in {} is {}: {sign_in}",
                text(profile, "profileId"),
                text(profile, "status")
            ));
        }
    }
    reasons.dedup();
    reasons
}

/// `openclaw …` in the OpenClaw container; its stdout.
async fn openclaw(pod: &InPod<'_>, script: &'static str) -> Result<String, KubectlError> {
    pod.exec(&["sh", "-c", script]).await
}

/// Every plugin the profile needs is installed in the volume (or bundled) and loaded.
async fn plugins_loaded(engine: &Engine, pod: &InPod<'_>) -> Vec<Line> {
    let needed = plugins::needed(&engine.profile);
    if needed.is_empty() {
        return Vec::new();
    }
    let listed = match openclaw(pod, plugins::LIST_SCRIPT).await {
        Ok(out) => plugins::parse_listing(&out),
        Err(e) => {
            return vec![verdict("OpenClaw plugins", &e, || {
                format!(
                    "OpenClaw plugins: `openclaw plugins list` failed ({})",
                    crate::printable::reason(&e.message)
                )
            })]
        }
    };
    let listed = match listed {
        Ok(listed) => listed,
        Err(e) => return vec![Line::new(Mark::Fail, format!("OpenClaw plugins: {e}"))],
    };
    let release = engine.profile.release();
    needed
        .into_iter()
        .map(|plugin| match plugins::judge(plugin, &listed) {
            Ok(text) => Line::new(Mark::Ok, text),
            Err(_) if plugin.version.is_none() => {
                Line::new(Mark::Fail, plugins::not_installable_reason(plugin, release))
            }
            Err(text) => Line::new(Mark::Fail, text),
        })
        .collect()
}

/// The Discord connection as the gateway reports it (`openclaw channels status --probe`).
async fn discord_connection(pod: &InPod<'_>) -> Line {
    let script = plugins::DISCORD_STATUS_SCRIPT;
    match openclaw(pod, script).await {
        Ok(out) => judge_discord(&out),
        Err(e) => Line::new(
            Mark::Warn,
            format!(
                "could not check the Discord connection: `openclaw channels status` failed ({})",
                crate::printable::reason(&e.message)
            ),
        ),
    }
}

/// Read a `channels status --json` payload (OpenClaw's ChannelsStatusResult) for Discord.
fn judge_discord(out: &str) -> Line {
    let payload: Option<Value> = out
        .find('{')
        .and_then(|start| {
            serde_json::Deserializer::from_str(&out[start..])
                .into_iter()
                .next()
        })
        .and_then(Result::ok);
    let Some(payload) = payload else {
        return Line::new(
            Mark::Warn,
            "could not check the Discord connection: `openclaw channels status` printed no JSON",
        );
    };
    if payload["gatewayReachable"] == false || payload["status"] == "starting" {
        return Line::new(Mark::Warn, "could not check the Discord connection: the gateway is not answering yet; run `clawboot status` again in a minute");
    }
    let issues = payload["statusIssues"].as_array().into_iter().flatten();
    if let Some(issue) = issues.into_iter().find(|i| i["channel"] == "discord") {
        let message = issue["message"].as_str().unwrap_or("a problem");
        let fix = match issue["kind"].as_str() {
            Some("auth") => "Discord refused the bot token: put a valid one in SSM with `clawboot rotate DISCORD_BOT_TOKEN`".to_string(),
            Some("intent") => "enable the Message Content intent: Discord developer portal → your application → Bot → Privileged Gateway Intents".to_string(),
            _ => issue["fix"].as_str().unwrap_or("see `kubectl logs deploy/openclaw -c openclaw`").to_string(),
        };
        return Line::new(Mark::Fail, format!("Discord: {message}: {fix}"));
    }
    let accounts = payload["channelAccounts"]["discord"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    match accounts.iter().find(|a| a["connected"] == true) {
        Some(account) => Line::new(
            Mark::Ok,
            format!(
                "Discord: connected as {}",
                account["name"].as_str().unwrap_or("the bot")
            ),
        ),
        None => {
            let error = accounts
                .iter()
                .find_map(|a| a["lastError"].as_str())
                .unwrap_or("no error reported yet");
            Line::new(Mark::Fail, format!("Discord: not connected ({error}); see `kubectl logs deploy/openclaw -c openclaw`"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What the real OpenClaw printed (tests/fixtures/models-status, made by running each
    /// release's `models status --check --json` on such a state dir).
    #[test]
    fn a_failed_models_check_says_openclaws_reason_and_its_fix() {
        let plugin = judge_models_status(include_str!(
            "../../tests/fixtures/models-status/2026.9.6-codex-plugin-not-enabled.txt"
        ));
        assert_eq!(plugin.mark, Mark::Fail);
        assert!(
            plugin
                .text
                .contains(r#"No enabled plugin owns agent harness "codex"."#)
                && plugin
                    .text
                    .contains("plugin that provides the codex runtime")
                && !plugin.text.contains("sign in again"),
            "{}",
            plugin.text
        );
        let missing = judge_models_status(include_str!(
            "../../tests/fixtures/models-status/2026.5.28-no-sign-in.txt"
        ));
        assert_eq!(missing.mark, Mark::Fail);
        assert!(
            missing.text.contains("no usable sign-in for openai")
                && missing.text.contains("clawboot sign-in"),
            "{}",
            missing.text
        );
        assert_eq!(judge_models_status("{}\nclawboot-exit=0\n").mark, Mark::Ok);
        assert_eq!(
            judge_models_status("{}\nclawboot-exit=2\n").mark,
            Mark::Warn
        );
        assert_eq!(judge_models_status("killed").mark, Mark::Warn);
    }

    #[test]
    fn a_wave_with_a_failing_check_is_not_done() {
        let report = Report::new(Wave::Codex, Status::Done("signed in".into()))
            .line(Mark::Ok, "stored")
            .line(Mark::Fail, "openclaw models status --check fails");
        assert!(
            matches!(report.verdict(), Status::Attention(t) if t == "signed in, but 1 of its checks fails")
        );
        let fine =
            Report::new(Wave::Codex, Status::Done("signed in".into())).line(Mark::Ok, "stored");
        assert_eq!(fine.verdict(), fine.status);
    }

    #[test]
    fn the_discord_connection_is_read_from_the_status_payload() {
        let connected = r#"{"ts":1,"channelAccounts":{"discord":[{"accountId":"default","name":"clawbot","connected":true}]}}"#;
        assert_eq!(judge_discord(connected).mark, Mark::Ok);
        let refused = r#"{"ts":1,"channelAccounts":{"discord":[{"accountId":"default","running":false}]},"statusIssues":[{"channel":"discord","accountId":"default","kind":"auth","message":"401 Unauthorized"}]}"#;
        let line = judge_discord(refused);
        assert!(
            line.mark == Mark::Fail && line.text.contains("clawboot rotate DISCORD_BOT_TOKEN"),
            "{line:?}"
        );
        let intent = r#"{"statusIssues":[{"channel":"discord","accountId":"default","kind":"intent","message":"Disallowed intents"}]}"#;
        assert!(judge_discord(intent)
            .text
            .contains("Message Content intent"));
        let down = r#"{"channelAccounts":{"discord":[{"accountId":"default","connected":false,"lastError":"4004"}]}}"#;
        assert!(judge_discord(down).text.contains("4004"));
        let unreachable = r#"[secrets] notice {"gatewayReachable":false}"#;
        assert_eq!(judge_discord(unreachable).mark, Mark::Warn);
        assert_eq!(judge_discord("nothing").mark, Mark::Warn);
    }
}
