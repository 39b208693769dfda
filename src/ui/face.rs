//! What the three faces share: how a task is started for them, how it ended, and the home
//! screen's choices. Their words are in `text`.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use tokio::sync::mpsc::UnboundedReceiver;

use crate::waves::flow::{Outcome, Task};
use crate::waves::{Data, Event};

/// A task the engine runs for a face: its events, and how to ask it to stop (Ctrl-C).
pub struct Started {
    pub events: UnboundedReceiver<Event>,
    pub stop: Box<dyn Fn() + Send>,
    /// Whether a stop was asked for (a Ctrl-C that came as a signal, outside a prompt).
    pub stopping: Box<dyn Fn() -> bool + Send>,
}

/// Starts a task on the engine (the face picks which, e.g. on its home screen).
pub type Starter<'a> = &'a mut dyn FnMut(Task) -> Started;

/// How a task ended, and the data it handed over on the way.
pub struct Ran {
    pub task: Task,
    pub outcome: Outcome,
    pub data: Vec<Data>,
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
                "First-time setup (Waves 0–6)"
            },
        ),
        (Task::Rotate(Vec::new()), "Rotate secrets"),
        (Task::SignIn, "Sign in to ChatGPT/Codex again"),
        (
            Task::Upgrade(crate::openclaw::release::newest()),
            "Upgrade OpenClaw to the newest release clawboot supports",
        ),
        (Task::Check, "Check everything (changes nothing)"),
    ]
}

/// A line feed is an Enter, as on a cooked terminal: in raw mode crossterm reads it as Ctrl-J,
/// and a paste or a script (`printf 'token\n'`) ends a line with it.
pub fn line_feed_as_enter(key: KeyEvent) -> KeyEvent {
    match (key.code, key.modifiers.contains(KeyModifiers::CONTROL)) {
        (KeyCode::Char('j'), true) => KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE),
        _ => key,
    }
}
