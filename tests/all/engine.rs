//! The engine in process, each task driven by a script that answers its `Question`s, against
//! the same real peers as the command-line tests (the local OAuth issuer, moto). Together with
//! those tests, each behaviour is proven through two faces: a script here, batch or prompts there.

use std::path::Path;
use std::sync::Arc;

use clawboot::openclaw::release::Release;
use clawboot::profile::Profile;
use clawboot::secrets::ssm::Store;
use clawboot::waves::flow::{self, Outcome, Task};
use clawboot::waves::journal::Journal;
use clawboot::waves::{Answer, Consent, Data, Engine, Event, Question, Settings, SignInMode};
use secrecy::SecretString;
use serde_json::Value;

use crate::common::ssm::{shared_moto, Server};
use crate::common::*;

/// What a scripted run saw.
struct Seen {
    outcome: Outcome,
    questions: Vec<Question>,
    data: Vec<Data>,
}

/// Run `task` on an engine, answering each question with `answer`; with `moto`, the engine's
/// store is moto's, with test credentials of its own.
fn run_scripted(
    engine: impl FnOnce(tokio::sync::mpsc::UnboundedSender<Event>) -> Engine,
    moto: Option<&Server>,
    task: Task,
    mut answer: impl FnMut(&Question) -> Answer,
) -> Seen {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let (events, mut received) = tokio::sync::mpsc::unbounded_channel();
        let mut engine = engine(events);
        if let Some(moto) = moto {
            engine = engine.with_store(moto_store(&moto.url()).await);
        }
        let engine = Arc::new(engine);
        let running = tokio::spawn(flow::run(engine, task));
        let mut seen = Seen {
            outcome: Outcome::Failed("no outcome".into()),
            questions: Vec::new(),
            data: Vec::new(),
        };
        while let Some(event) = received.recv().await {
            match event {
                Event::Ask(question, reply) => {
                    let _ = reply.send(answer(&question));
                    seen.questions.push(question);
                }
                Event::Data(data) => seen.data.push(data),
                Event::Finished(outcome) => {
                    seen.outcome = outcome;
                    break;
                }
                _ => {}
            }
        }
        running.await.unwrap();
        seen
    })
}

async fn moto_store(url: &str) -> Store {
    let credentials = aws_sdk_ssm::config::Credentials::new("test", "test", None, None, "tests");
    let loader = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .credentials_provider(credentials);
    Store::connect_with(loader, "ap-northeast-1", "", Some(url)).await
}

fn sign_in_settings(issuer: &Server, state: &Path) -> Settings {
    openclaw_on_path("2026.5.28");
    Settings {
        state_dir: Some(state.to_path_buf()),
        openclaw_release: Release::parse("2026.5.28"),
        issuer: Some(issuer.url()),
        sign_in: SignInMode::Paste,
        ..Settings::default()
    }
}

/// The engine runs in this process, and asks the `openclaw` on this process's PATH what it
/// holds after a sign-in: the release's real one goes first, once for the test binary.
fn openclaw_on_path(release: &str) {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| std::env::set_var("PATH", crate::common::path_with(release)));
}

fn sign_in(issuer: &Server, state: &Path, replace: Answer) -> Seen {
    let mut replace = Some(replace);
    run_scripted(
        |events| {
            Engine::new(
                Profile::embedded(),
                sign_in_settings(issuer, state),
                Journal::in_memory(),
                events,
            )
        },
        None,
        Task::SignIn,
        |question| match question {
            Question::Redirect { url, .. } => Answer::Text(follow(url)),
            Question::Confirm {
                consent: Consent::Replace,
                ..
            } => replace.take().expect("asked to replace once"),
            other => panic!("unexpected question {other:?}"),
        },
    )
}

fn auth_profiles(state: &Path) -> std::path::PathBuf {
    state.join("agents/main/agent/auth-profiles.json")
}

/// A renewal of the same account is stored without a question; a sign-in that would replace
/// another account under the same id asks, keeps the file on a no and replaces on a yes.
/// (Through the batch face: `codex login` without and with --yes, below.)
#[test]
fn replacing_another_accounts_sign_in_asks_first() {
    let issuer = Server::start(&["issuer", "ok"]);
    let state = tempfile::tempdir().unwrap();
    let first = sign_in(&issuer, state.path(), Answer::No);
    assert_eq!(first.outcome, Outcome::Complete);
    assert!(first
        .questions
        .iter()
        .all(|q| !matches!(q, Question::Confirm { .. })));
    assert!(first.data.iter().any(
        |d| matches!(d, Data::SignedIn(s) if s.profile == "openai-codex:codex-user@example.com")
    ));
    let renewal = sign_in(&issuer, state.path(), Answer::No);
    assert_eq!(renewal.outcome, Outcome::Complete, "a renewal asks nothing");

    let file = auth_profiles(state.path());
    let mut doc: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    doc["profiles"]["openai-codex:codex-user@example.com"]["accountId"] = "acct-other".into();
    std::fs::write(&file, serde_json::to_string_pretty(&doc).unwrap()).unwrap();
    let before = std::fs::read_to_string(&file).unwrap();

    let declined = sign_in(&issuer, state.path(), Answer::No);
    assert!(
        matches!(declined.outcome, Outcome::Incomplete(_)),
        "{:?}",
        declined.outcome
    );
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        before,
        "a no writes nothing"
    );
    let accepted = sign_in(&issuer, state.path(), Answer::Yes);
    assert_eq!(accepted.outcome, Outcome::Complete);
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert_eq!(
        doc["profiles"]["openai-codex:codex-user@example.com"]["accountId"],
        "acct-test-1"
    );

    // The batch face: the same question is a no without --yes, a yes with it.
    doc_with_account(&file, "acct-other");
    let args = |yes: bool| {
        let mut args = vec![
            "codex".to_string(),
            "login".into(),
            "--paste".into(),
            "--issuer".into(),
            issuer.url(),
            "--state-dir".into(),
            state.path().display().to_string(),
            "--openclaw-version".into(),
            "2026.5.28".into(),
        ];
        if yes {
            args.push("--yes".into());
        }
        args
    };
    for yes in [false, true] {
        let output = batch_login(&args(yes), &issuer);
        let account = read_account(&file);
        match yes {
            false => {
                assert_eq!(output.status.code(), Some(1), "{}", text(&output.stdout));
                assert!(text(&output.stdout).contains("not confirmed (add --yes to confirm)"));
                assert_eq!(account, "acct-other");
            }
            true => {
                assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
                assert_eq!(account, "acct-test-1");
            }
        }
    }
}

fn doc_with_account(file: &Path, account: &str) {
    let mut doc: Value = serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
    doc["profiles"]["openai-codex:codex-user@example.com"]["accountId"] = account.into();
    std::fs::write(file, serde_json::to_string_pretty(&doc).unwrap()).unwrap();
}

fn read_account(file: &Path) -> String {
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
    doc["profiles"]["openai-codex:codex-user@example.com"]["accountId"]
        .as_str()
        .unwrap()
        .to_string()
}

/// `clawboot codex login --paste …` as a batch run: the address read from stdin at once.
fn batch_login(args: &[String], issuer: &Server) -> std::process::Output {
    use std::io::{BufRead, BufReader, Write};
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_clawboot"))
        .args(args)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let url = loop {
        let mut line = String::new();
        assert!(stderr.read_line(&mut line).unwrap() > 0, "no sign-in page");
        if line
            .trim()
            .starts_with(&format!("{}/oauth/authorize", issuer.url()))
        {
            break line.trim().to_string();
        }
    };
    writeln!(child.stdin.take().unwrap(), "{}", follow(&url)).unwrap();
    child.wait_with_output().unwrap()
}

/// Seeding through a script: every value asked masked is written as soon as it is given, and
/// replacing set values needs the operator's yes (batch: --yes, proven in `secrets`).
#[test]
fn seed_asks_each_value_and_replacing_needs_consent() {
    let prefix = format!("/engine-{}/openclaw", std::process::id());
    let profile = Profile::from_answers(&format!("aws:\n  ssm_prefix: {prefix}\n")).unwrap();
    let run = |task: Task, replace: Answer| {
        let mut replace = Some(replace);
        run_scripted(
            |events| {
                Engine::new(
                    profile.clone(),
                    Settings::default(),
                    Journal::in_memory(),
                    events,
                )
            },
            Some(shared_moto()),
            task,
            |question| match question {
                Question::Secret { name, .. } => ASKED
                    .iter()
                    .find(|(n, _)| n == name)
                    .map_or(Answer::Skip, |(_, v)| {
                        Answer::Secret(SecretString::from(*v))
                    }),
                Question::Confirm {
                    consent: Consent::Replace,
                    ..
                } => replace.take().expect("asked once"),
                other => panic!("unexpected question {other:?}"),
            },
        )
    };
    let seeded = run(Task::Seed { overwrite: false }, Answer::No);
    let asked: Vec<String> = seeded
        .questions
        .iter()
        .filter_map(|q| match q {
            Question::Secret {
                name,
                replaces: false,
                ..
            } => Some(name.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(asked, ASKED.map(|(n, _)| n.to_string()));
    let written = |seen: &Seen| -> Vec<String> {
        seen.data
            .iter()
            .flat_map(|d| match d {
                Data::Written(w) => w.written.iter().map(|w| w.name.clone()).collect(),
                _ => Vec::new(),
            })
            .collect()
    };
    assert_eq!(written(&seeded).len(), 6, "four asked, two generated");

    let declined = run(Task::Seed { overwrite: true }, Answer::No);
    assert!(matches!(declined.outcome, Outcome::Incomplete(_)));
    assert!(written(&declined).is_empty(), "a no replaces nothing");
    let accepted = run(Task::Seed { overwrite: true }, Answer::Yes);
    assert!(
        written(&accepted).is_empty(),
        "the same values again make no new version"
    );
    assert!(accepted
        .questions
        .iter()
        .any(|q| matches!(q, Question::Secret { replaces: true, .. })));
}

/// A profile whose parameters live under a prefix of their own in the shared moto.
fn profile_under(name: &str) -> Profile {
    let prefix = format!("/engine-{name}-{}/openclaw", std::process::id());
    Profile::from_answers(&format!("aws:\n  ssm_prefix: {prefix}\n")).unwrap()
}

/// Run a secrets task on moto; the script gives `values` when asked and refuses anything else.
fn secrets_task(profile: &Profile, task: Task, values: &[(&str, &str)], cluster: bool) -> Seen {
    run_scripted(
        |events| {
            let settings = Settings {
                touch_cluster: cluster,
                ..Settings::default()
            };
            Engine::new(profile.clone(), settings, Journal::in_memory(), events)
        },
        Some(shared_moto()),
        task,
        |question| match question {
            Question::Secret { name, .. } => values
                .iter()
                .find(|(n, _)| n == name)
                .map_or(Answer::Skip, |(_, v)| {
                    Answer::Secret(SecretString::from(*v))
                }),
            other => panic!("unexpected question {other:?}"),
        },
    )
}

/// Status, rotate, history and rollback as tasks: what each hands the face as data, and the
/// cluster follow-up said (not run) without the cluster.
#[test]
fn secret_tasks_status_rotate_history_rollback() {
    let profile = profile_under("tasks");
    let empty = secrets_task(&profile, Task::SecretsStatus, &[], false);
    assert!(matches!(empty.outcome, Outcome::Incomplete(_)));
    let states = |seen: &Seen| -> Vec<(String, String)> {
        seen.data
            .iter()
            .flat_map(|d| match d {
                Data::Secrets { parameters } => parameters
                    .iter()
                    .filter(|p| p.required)
                    .map(|p| (p.name.to_string(), p.state.word().to_string()))
                    .collect(),
                _ => Vec::new(),
            })
            .collect()
    };
    assert!(states(&empty).iter().all(|(_, state)| state == "missing"));
    assert!(empty.questions.is_empty(), "status asks nothing");

    secrets_task(&profile, Task::Seed { overwrite: false }, &ASKED, false);
    let seeded = secrets_task(&profile, Task::SecretsStatus, &[], false);
    let set: Vec<String> = states(&seeded)
        .into_iter()
        .filter(|(_, state)| state == "set")
        .map(|(name, _)| name)
        .collect();
    assert_eq!(set.len(), 6, "{set:?}");

    let rotated = secrets_task(
        &profile,
        Task::Rotate(vec!["OPENCLAW_GATEWAY_TOKEN".into()]),
        &[],
        false,
    );
    assert_eq!(
        rotated.outcome,
        Outcome::Complete,
        "without the cluster: said, not run"
    );
    let follow_up: Vec<String> = rotated
        .data
        .iter()
        .flat_map(|d| match d {
            Data::Written(w) => w.cluster.clone(),
            _ => Vec::new(),
        })
        .collect();
    assert!(follow_up[0].contains("annotate externalsecret/openclaw-es force-sync="));

    let refused = secrets_task(
        &profile,
        Task::Rotate(vec!["tunnel-token".into()]),
        &[],
        false,
    );
    assert!(
        matches!(&refused.outcome, Outcome::Failed(why) if why.contains("written by the Cloudflare Terraform")),
        "{:?}",
        refused.outcome
    );

    let history = secrets_task(
        &profile,
        Task::History("OPENCLAW_GATEWAY_TOKEN".into()),
        &[],
        false,
    );
    let labels: Vec<Vec<String>> = history
        .data
        .iter()
        .flat_map(|d| match d {
            Data::History { versions, .. } => versions.iter().map(|v| v.labels.clone()).collect(),
            _ => Vec::new(),
        })
        .collect();
    assert_eq!(labels, [vec!["previous".to_string()], vec![]]);

    let rolled = secrets_task(
        &profile,
        Task::Rollback {
            name: "OPENCLAW_GATEWAY_TOKEN".into(),
            to: None,
        },
        &[],
        false,
    );
    assert_eq!(rolled.outcome, Outcome::Complete);
    assert!(rolled.data.iter().any(|d| matches!(
        d,
        Data::RolledBack { rollback, .. } if rollback.restored_version == 1 && rollback.new_version == 3
    )));
}

/// Status and refresh of a sign-in as tasks: one word for a state, the renewal stored the
/// way a sign-in is (no question for the same account).
#[test]
fn sign_in_status_and_refresh_tasks() {
    let issuer = Server::start(&["issuer", "ok"]);
    let state = tempfile::tempdir().unwrap();
    let task = |task: Task| {
        run_scripted(
            |events| {
                Engine::new(
                    Profile::embedded(),
                    sign_in_settings(&issuer, state.path()),
                    Journal::in_memory(),
                    events,
                )
            },
            None,
            task,
            |question| panic!("unexpected question {question:?}"),
        )
    };
    let rows = |seen: &Seen| -> Vec<String> {
        seen.data
            .iter()
            .flat_map(|d| match d {
                Data::SignIns { profiles } => profiles
                    .iter()
                    .map(|p| format!("{} {}", p.profile, p.state.word()))
                    .collect(),
                _ => Vec::new(),
            })
            .collect()
    };
    let none = task(Task::SignInStatus);
    assert!(rows(&none).is_empty());
    assert!(matches!(none.outcome, Outcome::Incomplete(_)));

    sign_in(&issuer, state.path(), Answer::No);
    let signed = task(Task::SignInStatus);
    assert_eq!(rows(&signed), ["openai-codex:codex-user@example.com ok"]);
    assert_eq!(signed.outcome, Outcome::Complete);

    let before = std::fs::read_to_string(auth_profiles(state.path())).unwrap();
    let refreshed = task(Task::Refresh);
    assert_eq!(
        refreshed.outcome,
        Outcome::Complete,
        "{:?}",
        refreshed.outcome
    );
    assert!(refreshed
        .data
        .iter()
        .any(|d| matches!(d, Data::SignedIn(_))));
    assert_ne!(
        std::fs::read_to_string(auth_profiles(state.path())).unwrap(),
        before
    );
}
