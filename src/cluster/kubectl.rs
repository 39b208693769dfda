//! Running kubectl. Every command can be shown so the operator can repeat it by hand; secrets
//! never travel in argv (only names of Secrets and ExternalSecrets do).

use std::process::Stdio;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use serde::de::DeserializeOwned;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

use tokio::sync::mpsc::UnboundedSender;

use crate::profile::Profile;

/// An API call's bound when the caller gives none: kubectl's own default is to wait forever.
const REQUEST_TIMEOUT: &str = "--request-timeout=5s";

#[derive(Debug, Clone)]
pub struct Kubectl {
    context: String,
    pub namespace: String,
    /// Receives each command as it starts (`--show-commands`).
    echo: Option<UnboundedSender<String>>,
    /// Set once a call timed out: the rest of the run does not wait for the API again.
    silent: Arc<AtomicBool>,
}

impl Kubectl {
    pub fn new(profile: &Profile) -> Self {
        Self {
            context: profile.cluster.kube_context.clone(),
            namespace: profile.cluster.namespace.to_string(),
            echo: None,
            silent: Arc::new(AtomicBool::new(false)),
        }
    }

    /// Send every command line to `echo` before it runs.
    pub fn echoing(mut self, echo: UnboundedSender<String>) -> Self {
        self.echo = Some(echo);
        self
    }

    /// The same kubectl in another namespace (Argo CD's, `default`).
    pub fn in_namespace(&self, namespace: &str) -> Self {
        Self {
            namespace: namespace.to_string(),
            ..self.clone()
        }
    }

    /// The full argv, as the operator would type it.
    pub fn argv(&self, args: &[&str]) -> Vec<String> {
        let mut argv = vec!["kubectl".to_string()];
        if !self.context.is_empty() {
            argv.extend(["--context".to_string(), self.context.clone()]);
        }
        argv.extend(["-n".to_string(), self.namespace.clone()]);
        argv.extend(args.iter().map(|a| a.to_string()));
        argv
    }

    /// The command as the operator would type it, each argument quoted for the shell.
    pub fn display(&self, args: &[&str]) -> String {
        let words: Vec<String> = self.argv(args).iter().map(|a| shell_word(a)).collect();
        words.join(" ")
    }

    /// A kubectl process for `args` (the secret `CLAWBOOT_*` variables left the environment at
    /// start: see `secrets::env`).
    pub fn command(&self, args: &[&str]) -> tokio::process::Command {
        let argv = self.argv(args);
        // A script is shown by its first line: the whole text is in the source.
        let shown = self.display(args);
        tracing::debug!(command = %shown, "kubectl");
        if let Some(echo) = &self.echo {
            let _ = echo.send(shown);
        }
        let mut command = tokio::process::Command::new(&argv[0]);
        command.args(&argv[1..]);
        command
    }

    /// `kubectl get ARGS… -o json`, read into the fields the caller needs.
    pub async fn get_json<T: DeserializeOwned>(&self, args: &[&str]) -> Result<T, KubectlError> {
        let mut argv = vec!["get"];
        argv.extend_from_slice(args);
        argv.extend(["-o", "json"]);
        let listing = self.run(&argv).await?;
        serde_json::from_str(&listing).map_err(|e| KubectlError {
            failure: Failure::Other,
            command: self.display(&argv),
            message: format!("kubectl's answer could not be read: {e}"),
        })
    }

    /// `kubectl annotate RESOURCE KEY=VALUE --overwrite`.
    pub async fn annotate(&self, resource: &str, annotation: &str) -> Result<(), KubectlError> {
        self.run(&["annotate", resource, annotation, "--overwrite"])
            .await
            .map(drop)
    }

    /// `kubectl rollout restart deployment/NAME`.
    pub async fn rollout_restart(&self, deployment: &str) -> Result<(), KubectlError> {
        self.run(&["rollout", "restart", &format!("deployment/{deployment}")])
            .await
            .map(drop)
    }

    /// `kubectl rollout status deployment/NAME --timeout=…`: waits until the rollout finished,
    /// telling `progress(done, total)` as kubectl reports each step.
    pub async fn rollout_status(
        &self,
        deployment: &str,
        limit: Duration,
        mut progress: impl FnMut(u64, u64),
    ) -> Result<(), KubectlError> {
        let timeout = format!("--timeout={}s", limit.as_secs());
        let resource = format!("deployment/{deployment}");
        let args = ["rollout", "status", resource.as_str(), timeout.as_str()];
        let shown = self.display(&args);
        let mut command = self.command(&args);
        command
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        let mut child = command.spawn().map_err(|_| not_installed(&shown))?;
        let mut lines = BufReader::new(child.stdout.take().expect("piped")).lines();
        let watching = async {
            while let Ok(Some(line)) = lines.next_line().await {
                if let Some((done, total)) = rollout_progress(&line) {
                    progress(done, total);
                }
            }
            child.wait_with_output().await
        };
        let output = tokio::time::timeout(limit + PROCESS_SLACK, watching)
            .await
            .map_err(|_| timed_out(&shown, limit))?
            .map_err(|_| not_installed(&shown))?;
        finished(output, shown).map(drop)
    }

    /// `kubectl exec POD -c CONTAINER -- ARGV…` with its output; only `Failure::Remote` says
    /// the command itself ran and failed. Bounded by `limit`: the process is killed after it.
    pub async fn exec(
        &self,
        pod: &str,
        container: &str,
        argv: &[&str],
        limit: Duration,
    ) -> Result<String, KubectlError> {
        let mut args = vec!["exec", pod, "-c", container, "--"];
        args.extend_from_slice(argv);
        self.bounded(self.command(&args), self.display(&args), None, limit)
            .await
    }

    /// `kubectl exec -i POD -c CONTAINER -- sh -c SCRIPT sh ARGS…` run to its end with `stdin`
    /// (or none), bounded by `limit`; its stdout. Arguments travel as positional parameters,
    /// data on stdin.
    pub async fn exec_script(
        &self,
        pod: &str,
        container: &str,
        script: (&str, &[&str]),
        stdin: Option<&[u8]>,
        limit: Duration,
    ) -> Result<String, KubectlError> {
        let (text, args) = script;
        let mut argv = vec![
            "exec", "-i", pod, "-c", container, "--", "sh", "-c", text, "sh",
        ];
        argv.extend_from_slice(args);
        self.bounded(self.command(&argv), self.display(&argv), stdin, limit)
            .await
    }

    /// Run a kubectl process to its end within `limit` (killed after it), feeding `stdin`.
    async fn bounded(
        &self,
        mut command: tokio::process::Command,
        shown: String,
        stdin: Option<&[u8]>,
        limit: Duration,
    ) -> Result<String, KubectlError> {
        command
            .stdin(if stdin.is_some() {
                Stdio::piped()
            } else {
                Stdio::null()
            })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        let mut child = command.spawn().map_err(|_| not_installed(&shown))?;
        let running = async {
            if let (Some(data), Some(mut pipe)) = (stdin, child.stdin.take()) {
                pipe.write_all(data).await?;
            }
            child.wait_with_output().await
        };
        let output = tokio::time::timeout(limit, running)
            .await
            .map_err(|_| timed_out(&shown, limit))?
            .map_err(|e| KubectlError {
                failure: Failure::Other,
                command: shown.clone(),
                message: e.to_string(),
            })?;
        finished(output, shown)
    }

    /// Run kubectl and return its stdout; a failure says what kind it is, with the command and
    /// kubectl's own words.
    /// An API call without a timeout of its own gets one; after a call timed out, the API is
    /// not asked again in this run (each further call would wait as long).
    pub async fn run(&self, args: &[&str]) -> Result<String, KubectlError> {
        let mut args = args.to_vec();
        let local = args.first() == Some(&"config");
        if !local && !args.iter().any(|a| a.starts_with("--request-timeout")) {
            args.push(REQUEST_TIMEOUT);
        }
        let command_line = self.display(&args);
        if !local && self.silent.load(Ordering::Relaxed) {
            return Err(KubectlError {
                failure: Failure::TimedOut,
                command: command_line,
                message: "the API server stopped answering earlier in this run: not asked again"
                    .into(),
            });
        }
        let result = self.run_now(&args, command_line).await;
        if matches!(&result, Err(e) if e.failure == Failure::TimedOut) {
            self.silent.store(true, Ordering::Relaxed);
        }
        result
    }

    async fn run_now(&self, args: &[&str], command_line: String) -> Result<String, KubectlError> {
        let mut command = self.command(args);
        command.stdin(Stdio::null());
        let output = command
            .output()
            .await
            .map_err(|_| not_installed(&command_line))?;
        finished(output, command_line)
    }
}

/// A process bound is the API bound plus this, for kubectl's own start and teardown.
const PROCESS_SLACK: Duration = Duration::from_secs(10);

/// kubectl's stdout, or what kind of failure its stderr tells.
fn finished(output: std::process::Output, command: String) -> Result<String, KubectlError> {
    if output.status.success() {
        return Ok(String::from_utf8_lossy(&output.stdout).into_owned());
    }
    let message = String::from_utf8_lossy(&output.stderr).trim().to_string();
    Err(KubectlError {
        failure: Failure::of(&message),
        command,
        message,
    })
}

fn not_installed(command: &str) -> KubectlError {
    KubectlError {
        failure: Failure::NotInstalled,
        command: command.to_string(),
        message: "cannot run kubectl: install it and make sure it is on PATH".into(),
    }
}

fn timed_out(command: &str, limit: Duration) -> KubectlError {
    KubectlError {
        failure: Failure::TimedOut,
        command: command.to_string(),
        message: format!("no answer within {} s: stopped", limit.as_secs()),
    }
}

/// A gauge from `rollout status`'s lines: new replicas updated count for the first half,
/// updated replicas available for the second (`total` is twice the replicas).
fn rollout_progress(line: &str) -> Option<(u64, u64)> {
    let numbers = |text: &str, between: &str| -> Option<(u64, u64)> {
        let (head, tail) = text.split_once(between)?;
        let done = head.rsplit(' ').next()?.parse().ok()?;
        let total = tail.split(' ').next()?.parse().ok()?;
        Some((done, total))
    };
    if line.contains("new replicas have been updated") {
        let (done, total) = numbers(line, " out of ")?;
        Some((done, 2 * total))
    } else if line.contains("updated replicas are available") {
        let (done, total) = numbers(line, " of ")?;
        Some((total + done, 2 * total))
    } else {
        None
    }
}

/// What kind of failure a kubectl call met, so a caller can tell "not there" from "not
/// allowed" from "no answer" without reading kubectl's prose.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    NotFound,
    /// RBAC does not allow it.
    Forbidden,
    /// The API server does not answer.
    Unreachable,
    TimedOut,
    NotInstalled,
    /// `kubectl exec`: the remote command ran and exited with this code.
    Remote(i32),
    Other,
}

impl Failure {
    /// From kubectl's error output.
    fn of(stderr: &str) -> Self {
        let has = |needle: &str| stderr.contains(needle);
        let remote = stderr
            .rsplit_once("command terminated with exit code ")
            .and_then(|(_, code)| code.trim().parse().ok());
        if let Some(code) = remote {
            Self::Remote(code)
        } else if has("(NotFound)") {
            Self::NotFound
        } else if has("(Forbidden)") {
            Self::Forbidden
        } else if has("deadline exceeded") || has("Timeout exceeded") || has("i/o timeout") {
            Self::TimedOut
        } else if has("Unable to connect to the server") || has("connection refused") {
            Self::Unreachable
        } else {
            Self::Other
        }
    }
}

#[derive(Debug, thiserror::Error)]
#[error("`{command}` failed: {message}")]
pub struct KubectlError {
    pub failure: Failure,
    pub command: String,
    pub message: String,
}

/// One argument as a shell would need it; a multi-line script shows only its first line.
fn shell_word(arg: &str) -> String {
    if let Some((first, _)) = arg.split_once('\n') {
        return format!("'{first} …'");
    }
    // Flags such as `--replicas=1` need no quotes; shlex quotes every `=`.
    let plain = !arg.is_empty()
        && arg
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./=:,@%+".contains(c));
    match plain {
        true => arg.to_string(),
        false => shlex::try_quote(arg).map_or_else(|_| "''".to_string(), |q| q.into_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::{rollout_progress, shell_word, Failure};

    #[test]
    fn commands_are_shown_as_a_shell_would_take_them() {
        assert_eq!(shell_word("get"), "get");
        assert_eq!(
            Failure::of("command terminated with exit code 3"),
            Failure::Remote(3)
        );
        assert_eq!(
            Failure::of("Error from server (Forbidden): pods is forbidden"),
            Failure::Forbidden
        );
        assert_eq!(
            Failure::of("error: unable to upgrade connection: container not found"),
            Failure::Other
        );
        assert_eq!(shell_word("--replicas=1"), "--replicas=1");
        assert_eq!(shell_word("force-sync=1796020587"), "force-sync=1796020587");
        assert_eq!(shell_word("jsonpath={.a}"), "'jsonpath={.a}'");
        assert_eq!(shell_word("it's"), "\"it's\"");
        assert_eq!(shell_word("set -eu\nexit 0"), "'set -eu …'");
    }

    #[test]
    fn the_rollout_gauge_reads_kubectls_steps() {
        let waiting = r#"Waiting for deployment "openclaw" rollout to finish: 0 out of 1 new replicas have been updated..."#;
        assert_eq!(rollout_progress(waiting), Some((0, 2)));
        let available = r#"Waiting for deployment "openclaw" rollout to finish: 1 of 2 updated replicas are available..."#;
        assert_eq!(rollout_progress(available), Some((3, 4)));
        assert_eq!(
            rollout_progress(r#"deployment "openclaw" successfully rolled out"#),
            None
        );
    }
}
