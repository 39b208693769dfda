//! `clawboot render` against the real validators: kubectl kustomize, kubernetes-validate --strict,
//! the CRD JSON schemas, and an HCL parser. Each validator is also shown to reject a broken file.

use std::fs;
use std::path::Path;
use std::process::Command;

use crate::common::*;

fn kustomize(dir: &Path) -> (i32, String) {
    run(Command::new(kubectl()).arg("kustomize").arg(dir))
}

fn kubernetes_validate(files: &[std::path::PathBuf]) -> (i32, String) {
    run(Command::new(peer("venv/bin/kubernetes-validate"))
        .arg("--strict")
        .args(files))
}

fn validate_crds(files: &[std::path::PathBuf]) -> (i32, String) {
    run(Command::new(python())
        .arg(repo().join("scripts/validate_crds.py"))
        .arg(crd_schemas())
        .args(files))
}

#[test]
fn renders_every_file_of_the_spec() {
    let dir = tempfile::tempdir().unwrap();
    render_into(dir.path(), None);
    let files: Vec<String> = all_files(dir.path())
        .iter()
        .map(|p| p.display().to_string())
        .collect();
    let expected = [
        "argoproj/openclaw/application.yaml",
        "argoproj/openclaw/configmap-litellm.yaml",
        "argoproj/openclaw/configmap-openclaw.yaml",
        "argoproj/openclaw/deployment-cloudflared.yaml",
        "argoproj/openclaw/deployment-litellm.yaml",
        "argoproj/openclaw/deployment-openclaw.yaml",
        "argoproj/openclaw/externalsecret-litellm.yaml",
        "argoproj/openclaw/externalsecret.yaml",
        "argoproj/openclaw/kustomization.yaml",
        "argoproj/openclaw/namespace.yaml",
        "argoproj/openclaw/networkpolicy.yaml",
        "argoproj/openclaw/pvc.yaml",
        "argoproj/openclaw/service-litellm.yaml",
        "argoproj/openclaw/service-openclaw.yaml",
        "terraform/aws/openclaw/aqua/aqua.yaml",
        "terraform/aws/openclaw/backend.tf",
        "terraform/aws/openclaw/provider.tf",
        "terraform/aws/openclaw/ssm.tf",
        "terraform/aws/openclaw/tfaction.yaml",
        "terraform/aws/openclaw/variables.tf",
        "terraform/cloudflare/b0xp.io/openclaw/access.tf",
        "terraform/cloudflare/b0xp.io/openclaw/aqua/aqua.yaml",
        "terraform/cloudflare/b0xp.io/openclaw/backend.tf",
        "terraform/cloudflare/b0xp.io/openclaw/dns.tf",
        "terraform/cloudflare/b0xp.io/openclaw/provider.tf",
        "terraform/cloudflare/b0xp.io/openclaw/tfaction.yaml",
        "terraform/cloudflare/b0xp.io/openclaw/tunnel.tf",
        "terraform/cloudflare/b0xp.io/openclaw/variables.tf",
        "workspace/SOUL.md",
        "workspace/skills/codex-review/SKILL.md",
    ];
    assert_eq!(files, expected);
}

#[test]
fn every_yaml_parses_and_kustomize_lists_exactly_the_manifests() {
    let dir = tempfile::tempdir().unwrap();
    render_into(dir.path(), None);
    for file in all_files(dir.path()) {
        if file.extension().is_some_and(|e| e == "yaml") {
            let text = fs::read_to_string(dir.path().join(&file)).unwrap();
            for doc in serde_yaml::Deserializer::from_str(&text) {
                serde_yaml::Value::deserialize(doc)
                    .unwrap_or_else(|e| panic!("{} does not parse: {e}", file.display()));
            }
        }
    }
    let gitops = gitops_dir(dir.path());
    let (code, built) = kustomize(&gitops);
    assert_eq!(code, 0, "kubectl kustomize failed:\n{built}");
    let kinds: Vec<String> = serde_yaml::Deserializer::from_str(&built)
        .map(|doc| {
            let v = serde_yaml::Value::deserialize(doc).unwrap();
            format!(
                "{}/{}",
                v["kind"].as_str().unwrap(),
                v["metadata"]["name"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(kinds.len(), 15, "{kinds:?}");
    for expected in [
        "Namespace/openclaw",
        "NetworkPolicy/default-deny",
        "ExternalSecret/openclaw-es",
        "ExternalSecret/litellm-es",
        "Deployment/openclaw",
        "Deployment/litellm",
        "Deployment/cloudflared",
        "NetworkPolicy/openclaw-network",
        "PersistentVolumeClaim/openclaw-data",
    ] {
        assert!(
            kinds.iter().any(|k| k == expected),
            "{expected} missing from {kinds:?}"
        );
    }
    assert!(
        !kinds.iter().any(|k| k.starts_with("Application/")),
        "the Argo CD Application is applied once, not synced by itself"
    );
}

use serde::Deserialize;

#[test]
fn built_in_kinds_pass_kubernetes_validate_strict() {
    let dir = tempfile::tempdir().unwrap();
    render_into(dir.path(), None);
    let files = yaml_files(&gitops_dir(dir.path()));
    let (code, out) = kubernetes_validate(&files);
    assert_eq!(code, 0, "kubernetes-validate --strict failed:\n{out}");
    for kind in [
        "deployment/openclaw",
        "deployment/litellm",
        "deployment/cloudflared",
        "networkpolicy/openclaw-network",
        "service/litellm",
    ] {
        assert!(
            out.contains(&format!("passed for resource {kind}")),
            "{kind} not validated:\n{out}"
        );
    }
}

#[test]
fn custom_resources_pass_the_crd_schemas() {
    let dir = tempfile::tempdir().unwrap();
    render_into(dir.path(), None);
    let (code, out) = validate_crds(&yaml_files(&gitops_dir(dir.path())));
    assert_eq!(code, 0, "CRD schema validation failed:\n{out}");
    assert!(
        out.contains("3 custom resources checked, 0 failed"),
        "{out}"
    );
}

#[test]
fn each_validator_rejects_a_broken_variant() {
    let dir = tempfile::tempdir().unwrap();
    render_into(dir.path(), None);
    let gitops = gitops_dir(dir.path());

    let deployment = gitops.join("deployment-litellm.yaml");
    let good = fs::read_to_string(&deployment).unwrap();
    fs::write(
        &deployment,
        good.replace("  replicas: 1", "  replicas: 1\n  replicaz: 2"),
    )
    .unwrap();
    let (code, out) = kubernetes_validate(std::slice::from_ref(&deployment));
    assert_ne!(
        code, 0,
        "kubernetes-validate accepted an unknown field:\n{out}"
    );
    fs::write(&deployment, good).unwrap();

    let external = gitops.join("externalsecret.yaml");
    let good = fs::read_to_string(&external).unwrap();
    fs::write(
        &external,
        good.replace(
            "refreshInterval: 1h",
            "refreshInterval: 1h\n  refreshEvery: 1h",
        ),
    )
    .unwrap();
    let (code, out) = validate_crds(std::slice::from_ref(&external));
    assert_ne!(
        code, 0,
        "the ExternalSecret schema accepted an unknown field:\n{out}"
    );
    fs::write(&external, good).unwrap();

    let application = gitops.join("application.yaml");
    let good = fs::read_to_string(&application).unwrap();
    fs::write(&application, good.replace("    repoURL:", "    repoUrl:")).unwrap();
    let (code, out) = validate_crds(std::slice::from_ref(&application));
    assert_ne!(
        code, 0,
        "the Application schema accepted a misspelt field:\n{out}"
    );
    fs::write(&application, good).unwrap();

    fs::remove_file(gitops.join("pvc.yaml")).unwrap();
    let (code, out) = kustomize(&gitops);
    assert_ne!(
        code, 0,
        "kustomize built a folder with a missing resource:\n{out}"
    );
}

#[test]
fn terraform_is_well_formed_hcl() {
    let dir = tempfile::tempdir().unwrap();
    render_into(dir.path(), None);
    let mut parsed = 0;
    for file in all_files(dir.path()) {
        if file.extension().is_some_and(|e| e == "tf") {
            let text = fs::read_to_string(dir.path().join(&file)).unwrap();
            let body: hcl::Body = hcl::from_str(&text)
                .unwrap_or_else(|e| panic!("{} is not valid HCL: {e}", file.display()));
            assert!(body.iter().next().is_some(), "{} is empty", file.display());
            parsed += 1;
        }
    }
    assert_eq!(parsed, 10);
    let ssm = fs::read_to_string(dir.path().join("terraform/aws/openclaw/ssm.tf")).unwrap();
    let body: hcl::Body = hcl::from_str(&ssm).unwrap();
    let names: Vec<String> = body
        .blocks()
        .map(|b| {
            b.body()
                .attributes()
                .find(|a| a.key() == "name")
                .unwrap()
                .expr()
                .to_string()
        })
        .collect();
    assert_eq!(
        names,
        [
            "\"/lolice/openclaw/DISCORD_BOT_TOKEN\"",
            "\"/lolice/openclaw/OPENCLAW_GATEWAY_TOKEN\"",
            "\"/lolice/openclaw/GITHUB_TOKEN\"",
            "\"/lolice/openclaw/OPENAI_API_KEY\"",
            "\"/lolice/openclaw/ANTHROPIC_API_KEY\"",
            "\"/lolice/openclaw/LITELLM_MASTER_KEY\"",
        ]
    );
    assert!(hcl::from_str::<hcl::Body>("resource \"x\" {\n  a = \n}\n").is_err());
}

#[test]
fn profile_values_reach_the_manifests_and_stay_valid() {
    let dir = tempfile::tempdir().unwrap();
    let answers = "cluster:\n  namespace: claw\naws:\n  ssm_prefix: /prod/claw\n  kms_key_alias: alias/claw\n\
        litellm:\n  models: [anthropic/claude-sonnet-4-5-20250929, zai/glm-4.7, openai/gpt-5-mini]\n\
        openclaw:\n  release: \"2026.5.28\"\n  discord_allow_from: [\"123456789012345678\"]\n  fallback_models: [litellm/zai/glm-4.7]\n\
        images:\n  openclaw: ghcr.io/openclaw/openclaw:2026.5.28\n  litellm: ghcr.io/berriai/litellm@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n\
        network_policy:\n  extra_excepted_cidrs: [100.64.0.0/10]\n  node_local_dns: 169.254.20.10\n";
    render_into(dir.path(), Some(answers));
    let gitops = gitops_dir(dir.path());
    let (code, out) = kubernetes_validate(&yaml_files(&gitops));
    assert_eq!(code, 0, "{out}");
    let (code, out) = validate_crds(&yaml_files(&gitops));
    assert_eq!(code, 0, "{out}");
    let read = |f: &str| fs::read_to_string(gitops.join(f)).unwrap();
    let litellm_es = read("externalsecret-litellm.yaml");
    for key in [
        "/prod/claw/ANTHROPIC_API_KEY",
        "/prod/claw/ZAI_API_KEY",
        "/prod/claw/OPENAI_API_KEY",
        "/prod/claw/LITELLM_MASTER_KEY",
    ] {
        assert!(litellm_es.contains(key), "{key} missing:\n{litellm_es}");
    }
    assert!(!read("externalsecret.yaml").contains("secretKey: ANTHROPIC"));
    // What the manifests allow: Pod Security, LiteLLM's root filesystem.
    let namespace = read("namespace.yaml");
    assert!(namespace.contains("pod-security.kubernetes.io/enforce: privileged"));
    assert!(namespace.contains("pod-security.kubernetes.io/warn: restricted"));
    assert!(read("deployment-litellm.yaml").contains("readOnlyRootFilesystem: true"));
    let backend = fs::read_to_string(dir.path().join("terraform/aws/openclaw/backend.tf")).unwrap();
    assert!(backend.contains("encrypt = true"), "{backend}");
    assert!(read("deployment-litellm.yaml").contains(
        "image: ghcr.io/berriai/litellm@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
    ));
    let policy = read("networkpolicy.yaml");
    assert!(policy.contains("- 100.64.0.0/10") && policy.contains("cidr: 169.254.20.10/32"));
    let deployment = read("deployment-openclaw.yaml");
    assert!(deployment.contains("namespace: claw"));
    assert!(deployment.contains("/healthz') ") || deployment.contains("/healthz')"));
    assert!(
        !deployment.contains("/startupz"),
        "2026.5.28 has no /startupz"
    );
    let ssm = fs::read_to_string(dir.path().join("terraform/aws/openclaw/ssm.tf")).unwrap();
    assert!(ssm.contains("key_id      = \"alias/claw\""));
}

#[test]
fn a_plugin_registry_mirror_gets_its_env_and_exactly_its_egress() {
    let dir = tempfile::tempdir().unwrap();
    let answers = "openclaw:\n  plugin_registry: http://npm-mirror.internal:4873/\n\
        network_policy:\n  plugin_registry_cidrs: [10.20.0.0/16]\n";
    render_into(dir.path(), Some(answers));
    let gitops = gitops_dir(dir.path());
    let (code, out) = kubernetes_validate(&yaml_files(&gitops));
    assert_eq!(code, 0, "{out}");
    let deployment = fs::read_to_string(gitops.join("deployment-openclaw.yaml")).unwrap();
    assert!(deployment.contains(
        "- name: npm_config_registry\n              value: http://npm-mirror.internal:4873/"
    ));
    let policies = fs::read_to_string(gitops.join("networkpolicy.yaml")).unwrap();
    let policy: serde_yaml::Value = serde_yaml::Deserializer::from_str(&policies)
        .map(|doc| serde_yaml::Value::deserialize(doc).unwrap())
        .find(|p| p["metadata"]["name"] == "openclaw-network")
        .unwrap();
    let mirror_rules: Vec<&serde_yaml::Value> = policy["spec"]["egress"]
        .as_sequence()
        .unwrap()
        .iter()
        .filter(|rule| rule["to"][0]["ipBlock"]["cidr"] == "10.20.0.0/16")
        .collect();
    assert_eq!(mirror_rules.len(), 1, "{policy:?}");
    assert_eq!(mirror_rules[0]["ports"][0]["port"], 4873);
    assert!(mirror_rules[0]["to"][0]["ipBlock"]["except"].is_null());

    let refused = clawboot(&[
        "render",
        "--out",
        &dir.path().join("x").display().to_string(),
        "--profile",
        &{
            let file = dir.path().join("bad.yaml");
            fs::write(
                &file,
                "openclaw:\n  plugin_registry: https://user:pw@npm.example/\n",
            )
            .unwrap();
            file.display().to_string()
        },
    ]);
    assert_eq!(refused.status.code(), Some(2));
    let said = text(&refused.stderr);
    assert!(
        said.contains("openclaw.plugin_registry: must not hold credentials"),
        "{said}"
    );
    assert!(!said.contains("pw@"), "{said}");

    // url::Url drops newlines while parsing; the raw value must not reach a manifest.
    let injected = dir.path().join("injected.yaml");
    fs::write(
        &injected,
        "openclaw:\n  plugin_registry: \"http://npm.example:4873/\\n---\\nkind: ClusterRoleBinding\"\n",
    )
    .unwrap();
    let out = dir.path().join("y");
    let refused = clawboot(&[
        "render",
        "--out",
        &out.display().to_string(),
        "--profile",
        &injected.display().to_string(),
    ]);
    let said = text(&refused.stderr);
    assert_eq!(refused.status.code(), Some(2), "{said}");
    assert!(
        said.contains("openclaw.plugin_registry: must not hold control characters"),
        "{said}"
    );
    assert!(!out.exists());
}

#[test]
fn second_render_changes_nothing_and_check_reports_drift() {
    let dir = tempfile::tempdir().unwrap();
    render_into(dir.path(), None);
    let snapshot = |root: &Path| -> Vec<(std::path::PathBuf, Vec<u8>, std::time::SystemTime)> {
        all_files(root)
            .into_iter()
            .map(|f| {
                let full = root.join(&f);
                (
                    f,
                    fs::read(&full).unwrap(),
                    fs::metadata(&full).unwrap().modified().unwrap(),
                )
            })
            .collect()
    };
    let before = snapshot(dir.path());
    std::thread::sleep(std::time::Duration::from_millis(20));
    let second = render_into(dir.path(), None);
    assert!(
        text(&second.stdout).contains("0 written, 30 unchanged"),
        "{}",
        text(&second.stdout)
    );
    assert_eq!(
        before,
        snapshot(dir.path()),
        "the second render touched files"
    );

    let out = dir.path().display().to_string();
    let check = clawboot(&["render", "--out", &out, "--check"]);
    assert_eq!(check.status.code(), Some(0));

    let pvc = gitops_dir(dir.path()).join("pvc.yaml");
    let edited = fs::read_to_string(&pvc).unwrap().replace("10Gi", "20Gi");
    fs::write(&pvc, &edited).unwrap();
    let check = clawboot(&["render", "--out", &out, "--check"]);
    assert_eq!(check.status.code(), Some(1));
    let stdout = text(&check.stdout);
    assert!(
        stdout.contains("would update")
            && stdout.contains("-      storage: 20Gi")
            && stdout.contains("+      storage: 10Gi"),
        "{stdout}"
    );
    assert_eq!(
        fs::read_to_string(&pvc).unwrap(),
        edited,
        "--check wrote a file"
    );

    let json = clawboot(&[
        "render", "--out", &out, "--check", "--output", "json", "--only", "k8s",
    ]);
    let report: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(report["changed"], 1);
    assert_eq!(report["files"].as_array().unwrap().len(), 14);

    let fix = clawboot(&["render", "--out", &out]);
    assert!(text(&fix.stdout).contains("1 written, 29 unchanged"));
    assert!(fs::read_to_string(&pvc).unwrap().contains("10Gi"));
}

/// A planted link among the manifests (to a credentials file, to `/proc/self/environ`) is
/// refused by `render --check`, by a write and by `doctor`: its target is never printed, never
/// written through, and a link to a folder (here a loop) is not walked.
#[test]
fn links_among_the_manifests_are_refused_not_followed() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    render_into(&out, None);
    let gitops = gitops_dir(&out);
    let secret = dir.path().join("credentials");
    std::fs::write(&secret, "aws_secret_access_key = CANARY-LINKED-SECRET\n").unwrap();
    let namespace = gitops.join("namespace.yaml");
    std::fs::remove_file(&namespace).unwrap();
    std::os::unix::fs::symlink(&secret, &namespace).unwrap();
    let out_arg = out.display().to_string();

    for args in [
        vec!["render", "--out", &out_arg, "--check"],
        vec!["render", "--out", &out_arg],
    ] {
        let output = clawboot(&args);
        let all = format!("{}{}", text(&output.stdout), text(&output.stderr));
        assert_eq!(output.status.code(), Some(2), "{args:?}: {all}");
        assert!(
            !all.contains("CANARY-LINKED-SECRET"),
            "{args:?} printed the target: {all}"
        );
        assert!(
            all.contains(
                "namespace.yaml is a symbolic link: clawboot reads and writes only regular files"
            ),
            "{args:?}: {all}"
        );
    }
    assert_eq!(
        std::fs::read_to_string(&secret).unwrap(),
        "aws_secret_access_key = CANARY-LINKED-SECRET\n",
        "written through the link"
    );

    // doctor reports each link as a finding of its own, follows neither (nor lets kustomize
    // follow them), and lints the rest.
    std::os::unix::fs::symlink(&gitops, gitops.join("loop")).unwrap();
    let output = clawboot(&["doctor", &gitops.display().to_string()]);
    let all = format!("{}{}", text(&output.stdout), text(&output.stderr));
    assert_eq!(output.status.code(), Some(1), "{all}");
    assert!(!all.contains("CANARY-LINKED-SECRET"), "{all}");
    assert!(all.contains("namespace.yaml:1: [unreadable-file]"), "{all}");
    assert!(all.contains("loop:1: [unreadable-file]"), "{all}");
    assert!(
        all.contains("read file by file: the folder holds symbolic links"),
        "{all}"
    );
}

/// `render --only k8s` lists only what is left for the files it wrote.
#[test]
fn what_is_left_is_said_for_the_files_rendered() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().display().to_string();
    let output = clawboot(&["render", "--out", &out, "--only", "k8s"]);
    let stdout = text(&output.stdout);
    assert!(
        stdout.contains("Argo CD sync of the GitOps folder"),
        "{stdout}"
    );
    assert!(!stdout.contains("copying workspace/"), "{stdout}");
    assert!(!stdout.contains("terraform plan/apply"), "{stdout}");
}
