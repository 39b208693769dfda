//! The plain face: the same flow as line-by-line `inquire` prompts, for SSH sessions, screen
//! readers and small terminals. Secrets are asked masked; Ctrl-C at a prompt stops the task
//! (what is done is kept and the next run resumes).

use std::io::Write;

use inquire::{Confirm, InquireError, MultiSelect, Select};

use super::face::{home_tasks, Ran, Starter};
use super::prompts::masked;
use super::text;
use crate::waves::flow::{Outcome, Task};
use crate::waves::{Answer, Data, Event, Question, Status};

pub fn run(
    start: Starter,
    task: Option<Task>,
    resumable: bool,
    show_commands: bool,
) -> anyhow::Result<Ran> {
    let task = match task {
        Some(task) => task,
        None => match pick_task(resumable)? {
            Some(task) => task,
            None => {
                return Ok(Ran {
                    task: Task::Check,
                    outcome: Outcome::Interrupted,
                    data: Vec::new(),
                })
            }
        },
    };
    let mut events = start(task.clone()).events;
    let mut data: Vec<Data> = Vec::new();
    let mut out = std::io::stdout();
    while let Some(event) = events.blocking_recv() {
        match event {
            Event::Report(report) => {
                let tabled = data.iter().any(Data::replaces_report);
                if !matches!(report.status, Status::Working(_)) && !tabled {
                    text::write_report(&mut out, &report)?;
                }
            }
            Event::Data(item) => {
                text::write_data(&mut out, &item)?;
                data.push(item);
            }
            Event::Log(line) => writeln!(out, "  {line}")?,
            Event::Command(line) if show_commands => writeln!(out, "  $ {line}")?,
            Event::Command(_) => {}
            Event::Progress {
                done,
                countdown: true,
                ..
            } => {
                write!(out, "\r  {} ", text::countdown(done))?;
                out.flush()?;
            }
            Event::Progress { .. } => {}
            Event::Ask(question, reply) => {
                let _ = reply.send(answer(question));
            }
            Event::Finished(outcome) => {
                text::write_outcome(&mut out, &task, &outcome)?;
                return Ok(Ran {
                    task,
                    outcome,
                    data,
                });
            }
        }
    }
    Ok(Ran {
        task,
        outcome: Outcome::Failed("the engine stopped without an outcome".into()),
        data,
    })
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
            replaces,
        } => {
            eprintln!("\n{name}: {description}");
            if let Some((url, steps)) = page {
                for line in text::token_page(&url, &steps) {
                    eprintln!("  {line}");
                }
            }
            if let Some(problem) = problem {
                eprintln!("  {}", text::refused(&problem));
            }
            masked(&format!("{name}:"), text::secret_help(replaces)).map(|value| match value {
                Some(value) => Answer::Secret(value),
                None => Answer::Skip,
            })
        }
        Question::Redirect { url, listening } => {
            eprintln!();
            for line in text::sign_in_lines(&url, listening) {
                eprintln!("  {line}");
            }
            masked(text::PASTE_PROMPT, text::PASTE_HELP).map(|value| match value {
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
