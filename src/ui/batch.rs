//! The batch face: no terminal needed. Secret values come from `CLAWBOOT_<NAME>` variables,
//! `--from-file NAME=PATH` and one `--stdin NAME`, straight into `SecretString`s; every wave
//! with something to do is applied; what is missing is listed at the end instead of asked.

use std::collections::BTreeMap;
use std::io::{BufRead, Read, Write};

use anyhow::Context;
use secrecy::SecretString;
use tokio::sync::oneshot;

use super::face::{Ran, Started};
use super::text::{sign_in_lines, write_data, write_outcome, write_report};
use crate::waves::flow::{Outcome, Task};
use crate::waves::{Answer, Consent, Data, Event, Question, Report, Status, Wave};

/// What the batch face answers with.
pub struct BatchFace {
    pub values: BTreeMap<String, SecretString>,
    /// `--sign-in` was given (or the task is a sign-in): sign in, a pasted address from stdin.
    pub sign_in: bool,
    /// `--yes`: replace what is stored and restart what runs without asking.
    pub yes: bool,
    pub show_commands: bool,
    /// Print the reports and data as one JSON document at the end (`--output json`).
    pub json: bool,
}

/// Answer the engine until the task ends; reports and data on stdout, a failed wave and the
/// rest on stderr.
pub fn run(task: Task, started: Started, mut face: BatchFace) -> Ran {
    let Started { mut events, .. } = started;
    let mut reports: Vec<Report> = Vec::new();
    let mut data: Vec<Data> = Vec::new();
    let mut missing = Vec::new();
    let mut stdout = std::io::stdout();
    while let Some(event) = events.blocking_recv() {
        match event {
            Event::Report(report) if matches!(report.status, Status::Working(_)) => {}
            Event::Report(report) => {
                let tabled = data.iter().any(Data::replaces_report);
                // A wave that failed is an error: on stderr, with the other errors.
                match (face.json || tabled, &report.status) {
                    (true, _) => {}
                    (false, Status::Failed(_)) => {
                        let _ = write_report(&mut std::io::stderr(), &report);
                    }
                    (false, _) => {
                        let _ = write_report(&mut stdout, &report);
                    }
                }
                reports.retain(|r| r.wave != report.wave);
                reports.push(report);
            }
            Event::Data(item) => {
                if !face.json {
                    let _ = write_data(&mut stdout, &item);
                }
                data.push(item);
            }
            Event::Log(line) => eprintln!("  {line}"),
            Event::Command(line) if face.show_commands => eprintln!("  $ {line}"),
            Event::Command(_) | Event::Progress { .. } => {}
            Event::Ask(question, reply) => {
                if let Question::Redirect {
                    url,
                    listening,
                    problem: None,
                } = &question
                {
                    read_paste_aside(url, *listening, reply);
                } else {
                    let _ = reply.send(face.answer(question, &mut missing));
                }
            }
            Event::Finished(outcome) => {
                face.finish(&task, &outcome, &reports, &data, &missing);
                return Ran {
                    task,
                    outcome,
                    data,
                };
            }
        }
    }
    let outcome = Outcome::Failed("the engine stopped without an outcome".into());
    Ran {
        task,
        outcome,
        data,
    }
}

/// Show the sign-in page and read the pasted address on a thread of its own, so a callback
/// that arrives first is not held up by a standard input that never ends.
fn read_paste_aside(url: &str, listening: Option<u16>, reply: oneshot::Sender<Answer>) {
    for line in sign_in_lines(url, listening) {
        eprintln!("{line}");
    }
    std::thread::spawn(move || {
        let mut line = String::new();
        let answer = match std::io::stdin().lock().read_line(&mut line) {
            Ok(n) if n > 0 => Answer::Text(line),
            _ => Answer::Skip,
        };
        let _ = reply.send(answer);
    });
}

impl BatchFace {
    fn answer(&mut self, question: Question, missing: &mut Vec<String>) -> Answer {
        match question {
            Question::Confirm {
                wave: Wave::Codex,
                consent: Consent::Apply,
                ..
            } if !self.sign_in => {
                missing.push("the Codex sign-in: add --sign-in paste (or device), or run clawboot in a terminal".into());
                Answer::No
            }
            Question::Confirm {
                consent: Consent::Apply,
                default,
                ..
            } => match default {
                true => Answer::Yes,
                false => Answer::No,
            },
            // No one is there to act (DM the bot): the engine says what is left.
            Question::Confirm {
                consent: Consent::Act,
                ..
            } => Answer::No,
            Question::Confirm { text, .. } if !self.yes => {
                missing.push(format!("not confirmed (add --yes to confirm): {text}"));
                Answer::No
            }
            Question::Confirm { .. } => Answer::Yes,
            Question::Secret {
                name,
                problem,
                replaces,
                ..
            } => match (self.values.remove(&name), problem) {
                (Some(value), _) => Answer::Secret(value),
                (None, None) if replaces => Answer::Skip,
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
            // Standard input gave its one paste, and it was refused: the engine says why.
            Question::Redirect { .. } => Answer::Skip,
            Question::Pick { .. } => Answer::Picked(Vec::new()),
        }
    }

    fn finish(
        &self,
        task: &Task,
        outcome: &Outcome,
        reports: &[Report],
        data: &[Data],
        missing: &[String],
    ) {
        let mut stdout = std::io::stdout();
        if self.json {
            let mut document = serde_json::json!({ "outcome": outcome, "waves": reports });
            for item in data {
                if let (Some(all), serde_json::Value::Object(fields)) = (
                    document.as_object_mut(),
                    serde_json::to_value(item).unwrap_or_default(),
                ) {
                    all.extend(fields);
                }
            }
            let text = serde_json::to_string_pretty(&document).unwrap_or_default();
            let _ = writeln!(stdout, "{text}");
            return;
        }
        for line in missing {
            let _ = writeln!(stdout, "missing: {line}");
        }
        for name in self.values.keys() {
            let _ = writeln!(stdout, "unused: the value given for {name}: it is already set and was kept (`clawboot rotate {name}` or `clawboot secrets seed --overwrite` replaces it)");
        }
        // An error goes where errors go; the rest is the run's output.
        match outcome {
            Outcome::Failed(_) => drop(write_outcome(&mut std::io::stderr(), task, outcome)),
            _ => drop(write_outcome(&mut stdout, task, outcome)),
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
        if let Some(value) = crate::secrets::env::supplied(&env_var(name)) {
            values.insert(name.to_string(), value);
        }
    }
    for spec in from_files {
        let (name, path) = spec.split_once('=').with_context(|| {
            format!(
                "--from-file takes NAME=PATH, e.g. DISCORD_BOT_TOKEN=./discord.txt (got {spec:?})"
            )
        })?;
        known(names, name)?;
        let text = std::fs::File::open(path)
            .and_then(read_bounded)
            .with_context(|| format!("cannot read the value of {name} from {path}"))?;
        values.insert(name.to_string(), text);
    }
    if let Some(name) = stdin_name {
        known(names, name)?;
        let text = read_bounded(std::io::stdin())
            .with_context(|| format!("cannot read the value of {name} from standard input"))?;
        values.insert(name.to_string(), text);
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

/// A value from a file or a pipe, read no further than SSM's limit plus a line break and one
/// byte (`/dev/zero` ends there too): a longer one fails its check with the limit.
fn read_bounded(source: impl Read) -> std::io::Result<SecretString> {
    let limit = crate::secrets::check::MAX_VALUE_BYTES as u64 + 3;
    let mut bytes = zeroize::Zeroizing::new(Vec::new());
    source.take(limit).read_to_end(&mut bytes)?;
    let text = String::from_utf8(std::mem::take(&mut *bytes))
        .map_err(|_| std::io::Error::new(std::io::ErrorKind::InvalidData, "not UTF-8 text"))?;
    Ok(SecretString::from(strip_line_break(text)))
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
