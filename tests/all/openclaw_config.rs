//! The openclaw.json inside the rendered ConfigMap, checked by the real OpenClaw of every supported
//! release: `config validate` with zero warnings and the gateway-config lint, on a state dir that
//! the rendered `init-plugins` container filled by running for real. Nothing else installs a plugin.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::common::*;
use clawboot::openclaw::plugins;
use clawboot::profile::Profile;
use serde_json::Value;

const RELEASES: [&str; 2] = ["2026.5.28", "2026.9.6"];

/// The container's paths, as the test maps them: the volume and the scratch volume.
const POD_STATE_DIR: &str = "/home/node/.openclaw";
const POD_TMP: &str = "/tmp";

/// PATH with the release's node and openclaw first.
fn path_for(release: &str) -> String {
    let bin = peer(&format!("oc-{release}/node_modules/.bin"));
    format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    )
}

/// Run the real `openclaw` of a release on a config file and a state dir, offline.
fn openclaw(release: &str, state: &Path, config: &Path, args: &[&str]) -> (i32, String) {
    let scratch = tempfile::tempdir().unwrap();
    run(Command::new("openclaw")
        .args(args)
        .env("PATH", path_for(release))
        .env("HOME", scratch.path())
        .env("TMPDIR", scratch.path())
        .env("OPENCLAW_STATE_DIR", state)
        .env("OPENCLAW_CONFIG_PATH", config))
}

fn validate(release: &str, state: &Path, config: &Path) -> (i32, Value) {
    let (code, out) = openclaw(release, state, config, &["config", "validate", "--json"]);
    (code, last_json(&out))
}

fn lint(release: &str, state: &Path, config: &Path) -> (i32, Value) {
    let (code, out) = openclaw(
        release,
        state,
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

/// `answers` with the OpenClaw release (and the image tag that must match it) set to `release`.
pub fn with_release(answers: Option<&str>, release: &str) -> String {
    let mut yaml: serde_yaml::Value =
        serde_yaml::from_str(answers.unwrap_or("{}")).unwrap_or_default();
    yaml["openclaw"]["release"] = release.into();
    yaml["images"]["openclaw"] = format!("ghcr.io/openclaw/openclaw:{release}").into();
    serde_yaml::to_string(&yaml).unwrap()
}

/// Render with `answers`; the openclaw.json the ConfigMap carries (as a file) and the deployment.
pub fn rendered(dir: &Path, answers: &str) -> (PathBuf, Value, serde_yaml::Value) {
    render_into(&dir.join("out"), Some(answers));
    let read = |name: &str| -> serde_yaml::Value {
        let text = fs::read_to_string(gitops_dir(&dir.join("out")).join(name)).unwrap();
        serde_yaml::from_str(&text).unwrap()
    };
    let json = read("configmap-openclaw.yaml")["data"]["openclaw.json"]
        .as_str()
        .unwrap()
        .to_string();
    let path = dir.join("openclaw.json");
    fs::write(&path, &json).unwrap();
    (
        path,
        serde_json::from_str(&json).unwrap(),
        read("deployment-openclaw.yaml"),
    )
}

/// The rendered `init-plugins` container, if the release needs one.
fn init_plugins(deployment: &serde_yaml::Value) -> Option<&serde_yaml::Value> {
    deployment["spec"]["template"]["spec"]["initContainers"]
        .as_sequence()?
        .iter()
        .find(|c| c["name"] == "init-plugins")
}

/// Run the container's own command and environment with the release's real OpenClaw, its
/// volume mapped to `state` and its scratch volume to a temp folder. The container's HOME
/// (npm's cache, nothing else) is a cache folder the runs share, so npm downloads once.
fn run_init(release: &str, container: &serde_yaml::Value, state: &Path) -> (i32, String) {
    let scratch = tempfile::tempdir().unwrap();
    let npm_home = repo().join(".peers/npm-home");
    fs::create_dir_all(&npm_home).unwrap();
    // The container's arguments name the volume's mount too (`init-credentials`).
    let argv: Vec<String> = container["command"]
        .as_sequence()
        .unwrap()
        .iter()
        .chain(container["args"].as_sequence().into_iter().flatten())
        .map(|a| a.as_str().unwrap())
        .map(|a| match a.strip_prefix(POD_STATE_DIR) {
            Some(rest) => format!("{}{rest}", state.display()),
            None => a.to_string(),
        })
        .collect();
    let mut command = Command::new(&argv[0]);
    command
        .args(&argv[1..])
        .env("PATH", path_for(release))
        .env("TMPDIR", scratch.path());
    // The machine's own network settings (a proxy's CA) stay; OpenClaw's and npm's come from the
    // manifest alone.
    for (name, _) in std::env::vars() {
        if name.starts_with("OPENCLAW_") || name.to_lowercase().starts_with("npm_config_") {
            command.env_remove(name);
        }
    }
    for var in container["env"].as_sequence().unwrap() {
        let (name, value) = (
            var["name"].as_str().unwrap(),
            var["value"].as_str().unwrap(),
        );
        let mapped = if name == "HOME" {
            npm_home.clone()
        } else if let Some(rest) = value.strip_prefix(POD_STATE_DIR) {
            PathBuf::from(format!("{}{rest}", state.display()))
        } else if let Some(rest) = value.strip_prefix(POD_TMP) {
            PathBuf::from(format!("{}{rest}", scratch.path().display()))
        } else {
            PathBuf::from(value)
        };
        command.env(name, mapped);
    }
    run(&mut command)
}

fn assert_clean(release: &str, state: &Path, config: &Path) {
    let (code, report) = validate(release, state, config);
    assert_eq!(code, 0, "OpenClaw {release} rejected the config: {report}");
    assert_eq!(report["valid"], true);
    let warnings = report
        .get("warnings")
        .and_then(Value::as_array)
        .map_or(0, Vec::len);
    assert_eq!(warnings, 0, "OpenClaw {release} warned: {report}");
    let (code, report) = lint(release, state, config);
    assert_eq!(code, 0, "OpenClaw {release} lint found: {report}");
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
fn the_init_container_leaves_a_state_on_which_every_release_accepts_the_config() {
    // Profiles whose init-plugins containers are identical share the volume it filled.
    let mut volumes: Vec<(String, tempfile::TempDir)> = Vec::new();
    for (label, answers) in PROFILES {
        for release in RELEASES {
            eprintln!("OpenClaw {release}: {label}");
            let dir = tempfile::tempdir().unwrap();
            let (config, _, deployment) = rendered(dir.path(), &with_release(answers, release));
            let Some(container) = init_plugins(&deployment) else {
                assert_clean(release, dir.path(), &config);
                continue;
            };
            let key = format!("{release} {}", serde_yaml::to_string(container).unwrap());
            if let Some((_, volume)) = volumes.iter().find(|(k, _)| *k == key) {
                assert_clean(release, volume.path(), &config);
                continue;
            }
            let volume = tempfile::tempdir().unwrap();
            let (code, out) = run_init(release, container, volume.path());
            assert_eq!(code, 0, "init-plugins failed on {release}:\n{out}");
            assert!(out.contains("plugin discord: @openclaw/discord@"), "{out}");
            // A second start installs nothing.
            let (code, again) = run_init(release, container, volume.path());
            assert_eq!(code, 0, "{again}");
            assert!(!again.contains("installing"), "{again}");
            assert!(
                again.contains("plugin discord: 2026.9.6 already installed"),
                "{again}"
            );
            assert_clean(release, volume.path(), &config);
            assert_verify_sees_the_plugins(release, answers, volume.path());
            volumes.push((key, volume));
        }
    }
    assert_eq!(volumes.len(), 2, "with and without the Codex plugin");
}

/// Verify's own listing script, run on the volume: every needed plugin is there and loaded.
fn assert_verify_sees_the_plugins(release: &str, answers: Option<&str>, volume: &Path) {
    let profile = Profile::from_answers(&with_release(answers, release)).unwrap();
    let scratch = tempfile::tempdir().unwrap();
    let (code, out) = run(Command::new("sh")
        .args(["-c", plugins::LIST_SCRIPT])
        .env("PATH", path_for(release))
        .env("HOME", scratch.path())
        .env("TMPDIR", scratch.path())
        .env("OPENCLAW_STATE_DIR", volume));
    assert_eq!(code, 0, "{out}");
    let listed = plugins::parse_listing(&out).unwrap();
    for plugin in plugins::needed(&profile) {
        let said = plugins::judge(plugin, &listed);
        assert!(
            said.as_ref().is_ok_and(|s| s.contains("loaded")),
            "{said:?}"
        );
    }
}

#[test]
fn without_the_init_container_the_release_warns_that_discord_is_missing() {
    let dir = tempfile::tempdir().unwrap();
    let (config, _, _) = rendered(dir.path(), &with_release(None, "2026.9.6"));
    let empty = dir.path().join("volume");
    fs::create_dir(&empty).unwrap();
    let (_, report) = validate("2026.9.6", &empty, &config);
    assert!(
        report.to_string().contains("plugin not installed: discord"),
        "{report}"
    );
}

#[test]
fn an_unreachable_registry_fails_the_init_container_with_the_reason() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let registry = format!("http://127.0.0.1:{port}/");
    let answers = format!("openclaw:\n  plugin_registry: {registry}\n  codex_subscription: false\n  fallback_models: [litellm/anthropic/claude-opus-4-6]\n");
    let dir = tempfile::tempdir().unwrap();
    let (_, _, deployment) = rendered(dir.path(), &with_release(Some(&answers), "2026.9.6"));
    let state = dir.path().join("volume");
    fs::create_dir(&state).unwrap();
    let (code, out) = run_init("2026.9.6", init_plugins(&deployment).unwrap(), &state);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains(&format!(
            "cannot install @openclaw/discord@2026.9.6 from {registry}: "
        )) && out.contains("ECONNREFUSED")
            && out.contains("openclaw.plugin_registry"),
        "{out}"
    );
}

#[test]
fn the_validators_reject_what_the_seed_plan_got_wrong() {
    let dir = tempfile::tempdir().unwrap();
    let (path, config, _) = rendered(dir.path(), &with_release(None, "2026.9.6"));
    let empty = dir.path().join("volume");
    fs::create_dir(&empty).unwrap();
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
    for release in RELEASES {
        let (code, report) = lint(release, &empty, &no_mode);
        assert_eq!(code, 1, "{release} lint missed gateway.mode: {report}");
        assert!(report.to_string().contains("gateway.mode"), "{report}");
        for broken in [&openai_chat, &legacy_agent] {
            let (code, report) = validate(release, &empty, broken);
            assert_eq!(code, 1, "{release} accepted {}: {report}", broken.display());
            assert_eq!(report["valid"], false);
        }
    }
}

/// Configs other deployments were found with: retired and unknown keys, values out of range.
const REFUSED_CONFIGS: [&str; 4] = [
    r#"{ "gateway": { "mode": "local", "controlUi": { "allowInsecureAuth": true } },
         "logging": { "consoleStyle": "fancy", "redactSensitive": true } }"#,
    r#"{ "gateway": { "mode": "local" }, "tools": { "exec": { "timeoutSec": 30 } },
         "agent": { "model": "x" } }"#,
    r#"{ "gateway": { "mode": "remote", "port": "eighteen" },
         "agents": { "defaults": { "runtime": "docker" } } }"#,
    r#"{ "gateway": { "mode": "local", "bind": "everywhere" }, "logging": { "level": "loud" } }"#,
];

/// Where the schema refuses `config` (the object holding each fault, as OpenClaw names it).
fn refused_at(
    schema: &clawboot::openclaw::schema::Schema,
    config: &Value,
) -> std::collections::BTreeSet<String> {
    schema
        .violations(config)
        .unwrap()
        .into_iter()
        .map(|v| v.at)
        .collect()
}

/// The paths of the issues `openclaw config validate --json` reported (its root as "").
fn issue_paths(said: &Value) -> std::collections::BTreeSet<String> {
    said["issues"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|issue| match issue["path"].as_str().unwrap() {
            "<root>" => String::new(),
            path => path.to_string(),
        })
        .collect()
}

/// doctor's schema check (the schema each release prints, shipped in assets/) and the real
/// `openclaw config validate` of the same release refuse the same configs at the same paths.
#[test]
fn the_shipped_schema_and_openclaw_config_validate_agree() {
    use clawboot::openclaw::release::Release;
    use clawboot::openclaw::schema::Schema;
    for release in RELEASES {
        let schema = Schema::of(Release::parse(release).unwrap())
            .unwrap()
            .unwrap();
        for (i, config) in REFUSED_CONFIGS.iter().enumerate() {
            let value: Value = serde_json::from_str(config).unwrap();
            let ours = refused_at(&schema, &value);
            let dir = tempfile::tempdir().unwrap();
            let file = dir.path().join("openclaw.json");
            fs::write(&file, config).unwrap();
            let (_, said) = validate(release, &dir.path().join("state"), &file);
            let theirs = issue_paths(&said);
            assert!(!ours.is_empty(), "{release} config {i}: refused by neither");
            assert_eq!(ours, theirs, "{release} config {i}: {said}");
        }
    }
}

/// The openclaw.json of each doctor fixture, judged as doctor judges it (after the release's
/// legacy migrations) and by the real `openclaw config validate` of 2026.9.6: the same paths
/// refused, none where OpenClaw accepts.
#[test]
fn doctor_and_openclaw_config_validate_agree_on_every_fixture() {
    use clawboot::openclaw::release::Release;
    use clawboot::openclaw::schema::Schema;
    let release = crate::codex::SQLITE_ERA;
    let schema = Schema::of(Release::parse(release).unwrap())
        .unwrap()
        .unwrap();
    let keyed = schema.keys_agents_by_id().unwrap();
    let fixtures = repo().join("tests/fixtures/doctor");
    let mut checked = 0;
    for entry in fs::read_dir(&fixtures).unwrap() {
        let folder = entry.unwrap().path();
        for name in ["openclaw.json", "openclaw.json5"] {
            let file = folder.join(name);
            let Ok(text) = fs::read_to_string(&file) else {
                continue;
            };
            // JSON5 as these fixtures write it is YAML's flow style; a file that does not parse
            // is doctor's own finding (`unreadable-file`), not the schema's.
            let parsed = match name {
                "openclaw.json" => serde_json::from_str::<Value>(&text).ok(),
                _ => serde_yaml::from_str::<Value>(&text).ok(),
            };
            let Some(value) = parsed else {
                continue;
            };
            let (migrated, _) = clawboot::openclaw::legacy::migrate(&value, keyed);
            let ours = refused_at(&schema, &migrated);
            let (_, said) = validate(release, &folder.join("no-state"), &file);
            let theirs = issue_paths(&said);
            assert_eq!(ours, theirs, "{}: {said}", file.display());
            checked += 1;
        }
    }
    assert!(checked >= 9, "{checked} fixtures");
}

/// A config in 2026.5.28's shape (`agents.list`) read by 2026.9.6: doctor names the legacy key
/// and finds, in what OpenClaw's migration makes of it, exactly the faults OpenClaw's own
/// `doctor --fix` (on a copy) still finds after migrating.
#[test]
fn doctor_judges_a_legacy_agent_list_as_openclaw_migrates_it() {
    use clawboot::openclaw::release::Release;
    use clawboot::openclaw::schema::Schema;
    use std::collections::BTreeSet;
    let release = crate::codex::SQLITE_ERA;
    let config = r#"{"gateway": {"mode": "local"}, "agents": {"list": [
        {"id": "Main Agent", "runtime": "not-a-runtime", "heartbeat": {"every": "30m"}},
        {"id": "main-agent", "sandbox": {"mode": "sometimes"}}]}}"#;
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("copy.json");
    fs::write(&copy, config).unwrap();
    let (_, said) = openclaw(
        release,
        &dir.path().join("state"),
        &copy,
        &["doctor", "--fix", "--non-interactive", "--yes"],
    );
    assert!(
        said.contains("agents.list moved to keyed agents.entries"),
        "{said}"
    );
    let theirs: BTreeSet<String> = said
        .lines()
        .filter_map(|line| line.split_once("- agents.entries.").map(|(_, rest)| rest))
        .map(|rest| format!("agents.entries.{}", rest.split(':').next().unwrap().trim()))
        .collect();
    assert!(!theirs.is_empty(), "{said}");

    let schema = Schema::of(Release::parse(release).unwrap())
        .unwrap()
        .unwrap();
    let value: Value = serde_json::from_str(config).unwrap();
    let (migrated, moved) =
        clawboot::openclaw::legacy::migrate(&value, schema.keys_agents_by_id().unwrap());
    assert_eq!(moved.len(), 1);
    let ours = refused_at(&schema, &migrated);
    assert_eq!(ours, theirs, "{said}");

    // doctor itself, on a folder holding the config.
    let folder = dir.path().join("gitops");
    fs::create_dir_all(&folder).unwrap();
    fs::write(folder.join("openclaw.json"), config).unwrap();
    let printed = text(&clawboot(&["doctor", &folder.display().to_string()]).stdout);
    assert!(
        printed.contains("reads a legacy key, `agents.list`"),
        "{printed}"
    );
    for path in &theirs {
        assert!(printed.contains(&format!("`{path}`")), "{path}: {printed}");
    }
    assert!(!printed.contains("unknown key(s) 'list'"), "{printed}");
}

/// The rendered `init-credentials` container of 2026.9.6, run with the real OpenClaw as the pod
/// runs it before the gateway: an auth-profiles.json that 2026.5.28 wrote is imported (2026.9.6
/// then lists the sign-in), a broken file is archived by OpenClaw, and one an import that fails
/// outright (a corrupt SQLite state) leaves is moved aside (0600), so that OpenClaw no longer stops at "requires legacy
/// credential migration".
#[test]
fn init_credentials_imports_a_legacy_file_or_moves_it_aside() {
    let release = crate::codex::SQLITE_ERA;
    let dir = tempfile::tempdir().unwrap();
    let (_, _, deployment) = rendered(dir.path(), &with_release(None, release));
    let container = deployment["spec"]["template"]["spec"]["initContainers"]
        .as_sequence()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "init-credentials")
        .expect("an init-credentials container for a SQLite release")
        .clone();
    let legacy = |state: &Path| state.join("agents/main/agent/auth-profiles.json");

    let issuer = crate::codex::issuer("ok");
    let state = dir.path().join("signed-in");
    crate::codex::signed_in_for_json_era(&issuer, &state);
    // A config without secret references: `models status` then reads only the credentials.
    let config = dir.path().join("bare.json");
    fs::write(&config, "{}").unwrap();
    let status =
        |state: &Path| openclaw(release, state, &config, &["models", "status", "--json"]).1;
    let before = status(&state);
    assert!(
        before.contains("legacy credential migration"),
        "what stops the gateway: {before}"
    );
    let (code, out) = run_init(release, &container, &state);
    assert_eq!(code, 0, "{out}");
    let held = held_by_openclaw(release, &state, "openai");
    assert_eq!(
        held.iter().map(|h| h.id.as_str()).collect::<Vec<_>>(),
        ["openai:codex-user@example.com"],
        "{out}"
    );
    assert!(!legacy(&state).exists());

    let state = dir.path().join("broken");
    fs::create_dir_all(legacy(&state).parent().unwrap()).unwrap();
    fs::write(
        legacy(&state),
        "{\"version\": 1, \"profiles\": [\"not a profile\"]}\n",
    )
    .unwrap();
    let (code, out) = run_init(release, &container, &state);
    assert_eq!(code, 0, "the pod goes on to start: {out}");
    assert!(!legacy(&state).exists(), "{out}");
    // OpenClaw archived it (or init-credentials moved it aside): its content is kept, not lost.
    let kept: Vec<PathBuf> = fs::read_dir(legacy(&state).parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().contains("auth-profiles.json."))
        .collect();
    assert_eq!(kept.len(), 1, "{out}");
    assert!(fs::read_to_string(&kept[0])
        .unwrap()
        .contains("not a profile"));
    let said = status(&state);
    assert!(!said.contains("legacy credential migration"), "{said}");

    // OpenClaw's import fails outright (its SQLite state is not a database) and leaves the
    // file: init-credentials moves it aside, 0600 and whole, and says where.
    let state = dir.path().join("import-fails");
    crate::codex::signed_in_for_json_era(&issuer, &state);
    fs::create_dir_all(state.join("state")).unwrap();
    fs::write(
        state.join("state/openclaw.sqlite"),
        "not a database\n".repeat(300),
    )
    .unwrap();
    let original = fs::read(legacy(&state)).unwrap();
    let (code, out) = run_init(release, &container, &state);
    assert_eq!(code, 0, "the pod goes on to start: {out}");
    assert!(out.contains("did not import"), "{out}");
    let aside: Vec<PathBuf> = fs::read_dir(legacy(&state).parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.to_string_lossy()
                .contains("auth-profiles.json.unimported-")
        })
        .collect();
    assert_eq!(aside.len(), 1, "{out}");
    assert_eq!(fs::read(&aside[0]).unwrap(), original);
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        fs::metadata(&aside[0]).unwrap().permissions().mode() & 0o777,
        0o600
    );
    assert!(!legacy(&state).exists());
}
