//! `clawboot secrets` against a real moto server on 127.0.0.1: seed, re-seed, overwrite,
//! dummy values, tags, rotation, history, rollback, partial failures and clear errors.

use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

use crate::common::ssm::{refusing_proxy, shared_moto};
use crate::common::*;
use serde_json::Value;

fn moto_url() -> String {
    shared_moto().url()
}

const REGION: &str = "ap-northeast-1";

/// An isolated operator: own HOME, own SSM prefix, only the environment given here.
struct Operator {
    home: tempfile::TempDir,
    answers: PathBuf,
    prefix: String,
}

impl Operator {
    fn new(name: &str) -> Self {
        let home = tempfile::tempdir().unwrap();
        let prefix = format!("/{name}/openclaw");
        let answers = home.path().join("answers.yaml");
        std::fs::write(&answers, format!("aws:\n  ssm_prefix: {prefix}\n")).unwrap();
        Self {
            home,
            answers,
            prefix,
        }
    }

    fn command(&self, program: &std::path::Path) -> Command {
        let mut command = Command::new(program);
        command
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("HOME", self.home.path())
            .env("AWS_ACCESS_KEY_ID", "test")
            .env("AWS_SECRET_ACCESS_KEY", "test")
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .envs(NO_TOKEN_APIS)
            .stdin(Stdio::null());
        command
    }

    /// `clawboot --profile … secrets --endpoint-url <moto> ARGS`, with extra environment.
    fn secrets(&self, args: &[&str], env: &[(&str, &str)]) -> Output {
        self.secrets_at(&moto_url(), args, env)
    }

    fn secrets_at(&self, endpoint: &str, args: &[&str], env: &[(&str, &str)]) -> Output {
        let mut command = self.command(std::path::Path::new(env!("CARGO_BIN_EXE_clawboot")));
        command
            .arg("--profile")
            .arg(&self.answers)
            .args(["secrets", "--endpoint-url", endpoint])
            .args(args)
            .envs(env.iter().copied());
        command.output().unwrap()
    }

    fn seed_all(&self, extra: &[&str]) -> Output {
        self.seed_at(&moto_url(), &ASKED, extra)
    }

    /// `secrets seed --non-interactive EXTRA` at `endpoint`, each of `values` given as
    /// `CLAWBOOT_<NAME>`.
    fn seed_at(&self, endpoint: &str, values: &[(&str, &str)], extra: &[&str]) -> Output {
        let env: Vec<(String, &str)> = values
            .iter()
            .map(|(name, value)| (format!("CLAWBOOT_{name}"), *value))
            .collect();
        let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), *v)).collect();
        let mut args = vec!["seed", "--non-interactive"];
        args.extend_from_slice(extra);
        self.secrets_at(endpoint, &args, &env)
    }

    /// `secrets seed --non-interactive EXTRA` with ASKED's values, the tokens checked at `apis`.
    fn seed_checked(&self, apis: &[(String, String)], extra: &[&str]) -> Output {
        let mut env = apis.to_vec();
        env.extend(
            ASKED
                .iter()
                .map(|(name, value)| (format!("CLAWBOOT_{name}"), value.to_string())),
        );
        let mut args = vec!["seed", "--non-interactive"];
        args.extend_from_slice(extra);
        self.secrets(&args, &pairs(&env))
    }

    fn json(&self, args: &[&str]) -> Value {
        let mut full = args.to_vec();
        full.extend(["--output", "json"]);
        let output = self.secrets(&full, &[]);
        serde_json::from_slice(&output.stdout)
            .unwrap_or_else(|e| panic!("{e}: {}{}", text(&output.stdout), text(&output.stderr)))
    }

    fn status(&self, name: &str) -> Value {
        let statuses = self.json(&["status"]);
        statuses["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["name"] == name)
            .cloned()
            .unwrap()
    }

    fn versions(&self, name: &str) -> Vec<Value> {
        self.json(&["history", name])["versions"]
            .as_array()
            .unwrap()
            .clone()
    }

    fn path(&self, name: &str) -> String {
        format!("{}/{name}", self.prefix)
    }

    /// A little boto3 against moto, for setup and for reading what clawboot never prints.
    fn boto3(&self, script: &str) -> String {
        let prelude = format!(
            "import boto3\nssm = boto3.client('ssm', endpoint_url='{}', region_name='{REGION}')\n",
            moto_url()
        );
        let output = self
            .command(&python())
            .arg("-c")
            .arg(prelude + script)
            .output()
            .unwrap();
        assert!(output.status.success(), "boto3: {}", text(&output.stderr));
        text(&output.stdout).trim().to_string()
    }

    fn value(&self, name: &str, version: u64) -> String {
        self.boto3(&format!(
            "print(ssm.get_parameter(Name='{}:{version}', WithDecryption=True)['Parameter']['Value'])",
            self.path(name)
        ))
    }
}

#[test]
fn seed_from_empty_writes_everything_and_a_second_seed_changes_nothing() {
    let op = Operator::new("seed-empty");
    let first = op.seed_all(&[]);
    assert_eq!(
        first.status.code(),
        Some(1),
        "tunnel-token is left for Terraform: {}",
        text(&first.stderr)
    );
    let stdout = text(&first.stdout);
    for name in [
        "DISCORD_BOT_TOKEN",
        "GITHUB_TOKEN",
        "OPENAI_API_KEY",
        "ANTHROPIC_API_KEY",
        "OPENCLAW_GATEWAY_TOKEN",
        "LITELLM_MASTER_KEY",
    ] {
        assert!(
            stdout.contains(&format!("written    {name} (version 1)")),
            "{stdout}"
        );
        assert_eq!(op.status(name)["state"], "set");
    }
    assert!(stdout.contains("not set    tunnel-token: written by the Cloudflare Terraform"));
    assert_eq!(
        op.status("LITELLM_PROXY_KEY")["state"],
        "missing",
        "optional ones are left alone"
    );
    let gateway = op.value("OPENCLAW_GATEWAY_TOKEN", 1);
    assert!(gateway.len() >= 43);
    assert!(op.value("LITELLM_MASTER_KEY", 1).starts_with("sk-"));

    let second = op.seed_all(&["--output", "json"]);
    let report: Value = serde_json::from_slice(&second.stdout).unwrap();
    assert_eq!(report["written"], serde_json::json!([]));
    assert_eq!(report["kept"].as_array().unwrap().len(), 6);
    assert_eq!(
        op.versions("OPENCLAW_GATEWAY_TOKEN").len(),
        1,
        "no new version"
    );
    let status = op.status("DISCORD_BOT_TOKEN");
    assert_eq!(status["version"], 1);
    assert_eq!(status["key_id"], "alias/aws/ssm");
}

#[test]
fn overwrite_needs_the_flag_and_a_confirmation_and_unchanged_values_make_no_version() {
    let op = Operator::new("overwrite");
    op.seed_all(&[]);
    let new_token = "sk-ant-api03-zyxwvutsrqponmlkjihgfedcba";
    let env = [("CLAWBOOT_ANTHROPIC_API_KEY", new_token)];

    let without_flag = op.secrets(&["seed", "--non-interactive"], &env);
    assert!(text(&without_flag.stdout)
        .contains("unused: the value given for ANTHROPIC_API_KEY: it is already set and was kept"));
    let without_yes = op.secrets(&["seed", "--non-interactive", "--overwrite"], &env);
    assert_eq!(without_yes.status.code(), Some(1));
    let stdout = text(&without_yes.stdout);
    assert!(
        stdout.contains("missing: not confirmed (add --yes to confirm): Replace the current values of DISCORD_BOT_TOKEN, GITHUB_TOKEN, OPENAI_API_KEY, ANTHROPIC_API_KEY "),
        "{stdout}"
    );
    assert_eq!(op.versions("ANTHROPIC_API_KEY").len(), 1);

    let confirmed = op.secrets(&["seed", "--non-interactive", "--overwrite", "--yes"], &env);
    assert!(
        text(&confirmed.stdout).contains("written    ANTHROPIC_API_KEY (version 2)"),
        "{}",
        text(&confirmed.stdout)
    );
    assert_eq!(op.value("ANTHROPIC_API_KEY", 2), new_token);
    let versions = op.versions("ANTHROPIC_API_KEY");
    assert_eq!(versions[0]["labels"], serde_json::json!(["previous"]));

    let again = op.secrets(&["seed", "--non-interactive", "--overwrite", "--yes"], &env);
    assert!(
        text(&again.stdout).contains("unchanged  ANTHROPIC_API_KEY (same value: no new version)")
    );
    assert_eq!(op.versions("ANTHROPIC_API_KEY").len(), 2);
}

/// A value of the wrong shape already in SSM is not "set": status says seeding asks for a new
/// one, and seed offers to replace it with the same confirmation as --overwrite.
#[test]
fn a_malformed_value_in_ssm_is_offered_for_replacement() {
    let op = Operator::new("malformed-value");
    op.seed_all(&[]);
    let path = op.path("GITHUB_TOKEN");
    op.boto3(&format!(
        "ssm.put_parameter(Name='{path}', Value='not-a-token', Type='SecureString', Overwrite=True)"
    ));
    assert_eq!(op.status("GITHUB_TOKEN")["state"], "invalid-shape");
    let good = "github_pat_11AAAAAAA0fixedfixedfixedfixedfixed0123456789";
    let unconfirmed = op.secrets(
        &["seed", "--non-interactive"],
        &[("CLAWBOOT_GITHUB_TOKEN", good)],
    );
    let all = format!("{}{}", text(&unconfirmed.stdout), text(&unconfirmed.stderr));
    assert_eq!(unconfirmed.status.code(), Some(1), "{all}");
    assert!(
        all.contains(
            "not confirmed (add --yes to confirm): Replace the current values of GITHUB_TOKEN"
        ),
        "{all}"
    );
    assert_eq!(op.status("GITHUB_TOKEN")["state"], "invalid-shape");
    let confirmed = op.secrets(
        &["seed", "--non-interactive", "--yes"],
        &[("CLAWBOOT_GITHUB_TOKEN", good)],
    );
    assert!(
        text(&confirmed.stdout).contains("written    GITHUB_TOKEN"),
        "{}",
        text(&confirmed.stdout)
    );
    assert_eq!(op.status("GITHUB_TOKEN")["state"], "set");
}

#[test]
fn a_terraform_dummy_counts_as_unset_is_replaced_and_tags_survive() {
    let op = Operator::new("dummy");
    let path = op.path("DISCORD_BOT_TOKEN");
    op.boto3(&format!(
        "ssm.put_parameter(Name='{path}', Value='dummy', Type='SecureString', Tags=[{{'Key': 'owner', 'Value': 'terraform'}}])"
    ));
    assert_eq!(op.status("DISCORD_BOT_TOKEN")["state"], "dummy");
    let seeded = op.seed_all(&[]);
    assert!(
        text(&seeded.stdout).contains("written    DISCORD_BOT_TOKEN (version 2)"),
        "{}",
        text(&seeded.stdout)
    );
    let tags = |op: &Operator| {
        op.boto3(&format!(
            "print(sorted((t['Key'], t['Value']) for t in ssm.list_tags_for_resource(ResourceType='Parameter', ResourceId='{path}')['TagList']))"
        ))
    };
    assert_eq!(
        tags(&op),
        "[('managed-by', 'clawboot'), ('owner', 'terraform')]"
    );
    let overwrite = op.secrets(
        &["seed", "--non-interactive", "--overwrite", "--yes"],
        &[(
            "CLAWBOOT_DISCORD_BOT_TOKEN",
            "MTIzNDU2Nzg5MDEyMzQ1Njc4.HhIiJj.abcdefghijklmnopqrstuvwxyz0123456789CD",
        )],
    );
    assert!(
        overwrite.status.code() != Some(2),
        "{}",
        text(&overwrite.stderr)
    );
    assert_eq!(op.versions("DISCORD_BOT_TOKEN").len(), 3);
    assert_eq!(
        tags(&op),
        "[('managed-by', 'clawboot'), ('owner', 'terraform')]"
    );
}

#[test]
fn rotation_keeps_the_old_version_and_rollback_restores_it_as_a_new_one() {
    let op = Operator::new("rotate");
    op.seed_all(&[]);
    let original = op.value("OPENCLAW_GATEWAY_TOKEN", 1);

    let rotated = op.secrets(&["rotate", "OPENCLAW_GATEWAY_TOKEN", "--no-cluster"], &[]);
    assert_eq!(rotated.status.code(), Some(0), "{}", text(&rotated.stderr));
    let stderr = text(&rotated.stdout);
    assert!(
        stderr
            .contains("the cluster was not touched (--no-cluster); to pick up the new values run:"),
        "{stderr}"
    );
    assert!(
        stderr.contains("kubectl -n openclaw annotate externalsecret/openclaw-es force-sync="),
        "{stderr}"
    );
    assert!(
        stderr.contains("kubectl -n openclaw rollout restart deployment/openclaw"),
        "{stderr}"
    );
    let rotated_value = op.value("OPENCLAW_GATEWAY_TOKEN", 2);
    assert_ne!(rotated_value, original);
    let versions = op.versions("OPENCLAW_GATEWAY_TOKEN");
    assert_eq!(versions.len(), 2);
    assert_eq!(versions[0]["labels"], serde_json::json!(["previous"]));

    let rollback = op.secrets(&["rollback", "OPENCLAW_GATEWAY_TOKEN", "--no-cluster"], &[]);
    assert_eq!(
        rollback.status.code(),
        Some(0),
        "{}",
        text(&rollback.stderr)
    );
    assert!(text(&rollback.stdout).contains(
        "version 1 restored as version 3 (labelled restored-v1); version 2 is labelled previous"
    ));
    assert_eq!(op.value("OPENCLAW_GATEWAY_TOKEN", 3), original);
    let versions = op.versions("OPENCLAW_GATEWAY_TOKEN");
    let labels: Vec<&Value> = versions.iter().map(|v| &v["labels"]).collect();
    assert_eq!(
        labels,
        [
            &serde_json::json!([]),
            &serde_json::json!(["previous"]),
            &serde_json::json!(["restored-v1"])
        ]
    );

    let to_two = op.secrets(
        &[
            "rollback",
            "OPENCLAW_GATEWAY_TOKEN",
            "--to",
            "2",
            "--no-cluster",
        ],
        &[],
    );
    assert_eq!(to_two.status.code(), Some(0));
    assert_eq!(op.value("OPENCLAW_GATEWAY_TOKEN", 4), rotated_value);
    let none = op.secrets(&["rollback", "OPENCLAW_GATEWAY_TOKEN", "--to", "9"], &[]);
    assert!(text(&none.stderr).contains("has no version 9; see `clawboot secrets history`"));

    let asked = op.secrets(
        &[
            "rotate",
            "GITHUB_TOKEN",
            "--no-cluster",
            "--non-interactive",
        ],
        &[(
            "CLAWBOOT_GITHUB_TOKEN",
            "github_pat_11ZYXWVUT0123456789_abcdefghijklmnopqrstuvwxyz01234",
        )],
    );
    assert_eq!(asked.status.code(), Some(0), "{}", text(&asked.stderr));
    assert_eq!(op.versions("GITHUB_TOKEN").len(), 2);
    let terraform = op.secrets(&["rotate", "tunnel-token"], &[]);
    assert!(text(&terraform.stderr).contains("written by the Cloudflare Terraform"));
}

#[test]
fn missing_or_malformed_values_are_refused_before_anything_is_written() {
    let op = Operator::new("refused");
    // No value given: each missing one is listed with where to give it, none is written, and
    // the run ends "still to do" (the generated ones need nobody and are written).
    let nothing = op.secrets(&["seed", "--non-interactive"], &[]);
    assert_eq!(nothing.status.code(), Some(1));
    let stdout = text(&nothing.stdout);
    for name in ASKED.iter().map(|(name, _)| name) {
        assert!(
            stdout.contains(&format!(
                "missing: {name}: set CLAWBOOT_{name} or pass --from-file {name}=PATH"
            )),
            "{stdout}"
        );
        assert_eq!(op.status(name)["state"], "missing");
    }

    let token_file = op.home.path().join("discord.txt");
    std::fs::write(&token_file, "not-a-token\n").unwrap();
    let spec = format!("DISCORD_BOT_TOKEN={}", token_file.display());
    let malformed = op.seed_at(&moto_url(), &ASKED[1..], &["--from-file", &spec]);
    assert_eq!(malformed.status.code(), Some(2));
    assert!(
        text(&malformed.stderr).contains("DISCORD_BOT_TOKEN: the value is not a Discord bot token")
    );
    assert!(!text(&malformed.stderr).contains("not-a-token"));
    assert_eq!(op.status("GITHUB_TOKEN")["state"], "missing");
}

#[test]
fn values_from_stdin_and_files() {
    let op = Operator::new("sources");
    let mut command = op.command(std::path::Path::new(env!("CARGO_BIN_EXE_clawboot")));
    command
        .arg("--profile")
        .arg(&op.answers)
        .args([
            "secrets",
            "--endpoint-url",
            &moto_url(),
            "seed",
            "--non-interactive",
            "--stdin",
            "DISCORD_BOT_TOKEN",
        ])
        .env("CLAWBOOT_GITHUB_TOKEN", ASKED[1].1)
        .env("CLAWBOOT_OPENAI_API_KEY", ASKED[2].1)
        .env("CLAWBOOT_ANTHROPIC_API_KEY", ASKED[3].1);
    let output = output_with_stdin(&mut command, &format!("{}\n", ASKED[0].1));
    assert!(
        text(&output.stdout).contains("written    DISCORD_BOT_TOKEN (version 1)"),
        "{}",
        text(&output.stderr)
    );
    assert_eq!(
        op.value("DISCORD_BOT_TOKEN", 1),
        ASKED[0].1,
        "the line break is not part of the value"
    );
}

#[test]
fn a_partial_failure_says_what_was_written_and_a_rerun_finishes() {
    let op = Operator::new("partial");
    let path = op.path("GITHUB_TOKEN");
    // 100 dummy versions with a label on the oldest: SSM refuses a 101st (ParameterMaxVersionLimitExceeded).
    op.boto3(&format!(
        "for i in range(100): ssm.put_parameter(Name='{path}', Value='dummy', Type='SecureString', Overwrite=i > 0)\n\
         ssm.label_parameter_version(Name='{path}', ParameterVersion=1, Labels=['pinned'])"
    ));
    let first = op.seed_all(&[]);
    assert_eq!(first.status.code(), Some(2));
    let stderr = text(&first.stderr);
    assert!(stderr.contains("written: ANTHROPIC_API_KEY, DISCORD_BOT_TOKEN, LITELLM_MASTER_KEY, OPENAI_API_KEY, OPENCLAW_GATEWAY_TOKEN; NOT written: GITHUB_TOKEN"), "{stderr}");
    assert!(stderr.contains("Run the same command again"), "{stderr}");
    let stdout = text(&first.stdout);
    assert!(
        stdout.contains("FAILED     GITHUB_TOKEN:")
            && stdout.contains("has 100 versions and the oldest carries a label"),
        "{stdout}"
    );

    op.boto3(&format!(
        "ssm.unlabel_parameter_version(Name='{path}', ParameterVersion=1, Labels=['pinned'])"
    ));
    let second = op.seed_all(&["--output", "json"]);
    let report: Value = serde_json::from_slice(&second.stdout).unwrap();
    assert_eq!(
        report["written"],
        serde_json::json!([{ "name": "GITHUB_TOKEN", "version": 101 }])
    );
    assert_eq!(report["kept"].as_array().unwrap().len(), 5);
}

#[test]
fn errors_say_what_to_do() {
    let op = Operator::new("errors");
    let mut no_credentials = op.command(std::path::Path::new(env!("CARGO_BIN_EXE_clawboot")));
    no_credentials
        .env_remove("AWS_ACCESS_KEY_ID")
        .env_remove("AWS_SECRET_ACCESS_KEY")
        .args(["secrets", "--endpoint-url", &moto_url(), "status"]);
    let (code, out) = run(&mut no_credentials);
    assert_eq!(code, 2);
    assert!(
        out.contains("no AWS credentials found") && out.contains("AWS_PROFILE"),
        "{out}"
    );

    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let dead = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let mut unreachable = op.command(std::path::Path::new(env!("CARGO_BIN_EXE_clawboot")));
    unreachable.args(["secrets", "--endpoint-url", &dead, "status"]);
    let (code, out) = run(&mut unreachable);
    assert_eq!(code, 2);
    assert!(
        out.contains("cannot reach SSM in region ap-northeast-1") && out.contains("aws.region"),
        "{out}"
    );

    let upstream = shared_moto();
    for (code, advice) in [
        ("AccessDeniedException", "AWS denied ssm:PutParameter on /errors/openclaw/"),
        ("AccessDeniedException", "allow `ssm:PutParameter` on arn:aws:ssm:ap-northeast-1:<account>:parameter/errors/openclaw/"),
        ("InvalidKeyId", "does not exist in ap-northeast-1 or cannot be used: create it, correct aws.kms_key_alias"),
        ("ParameterLimitExceeded", "reached its Parameter Store limit"),
        ("ExpiredTokenException", "AWS did not accept the credentials (ExpiredTokenException): refresh them"),
    ] {
        let proxy = refusing_proxy(upstream, "PutParameter", code);
        let refused = op.seed_at(&proxy.url(), &ASKED, &[]);
        let all = format!("{}{}", text(&refused.stdout), text(&refused.stderr));
        assert_eq!(refused.status.code(), Some(2));
        assert!(all.contains(advice), "{code}: {all}");
    }

    let unknown = op.secrets(&["history", "NOPE"], &[]);
    assert!(text(&unknown.stderr)
        .contains("NOPE is not a parameter clawboot manages; one of: DISCORD_BOT_TOKEN"));
}

/// SSM's real GetParameters answer cut short by the fault proxy: unreadable, and holding the
/// decrypted values. The error says what happened; neither the terminal, the JSON output nor
/// the log shows a value (the SDK's Debug form of the error would: it carries the raw body).
#[test]
fn an_unreadable_answer_never_shows_the_values_it_held() {
    let op = Operator::new("malformed");
    let seeded = op.seed_at(&moto_url(), &CANARIES, &[]);
    assert_ne!(seeded.status.code(), Some(2), "{}", text(&seeded.stderr));
    let proxy = refusing_proxy(shared_moto(), "GetParameters", "MALFORMED");
    for args in [vec!["status"], vec!["status", "--output", "json"]] {
        let output = op.secrets_at(&proxy.url(), &args, &[("CLAWBOOT_LOG", "trace")]);
        let all = format!("{}{}", text(&output.stdout), text(&output.stderr));
        assert_eq!(output.status.code(), Some(2), "{args:?}: {all}");
        assert!(
            all.contains("SSM's answer to ssm:GetParameters on"),
            "{all}"
        );
        for (_, canary) in CANARIES {
            assert!(!all.contains(canary), "{args:?} showed a value: {all}");
        }
    }
    let log =
        std::fs::read_to_string(op.home.path().join(".local/state/clawboot/clawboot.log")).unwrap();
    assert!(log.contains("malformed response"), "{log}");
    for (_, canary) in CANARIES {
        assert!(!log.contains(canary), "the log holds a value");
    }
}

/// A value longer than SSM allows is refused, with the limit, and an endless file is read no
/// further than that (`/dev/zero` grew to 3.8 GB before).
#[test]
fn values_past_ssms_limit_are_refused_and_never_read_whole() {
    let op = Operator::new("limits");
    let endless = op.secrets(
        &[
            "seed",
            "--non-interactive",
            "--from-file",
            "GITHUB_TOKEN=/dev/zero",
        ],
        &[],
    );
    let stderr = text(&endless.stderr);
    assert_eq!(endless.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("GITHUB_TOKEN"), "{stderr}");
    let long = format!("github_pat_{}", "a".repeat(5000));
    let too_long = op.secrets(
        &["seed", "--non-interactive"],
        &[("CLAWBOOT_GITHUB_TOKEN", &long)],
    );
    let all = format!("{}{}", text(&too_long.stdout), text(&too_long.stderr));
    assert_eq!(too_long.status.code(), Some(2), "{all}");
    assert!(
        all.contains("is longer than SSM's limit for a standard parameter (4096 bytes)"),
        "{all}"
    );
    assert_eq!(
        op.status("GITHUB_TOKEN")["state"],
        "missing",
        "nothing is written"
    );
}

/// Canary values: distinctive markers that must never appear outside SSM.
const CANARIES: [(&str, &str); 4] = [
    (
        "DISCORD_BOT_TOKEN",
        "MTIzNDU2Nzg5MDEyMzQ1Njc4.CANARY1.canarydiscordcanarydiscord0123456789",
    ),
    (
        "GITHUB_TOKEN",
        "github_pat_CANARY2canarygithubcanarygithub0123456789",
    ),
    ("OPENAI_API_KEY", "sk-proj-CANARY3canaryopenaicanaryopenai"),
    ("ANTHROPIC_API_KEY", "sk-ant-CANARY4canaryanthropiccanary"),
];
const ROTATED_CANARY: &str =
    "MTIzNDU2Nzg5MDEyMzQ1Njc4.CANARY5.canaryrotatedcanaryrotated0123456789";
/// An OpenAI key the API peer refuses, quoting its ends as OpenAI does.
const REFUSED_CANARY: &str = "sk-proj-CANARY6canaryrefusedcanaryrefused";

#[test]
fn no_secret_reaches_output_files_or_a_child_process_argv() {
    let op = Operator::new("canary");
    // kubectl on PATH records its argv and environment, then runs the real kubectl (no cluster).
    let bin = op.home.path().join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let argv_log = op.home.path().join("kubectl-argv.log");
    let wrapper = bin.join("kubectl");
    std::fs::write(
        &wrapper,
        format!(
            "#!/bin/sh\nprintf '%s\\n' \"$*\" >> '{log}'\nenv >> '{log}'\nexec '{}' \"$@\"\n",
            kubectl().display(),
            log = argv_log.display()
        ),
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&wrapper, std::fs::Permissions::from_mode(0o755)).unwrap();
    let kubeconfig = op.home.path().join("kubeconfig");
    std::fs::write(
        &kubeconfig,
        "apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: 'https://127.0.0.1:9'}}]\n\
         users: [{name: u, user: {token: not-secret}}]\ncontexts: [{name: c, context: {cluster: c, user: u}}]\ncurrent-context: c\n",
    )
    .unwrap();
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    // The token checks ask a peer that knows the canaries (OpenAI's answers quote a refused key);
    // its accounts file is outside the operator's home, which is searched for the canaries.
    let peer_dir = tempfile::tempdir().unwrap();
    let (_apis, apis) = token_apis(
        peer_dir.path(),
        serde_json::json!({
            "discord": {
                CANARIES[0].1: {"id": BOT_ID, "username": "clawbot", "guilds": []},
                ROTATED_CANARY: {"id": BOT_ID, "username": "clawbot", "guilds": []},
            },
            "github": {CANARIES[1].1: {"login": "operator", "repos": {}}},
            "openai": {"keys": [CANARIES[2].1]},
            "anthropic": {"keys": [CANARIES[3].1]},
        }),
    );
    let mut outputs = Vec::new();
    let run = |args: &[&str], env: Vec<(String, String)>, stdin: Option<&str>| {
        let mut command = op.command(std::path::Path::new(env!("CARGO_BIN_EXE_clawboot")));
        command
            .env("PATH", &path)
            .env("KUBECONFIG", &kubeconfig)
            .env("XDG_STATE_HOME", op.home.path().join("state"))
            .env("XDG_CONFIG_HOME", op.home.path().join("config"))
            // The most the log can hold: clawboot at trace, the SDK at debug.
            .env("CLAWBOOT_LOG", "trace")
            .arg("--profile")
            .arg(&op.answers)
            .args(["secrets", "--endpoint-url", &moto_url()])
            .args(args)
            .envs(apis.clone())
            .envs(env);
        // Nothing to give is an empty standard input: the end at once, as /dev/null gives.
        output_with_stdin(&mut command, stdin.unwrap_or(""))
    };
    let env: Vec<(String, String)> = CANARIES
        .iter()
        .map(|(name, value)| (format!("CLAWBOOT_{name}"), value.to_string()))
        .collect();
    outputs.push(run(&["seed", "--non-interactive"], env.clone(), None));
    outputs.push(run(&["status"], vec![], None));
    outputs.push(run(
        &[
            "seed",
            "--non-interactive",
            "--overwrite",
            "--yes",
            "--output",
            "json",
        ],
        env.clone(),
        None,
    ));
    outputs.push(run(
        &[
            "rotate",
            "DISCORD_BOT_TOKEN",
            "OPENCLAW_GATEWAY_TOKEN",
            "LITELLM_MASTER_KEY",
            "--stdin",
            "DISCORD_BOT_TOKEN",
        ],
        env,
        Some(ROTATED_CANARY),
    ));
    outputs.push(run(&["rollback", "LITELLM_MASTER_KEY"], vec![], None));
    let refused_key = vec![(
        "CLAWBOOT_OPENAI_API_KEY".to_string(),
        REFUSED_CANARY.to_string(),
    )];
    let refused = run(
        &["rotate", "OPENAI_API_KEY", "--non-interactive"],
        refused_key,
        None,
    );
    assert_eq!(refused.status.code(), Some(2), "{}", text(&refused.stderr));
    assert!(text(&refused.stderr).contains("OPENAI_API_KEY: OpenAI refuses it"));
    outputs.push(refused);
    outputs.push(run(&["history", "DISCORD_BOT_TOKEN"], vec![], None));

    // The rotation reached the cluster step (and failed there: no cluster), so kubectl ran.
    // The rotation reached the cluster step: kubectl asked the API server, which does not answer.
    let rotate = &outputs[3];
    assert_eq!(rotate.status.code(), Some(1), "{}", text(&rotate.stderr));
    assert!(
        text(&rotate.stdout)
            .contains("the cluster does not answer; to pick up the new values run:"),
        "{}",
        text(&rotate.stdout)
    );
    let argv = std::fs::read_to_string(&argv_log).expect("kubectl was run");
    assert!(
        argv.contains("https://127.0.0.1:9") || argv.contains("version"),
        "{argv}"
    );

    let log = std::fs::read_to_string(op.home.path().join("state/clawboot/clawboot.log"))
        .expect("the runs wrote the log");
    assert!(
        log.contains("kubectl"),
        "every kubectl call is in the log:\n{log}"
    );
    assert!(
        log.contains("aws_smithy_runtime"),
        "the SDK's requests are in the log"
    );

    // Everything secret that exists now: the canaries and the generated values, every version.
    let mut secrets: Vec<String> = CANARIES.iter().map(|(_, v)| v.to_string()).collect();
    secrets.extend([ROTATED_CANARY, REFUSED_CANARY].map(str::to_string));
    for name in ["OPENCLAW_GATEWAY_TOKEN", "LITELLM_MASTER_KEY"] {
        for version in 1..=op.versions(name).len() as u64 {
            secrets.push(op.value(name, version));
        }
    }
    assert_eq!(
        op.value("DISCORD_BOT_TOKEN", 2),
        ROTATED_CANARY,
        "the rotation really wrote the canary"
    );
    let mut haystacks: Vec<(String, String)> = outputs
        .iter()
        .enumerate()
        .flat_map(|(i, o)| {
            [
                (format!("stdout {i}"), text(&o.stdout)),
                (format!("stderr {i}"), text(&o.stderr)),
            ]
        })
        .collect();
    for file in all_files(op.home.path()) {
        let bytes = std::fs::read(op.home.path().join(&file)).unwrap();
        haystacks.push((
            file.display().to_string(),
            String::from_utf8_lossy(&bytes).into_owned(),
        ));
    }
    for secret in &secrets {
        for (place, haystack) in &haystacks {
            assert!(
                !haystack.contains(secret.as_str()),
                "a secret value leaked into {place}"
            );
        }
    }
    for marker in [
        "CANARY1", "CANARY2", "CANARY3", "CANARY4", "CANARY5", "CANARY6",
    ] {
        for (place, haystack) in &haystacks {
            assert!(!haystack.contains(marker), "{marker} leaked into {place}");
        }
    }
}

/// The masked prompt in a real pseudo-terminal (pexpect): the token page is shown, the typed
/// value is not echoed, a token Discord refuses is asked again saying why, the next reaches
/// SSM intact as soon as it is given, and Ctrl-C at the next prompt writes nothing more.
#[test]
fn the_prompt_masks_what_is_typed_and_ctrl_c_writes_nothing() {
    let op = Operator::new("prompt");
    let known = serde_json::json!({"discord": {CANARIES[0].1: {"id": BOT_ID, "username": "clawbot", "guilds": ["ops"]}}});
    let (_apis, env) = token_apis(op.home.path(), known);
    let script = format!(
        r#"
import io, pexpect, sys
child = pexpect.spawn({bin:?}, ["--profile", {answers:?}, "secrets", "--endpoint-url", {url:?}, "seed", "--no-browser"],
                      env={{"PATH": "/usr/bin:/bin", "HOME": {home:?}, "AWS_ACCESS_KEY_ID": "test",
                            "AWS_SECRET_ACCESS_KEY": "test", "AWS_EC2_METADATA_DISABLED": "true", "TERM": "xterm",
                            **{apis}}},
                      encoding="utf-8", timeout=20, dimensions=(40, 120))
transcript = io.StringIO()
child.logfile_read = transcript
child.expect("discord.com/developers/applications")
child.expect("DISCORD_BOT_TOKEN:")
child.send({revoked:?} + "\r")
child.expect("Discord refuses it")
child.expect("DISCORD_BOT_TOKEN:")
child.send({token:?} + "\r")
child.expect("GITHUB_TOKEN:")
child.expect("empty leaves it for later")  # the prompt itself: the terminal is in raw mode
child.sendcontrol("c")
child.expect(pexpect.EOF)
child.close()
sys.stdout.write(transcript.getvalue())
print("\nEXIT", child.exitstatus)
"#,
        bin = env!("CARGO_BIN_EXE_clawboot"),
        answers = op.answers.display().to_string(),
        url = moto_url(),
        home = op.home.path().display().to_string(),
        token = CANARIES[0].1,
        revoked = ASKED[0].1,
        apis = Value::Object(env.into_iter().map(|(k, v)| (k, Value::from(v))).collect()),
    );
    let mut command = op.command(&python());
    command.arg("-c").arg(script).stdout(Stdio::piped());
    let output = command.output().unwrap();
    let screen = text(&output.stdout);
    assert!(output.status.success(), "pexpect: {}", text(&output.stderr));
    assert!(
        screen.contains("Stopped. What was done is kept"),
        "{screen}"
    );
    assert!(screen.contains("EXIT 130"), "{screen}");
    assert!(screen.contains("DISCORD_BOT_TOKEN: ********"), "{screen}");
    assert!(!screen.contains("CANARY1"), "the typed token was echoed");
    assert!(
        screen.contains("Discord refuses it (401 Unauthorized): the token was reset or mistyped"),
        "{screen}"
    );
    assert!(!screen.contains(ASKED[0].1), "the refused token was echoed");
    assert_eq!(
        op.status("DISCORD_BOT_TOKEN")["state"],
        "set",
        "what was entered before Ctrl-C is kept"
    );
    assert_eq!(op.value("DISCORD_BOT_TOKEN", 1), CANARIES[0].1);
    assert_eq!(
        op.status("GITHUB_TOKEN")["state"],
        "missing",
        "Ctrl-C writes nothing more"
    );
}

/// The connection dies from the fourth PutParameter on (a fault proxy closes it unanswered):
/// the report names exactly what SSM holds and what it does not, each FAILED line is one short
/// line, and running again writes only the rest.
#[test]
fn a_connection_lost_mid_batch_reports_exactly_what_was_written() {
    let op = Operator::new("dropped");
    let proxy = refusing_proxy(shared_moto(), "PutParameter", "DROP@4");
    let cut = op.seed_at(&proxy.url(), &ASKED, &[]);
    let (stdout, stderr) = (text(&cut.stdout), text(&cut.stderr));
    assert_eq!(cut.status.code(), Some(2), "{stdout}{stderr}");

    let stored: Vec<String> = serde_json::from_str(&op.boto3(&format!(
        "import json\nprint(json.dumps(sorted(p['Name'].rsplit('/', 1)[1] for p in ssm.get_parameters_by_path(Path='{}')['Parameters'])))",
        op.prefix
    )))
    .unwrap();
    assert_eq!(stored.len(), 3, "three writes got through: {stored:?}");
    let listed = |word: &str| -> Vec<String> {
        let mut names: Vec<String> = stdout
            .lines()
            .filter_map(|l| l.strip_prefix(word))
            .map(|rest| rest.trim().split([' ', ':']).next().unwrap().to_string())
            .collect();
        names.sort();
        names
    };
    assert_eq!(listed("written "), stored, "{stdout}");
    let failed = listed("FAILED ");
    assert_eq!(failed.len(), 3, "{stdout}");
    assert!(failed.iter().all(|name| !stored.contains(name)));
    for line in stdout.lines().filter(|l| l.starts_with("FAILED")) {
        assert!(line.len() < 300, "one short line: {line}");
        assert!(line.contains("the connection broke"), "{line}");
    }
    assert!(
        stderr.contains(&format!(
            "written: {}; NOT written: {}",
            stored.join(", "),
            failed.join(", ")
        )),
        "{stderr}"
    );

    let again = op.seed_all(&[]);
    assert_eq!(again.status.code(), Some(1), "{}", text(&again.stderr));
    let rest = text(&again.stdout);
    assert_eq!(
        rest.lines().filter(|l| l.starts_with("written ")).count(),
        3,
        "{rest}"
    );
}

/// Owned variables as the `(&str, &str)` pairs `Operator::secrets` takes.
fn pairs(env: &[(String, String)]) -> Vec<(&str, &str)> {
    env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
}

/// The bot id the test tokens start with (`MTIzNDU2Nzg5MDEyMzQ1Njc4` is its base64url).
const BOT_ID: &str = "123456789012345678";

/// What the API peers know: ASKED's Discord token (a bot in no server), its GitHub token (one
/// repository readable but without pull requests, the other out of reach), its API keys.
fn accounts() -> Value {
    let asked = |name: &str| ASKED.iter().find(|(n, _)| *n == name).unwrap().1;
    serde_json::json!({
        "discord": {asked("DISCORD_BOT_TOKEN"): {"id": BOT_ID, "username": "clawbot", "guilds": []}},
        "github": {asked("GITHUB_TOKEN"): {"login": "operator", "repos": {
            "boxp/lolice": {"push": true, "contents": true, "pull_requests": false}
        }}},
        "openai": {"keys": [asked("OPENAI_API_KEY")]},
        "anthropic": {"keys": [asked("ANTHROPIC_API_KEY")]},
    })
}

/// Tokens checked where they work, before anything is written: a revoked Discord token is
/// refused with what to do, and nothing is stored, not even the generated values; with
/// --skip-token-check it is stored. The token itself appears nowhere.
#[test]
fn a_token_its_api_refuses_is_not_stored() {
    let op = Operator::new("revoked");
    let mut known = accounts();
    known["discord"] = serde_json::json!({});
    let (_apis, env) = token_apis(op.home.path(), known);
    let refused = op.seed_checked(&env, &[]);
    let stderr = text(&refused.stderr);
    assert_eq!(refused.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("DISCORD_BOT_TOKEN: Discord refuses it (401 Unauthorized): the token was reset or mistyped"),
        "{stderr}"
    );
    assert!(
        stderr.contains("Nothing was written (--skip-token-check stores it all the same)."),
        "{stderr}"
    );
    assert_eq!(op.status("OPENCLAW_GATEWAY_TOKEN")["state"], "missing");
    for (_, value) in ASKED {
        assert!(!stderr.contains(value), "a value in the output: {stderr}");
    }

    // Exit 1 from here on: the tunnel token waits for the Cloudflare Terraform.
    let skipped = op.seed_checked(&env, &["--skip-token-check"]);
    assert_eq!(skipped.status.code(), Some(1), "{}", text(&skipped.stderr));
    assert_eq!(op.status("DISCORD_BOT_TOKEN")["state"], "set");
}

/// A token that works is stored, with what its API said: the bot and the invite link for a
/// bot in no server, the GitHub permission that is missing and the repository out of reach.
/// At `status` the stored tokens are checked again: one revoked since is a failure that says
/// to rotate it.
#[test]
fn a_working_token_is_stored_with_what_its_api_said() {
    let op = Operator::new("working");
    let (apis, env) = token_apis(op.home.path(), accounts());
    let seeded = op.seed_checked(&env, &[]);
    let stderr = text(&seeded.stderr);
    // Exit 1: the tunnel token waits for the Cloudflare Terraform.
    assert_eq!(seeded.status.code(), Some(1), "{stderr}");
    for said in [
        format!("DISCORD_BOT_TOKEN: Discord accepts it: the bot clawbot (id {BOT_ID})"),
        format!("warning: DISCORD_BOT_TOKEN: the bot is in no Discord server yet: invite it with https://discord.com/oauth2/authorize?client_id={BOT_ID}&scope=bot%20applications.commands&permissions=274878024768"),
        "GITHUB_TOKEN: GitHub accepts it: user operator".into(),
        "warning: GITHUB_TOKEN: boxp/lolice: the token lacks Pull requests: Read: edit the token's permissions on GitHub (the value stays the same)".into(),
        "warning: GITHUB_TOKEN: the token cannot see boxp/arch: add it under Repository access".into(),
        "OPENAI_API_KEY: OpenAI accepts it".into(),
    ] {
        assert!(stderr.contains(&said), "{said}: {stderr}");
    }

    let status = op.secrets(&["status"], &pairs(&env));
    let stdout = text(&status.stdout);
    assert!(
        stdout.contains("DISCORD_BOT_TOKEN: Discord accepts it: the bot clawbot"),
        "{stdout}"
    );
    drop(apis);

    let mut revoked = accounts();
    revoked["discord"] = serde_json::json!({});
    let (_apis, env) = token_apis(op.home.path(), revoked);
    let status = op.secrets(&["status"], &pairs(&env));
    let stdout = text(&status.stdout);
    assert_eq!(status.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("DISCORD_BOT_TOKEN: Discord refuses it (401 Unauthorized): the token was reset or mistyped")
            && stdout.contains("`clawboot rotate DISCORD_BOT_TOKEN`"),
        "{stdout}"
    );
}

/// An API that cannot say never blocks: unreachable (nothing listens), or rate limiting with a
/// long Retry-After, is one line and the value is stored; a short Retry-After is waited for
/// once. Only `--skip-token-check` (or checks.tokens: false) asks no API at all.
#[test]
fn an_api_that_cannot_say_is_one_line_and_never_blocks() {
    let op = Operator::new("unchecked");
    let mut known = accounts();
    known["throttle"] = serde_json::json!({"openai": [1, 1], "github": [1000, 60]});
    let (apis, mut env) = token_apis(op.home.path(), known);
    env.retain(|(k, _)| k != "CLAWBOOT_DISCORD_API");
    env.push(("CLAWBOOT_DISCORD_API".into(), "http://127.0.0.1:9".into()));
    let seeded = op.seed_checked(&env, &[]);
    let stderr = text(&seeded.stderr);
    assert_eq!(
        seeded.status.code(),
        Some(1),
        "the tunnel token is left: {stderr}"
    );
    let discord: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("DISCORD_BOT_TOKEN"))
        .collect();
    assert_eq!(discord.len(), 1, "{stderr}");
    assert!(
        discord[0].starts_with("DISCORD_BOT_TOKEN: Discord did not answer (")
            && discord[0].ends_with("): not checked"),
        "{stderr}"
    );
    assert!(
        stderr
            .contains("GITHUB_TOKEN: GitHub is rate limiting (it asks to wait 60 s): not checked"),
        "{stderr}"
    );
    assert!(
        stderr.contains("OPENAI_API_KEY: OpenAI accepts it"),
        "{stderr}"
    );
    assert_eq!(op.status("GITHUB_TOKEN")["state"], "set");

    let requests = |apis: &crate::common::ssm::Server| -> Value {
        let response = get(&format!("{}/requests", apis.url())).2;
        serde_json::from_str(response.split("\r\n\r\n").nth(1).unwrap()).unwrap()
    };
    let before = requests(&apis);
    assert_eq!(
        before["openai"], 2,
        "the throttled request was tried once more: {before}"
    );
    let skipped = op.secrets(&["status", "--skip-token-check"], &pairs(&env));
    assert_eq!(skipped.status.code(), Some(1), "{}", text(&skipped.stderr));
    assert_eq!(requests(&apis), before, "--skip-token-check asks no API");
}
