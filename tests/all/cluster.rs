//! The cluster half against a Kubernetes API: kmock's emulator (`scripts/kube_emulator.py`) on
//! 127.0.0.1, with the real kubectl. Each test seeds the objects it needs.

use std::path::Path;
use std::process::Command;

use serde_json::{json, Value};

use crate::common::ssm::{shared_moto, Server};
use crate::common::*;

/// The emulator serving `seed`, with `scripts/kube_emulator.py`'s flags (`--forbid PLURAL`,
/// `--hang PLURAL`, `--volume DIR`, `--path DIR`, …).
fn emulator(dir: &Path, seed: &Value, flags: &[&str]) -> Server {
    let file = dir.join("seed.json");
    std::fs::write(&file, seed.to_string()).unwrap();
    let mut command = Command::new(python());
    command
        .arg(repo().join("scripts/kube_emulator.py"))
        .arg(&file)
        .args(flags);
    Server::spawn(command)
}

/// The real clawboot in `dir` (its HOME and state), with the peers' kubectl pointed at `api`
/// and test credentials for moto.
fn clawboot_at(dir: &Path, api: &Server) -> Command {
    let kubectl_dir = kubectl().parent().unwrap().to_path_buf();
    let path = format!(
        "{}:{}",
        kubectl_dir.display(),
        std::env::var("PATH").unwrap()
    );
    let mut command = Command::new(env!("CARGO_BIN_EXE_clawboot"));
    command
        .env("PATH", path)
        .env("KUBECONFIG", kubeconfig(dir, api))
        .env("HOME", dir)
        .env("XDG_STATE_HOME", dir.join("state"))
        .env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .envs(NO_TOKEN_APIS)
        .stdin(std::process::Stdio::null());
    command
}

/// `clawboot secrets ARGS` against the API and moto, its parameters under a prefix of their
/// own (`/<name>-<pid>/openclaw`), the operator's values from `CLAWBOOT_<NAME>`.
fn secrets_at(dir: &Path, api: &Server, name: &str, args: &[&str]) -> std::process::Output {
    let answers = dir.join("answers.yaml");
    let prefix = format!("/{name}-{}/openclaw", std::process::id());
    std::fs::write(&answers, format!("aws:\n  ssm_prefix: {prefix}\n")).unwrap();
    clawboot_at(dir, api)
        .arg("--profile")
        .arg(&answers)
        .args(["secrets", "--endpoint-url", &shared_moto().url()])
        .args(args)
        .envs(ASKED.map(|(name, value)| (format!("CLAWBOOT_{name}"), value)))
        .output()
        .unwrap()
}

fn kubeconfig(dir: &Path, api: &Server) -> std::path::PathBuf {
    let file = dir.join("kubeconfig");
    std::fs::write(
        &file,
        format!(
            "apiVersion: v1\nkind: Config\nclusters: [{{name: c, cluster: {{server: '{}'}}}}]\n\
             users: [{{name: u, user: {{token: not-secret}}}}]\ncontexts: [{{name: c, context: {{cluster: c, user: u}}}}]\ncurrent-context: c\n",
            api.url()
        ),
    )
    .unwrap();
    file
}

/// `clawboot status --output json` against the API; the preflight's lines.
fn preflight_lines(dir: &Path, api: &Server) -> Vec<String> {
    wave_lines(dir, api, "preflight")
}

/// `clawboot status --output json` against the API; the lines of one wave.
fn wave_lines(dir: &Path, api: &Server, wave: &str) -> Vec<String> {
    let output = clawboot_at(dir, api)
        .args([
            "status",
            "--output",
            "json",
            "--endpoint-url",
            &shared_moto().url(),
        ])
        .current_dir(dir)
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}{}", text(&output.stdout), text(&output.stderr)));
    report["waves"]
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["wave"] == wave)
        .unwrap()["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["text"].as_str().unwrap().to_string())
        .collect()
}

/// A cluster with OpenClaw's namespace, a Ready ClusterSecretStore, a node and the service
/// CIDRs (`tests/fixtures/cluster/objects.json`, which `scripts/bench_status.py` seeds too).
fn cluster_objects() -> Value {
    let text = std::fs::read_to_string(repo().join("tests/fixtures/cluster/objects.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// Preflight reads the API server, the ClusterSecretStore and the CIDRs from a real API.
#[test]
fn preflight_reads_a_kubernetes_api() {
    let dir = tempfile::tempdir().unwrap();
    let api = emulator(dir.path(), &cluster_objects(), &[]);
    let lines = preflight_lines(dir.path(), &api);
    for expected in [
        "cluster: the API server answers",
        "ClusterSecretStore/parameterstore: Ready",
        "pod CIDRs 10.42.0.0/24: inside the NetworkPolicy exceptions",
        "service CIDRs 10.43.0.0/16: inside the NetworkPolicy exceptions",
    ] {
        assert!(
            lines.iter().any(|l| l == expected),
            "{expected:?} not in {lines:#?}"
        );
    }
}

/// A ClusterSecretStore that is not there is missing; one the operator may not read is
/// forbidden, with the RBAC rule to grant, and never called missing.
#[test]
fn a_missing_store_and_a_forbidden_one_are_told_apart() {
    let dir = tempfile::tempdir().unwrap();
    let mut objects = cluster_objects();
    objects.as_array_mut().unwrap().remove(1);
    let api = emulator(dir.path(), &objects, &[]);
    let lines = preflight_lines(dir.path(), &api);
    assert!(
        lines.iter().any(|l| l
            .starts_with("ClusterSecretStore/parameterstore is missing: install external-secrets")),
        "{lines:#?}"
    );
    drop(api);

    let api = emulator(
        dir.path(),
        &cluster_objects(),
        &["--forbid", "clustersecretstores"],
    );
    let lines = preflight_lines(dir.path(), &api);
    let store: Vec<&String> = lines
        .iter()
        .filter(|l| l.contains("ClusterSecretStore"))
        .collect();
    assert_eq!(store.len(), 1, "{lines:#?}");
    assert!(
        store[0].contains(
            "not allowed to read it: grant `get` on clustersecretstores.external-secrets.io"
        ),
        "{lines:#?}"
    );
    assert!(!store[0].contains("missing"), "{lines:#?}");
}

/// Pod and service CIDRs are two lines: nodes without pod CIDRs (the AWS VPC CNI) or nodes the
/// operator may not list are said, with what to do, and the service CIDRs are still checked.
#[test]
fn unknown_pod_cidrs_are_said_not_dropped() {
    let dir = tempfile::tempdir().unwrap();
    let mut objects = cluster_objects();
    objects[2]["spec"] = json!({});
    let api = emulator(dir.path(), &objects, &[]);
    let lines = preflight_lines(dir.path(), &api);
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("pod CIDRs: the cluster does not say")
                && l.contains("add them to network_policy.extra_excepted_cidrs")),
        "{lines:#?}"
    );
    assert!(
        lines.contains(
            &"service CIDRs 10.43.0.0/16: inside the NetworkPolicy exceptions".to_string()
        ),
        "{lines:#?}"
    );
    drop(api);

    let api = emulator(dir.path(), &cluster_objects(), &["--forbid", "nodes"]);
    let lines = preflight_lines(dir.path(), &api);
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("pod CIDRs: not allowed to read them (list nodes)")),
        "{lines:#?}"
    );
}

/// A rotation whose cluster follow-up fails (external-secrets may not be read): the error says
/// the values are in SSM, gives the cause on a line of its own, then each command to run on a
/// line of its own, quoted for the shell: a copied line runs.
#[test]
fn a_failed_follow_up_keeps_its_cause_apart_from_the_commands() {
    let dir = tempfile::tempdir().unwrap();
    let api = emulator(
        dir.path(),
        &cluster_objects(),
        &["--forbid", "externalsecrets"],
    );
    let secrets = |args: &[&str]| secrets_at(dir.path(), &api, "cluster", args);
    secrets(&["seed", "--non-interactive"]);
    let rotated = secrets(&["rotate", "OPENCLAW_GATEWAY_TOKEN", "--non-interactive"]);
    assert_eq!(rotated.status.code(), Some(2), "{}", text(&rotated.stdout));
    let stderr = text(&rotated.stderr);
    let lines: Vec<&str> = stderr.lines().collect();
    let at = lines
        .iter()
        .position(|l| {
            l.ends_with("the new values are in SSM, but the cluster did not pick them up:")
        })
        .unwrap_or_else(|| panic!("{stderr}"));
    assert!(
        lines[at + 1].contains("(Forbidden)"),
        "the cause, alone: {stderr}"
    );
    assert_eq!(lines[at + 2], "to pick them up, run by hand:", "{stderr}");
    assert!(
        lines[at + 3]
            .starts_with("  kubectl -n openclaw annotate externalsecret/openclaw-es force-sync=")
            && lines[at + 3].ends_with(" --overwrite"),
        "{stderr}"
    );
    assert_eq!(
        lines[at + 4],
        "  kubectl -n openclaw rollout restart deployment/openclaw",
        "{stderr}"
    );
}

/// With no OpenClaw pod, or only one that is not ready or is being deleted, Verify skips the
/// checks inside the pod in one line that says why, instead of calling them failed.
#[test]
fn without_a_ready_pod_the_in_pod_checks_are_skipped_not_failed() {
    let dir = tempfile::tempdir().unwrap();
    let api = emulator(dir.path(), &cluster_objects(), &[]);
    let lines = wave_lines(dir.path(), &api, "verify");
    assert!(
        lines.iter().any(|l| l.starts_with(
            "the checks inside the OpenClaw pod were skipped: no pod matches app.kubernetes.io/name=openclaw"
        )),
        "{lines:#?}"
    );
    for false_verdict in [
        "ANTHROPIC_API_KEY is in",
        "models status --check fails",
        "/readyz",
    ] {
        assert!(
            !lines.iter().any(|l| l.contains(false_verdict)),
            "{false_verdict}: {lines:#?}"
        );
    }
    drop(api);

    let mut objects = cluster_objects();
    objects.as_array_mut().unwrap().push(json!({
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": "openclaw-old", "namespace": "openclaw",
                     "labels": {"app.kubernetes.io/name": "openclaw"},
                     "creationTimestamp": "2026-11-30T00:00:00Z",
                     "deletionTimestamp": "2026-11-30T00:05:00Z"},
        "status": {"phase": "Running", "containerStatuses": [{"name": "openclaw", "ready": true}]},
    }));
    let api = emulator(dir.path(), &objects, &[]);
    let lines = wave_lines(dir.path(), &api, "verify");
    assert!(
        lines.iter().any(|l| l.contains("no ready pod matches app.kubernetes.io/name=openclaw (1 starting, not ready or being deleted)")),
        "{lines:#?}"
    );
}

/// An API server that answers `/version` and discovery but never a resource: `status` still
/// prints its JSON, within one API timeout (5 s) and not one per call, and says what it could
/// not check.
#[test]
fn an_api_that_stops_answering_costs_one_timeout_not_one_per_call() {
    let dir = tempfile::tempdir().unwrap();
    let api = emulator(dir.path(), &cluster_objects(), &["--hang", "*"]);
    let started = std::time::Instant::now();
    let preflight = wave_lines(dir.path(), &api, "preflight");
    let elapsed = started.elapsed();
    assert!(
        elapsed < std::time::Duration::from_secs(15),
        "status took {elapsed:?}"
    );
    assert!(
        preflight.iter().any(|l| l
            .starts_with("ClusterSecretStore/parameterstore: could not check:")
            && (l.contains("deadline exceeded") || l.contains("Timeout exceeded"))),
        "{preflight:#?}"
    );
    assert!(
        preflight.iter().any(|l| l.starts_with(
            "pod CIDRs: could not check: the API server stopped answering earlier in this run"
        )),
        "{preflight:#?}"
    );
}

/// A deployment serves only with a replica available and its rollout complete: one scaled to 0
/// (whose Available=True holds for 0 of 0) and one mid-rollout are not ready.
#[test]
fn a_deployment_scaled_to_zero_or_mid_rollout_is_not_ready() {
    let dir = tempfile::tempdir().unwrap();
    let deployment = |name: &str, replicas: i64, status: Value| {
        json!({"apiVersion": "apps/v1", "kind": "Deployment",
               "metadata": {"name": name, "namespace": "openclaw", "generation": 2},
               "spec": {"replicas": replicas}, "status": status})
    };
    let available = json!([{"type": "Available", "status": "True"}]);
    let mut objects = cluster_objects();
    let list = objects.as_array_mut().unwrap();
    list.push(deployment(
        "openclaw",
        0,
        json!({"observedGeneration": 2, "conditions": available}),
    ));
    list.push(deployment(
        "litellm",
        1,
        json!({"observedGeneration": 2, "replicas": 1,
        "updatedReplicas": 1, "availableReplicas": 1, "conditions": available}),
    ));
    list.push(deployment(
        "cloudflared",
        1,
        json!({"observedGeneration": 2, "replicas": 2,
        "updatedReplicas": 1, "availableReplicas": 1, "conditions": available}),
    ));
    let api = emulator(dir.path(), &objects, &[]);
    let lines = wave_lines(dir.path(), &api, "verify");
    let line = lines
        .iter()
        .find(|l| l.starts_with("deployments"))
        .unwrap_or_else(|| panic!("{lines:#?}"));
    assert!(line.starts_with("deployments not ready: "), "{line}");
    assert!(line.contains("openclaw (scaled to 0)"), "{line}");
    assert!(
        line.contains("cloudflared (a rollout is under way)"),
        "{line}"
    );
    assert!(!line.contains("litellm"), "{line}");
}

/// The setup against the emulator: the Argo CD Application is offered while it is missing,
/// also on a run where the manifests are already up to date; one the operator may not read is
/// a warning that names the RBAC rule, and the setup goes on.
#[test]
fn the_argo_cd_application_is_offered_whenever_it_is_missing() {
    let dir = tempfile::tempdir().unwrap();
    let ops = dir.path().join("ops");
    std::fs::create_dir_all(&ops).unwrap();
    let setup = |api: &Server| -> Vec<String> {
        let output = clawboot_at(dir.path(), api)
            .args([
                "setup",
                "--non-interactive",
                "--output",
                "json",
                "--endpoint-url",
                &shared_moto().url(),
            ])
            .current_dir(&ops)
            .output()
            .unwrap();
        let report: Value = serde_json::from_slice(&output.stdout)
            .unwrap_or_else(|e| panic!("{e}: {}{}", text(&output.stdout), text(&output.stderr)));
        let manifests = report["waves"]
            .as_array()
            .unwrap()
            .iter()
            .find(|w| w["wave"] == "manifests")
            .unwrap()
            .clone();
        manifests["lines"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["text"].as_str().unwrap().to_string())
            .collect()
    };
    let offer =
        "when pushed: kubectl -n argocd apply -f ../lolice/argoproj/openclaw/application.yaml";
    // A SIG Apps Application of the same name: only the fully qualified name avoids it.
    let mut objects = cluster_objects();
    objects.as_array_mut().unwrap().push(json!({
        "apiVersion": "app.k8s.io/v1beta1", "kind": "Application",
        "metadata": {"name": "openclaw", "namespace": "argocd"},
    }));
    let api = emulator(dir.path(), &objects, &[]);
    let first = setup(&api);
    assert!(first.iter().any(|l| l == offer), "{first:#?}");
    let again = setup(&api);
    assert!(
        again.iter().any(|l| l == offer),
        "offered again, files up to date: {again:#?}"
    );
    drop(api);

    let api = emulator(
        dir.path(),
        &cluster_objects(),
        &["--forbid", "applications"],
    );
    let forbidden = setup(&api);
    assert!(
        forbidden.iter().any(|l| l.starts_with(
            "Argo CD Application: not allowed to read it (grant `get` on applications.argoproj.io in namespace argocd)"
        )),
        "{forbidden:#?}"
    );
}

/// The rendered manifests as objects in OpenClaw's namespace (what Argo CD would apply).
fn rendered(dir: &Path) -> Vec<Value> {
    rendered_for(dir, None)
}

/// The rendered manifests of the profile `answers` (None: the defaults) as objects.
fn rendered_for(dir: &Path, answers: Option<&str>) -> Vec<Value> {
    let out = dir.join("render");
    render_into(&out, answers);
    let mut objects = Vec::new();
    for file in yaml_files(&gitops_dir(&out)) {
        let text = std::fs::read_to_string(&file).unwrap();
        for document in serde_yaml::Deserializer::from_str(&text) {
            let mut object: Value = serde::Deserialize::deserialize(document).unwrap();
            if object.is_null() || object["kind"] == "Kustomization" {
                continue;
            }
            if object["metadata"]["namespace"].is_null() && object["kind"] != "Namespace" {
                object["metadata"]["namespace"] = json!("openclaw");
            }
            objects.push(object);
        }
    }
    objects
}

/// The cluster objects plus the rendered kinds the emulator acts on (Deployments,
/// ExternalSecrets, ConfigMaps: its controllers then start the pods).
fn cluster_with_openclaw(rendered: &[Value]) -> Value {
    let mut objects = cluster_objects();
    let list = objects.as_array_mut().unwrap();
    list.extend(
        rendered
            .iter()
            .filter(|o| {
                ["Deployment", "ExternalSecret", "ConfigMap"].contains(&o["kind"].as_str().unwrap())
            })
            .cloned(),
    );
    objects
}

/// The emulator serving `rendered` in the cluster, its pods' claim on `volume` and the real
/// OpenClaw 2026.9.6 on their PATH, with `flags` more.
fn emulator_with_openclaw(dir: &Path, rendered: &[Value], volume: &Path, flags: &[&str]) -> Server {
    let bin = peer(&format!(
        "oc-{}/node_modules/.bin",
        crate::codex::SQLITE_ERA
    ));
    let mut all = vec![
        "--volume",
        volume.to_str().unwrap(),
        "--path",
        bin.to_str().unwrap(),
    ];
    all.extend_from_slice(flags);
    emulator(dir, &cluster_with_openclaw(rendered), &all)
}

/// The same, its pods' `init-plugins` installing the plugins from npm, whose cache is shared
/// with the init-container tests (`.peers/` is CI's cache).
fn emulator_installing_plugins(dir: &Path, rendered: &[Value], volume: &Path) -> Server {
    let npm_cache = repo().join(".peers/npm-home/.npm");
    std::fs::create_dir_all(&npm_cache).unwrap();
    let flags = ["--npm-cache", npm_cache.to_str().unwrap()];
    emulator_with_openclaw(dir, rendered, volume, &flags)
}

/// Until a ready OpenClaw pod other than `not` is listed; its name. The emulator's controller
/// starts it, and its init-plugins container installs the plugins from npm on a first start.
fn ready_openclaw_pod(dir: &Path, api: &Server, not: &str) -> String {
    for _ in 0..900 {
        let output = Command::new(kubectl())
            .env("KUBECONFIG", kubeconfig(dir, api))
            .args(["-n", "openclaw", "get", "pods", "-l", "app.kubernetes.io/name=openclaw"])
            .args(["-o", "jsonpath={range .items[?(@.status.containerStatuses[0].ready==true)]}{.metadata.name}{\"\\n\"}{end}"])
            .output()
            .unwrap();
        if let Some(pod) = text(&output.stdout).lines().find(|p| *p != not) {
            return pod.to_string();
        }
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    panic!("no ready OpenClaw pod");
}

/// The sign-in against the cluster: written into the ready pod's volume by `kubectl exec`,
/// imported there by the real OpenClaw 2026.9.6, then, after the restart, `openclaw models
/// status --check` accepts it in the new pod. The volume outlives the pod, as a PVC does.
#[test]
fn a_sign_in_lands_in_the_pod_and_the_new_pod_accepts_it() {
    use crate::codex::{issuer, SQLITE_ERA};
    let dir = tempfile::tempdir().unwrap();
    let objects = rendered(dir.path());
    let volume = dir.path().join("volume");
    let api = emulator_installing_plugins(dir.path(), &objects, &volume);
    let first = ready_openclaw_pod(dir.path(), &api, "");

    let issuer = issuer("ok");
    let (output, stderr) =
        sign_in_in_the_pod(dir.path(), &api, &["--issuer", &issuer.url(), "--yes"]);
    let stdout = text(&output.stdout);
    for said in [
        "signed in: openai:codex-user@example.com",
        "OpenClaw restarted (rollout finished)",
        "openclaw models status --check: the sign-in is accepted",
        "the codex plugin 2026.9.5 (global) is loaded",
        // The emulator runs no gateway: the one check that needs it fails, in one line.
        "OpenClaw /readyz: the gateway does not answer (Error: connect ECONNREFUSED 127.0.0.1:18789)",
    ] {
        assert!(stdout.contains(said), "{said}: {stdout}{stderr}");
    }
    assert_eq!(
        output.status.code(),
        Some(1),
        "Verify needs attention: {stdout}"
    );
    let second = ready_openclaw_pod(dir.path(), &api, &first);
    assert_ne!(first, second, "a new pod runs after the restart");

    // What OpenClaw in the new pod lists, as `clawboot codex status` reads it there.
    let status = clawboot_at(dir.path(), &api)
        .args(["codex", "status", "--openclaw-version", SQLITE_ERA])
        .output()
        .unwrap();
    assert_eq!(status.status.code(), Some(0), "{}", text(&status.stderr));
    assert!(
        text(&status.stdout).contains("openai:codex-user@example.com"),
        "{}",
        text(&status.stdout)
    );
    let last = |volume: &std::path::Path| {
        let held = held_by_openclaw(SQLITE_ERA, volume, "openai");
        assert_eq!(held.len(), 1, "{held:?}");
        assert_eq!(
            held[0].fingerprint,
            last_issued(&issuer).0,
            "the issuer's last tokens"
        );
        held[0].clone()
    };
    let first_sign_in = last(&volume);

    // Signing in again in the running pod: OpenClaw's store there holds the new tokens.
    let (output, stderr) = sign_in_in_the_pod(dir.path(), &api, &["--issuer", &issuer.url()]);
    assert!(
        text(&output.stdout).contains("signed in: openai:codex-user@example.com"),
        "{stderr}"
    );
    assert_ne!(last(&volume).fingerprint, first_sign_in.fingerprint);
    assert!(!volume
        .join("agents/main/agent/clawboot-sign-in.json")
        .exists());
}

/// PATH with kubectl and the pinned OpenClaw (2026.9.6) first.
fn cluster_path() -> String {
    format!(
        "{}:{}",
        kubectl().parent().unwrap().display(),
        path_with(crate::codex::SQLITE_ERA)
    )
}

/// `clawboot codex login --paste ARGS` against the emulated cluster, the redirect pasted: its
/// output and error output.
fn sign_in_in_the_pod(dir: &Path, api: &Server, args: &[&str]) -> (std::process::Output, String) {
    let mut command = clawboot_at(dir, api);
    command.env("PATH", cluster_path());
    let args = [&["--no-browser", "--paste"], args].concat();
    let login = crate::codex::Login::spawn(command, &args, crate::codex::SQLITE_ERA);
    let location = login.redirect();
    login.finish(Some(&format!("{location}\n")))
}

/// A rotation against the cluster: the force-sync annotation, external-secrets' refresh (the
/// emulator's controller), the restart, then the wait for the Recreate rollout: "restarted"
/// is said only once the new pod is ready.
#[test]
fn a_rotation_restarts_only_after_the_refresh_and_waits_for_the_new_pod() {
    let dir = tempfile::tempdir().unwrap();
    // No init container runs here (`--image` matches none): this test is about the rollout.
    let api = emulator(
        dir.path(),
        &cluster_with_openclaw(&rendered(dir.path())),
        &["--image", "none"],
    );
    let first = ready_openclaw_pod(dir.path(), &api, "");
    let secrets = |args: &[&str]| secrets_at(dir.path(), &api, "rollout", args);
    let seeded = secrets(&["seed", "--non-interactive"]);
    assert!(seeded.status.code() != Some(2), "{}", text(&seeded.stderr));
    let rotated = secrets(&[
        "rotate",
        "OPENCLAW_GATEWAY_TOKEN",
        "--non-interactive",
        "--show-commands",
    ]);
    let stdout = text(&rotated.stdout);
    // Verify then needs attention: the emulator's pods run no OpenClaw (no init container here).
    assert_eq!(
        rotated.status.code(),
        Some(1),
        "{stdout}{}",
        text(&rotated.stderr)
    );
    assert!(
        stdout.contains(
            "external-secrets fetched the new values; restarted openclaw (rollout finished)"
        ),
        "{stdout}"
    );
    let stderr = text(&rotated.stderr);
    let shown: Vec<&str> = stderr
        .lines()
        .map(str::trim)
        .filter(|l| l.starts_with("$ kubectl"))
        .collect();
    let position = |needle: &str| {
        shown
            .iter()
            .position(|l| l.contains(needle))
            .unwrap_or_else(|| panic!("{needle}: {shown:#?}"))
    };
    assert!(
        position("annotate externalsecret/openclaw-es force-sync=")
            < position("rollout restart deployment/openclaw")
    );
    assert!(
        position("rollout restart deployment/openclaw")
            < position("rollout status deployment/openclaw --timeout=300s")
    );
    let second = ready_openclaw_pod(dir.path(), &api, &first);
    assert_ne!(first, second, "the restart brought a new pod");
}

/// What `body`, run after importing `name` from OpenClaw 2026.9.6's pairing store (the plugin
/// SDK's own), prints, with `state` as OpenClaw's state dir.
fn pairing_store(state: &Path, name: &str, body: &str) -> String {
    let release = crate::codex::SQLITE_ERA;
    let output = Command::new("node")
        .env("PATH", crate::common::path_with(release))
        .env("OPENCLAW_STATE_DIR", state)
        .current_dir(peer(&format!("oc-{release}")))
        .args(["--input-type=module", "-e"])
        .arg(format!(
            "import {{ {name} }} from \"openclaw/plugin-sdk/conversation-runtime\";\n{body}"
        ))
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", text(&output.stderr));
    text(&output.stdout).trim().to_string()
}

/// A pending Discord DM pairing request from `sender` (named `name`) in the state dir `state`,
/// made by OpenClaw's own pairing store as the gateway does on a first DM; its code.
fn pending_pairing(state: &Path, sender: &str, name: &str) -> String {
    let name = serde_json::to_string(name).unwrap();
    pairing_store(
        state,
        "upsertChannelPairingRequest",
        &format!(
            r#"const r = await upsertChannelPairingRequest({{ channel: "discord", id: "{sender}", accountId: "default", meta: {{ name: {name} }} }});
console.log(r.code);"#
        ),
    )
}

/// The Discord senders OpenClaw lets DM the bot, as its pairing store has them.
fn allowed_senders(state: &Path) -> Vec<String> {
    let printed = pairing_store(
        state,
        "readChannelAllowFromStore",
        r#"console.log(JSON.stringify(await readChannelAllowFromStore("discord", process.env, "default")));"#,
    );
    serde_json::from_str(&printed).unwrap()
}

/// The first-time setup against the peers, nothing left by hand: the four tokens from the
/// environment (checked where they work), the sign-in pasted, then the workspace files written
/// into the pod's volume (a file the agent made is left alone) and the Discord DM pairing
/// approved by the real OpenClaw in the pod. No step it printed is one clawboot could do. A
/// second setup finds the workspace up to date; one edited in the volume is shown as such,
/// written back, and the edit kept as `.previous`.
#[test]
fn a_first_setup_leaves_nothing_by_hand() {
    use crate::codex::{issuer, Login};
    let dir = tempfile::tempdir().unwrap();
    let objects = rendered(dir.path());
    let volume = dir.path().join("volume");
    let workspace = volume.join("workspace");
    std::fs::create_dir_all(&workspace).unwrap();
    std::fs::write(workspace.join("notes.md"), "the agent's own notes\n").unwrap();
    let code = pending_pairing(&volume, "223456789012345678", "operator");
    // No init container runs (`--image none`): this test is about what clawboot does.
    let api = emulator_with_openclaw(dir.path(), &objects, &volume, &["--image", "none"]);
    ready_openclaw_pod(dir.path(), &api, "");
    let (_apis, api_env) = token_apis(
        dir.path(),
        json!({
            "discord": {ASKED[0].1: {"id": "123456789012345678", "username": "clawbot", "guilds": ["ops"]}},
            "github": {ASKED[1].1: {"login": "operator", "repos": {
                "boxp/lolice": {"push": true, "contents": true, "pull_requests": true},
                "boxp/arch": {"push": true, "contents": true, "pull_requests": true}}}},
            "openai": {"keys": [ASKED[2].1]},
            "anthropic": {"keys": [ASKED[3].1]},
        }),
    );
    let ops = dir.path().join("ops");
    std::fs::create_dir_all(&ops).unwrap();
    let answers = dir.path().join("answers.yaml");
    let prefix = format!("/first-{}/openclaw", std::process::id());
    std::fs::write(&answers, format!("aws:\n  ssm_prefix: {prefix}\n")).unwrap();
    let issuer = issuer("ok");
    let setup = |extra: &[&str]| {
        let mut command = clawboot_at(dir.path(), &api);
        command
            .current_dir(&ops)
            .env("PATH", cluster_path())
            .envs(api_env.clone())
            .envs(ASKED.map(|(name, value)| (format!("CLAWBOOT_{name}"), value)))
            .arg("--profile")
            .arg(&answers);
        let mut args = vec![
            "setup",
            "--non-interactive",
            "--yes",
            "--no-browser",
            "--endpoint-url",
        ];
        let moto = shared_moto().url();
        args.push(&moto);
        args.extend_from_slice(extra);
        let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        Login::run(command, &args)
    };

    let issuer_url = issuer.url();
    let login = setup(&[
        "--sign-in",
        "paste",
        "--issuer",
        &issuer_url,
        "--approve-pairing",
        &code,
    ]);
    let location = login.redirect();
    let (output, stderr) = login.finish(Some(&format!("{location}\n")));
    let stdout = text(&output.stdout);
    let all = format!("{stdout}{stderr}");
    for said in [
        "DISCORD_BOT_TOKEN: Discord accepts it: the bot clawbot",
        "signed in: openai:codex-user@example.com",
        "SOUL.md: written",
        "skills/codex-review/SKILL.md: written",
        &format!("Discord DM pairing {code} approved: its sender may DM the bot"),
    ] {
        assert!(all.contains(said), "{said}: {all}");
    }
    for by_hand in [
        "into the OpenClaw volume",
        "openclaw pairing approve",
        "copy ",
    ] {
        assert!(!all.contains(by_hand), "a manual step: {by_hand}: {all}");
    }
    let rendered_soul =
        std::fs::read_to_string(dir.path().join("render/workspace/SOUL.md")).unwrap();
    assert_eq!(
        std::fs::read_to_string(workspace.join("SOUL.md")).unwrap(),
        rendered_soul
    );
    assert!(workspace.join("skills/codex-review/SKILL.md").is_file());
    assert_eq!(
        std::fs::read_to_string(workspace.join("notes.md")).unwrap(),
        "the agent's own notes\n"
    );
    assert_eq!(allowed_senders(&volume), ["223456789012345678"]);

    // Status: nothing to write. An edit in the volume: shown, written back, kept aside.
    let status = wave_lines(dir.path(), &api, "workspace");
    assert_eq!(
        status,
        [
            "SOUL.md: in the volume, as rendered",
            "skills/codex-review/SKILL.md: in the volume, as rendered"
        ]
    );
    std::fs::write(workspace.join("SOUL.md"), "edited by hand\n").unwrap();
    let status = wave_lines(dir.path(), &api, "workspace");
    assert!(
        status
            .iter()
            .any(|l| l.starts_with("SOUL.md: differs from the rendered file")),
        "{status:#?}"
    );
    let (fixed, _) = setup(&[]).finish(None);
    assert!(
        text(&fixed.stdout).contains("SOUL.md: written"),
        "{}",
        text(&fixed.stdout)
    );
    assert_eq!(
        std::fs::read_to_string(workspace.join("SOUL.md")).unwrap(),
        rendered_soul
    );
    assert_eq!(
        std::fs::read_to_string(workspace.join("SOUL.md.previous")).unwrap(),
        "edited by hand\n"
    );
}

/// `clawboot pairing approve` in a terminal, on a local state dir with the real OpenClaw
/// 2026.9.6: with no request waiting it asks to DM the bot first; with two, it lists them
/// (a sender's name with an escape sequence in it shown escaped) and approves only the one
/// picked, in OpenClaw's own pairing store.
#[test]
fn pairing_in_a_terminal_approves_only_the_request_picked() {
    use crate::codex::SQLITE_ERA;
    use crate::common::path_with;
    use crate::common::tmux::Tmux;
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state");
    std::fs::create_dir_all(&state).unwrap();
    let env: Vec<(String, String)> = [
        ("PATH", path_with(SQLITE_ERA)),
        ("HOME", dir.path().display().to_string()),
        (
            "XDG_STATE_HOME",
            dir.path().join("xdg").display().to_string(),
        ),
        ("TERM", "tmux-256color".into()),
        ("LANG", "C.UTF-8".into()),
    ]
    .map(|(k, v)| (k.to_string(), v))
    .to_vec();
    let argv: Vec<String> = [
        env!("CARGO_BIN_EXE_clawboot"),
        "pairing",
        "approve",
        "--state-dir",
        state.to_str().unwrap(),
    ]
    .map(str::to_string)
    .to_vec();

    let mut t = Tmux::start(&argv, &env, 160, 40);
    t.wait("the question", std::time::Duration::from_secs(60), |s| {
        s.contains("DM the bot on Discord now")
    });
    t.keys(&["n", "Enter"]);
    let screen = t.wait_for("EXIT=");
    assert!(
        screen.contains("`clawboot pairing approve CODE` lets them in"),
        "{screen}"
    );

    let first = pending_pairing(&state, "223456789012345678", "operator");
    let second = pending_pairing(&state, "323456789012345678", "evil\u{1b}[2Jname");
    let mut t = Tmux::start(&argv, &env, 160, 40);
    let screen = t.wait("the requests", std::time::Duration::from_secs(60), |s| {
        s.contains("Approve which Discord DM pairing requests?") && s.contains(&second)
    });
    assert!(
        screen.contains(&format!(
            "{first} from Discord user 223456789012345678 (operator), just now"
        )),
        "{screen}"
    );
    assert!(screen.contains("(evil\\u{1b}[2Jname)"), "{screen}");
    t.keys(&["Space", "Enter"]);
    let screen = t.wait_for("EXIT=");
    assert!(
        screen.contains(&format!("Discord DM pairing {first} approved")),
        "{screen}"
    );
    assert_eq!(t.exit_code(), 0, "{screen}");
    assert_eq!(allowed_senders(&state), ["223456789012345678"]);
    let left = clawboot_local_pairing_list(&state);
    assert!(left.contains(&second) && !left.contains(&first), "{left}");
}

/// `clawboot pairing list` on a local state dir, as a batch run.
fn clawboot_local_pairing_list(state: &Path) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_clawboot"))
        .env("PATH", crate::common::path_with(crate::codex::SQLITE_ERA))
        .args(["pairing", "list", "--state-dir", state.to_str().unwrap()])
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    text(&output.stdout)
}

/// An upgrade from 2026.5.28 to 2026.9.6 in the cluster: the pod's volume holds the sign-in
/// clawboot stored for 2026.5.28; the upgrade backs it up in the pod, updates the answers file
/// and the manifests, waits while "Argo CD" (this test, syncing the new manifests)
/// rolls out the new pod and its init containers install the plugins, imports the sign-in with
/// the real OpenClaw 2026.9.6 in that pod, and `openclaw models status --check` accepts it there.
#[test]
fn an_upgrade_in_the_cluster_awaits_the_new_pod_and_imports_the_sign_in() {
    use crate::codex::{issuer, SQLITE_ERA};
    const JSON_ERA: &str = "2026.5.28";
    let dir = tempfile::tempdir().unwrap();
    let answers = dir.path().join("answers.yaml");
    std::fs::write(
        &answers,
        format!(
            "# the seed plan's release\nrepos:\n  gitops:\n    path: {0}/lolice\n  infrastructure:\n    path: {0}/arch\n  workspace_path: {0}/workspace\nimages:\n  openclaw: ghcr.io/openclaw/openclaw:{JSON_ERA}\nopenclaw:\n  release: \"{JSON_ERA}\"\n",
            dir.path().display()
        ),
    )
    .unwrap();
    let before = std::fs::read_to_string(&answers).unwrap();
    let objects = rendered_for(dir.path(), Some(&before));
    let volume = dir.path().join("volume");
    let issuer = issuer("ok");
    crate::codex::signed_in_for_json_era(&issuer, &volume);
    let api = emulator_installing_plugins(dir.path(), &objects, &volume);
    let first = ready_openclaw_pod(dir.path(), &api, "");

    let out = dir.path().join("upgrade.out");
    let mut upgrading = clawboot_at(dir.path(), &api)
        .arg("--profile")
        .arg(&answers)
        .args([
            "upgrade",
            "--to",
            SQLITE_ERA,
            "--non-interactive",
            "--yes",
            "--show-commands",
        ])
        .stdout(std::fs::File::create(&out).unwrap())
        .stderr(std::fs::File::create(dir.path().join("upgrade.err")).unwrap())
        .spawn()
        .unwrap();
    // Argo CD: once the manifests for the new release are written, they are applied.
    let gitops = dir.path().join("lolice/argoproj/openclaw");
    let deployment = gitops.join("deployment-openclaw.yaml");
    let started = std::time::Instant::now();
    while !std::fs::read_to_string(&deployment)
        .unwrap_or_default()
        .contains(&format!("openclaw:{SQLITE_ERA}"))
    {
        assert!(
            started.elapsed() < std::time::Duration::from_secs(120),
            "no manifests for {SQLITE_ERA}: {}{}",
            std::fs::read_to_string(&out).unwrap_or_default(),
            std::fs::read_to_string(dir.path().join("upgrade.err")).unwrap_or_default()
        );
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    // Deleted and created anew: the emulator takes a strategic merge patch (what `apply` sends)
    // as a plain merge, which would cut the containers' lists short.
    for verb in ["delete", "create"] {
        let synced = Command::new(kubectl())
            .env("KUBECONFIG", kubeconfig(dir.path(), &api))
            .args(["-n", "openclaw", verb, "-f"])
            .arg(gitops.join("configmap-openclaw.yaml"))
            .arg("-f")
            .arg(&deployment)
            .output()
            .unwrap();
        assert!(synced.status.success(), "{verb}: {}", text(&synced.stderr));
    }
    let status = upgrading.wait().unwrap();
    let pods = Command::new(kubectl())
        .env("KUBECONFIG", kubeconfig(dir.path(), &api))
        .args(["-n", "openclaw", "get", "pods", "-o", "wide"])
        .output()
        .unwrap();
    let said = format!(
        "{}{}\n{}",
        std::fs::read_to_string(&out).unwrap(),
        std::fs::read_to_string(dir.path().join("upgrade.err")).unwrap(),
        text(&pods.stdout)
    );
    for line in [
        "Codex sign-in provider: openai-codex → openai",
        &format!("runs OpenClaw {SQLITE_ERA}"),
        "OpenClaw 2026.9.6 lists openai:codex-user@example.com",
        "openclaw models status --check: the sign-in is accepted",
    ] {
        assert!(said.contains(line), "{line}: {said}");
    }
    assert_eq!(status.code(), Some(0), "{said}");
    let second = ready_openclaw_pod(dir.path(), &api, &first);
    assert_ne!(first, second, "the new release runs in a new pod");
    let archives: Vec<String> = std::fs::read_dir(dir.path().join("state/clawboot/backups"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        archives.len(),
        1,
        "one backup, on this machine: {archives:?}"
    );
    assert_ne!(std::fs::read_to_string(&answers).unwrap(), before);
}

/// Verify on a pod whose codex plugin nothing installed (no init container ran) while the
/// sign-in is stored: the models check says OpenClaw's own reason and the plugin fix, never
/// "sign in again", and Wave 6 is not done with that check failing.
#[test]
fn verify_on_a_pod_missing_the_codex_plugin_says_openclaws_reason() {
    let dir = tempfile::tempdir().unwrap();
    let objects = rendered(dir.path());
    let volume = dir.path().join("volume");
    let api = emulator_with_openclaw(dir.path(), &objects, &volume, &["--image", "none"]);
    ready_openclaw_pod(dir.path(), &api, "");
    let issuer = crate::codex::issuer("ok");
    let (output, stderr) = sign_in_in_the_pod(dir.path(), &api, &["--issuer", &issuer.url()]);
    assert!(
        text(&output.stdout).contains("signed in: openai:codex-user@example.com"),
        "{stderr}"
    );

    let output = clawboot_at(dir.path(), &api)
        .args([
            "status",
            "--output",
            "json",
            "--endpoint-url",
            &shared_moto().url(),
        ])
        .current_dir(dir.path())
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    let verify = report["waves"]
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["wave"] == "verify")
        .unwrap();
    let check = verify["lines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| {
            l["text"]
                .as_str()
                .unwrap()
                .starts_with("openclaw models status --check")
        })
        .unwrap_or_else(|| panic!("{verify:#}"));
    let said = check["text"].as_str().unwrap();
    assert_eq!(check["mark"], "fail", "{said}");
    assert!(
        said.contains(r#"No enabled plugin owns agent harness "codex"."#)
            && said.contains("the plugin that provides the codex runtime")
            && !said.contains("sign in again"),
        "{said}"
    );
    assert_ne!(verify["status"]["state"], "done", "{verify:#}");
}
