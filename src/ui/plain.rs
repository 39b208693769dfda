//! The plain face: the same flow as line-by-line `inquire` prompts, for SSH sessions, screen
//! readers and small terminals. Secrets are asked masked; Ctrl-C at a prompt stops the task
//! (what is done is kept and the next run resumes).

use std::io::Write;

use inquire::{Confirm, InquireError, MultiSelect, Select};

use super::face::{home_tasks, Ran, Started, Starter};
use secrecy::{ExposeSecret, SecretString};

use super::prompts::{masked, masked_until, Line};
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
    let Started {
        mut events,
        stopping,
        ..
    } = start(task.clone());
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
            // A Ctrl-C that arrived as a signal before the prompt took the terminal stops here.
            Event::Ask(_, reply) if stopping() => {
                let _ = reply.send(Answer::Interrupt);
            }
            Event::Ask(question, reply) => {
                let answer = answer(question, || reply.is_closed());
                let _ = reply.send(answer);
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

/// The sign-in page (or, asked again, why the last paste was refused), then the pasted
/// address, until the browser's callback makes it moot (`gone`: the engine no longer waits).
fn paste(
    url: &str,
    listening: Option<u16>,
    problem: Option<String>,
    gone: impl Fn() -> bool,
) -> Answer {
    match problem {
        Some(problem) => eprintln!("  {}", text::refused(&problem)),
        None => {
            eprintln!();
            for line in text::sign_in_lines(url, listening) {
                eprintln!("  {line}");
            }
        }
    }
    let line = masked_until(text::PASTE_PROMPT, text::PASTE_HELP, gone);
    answer_of(line, |value| {
        Answer::Text(value.expose_secret().to_string())
    })
}

/// The answer a masked line gives; `typed` makes it of what was typed.
fn answer_of(line: std::io::Result<Line>, typed: impl FnOnce(SecretString) -> Answer) -> Answer {
    match line {
        Ok(Line::Typed(value)) => typed(value),
        Ok(Line::Empty | Line::Withdrawn) => Answer::Skip,
        Ok(Line::Interrupted) => Answer::Interrupt,
        Err(e) => {
            eprintln!("cannot prompt: {e}");
            Answer::Interrupt
        }
    }
}

fn answer(question: Question, gone: impl Fn() -> bool) -> Answer {
    let result = match question {
        Question::Redirect {
            url,
            listening,
            problem,
        } => return paste(&url, listening, problem, gone),
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
            // Asked again: only why, the page is just above.
            match problem {
                Some(problem) => eprintln!("  {}", text::refused(&problem)),
                None => {
                    eprintln!("\n{name}: {description}");
                    for line in page
                        .iter()
                        .flat_map(|(url, steps)| text::token_page(url, steps))
                    {
                        eprintln!("  {line}");
                    }
                }
            }
            let line = masked(&format!("{name}:"), text::secret_help(replaces));
            return answer_of(line, Answer::Secret);
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
