//! The batch face: no terminal needed. Secret values come from `CLAWBOOT_<NAME>` variables,
//! `--from-file NAME=PATH` and one `--stdin NAME`, straight into `SecretString`s; every wave
//! with something to do is applied; what is missing is listed at the end instead of asked.

use std::collections::BTreeMap;
use std::io::{BufRead, Read, Write};

use anyhow::Context;
use secrecy::SecretString;

use super::face::{write_outcome, write_report, Started};
use crate::waves::flow::Outcome;
use crate::waves::{Answer, Event, Question, Report, Status, Wave};

/// What the batch face answers with.
pub struct BatchFace {
    pub values: BTreeMap<String, SecretString>,
    /// `--sign-in` was given: sign in (a pasted address is read from stdin).
    pub sign_in: bool,
    pub show_commands: bool,
    /// Print the reports as one JSON document at the end (`--output json`).
    pub json: bool,
}

/// Answer the engine until the task ends; reports on stdout, the rest on stderr.
pub fn run(started: Started, mut face: BatchFace) -> Outcome {
    let Started { mut events, .. } = started;
    let mut reports: Vec<Report> = Vec::new();
    let mut missing = Vec::new();
    let mut stdout = std::io::stdout();
    while let Some(event) = events.blocking_recv() {
        match event {
            Event::Report(report) if matches!(report.status, Status::Working(_)) => {}
            Event::Report(report) => {
                if !face.json {
                    let _ = write_report(&mut stdout, &report);
                }
                reports.retain(|r| r.wave != report.wave);
                reports.push(report);
            }
            Event::Log(line) => eprintln!("  {line}"),
            Event::Command(line) if face.show_commands => eprintln!("  $ {line}"),
            Event::Command(_) | Event::Progress { .. } => {}
            Event::Ask(question, reply) => {
                let _ = reply.send(face.answer(question, &mut missing));
            }
            Event::Finished(outcome) => {
                if face.json {
                    let report = serde_json::json!({ "outcome": outcome, "waves": reports });
                    let _ = writeln!(
                        stdout,
                        "{}",
                        serde_json::to_string_pretty(&report).unwrap_or_default()
                    );
                } else {
                    for line in &missing {
                        let _ = writeln!(stdout, "missing: {line}");
                    }
                    for name in face.values.keys() {
                        let _ = writeln!(stdout, "unused: the value given for {name}: it is already set and was kept (`clawboot rotate {name}` replaces it)");
                    }
                    let _ = write_outcome(&mut stdout, &outcome);
                }
                return outcome;
            }
        }
    }
    Outcome::Failed("the engine stopped without an outcome".into())
}

impl BatchFace {
    fn answer(&mut self, question: Question, missing: &mut Vec<String>) -> Answer {
        match question {
            Question::Confirm {
                wave: Wave::Codex, ..
            } if !self.sign_in => {
                missing.push("the Codex sign-in: add --sign-in paste (or device), or run clawboot in a terminal".into());
                Answer::No
            }
            Question::Confirm { default, .. } => {
                if default {
                    Answer::Yes
                } else {
                    Answer::No
                }
            }
            Question::Secret { name, problem, .. } => match (self.values.remove(&name), problem) {
                (Some(value), _) => Answer::Secret(value),
                (None, Some(problem)) => {
                    missing.push(format!("{name}: {problem}"));
                    Answer::Skip
                }
                (None, None) => {
                    missing.push(format!(
                        "{name}: set {} or pass --from-file {name}=PATH",
                        env_var(&name)
                    ));
                    Answer::Skip
                }
            },
            Question::Redirect { url, .. } => {
                eprintln!("Sign in at this page, then give the address the browser ended on on standard input:\n  {url}");
                let mut line = String::new();
                match std::io::stdin().lock().read_line(&mut line) {
                    Ok(n) if n > 0 => Answer::Text(line),
                    _ => Answer::Skip,
                }
            }
            Question::Pick { .. } => Answer::Picked(Vec::new()),
        }
    }
}

/// The environment variable that supplies a parameter, e.g. `CLAWBOOT_DISCORD_BOT_TOKEN`.
pub fn env_var(name: &str) -> String {
    format!("CLAWBOOT_{}", name.to_uppercase().replace('-', "_"))
}

/// Values given on the command line, by parameter name (files and stdin win over the environment).
pub fn supplied_values(
    names: &[&str],
    from_files: &[String],
    stdin_name: Option<&str>,
) -> anyhow::Result<BTreeMap<String, SecretString>> {
    let mut values = BTreeMap::new();
    for name in names {
        if let Ok(value) = std::env::var(env_var(name)) {
            values.insert(name.to_string(), SecretString::from(value));
        }
    }
    for spec in from_files {
        let (name, path) = spec.split_once('=').with_context(|| {
            format!(
                "--from-file takes NAME=PATH, e.g. DISCORD_BOT_TOKEN=./discord.txt (got {spec:?})"
            )
        })?;
        known(names, name)?;
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read the value of {name} from {path}"))?;
        values.insert(name.to_string(), SecretString::from(strip_line_break(text)));
    }
    if let Some(name) = stdin_name {
        known(names, name)?;
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .with_context(|| format!("cannot read the value of {name} from standard input"))?;
        values.insert(name.to_string(), SecretString::from(strip_line_break(text)));
    }
    Ok(values)
}

fn known(names: &[&str], name: &str) -> anyhow::Result<()> {
    if names.contains(&name) {
        Ok(())
    } else {
        anyhow::bail!(
            "{name} is not a parameter this command can take; one of: {}",
            names.join(", ")
        )
    }
}

/// A file or pipe usually ends with one line break that is not part of the value.
fn strip_line_break(mut text: String) -> String {
    if text.ends_with('\n') {
        text.pop();
        if text.ends_with('\r') {
            text.pop();
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_line_breaks() {
        assert_eq!(env_var("tunnel-token"), "CLAWBOOT_TUNNEL_TOKEN");
        assert_eq!(strip_line_break("abc\r\n".into()), "abc");
        assert_eq!(strip_line_break("abc\n\n".into()), "abc\n");
    }

    #[test]
    fn bad_specs_say_what_to_write() {
        let err = supplied_values(&["A"], &["A:./x".into()], None).unwrap_err();
        assert!(err.to_string().contains("NAME=PATH"));
        let err = supplied_values(&["A"], &["B=./x".into()], None).unwrap_err();
        assert!(err.to_string().contains("one of: A"));
    }
}
