//! The plain face: the same flow as line-by-line `inquire` prompts, for SSH sessions, screen
//! readers and small terminals. Secrets are asked masked; Ctrl-C at a prompt stops the task
//! (what is done is kept and the next run resumes).

use std::io::Write;

use inquire::{Confirm, InquireError, MultiSelect, Select};

use super::face::{home_tasks, write_outcome, write_report, Starter};
use super::prompts::masked;
use crate::waves::flow::{Outcome, Task};
use crate::waves::{Answer, Event, Question, Status};

pub fn run(
    start: Starter,
    task: Option<Task>,
    resumable: bool,
    show_commands: bool,
) -> anyhow::Result<Outcome> {
    let task = match task {
        Some(task) => task,
        None => match pick_task(resumable)? {
            Some(task) => task,
            None => return Ok(Outcome::Interrupted),
        },
    };
    let mut events = start(task).events;
    let mut out = std::io::stdout();
    while let Some(event) = events.blocking_recv() {
        match event {
            Event::Report(report) => {
                if !matches!(report.status, Status::Working(_)) {
                    write_report(&mut out, &report)?;
                }
            }
            Event::Log(line) => writeln!(out, "  {line}")?,
            Event::Command(line) if show_commands => writeln!(out, "  $ {line}")?,
            Event::Command(_) => {}
            Event::Progress {
                done,
                countdown: true,
                ..
            } => {
                write!(
                    out,
                    "\r  waiting for approval, {:>2}:{:02} left ",
                    done / 60,
                    done % 60
                )?;
                out.flush()?;
            }
            Event::Progress { .. } => {}
            Event::Ask(question, reply) => {
                let _ = reply.send(answer(question));
            }
            Event::Finished(outcome) => {
                write_outcome(&mut out, &outcome)?;
                return Ok(outcome);
            }
        }
    }
    Ok(Outcome::Failed(
        "the engine stopped without an outcome".into(),
    ))
}

/// The home screen as a list; None when the operator leaves.
fn pick_task(resumable: bool) -> anyhow::Result<Option<Task>> {
    let tasks = home_tasks(resumable);
    let labels: Vec<&str> = tasks.iter().map(|(_, label)| *label).collect();
    match Select::new("What to do?", labels).raw_prompt() {
        Ok(choice) => Ok(Some(tasks[choice.index].0.clone())),
        Err(InquireError::OperationCanceled | InquireError::OperationInterrupted) => Ok(None),
        Err(e) => Err(anyhow::anyhow!("cannot prompt: {e}")),
    }
}

fn answer(question: Question) -> Answer {
    let result = match question {
        Question::Confirm { text, default, .. } => Confirm::new(&text)
            .with_default(default)
            .prompt()
            .map(|yes| if yes { Answer::Yes } else { Answer::No }),
        Question::Secret {
            name,
            description,
            page,
            problem,
        } => {
            eprintln!("\n{name}: {description}");
            if let Some((url, steps)) = page {
                eprintln!("  make it at {url}");
                for step in steps {
                    eprintln!("  - {step}");
                }
            }
            if let Some(problem) = problem {
                eprintln!("  refused: {problem}; nothing was written. Try again (empty leaves it for later).");
            }
            masked(
                &format!("{name}:"),
                "pasting works; the value is not shown; empty leaves it for later",
            )
            .map(|value| match value {
                Some(value) => Answer::Secret(value),
                None => Answer::Skip,
            })
        }
        Question::Redirect { url, listening } => {
            eprintln!("\nSign in to ChatGPT in a browser, on any machine:\n  {url}");
            if let Some(port) = listening {
                eprintln!("  (on this machine the browser returns by itself to 127.0.0.1:{port})");
            }
            masked(
                "Address the browser ended on (or the code):",
                "it starts with http://localhost:…/auth/callback; not shown",
            )
            .map(|value| match value {
                Some(value) => {
                    Answer::Text(secrecy::ExposeSecret::expose_secret(&value).to_string())
                }
                None => Answer::Skip,
            })
        }
        Question::Pick { text, options } => MultiSelect::new(&text, options)
            .with_help_message("space selects, enter confirms")
            .raw_prompt()
            .map(|picked| Answer::Picked(picked.into_iter().map(|o| o.index).collect())),
    };
    result.unwrap_or_else(|e| match e {
        InquireError::OperationCanceled | InquireError::OperationInterrupted => Answer::Interrupt,
        other => {
            eprintln!("cannot prompt: {other}");
            Answer::Interrupt
        }
    })
}
