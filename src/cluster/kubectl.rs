//! Running kubectl. Every command can be shown so the operator can repeat it by hand; secrets
//! never travel in argv (only names of Secrets and ExternalSecrets do).

use std::process::Stdio;

use anyhow::Context;

use crate::profile::Profile;

#[derive(Debug, Clone)]
pub struct Kubectl {
    context: String,
    pub namespace: String,
}

impl Kubectl {
    pub fn new(profile: &Profile) -> Self {
        Self {
            context: profile.cluster.kube_context.clone(),
            namespace: profile.cluster.namespace.clone(),
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

    pub fn display(&self, args: &[&str]) -> String {
        self.argv(args).join(" ")
    }

    /// A kubectl process for `args`, without the CLAWBOOT_* variables that carry secret values
    /// (they are not kubectl's business, nor its plugins').
    pub fn command(&self, args: &[&str]) -> tokio::process::Command {
        let argv = self.argv(args);
        let mut command = tokio::process::Command::new(&argv[0]);
        command.args(&argv[1..]);
        for (name, _) in std::env::vars_os() {
            if name.to_string_lossy().starts_with("CLAWBOOT_") {
                command.env_remove(name);
            }
        }
        command
    }

    /// `kubectl exec -i POD -c CONTAINER -- sh -c SCRIPT sh ARGS…`: arguments travel as
    /// positional parameters, data on stdin.
    pub fn exec_sh(
        &self,
        pod: &str,
        container: &str,
        script: &str,
        args: &[&str],
    ) -> tokio::process::Command {
        let mut argv = vec![
            "exec", "-i", pod, "-c", container, "--", "sh", "-c", script, "sh",
        ];
        argv.extend_from_slice(args);
        self.command(&argv)
    }

    /// Run kubectl and return its stdout; a failure carries the command and kubectl's own words.
    pub async fn run(&self, args: &[&str]) -> anyhow::Result<String> {
        let argv = self.argv(args);
        let mut command = self.command(args);
        command.stdin(Stdio::null());
        let output = command.output().await.with_context(|| {
            "cannot run kubectl: install it and make sure it is on PATH".to_string()
        })?;
        if !output.status.success() {
            let stderr = String::from_utf8_lossy(&output.stderr);
            anyhow::bail!("`{}` failed: {}", argv.join(" "), stderr.trim());
        }
        Ok(String::from_utf8_lossy(&output.stdout).into_owned())
    }
}
