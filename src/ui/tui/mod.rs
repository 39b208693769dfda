//! The full-screen face (ratatui + crossterm). The terminal is always given back as it was:
//! on a normal exit, on Ctrl-C (a key in raw mode: the step under way finishes first), on
//! SIGTERM and SIGHUP (the same way), and on a panic (the hook restores it before the message
//! is printed).

pub mod app;
pub mod view;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use crossterm::event::{self, DisableBracketedPaste, EnableBracketedPaste, KeyEventKind};
use crossterm::execute;

use super::face::{Ran, Started, Starter};
use crate::waves::flow::{Outcome, Task};
use app::{Action, App};

/// How long to wait for a key before drawing again (the spinner, engine events).
const FRAME: Duration = Duration::from_millis(80);

pub fn run(
    start: Starter,
    task: Option<Task>,
    resumable: bool,
    show_commands: bool,
) -> anyhow::Result<Ran> {
    let color = std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    let mut app = App::new(task.clone(), resumable, show_commands, color);
    // SIGTERM and SIGHUP (the terminal closed) end the run as Ctrl-C does, so the terminal is
    // restored instead of left in the alternate screen. Registered before the screen changes.
    let signalled = Arc::new(AtomicBool::new(false));
    for signal in [signal_hook::consts::SIGTERM, signal_hook::consts::SIGHUP] {
        signal_hook::flag::register(signal, signalled.clone())?;
    }
    let mut terminal = ratatui::try_init()?;
    let restore = || {
        let _ = execute!(std::io::stdout(), DisableBracketedPaste);
        ratatui::restore();
    };
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let _ = execute!(std::io::stdout(), DisableBracketedPaste);
        ratatui::restore();
        previous(info);
    }));
    execute!(std::io::stdout(), EnableBracketedPaste)?;
    let result = event_loop(&mut terminal, &mut app, start, task, &signalled);
    restore();
    result?;
    Ok(Ran {
        task: app.task.unwrap_or(Task::Check),
        outcome: app.outcome.unwrap_or(Outcome::Interrupted),
        data: Vec::new(),
    })
}

fn event_loop(
    terminal: &mut ratatui::DefaultTerminal,
    app: &mut App,
    start: Starter,
    task: Option<Task>,
    signalled: &AtomicBool,
) -> anyhow::Result<()> {
    let mut started: Option<Started> = task.map(&mut *start);
    loop {
        if signalled.swap(false, Ordering::Relaxed) {
            match (app.interrupt(), &started) {
                (Action::Stop, Some(started)) => (started.stop)(),
                (Action::Stop | Action::Exit, None) | (Action::Exit, _) => return Ok(()),
                _ => {}
            }
        }
        terminal.draw(|frame| view::draw(frame, app))?;
        if let Some(started) = started.as_mut() {
            while let Ok(event) = started.events.try_recv() {
                app.on_event(event);
            }
        }
        // Ctrl-C ends the run as soon as the engine has stopped.
        if app.stopping && app.outcome.is_some() {
            return Ok(());
        }
        if event::poll(FRAME)? {
            match event::read()? {
                event::Event::Key(key) if key.kind == KeyEventKind::Press => {
                    match app.on_key(key) {
                        Action::Start(task) => started = Some(start(task)),
                        Action::Stop => match &started {
                            Some(started) => (started.stop)(),
                            None => return Ok(()),
                        },
                        Action::Exit => return Ok(()),
                        Action::None => {}
                    }
                }
                event::Event::Paste(text) => app.on_paste(&text),
                _ => {}
            }
        }
        app.tick();
    }
}
