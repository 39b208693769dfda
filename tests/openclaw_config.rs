//! The openclaw.json inside the rendered ConfigMap, checked by the real OpenClaw of every supported
//! release: `config validate` with zero warnings (plugins installed) and the gateway-config lint.

mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::*;
use serde_json::Value;

struct Release {
    version: &'static str,
    /// A state dir with the external plugins installed, or `None` where they are bundled.
    plugin_state: Option<&'static str>,
}

const RELEASES: [Release; 2] = [
    Release {
        version: "2026.5.28",
        plugin_state: None,
    },
    Release {
        version: "2026.9.6",
        plugin_state: Some("oc-2026.9.6/plugin-state"),
    },
];

/// Run the real `openclaw` of a release on a config file, offline, in scratch HOME/TMPDIR.
fn openclaw(release: &Release, config: &Path, args: &[&str]) -> (i32, String) {
    let scratch = tempfile::tempdir().unwrap();
    let bin = peer(&format!("oc-{}/node_modules/.bin", release.version));
    let state = match release.plugin_state {
        Some(dir) => peer(dir),
        None => scratch.path().join("state"),
    };
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    run(Command::new(bin.join("openclaw"))
        .args(args)
        .env("PATH", path)
        .env("HOME", scratch.path())
        .env("TMPDIR", scratch.path())
        .env("OPENCLAW_STATE_DIR", state)
        .env("OPENCLAW_CONFIG_PATH", config))
}

fn validate(release: &Release, config: &Path) -> (i32, Value) {
    let (code, out) = openclaw(release, config, &["config", "validate", "--json"]);
    (code, last_json(&out))
}

fn lint(release: &Release, config: &Path) -> (i32, Value) {
    let (code, out) = openclaw(
        release,
        config,
        &[
            "doctor",
            "--lint",
            "--only",
            "core/doctor/gateway-config",
            "--json",
        ],
    );
    (code, last_json(&out))
}

/// The JSON document in a command's output (OpenClaw may print notices before it).
fn last_json(out: &str) -> Value {
    let start = out
        .find('{')
        .unwrap_or_else(|| panic!("no JSON in:\n{out}"));
    serde_json::Deserializer::from_str(&out[start..])
        .into_iter::<Value>()
        .next()
        .unwrap()
        .unwrap_or_else(|e| panic!("bad JSON ({e}) in:\n{out}"))
}

/// Render with `answers` and return the openclaw.json the ConfigMap carries, as a file.
fn rendered_config(dir: &Path, answers: Option<&str>) -> (PathBuf, Value) {
    render_into(&dir.join("out"), answers);
    let configmap =
        fs::read_to_string(gitops_dir(&dir.join("out")).join("configmap-openclaw.yaml")).unwrap();
    let configmap: serde_yaml::Value = serde_yaml::from_str(&configmap).unwrap();
    let json = configmap["data"]["openclaw.json"]
        .as_str()
        .unwrap()
        .to_string();
    let path = dir.join("openclaw.json");
    fs::write(&path, &json).unwrap();
    (path, serde_json::from_str(&json).unwrap())
}

fn assert_clean(release: &Release, config: &Path) {
    let (code, report) = validate(release, config);
    assert_eq!(
        code, 0,
        "OpenClaw {} rejected the config: {report}",
        release.version
    );
    assert_eq!(report["valid"], true);
    let warnings = report
        .get("warnings")
        .and_then(Value::as_array)
        .map_or(0, Vec::len);
    assert_eq!(warnings, 0, "OpenClaw {} warned: {report}", release.version);
    let (code, report) = lint(release, config);
    assert_eq!(code, 0, "OpenClaw {} lint found: {report}", release.version);
    assert_eq!(
        report["findings"].as_array().map(Vec::len),
        Some(0),
        "{report}"
    );
}

const PROFILES: [(&str, Option<&str>); 3] = [
    ("embedded defaults", None),
    (
        "allowlist, more models, no Codex",
        Some("openclaw:\n  discord_allow_from: [\"123456789012345678\", \"223456789012345678\"]\n  codex_subscription: false\n  primary_model: litellm/anthropic/claude-opus-4-6\n  fallback_models: [litellm/google/gemini-2.5-pro]\n  sandbox: {mode: non-main, scope: session, workspace_access: ro}\nlitellm:\n  models: [anthropic/claude-opus-4-6, google/gemini-2.5-pro, zai/glm-4.5-flash]\n"),
    ),
    (
        "sandbox off, other namespace, auth.profiles of the Codex sign-in",
        Some("cluster:\n  namespace: assistant\nopenclaw:\n  codex_email: user@example.com\n  sandbox: {mode: \"off\"}\n"),
    ),
];

#[test]
fn every_supported_release_accepts_the_rendered_config_with_zero_warnings() {
    for (label, answers) in PROFILES {
        let dir = tempfile::tempdir().unwrap();
        let (config, _) = rendered_config(dir.path(), answers);
        for release in &RELEASES {
            eprintln!("OpenClaw {}: {label}", release.version);
            assert_clean(release, &config);
        }
    }
}

#[test]
fn the_validators_reject_what_the_seed_plan_got_wrong() {
    let dir = tempfile::tempdir().unwrap();
    let (path, config) = rendered_config(dir.path(), None);
    let write = |name: &str, mutate: &dyn Fn(&mut Value)| {
        let mut broken = config.clone();
        mutate(&mut broken);
        let file = path.with_file_name(name);
        fs::write(&file, serde_json::to_string_pretty(&broken).unwrap()).unwrap();
        file
    };
    let no_mode = write("no-mode.json", &|c| {
        c["gateway"].as_object_mut().unwrap().remove("mode");
    });
    let openai_chat = write("openai-chat.json", &|c| {
        c["models"]["providers"]["litellm"]["api"] = "openai-chat".into();
    });
    let legacy_agent = write("agent.json", &|c| {
        c["agent"] = serde_json::json!({ "model": { "primary": "sonnet" } });
    });
    for release in &RELEASES {
        let (code, report) = lint(release, &no_mode);
        assert_eq!(
            code, 1,
            "{} lint missed gateway.mode: {report}",
            release.version
        );
        assert!(report.to_string().contains("gateway.mode"), "{report}");
        for broken in [&openai_chat, &legacy_agent] {
            let (code, report) = validate(release, broken);
            assert_eq!(
                code,
                1,
                "{} accepted {}: {report}",
                release.version,
                broken.display()
            );
            assert_eq!(report["valid"], false);
        }
    }
}
