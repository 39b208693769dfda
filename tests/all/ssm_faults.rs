//! Faults injected by a real proxy in front of moto: throttling (HTTP 400 ThrottlingException)
//! and server errors. The in-process stores carry their own test credentials: the process's
//! environment is shared by every test of the binary and is never changed.

use std::process::{Command, Stdio};
use std::time::Duration;
use std::time::Instant;

use crate::common::ssm::{fault_proxy, moto, Server};
use crate::common::*;
use clawboot::secrets::ops::{self, Write};
use clawboot::secrets::ssm::Store;
use secrecy::{ExposeSecret, SecretString};

const REGION: &str = "ap-northeast-1";

fn writes(prefix: &str, count: usize) -> Vec<(String, Write)> {
    (0..count)
        .map(|i| {
            let value = format!("value-{i}-{}", std::process::id());
            let write = Write {
                name: format!("P{i:02}"),
                path: format!("{prefix}/P{i:02}"),
                description: "fault test".into(),
                value: SecretString::from(value.clone()),
                keep_previous: false,
            };
            (value, write)
        })
        .collect()
}

/// A store for `url` with static test credentials.
async fn store(url: Option<&str>) -> Store {
    let credentials = aws_sdk_ssm::config::Credentials::new("test", "test", None, None, "tests");
    let loader = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .credentials_provider(credentials);
    Store::connect_with(loader, REGION, "", url).await
}

#[test]
fn throttling_is_retried_and_a_hopeless_one_ends_with_what_to_do() {
    let moto = moto();
    let runtime = tokio::runtime::Runtime::new().unwrap();

    // 30 % of requests throttled: 50 parameters all arrive, each with the right value.
    let throttling = fault_proxy(&moto, 0.3, 0.0);
    let (values, batch): (Vec<String>, Vec<Write>) =
        writes("/faults/throttled", 50).into_iter().unzip();
    let started = Instant::now();
    let report = runtime.block_on(async {
        let store = store(Some(&throttling.url())).await;
        ops::write_all(&store, batch).await
    });
    eprintln!(
        "50 parameters through 30 % throttling: {:?}",
        started.elapsed()
    );
    assert!(report.failed.is_empty(), "{:?}", report.failed);
    assert_eq!(report.written.len(), 50);
    runtime.block_on(async {
        let direct = store(Some(&moto.url())).await;
        for (i, value) in values.iter().enumerate() {
            let stored = direct
                .get(&format!("/faults/throttled/P{i:02}"))
                .await
                .unwrap()
                .unwrap();
            assert_eq!(stored.value.expose_secret(), value);
            assert_eq!(stored.version, 1);
        }
    });

    // 20 % server errors and 20 % throttling together: still complete.
    let flaky = fault_proxy(&moto, 0.2, 0.2);
    let (_, batch): (Vec<String>, Vec<Write>) = writes("/faults/flaky", 20).into_iter().unzip();
    let report = runtime.block_on(async {
        let store = store(Some(&flaky.url())).await;
        ops::write_all(&store, batch).await
    });
    assert!(report.failed.is_empty(), "{:?}", report.failed);

    // 100 % throttled: every write fails with the advice, and the report says nothing was written.
    let hopeless = fault_proxy(&moto, 1.0, 0.0);
    let (_, batch): (Vec<String>, Vec<Write>) = writes("/faults/hopeless", 5).into_iter().unzip();
    let started = Instant::now();
    let report = runtime.block_on(async {
        let store = store(Some(&hopeless.url())).await;
        ops::write_all(&store, batch).await
    });
    eprintln!(
        "5 parameters through 100 % throttling gave up after {:?}",
        started.elapsed()
    );
    assert!(report.written.is_empty());
    assert_eq!(report.failed.len(), 5);
    for failed in &report.failed {
        assert!(
            failed.error.contains("SSM kept throttling"),
            "{}",
            failed.error
        );
        assert!(
            failed.error.contains("high-throughput-enabled"),
            "{}",
            failed.error
        );
    }

    // The command says the same, and exits 2.
    let output = Command::new(env!("CARGO_BIN_EXE_clawboot"))
        .args([
            "secrets",
            "--endpoint-url",
            &hopeless.url(),
            "seed",
            "--non-interactive",
        ])
        .env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains("SSM kept throttling") && stderr.contains("run the command again later"),
        "{stderr}"
    );
}

/// An endpoint that takes the connection and never answers: `secrets status` gives up within
/// one request's bound (20 s, whatever the retries) and says what to check, in one line.
#[test]
fn an_endpoint_that_never_answers_costs_one_bounded_wait() {
    let silent = Server::start(&["silent"]);
    let home = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_clawboot"))
        .args(["secrets", "status", "--endpoint-url", &silent.url()])
        .env("HOME", home.path())
        .env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Far above the bound: only a hang reaches it.
    let deadline = std::time::Instant::now() + Duration::from_secs(90);
    while child.try_wait().unwrap().is_none() {
        assert!(
            std::time::Instant::now() < deadline,
            "secrets status still waits after 90 s"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    let output = child.wait_with_output().unwrap();
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("SSM did not answer ssm:DescribeParameters")
            && stderr.contains("gives up after 20 s"),
        "{stderr}"
    );
}
