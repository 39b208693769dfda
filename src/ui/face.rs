//! What the three faces share: how a task is started for them, and how a report reads as text.

use std::io::Write;

use tokio::sync::mpsc::UnboundedReceiver;

use crate::waves::flow::{Outcome, Task};
use crate::waves::{Event, Mark, Report, Status};

/// A task the engine runs for a face: its events, and how to ask it to stop (Ctrl-C).
pub struct Started {
    pub events: UnboundedReceiver<Event>,
    pub stop: Box<dyn Fn() + Send>,
}

/// Starts a task on the engine (the face picks which, e.g. on its home screen).
pub type Starter<'a> = &'a mut dyn FnMut(Task) -> Started;

pub fn mark_symbol(mark: Mark) -> &'static str {
    match mark {
        Mark::Ok => "✓",
        Mark::Todo => "•",
        Mark::Warn => "!",
        Mark::Fail => "✗",
        Mark::Info => "·",
    }
}

pub fn status_symbol(status: &Status) -> &'static str {
    match status {
        Status::Pending => "○",
        Status::Working(_) => "…",
        Status::Done(_) => "✓",
        Status::Todo(_) => "•",
        Status::Attention(_) => "!",
        Status::Skipped(_) => "–",
        Status::Failed(_) => "✗",
    }
}

/// `✓ Wave 1 Infrastructure code: 10 files up to date`, then one indented line per fact.
pub fn write_report(out: &mut dyn Write, report: &Report) -> std::io::Result<()> {
    writeln!(
        out,
        "{} Wave {} {}: {}",
        status_symbol(&report.status),
        report.wave.number(),
        report.wave.title(),
        report.status.summary()
    )?;
    for line in &report.lines {
        writeln!(out, "    {} {}", mark_symbol(line.mark), line.text)?;
    }
    Ok(())
}

/// The closing lines of a task, with what to do next.
pub fn write_outcome(out: &mut dyn Write, outcome: &Outcome) -> std::io::Result<()> {
    match outcome {
        Outcome::Complete => writeln!(out, "All waves are done."),
        Outcome::Incomplete(left) => {
            writeln!(out, "Still to do:")?;
            for line in left {
                writeln!(out, "  - {line}")?;
            }
            writeln!(
                out,
                "Run clawboot again when that is ready; what is done is not asked again."
            )
        }
        Outcome::Interrupted => writeln!(
            out,
            "Stopped. What was done is kept; run clawboot again to resume where it stopped."
        ),
        Outcome::Failed(why) => writeln!(out, "error: {why}"),
    }
}

/// The exit code of a task: 0 all done, 1 something left, 2 failed, 130 interrupted.
pub fn exit_code(outcome: &Outcome) -> u8 {
    match outcome {
        Outcome::Complete => 0,
        Outcome::Incomplete(_) => 1,
        Outcome::Failed(_) => 2,
        Outcome::Interrupted => 130,
    }
}

/// The home screen's tasks; the setup is offered as a resume when one was interrupted.
pub fn home_tasks(resumable: bool) -> Vec<(Task, &'static str)> {
    vec![
        (
            Task::Setup,
            if resumable {
                "Resume the first-time setup where it stopped"
            } else {
                "First-time setup (Waves 0–5)"
            },
        ),
        (Task::Rotate(Vec::new()), "Rotate secrets"),
        (Task::SignIn, "Sign in to ChatGPT/Codex again"),
        (Task::Check, "Check everything (changes nothing)"),
    ]
}
