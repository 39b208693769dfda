//! A secret passed as a container argument: it shows in /proc/*/cmdline and `kubectl describe`.

use crate::doctor::folder::Folder;
use crate::doctor::{Finding, Rule};

pub const RULE: Rule = Rule {
    id: "token-in-args",
    finds: "`--token`, `--api-key`, `$(…TOKEN…)` in a container's command or args",
    check,
};

fn check(folder: &Folder) -> Vec<Finding> {
    let mut findings = Vec::new();
    for c in folder.containers() {
        for arg in c.command_line().iter().filter(|a| leaks_secret_in_argv(a)) {
            findings.push(RULE.finding(&c.doc.file, c.line(&[&[arg]]),
                format!("container {} of {} passes a secret as an argument ({}): it shows in /proc/*/cmdline and `kubectl describe`", c.name, c.workload, without_value(arg)),
                "pass it as an environment variable from the Secret (cloudflared reads TUNNEL_TOKEN by itself)"));
        }
    }
    findings
}

/// The argument as a finding shows it: a `--flag=value` without its value, which may be the
/// secret itself.
fn without_value(arg: &str) -> String {
    match arg.split_once('=') {
        Some((flag, _)) if flag.starts_with("--") => format!("{flag}=…"),
        _ => arg.to_string(),
    }
}

/// `--token`, `--token=…` or a `$(SECRET_VAR)` expansion in a container's argv.
fn leaks_secret_in_argv(arg: &str) -> bool {
    let lower = arg.to_lowercase();
    let flag = lower.starts_with("--token")
        || lower.starts_with("--api-key")
        || lower.starts_with("--password");
    let expansion = arg.split("$(").skip(1).any(|rest| {
        let var = rest.split(')').next().unwrap_or("");
        ["TOKEN", "KEY", "SECRET", "PASSWORD"]
            .iter()
            .any(|w| var.contains(w))
    });
    flag || expansion
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn argv_secrets() {
        assert!(leaks_secret_in_argv("--token"));
        assert!(leaks_secret_in_argv("$(TUNNEL_TOKEN)"));
        assert!(!leaks_secret_in_argv("--no-autoupdate"));
        assert!(!leaks_secret_in_argv("$(POD_NAME)"));
    }

    #[test]
    fn a_flags_value_is_not_shown() {
        assert_eq!(without_value("--token=eyJhIjoi"), "--token=…");
        assert_eq!(without_value("$(TUNNEL_TOKEN)"), "$(TUNNEL_TOKEN)");
        assert_eq!(without_value("--token"), "--token");
    }
}
