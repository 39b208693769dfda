//! `clawboot doctor` on the seed plan's first attempt finds every known failure mode, with the
//! file and line, and finds nothing in freshly rendered files.

use std::collections::BTreeSet;

use crate::common::*;
use serde_json::Value;

fn doctor_json(dir: &std::path::Path) -> (Option<i32>, Value) {
    let output = clawboot(&["doctor", &dir.display().to_string(), "--output", "json"]);
    (
        output.status.code(),
        serde_json::from_slice(&output.stdout).unwrap(),
    )
}

#[test]
fn finds_every_failure_mode_of_the_first_attempt() {
    let fixture = repo().join("tests/fixtures/seed-first-attempt");
    let (code, report) = doctor_json(&fixture);
    assert_eq!(code, Some(1));
    let findings = report["findings"].as_array().unwrap();
    let rules: BTreeSet<&str> = findings
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    let expected: BTreeSet<&str> = [
        "legacy-agent-key",
        "invalid-provider-api",
        "gateway-mode-missing",
        "discord-plugin-disabled",
        "litellm-memory",
        "litellm-config-path",
        "litellm-proxy-key",
        "sandbox-http-blocked",
        "anthropic-key-in-openclaw",
        "unpinned-image",
        "token-in-args",
        "legacy-codex-model",
        "azure-leftover",
        "retired-allow-insecure-auth",
        "retired-dm-policy",
        "allowlist-without-allow-from",
        "config-env-substitution",
        "docker-cli-missing",
        "plugin-not-installed",
    ]
    .into();
    assert_eq!(rules, expected);
    for finding in findings {
        assert!(!finding["problem"].as_str().unwrap().is_empty());
        assert!(!finding["fix"].as_str().unwrap().is_empty());
    }
    let at = |rule: &str, file: &str| -> Vec<u64> {
        findings
            .iter()
            .filter(|f| f["rule"] == rule && f["file"] == file)
            .map(|f| f["line"].as_u64().unwrap())
            .collect()
    };
    let fixture_line = |file: &str, needle: &str| -> u64 {
        let text = std::fs::read_to_string(fixture.join(file)).unwrap();
        1 + text.lines().position(|l| l.contains(needle)).unwrap() as u64
    };
    for (rule, file, needle) in [
        (
            "invalid-provider-api",
            "configmap-openclaw.yaml",
            "\"openai-chat\"",
        ),
        (
            "legacy-codex-model",
            "configmap-openclaw.yaml",
            "openai-codex/gpt-5.3-codex",
        ),
        (
            "retired-allow-insecure-auth",
            "configmap-openclaw.yaml",
            "allowInsecureAuth",
        ),
        ("litellm-memory", "deployment-litellm.yaml", "memory: 512Mi"),
        ("unpinned-image", "deployment-openclaw.yaml", ":latest"),
        (
            "litellm-proxy-key",
            "deployment-openclaw.yaml",
            "name: LITELLM_PROXY_KEY",
        ),
        (
            "anthropic-key-in-openclaw",
            "externalsecret.yaml",
            "secretKey: ANTHROPIC_API_KEY",
        ),
        ("token-in-args", "deployment-cloudflared.yaml", "--token"),
        (
            "config-env-substitution",
            "deployment-openclaw.yaml",
            "sed \"",
        ),
    ] {
        assert!(
            at(rule, file).contains(&fixture_line(file, needle)),
            "{rule} in {file} should point at the line with {needle}: {:?}",
            at(rule, file)
        );
    }
}

#[test]
fn text_output_names_file_line_problem_and_fix() {
    let fixture = repo().join("tests/fixtures/seed-first-attempt");
    let output = clawboot(&["doctor", &fixture.display().to_string()]);
    assert_eq!(output.status.code(), Some(1));
    let stdout = text(&output.stdout);
    assert!(
        stdout.contains("deployment-litellm.yaml:39: [litellm-memory]"),
        "{stdout}"
    );
    assert!(
        stdout.contains("    fix: set resources.limits.memory to at least 1Gi"),
        "{stdout}"
    );
    assert!(stdout.contains("24 finding(s)"), "{stdout}");
}

#[test]
fn freshly_rendered_files_are_clean() {
    for answers in [
        None,
        Some("openclaw:\n  discord_allow_from: [\"123456789012345678\"]\n"),
    ] {
        let dir = tempfile::tempdir().unwrap();
        render_into(dir.path(), answers);
        let (code, report) = doctor_json(&gitops_dir(dir.path()));
        assert_eq!(report["findings"], serde_json::json!([]));
        assert_eq!(code, Some(0));
    }
}

#[test]
fn a_discord_plugin_nothing_installs_is_found() {
    let dir = tempfile::tempdir().unwrap();
    render_into(dir.path(), None);
    let deployment = gitops_dir(dir.path()).join("deployment-openclaw.yaml");
    let text = std::fs::read_to_string(&deployment).unwrap();
    let start = text.find("        - name: init-plugins").unwrap();
    let end = text.find("      containers:").unwrap();
    std::fs::write(&deployment, format!("{}{}", &text[..start], &text[end..])).unwrap();
    let (code, report) = doctor_json(&gitops_dir(dir.path()));
    assert_eq!(code, Some(1));
    let findings = report["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 1, "{report}");
    assert_eq!(findings[0]["rule"], "plugin-not-installed");
    assert!(findings[0]["fix"]
        .as_str()
        .unwrap()
        .contains("openclaw plugins install @openclaw/discord@2026.9.6"));

    let old = tempfile::tempdir().unwrap();
    render_into(
        old.path(),
        Some("openclaw:\n  release: \"2026.5.28\"\nimages:\n  openclaw: ghcr.io/openclaw/openclaw:2026.5.28\n"),
    );
    let (code, report) = doctor_json(&gitops_dir(old.path()));
    assert_eq!(code, Some(1));
    assert_eq!(
        report["findings"][0]["rule"], "plugin-not-installed",
        "{report}"
    );
    assert!(report["findings"][0]["fix"]
        .as_str()
        .unwrap()
        .contains("move to 2026.9.6"));
}

#[test]
fn a_missing_folder_is_a_clear_error() {
    let output = clawboot(&["doctor", "/nonexistent/gitops"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(text(&output.stderr).contains("is not a folder"));
}

/// Each rule finds something in its own fixture, and nothing another rule would find; what it
/// says (file, line, problem, fix) is kept as a snapshot.
#[test]
fn each_rule_alone_on_its_own_fixture() {
    let fixtures = repo().join("tests/fixtures/doctor");
    for rule in clawboot::doctor::rules() {
        let dir = fixtures.join(rule.id);
        assert!(
            dir.is_dir(),
            "rule {} has no fixture at {}",
            rule.id,
            dir.display()
        );
        let findings = clawboot::doctor::run(&dir, None).unwrap().findings;
        assert!(
            !findings.is_empty(),
            "{} finds nothing in its fixture",
            rule.id
        );
        let text: String = findings
            .iter()
            .map(|f| {
                assert_eq!(f.rule, rule.id, "another rule fires on {}: {f:?}", rule.id);
                format!(
                    "{}:{}: {}\n    fix: {}\n",
                    f.file.display(),
                    f.line,
                    f.problem,
                    f.fix
                )
            })
            .collect();
        insta::assert_snapshot!(rule.id, text);
    }
    let folders = std::fs::read_dir(&fixtures)
        .unwrap()
        .filter(|e| e.as_ref().unwrap().path().is_dir())
        .count();
    assert_eq!(
        folders,
        clawboot::doctor::rules().len(),
        "a fixture without a rule"
    );
}

/// The README's rule table is the registry: the same ids, in the same order, saying the same.
#[test]
fn the_readme_rule_table_is_the_registry() {
    let readme = std::fs::read_to_string(repo().join("README.md")).unwrap();
    let table: Vec<(String, String)> = readme
        .lines()
        .skip_while(|l| !l.starts_with("| rule | finds |"))
        .skip(2)
        .take_while(|l| l.starts_with('|'))
        .map(|l| {
            let cells: Vec<&str> = l.trim_matches('|').split(" | ").map(str::trim).collect();
            (cells[0].trim_matches('`').to_string(), cells[1].to_string())
        })
        .collect();
    let registry: Vec<(String, String)> = clawboot::doctor::rules()
        .iter()
        .map(|r| (r.id.to_string(), r.finds.to_string()))
        .collect();
    assert_eq!(table, registry);
}

/// doctor with `args`, PATH set to `path`, `stdin` on standard input: exit code and JSON report.
fn doctor_with(args: &[&str], path: &str, stdin: &str) -> (Option<i32>, Value) {
    let output = output_with_stdin(
        std::process::Command::new(env!("CARGO_BIN_EXE_clawboot"))
            .arg("doctor")
            .args(args)
            .args(["--output", "json"])
            .env("PATH", path),
        stdin,
    );
    let report = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|_| serde_json::json!({ "stderr": text(&output.stderr) }));
    (output.status.code(), report)
}

/// A fresh folder holding `files` (name, content).
fn folder_with(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, content) in files {
        std::fs::write(dir.path().join(name), content).unwrap();
    }
    dir
}

/// The line of the first line holding `needle`, 1-based.
fn line_of(text: &str, needle: &str) -> u64 {
    1 + text.lines().position(|l| l.contains(needle)).unwrap() as u64
}

/// Each finding's rule and line.
fn rule_lines(report: &Value) -> Vec<(String, u64)> {
    report["findings"]
        .as_array()
        .unwrap_or_else(|| panic!("{report}"))
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
            )
        })
        .collect()
}

const MULTI: &str = "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: openclaw\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: litellm\nspec:\n  template:\n    spec:\n      containers:\n        - name: litellm\n          image: ghcr.io/berriai/litellm:main-v1.60.0\n          resources:\n            limits:\n              memory: 1Gi\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: cloudflared\nspec:\n  template:\n    spec:\n      containers:\n        - name: cloudflared\n          image: cloudflare/cloudflared:latest\n";

/// Findings deep in a multi-document file point at their own document's lines; a file that
/// does not parse is a finding of its own and the rest is still linted.
#[test]
fn a_bad_file_hides_nothing_and_each_document_has_its_lines() {
    let dir = folder_with(&[
        ("all.yaml", MULTI),
        (
            "broken.yaml",
            "kind: Service\nmetadata:\n  name: x\n  name: y\n",
        ),
    ]);
    let (code, report) = doctor_json(dir.path());
    assert_eq!(code, Some(1), "{report}");
    let mut found = rule_lines(&report);
    found.sort();
    assert_eq!(
        found,
        [
            (
                "unpinned-image".to_string(),
                line_of(MULTI, "litellm:main-v1")
            ),
            (
                "unpinned-image".to_string(),
                line_of(MULTI, "cloudflared:latest")
            ),
            ("unreadable-file".to_string(), 4),
        ]
    );
}

/// An empty folder is an error that says so; a link loop and a linked file are not followed
/// (the link is reported) and the run ends.
#[test]
fn an_empty_folder_says_so_and_links_are_not_followed() {
    let empty = tempfile::tempdir().unwrap();
    let output = clawboot(&["doctor", &empty.path().display().to_string()]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        text(&output.stderr).contains("nothing to lint in"),
        "{}",
        text(&output.stderr)
    );

    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("sub")).unwrap();
    std::os::unix::fs::symlink(dir.path(), dir.path().join("sub/loop")).unwrap();
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("elsewhere.yaml"), MULTI).unwrap();
    std::os::unix::fs::symlink(
        outside.path().join("elsewhere.yaml"),
        dir.path().join("linked.yaml"),
    )
    .unwrap();
    let (code, report) = doctor_json(dir.path());
    assert_eq!(code, Some(1));
    let reported: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            assert_eq!(f["rule"], "unreadable-file");
            assert!(
                f["problem"].as_str().unwrap().contains("a symbolic link"),
                "{f}"
            );
            f["file"].as_str().unwrap()
        })
        .collect();
    assert_eq!(reported, ["linked.yaml", "sub/loop"]);
}

/// `helm template … | clawboot doctor -`: the stream is linted, its findings named `<stdin>`.
#[test]
fn a_stream_on_standard_input_is_linted() {
    let path = std::env::var("PATH").unwrap_or_default();
    let (code, report) = doctor_with(&["-"], &path, MULTI);
    assert_eq!(code, Some(1), "{report}");
    let files: BTreeSet<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["file"].as_str().unwrap())
        .collect();
    assert_eq!(files, ["<stdin>"].into());
    assert_eq!(rule_lines(&report).len(), 2);
    let (code, report) = doctor_with(&["-"], &path, "");
    assert_eq!(code, Some(2), "{report}");
}

/// A kustomize folder is linted as built (the generated ConfigMap's openclaw.json included)
/// when kubectl is on PATH; without it, file by file, and the report says which.
#[test]
fn a_kustomization_is_linted_as_built() {
    let dir = folder_with(&[
        (
            "kustomization.yaml",
            "resources:\n  - deployment.yaml\nconfigMapGenerator:\n  - name: openclaw-config\n    files:\n      - openclaw.json\n",
        ),
        ("deployment.yaml", MULTI.split("---\n").nth(2).unwrap()),
        ("openclaw.json", "{ agent: { model: \"x\" } }\n"),
    ]);
    let folder = dir.path().display().to_string();
    let with_kubectl = format!(
        "{}:{}",
        kubectl().parent().unwrap().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let (code, built) = doctor_with(&[&folder], &with_kubectl, "");
    assert_eq!(code, Some(1), "{built}");
    assert_eq!(built["read_as"], "as built by `kubectl kustomize`");
    let rules: BTreeSet<&str> = built["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            assert_eq!(f["file"], "<kustomize build>");
            f["rule"].as_str().unwrap()
        })
        .collect();
    assert_eq!(
        rules,
        ["gateway-mode-missing", "legacy-agent-key", "unpinned-image"].into()
    );

    let (code, plain) = doctor_with(&[&folder], "/nonexistent", "");
    assert_eq!(code, Some(1), "{plain}");
    assert!(plain["read_as"]
        .as_str()
        .unwrap()
        .starts_with("file by file: kubectl is not on PATH"));
}

/// openclaw.json is checked against the schema of the release the image runs, wherever it sits
/// (a Secret's stringData, a Helm values file): 2026.9.6 refuses `tools.exec.timeoutSec`,
/// 2026.5.28 accepts it; both refuse a console style they do not know, at its line.
#[test]
fn the_config_is_checked_against_the_release_the_image_runs() {
    let config = "{\n  \"gateway\": { \"mode\": \"local\" },\n  \"logging\": {\n    \"consoleStyle\": \"fancy\"\n  },\n  \"tools\": { \"exec\": { \"timeoutSec\": 30 } }\n}\n";
    let indented = |spaces: usize| -> String {
        config
            .lines()
            .map(|l| format!("{}{l}\n", " ".repeat(spaces)))
            .collect()
    };
    let secret = format!(
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: openclaw\nstringData:\n  openclaw.json: |\n{}",
        indented(4)
    );
    let values = format!("openclaw:\n  config: |\n{}", indented(4));
    for (release, refused) in [
        ("2026.5.28", vec!["logging.consoleStyle"]),
        ("2026.9.6", vec!["logging.consoleStyle", "tools.exec"]),
    ] {
        let deployment = format!("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: openclaw\nspec:\n  template:\n    spec:\n      containers:\n        - name: openclaw\n          image: ghcr.io/openclaw/openclaw:{release}\n");
        let dir = folder_with(&[
            ("deployment.yaml", &deployment),
            ("secret.yaml", &secret),
            ("values.yaml", &values),
        ]);
        let (_, report) = doctor_json(dir.path());
        for (file, text) in [("secret.yaml", &secret), ("values.yaml", &values)] {
            let found: Vec<(String, u64)> = report["findings"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|f| f["rule"] == "config-schema" && f["file"] == file)
                .map(|f| {
                    let problem = f["problem"].as_str().unwrap();
                    assert!(
                        problem.contains(&format!("OpenClaw {release} (the OpenClaw image's tag)")),
                        "{problem}"
                    );
                    let at = problem.split('`').nth(1).unwrap().to_string();
                    (at, f["line"].as_u64().unwrap())
                })
                .collect();
            let expected: Vec<(String, u64)> = refused
                .iter()
                .map(|at| {
                    let key = at.rsplit('.').next().unwrap();
                    let key = if key == "exec" { "timeoutSec" } else { key };
                    (at.to_string(), line_of(text, &format!("\"{key}\"")))
                })
                .collect();
            assert_eq!(found, expected, "{release} {file}: {report}");
        }
    }
}

/// A folder of manifests with nothing of OpenClaw in it is not "all is well": it is the wrong
/// folder, and doctor says so (exit 2).
#[test]
fn a_folder_without_openclaw_is_the_wrong_folder() {
    let dir = folder_with(&[(
        "app.yaml",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: shop\nspec:\n  template:\n    spec:\n      containers:\n        - name: shop\n          image: example/shop:1.2.3\n",
    )]);
    let output = clawboot(&["doctor", &dir.path().display().to_string()]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        text(&output.stderr).contains("nothing of OpenClaw in"),
        "{}",
        text(&output.stderr)
    );
}

/// A token put where the schema wants something else, or given as `--token=…`, is never
/// printed: a finding says what is wanted, not the value it found.
#[test]
fn a_finding_never_shows_a_secret_value() {
    const CANARY: &str = "CANARY-doctor-token-0123456789";
    let secret = format!(
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: openclaw\nstringData:\n  openclaw.json: |\n    {{ \"gateway\": {{ \"mode\": \"local\", \"port\": \"{CANARY}\" }},\n      \"logging\": {{ \"level\": \"{CANARY}\" }} }}\n"
    );
    let deployment = format!(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: cloudflared\nspec:\n  template:\n    spec:\n      containers:\n        - name: cloudflared\n          image: cloudflare/cloudflared:2025.1.0\n          args: [\"tunnel\", \"run\", \"--token={CANARY}\"]\n"
    );
    let dir = folder_with(&[("secret.yaml", &secret), ("deployment.yaml", &deployment)]);
    for output in ["text", "json"] {
        let printed = clawboot(&[
            "doctor",
            &dir.path().display().to_string(),
            "--output",
            output,
        ]);
        let all = format!("{}{}", text(&printed.stdout), text(&printed.stderr));
        assert_eq!(printed.status.code(), Some(1), "{all}");
        assert!(all.contains("gateway.port"), "{all}");
        assert!(all.contains("logging.level"), "{all}");
        assert!(all.contains("--token=…"), "{all}");
        assert!(!all.contains(CANARY), "{output}: {all}");
    }
}
