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

use super::face::{line_feed_as_enter, Ran, Started, Starter};
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
    // The sign-in address as last printed over the frame, and the screen it was printed on.
    let mut printed: Option<(view::Address, ratatui::layout::Rect)> = None;
    loop {
        if signalled.swap(false, Ordering::Relaxed) {
            match (app.interrupt(), &started) {
                (Action::Stop, Some(started)) => (started.stop)(),
                (Action::Stop | Action::Exit, None) | (Action::Exit, _) => return Ok(()),
                _ => {}
            }
        }
        let mut address = None;
        let area = terminal
            .draw(|frame| address = view::draw(frame, app))?
            .area;
        // Printed again only when it moved or the screen was redrawn whole (a resize): else
        // the frames leave its cells alone.
        let shown = address.map(|address| (address, area));
        if let Some((address, _)) = shown.as_ref().filter(|_| shown != printed) {
            print_address(address)?;
        }
        printed = shown;
        if let Some(started) = started.as_mut() {
            while let Ok(event) = started.events.try_recv() {
                app.on_event(event);
            }
        }
        // Ctrl-C ends the run as soon as the engine has stopped.
        if app.stopping && app.outcome.is_some() {
            return Ok(());
        }
        match wait_for_input(FRAME) {
            Terminal::Gone => {
                finish_without_terminal(app, started.as_mut());
                return Ok(());
            }
            Terminal::Quiet => {}
            // Every event crossterm has now: one read may carry several.
            Terminal::Input => {
                while event::poll(Duration::ZERO)? {
                    let action = match event::read()? {
                        event::Event::Key(key) if key.kind == KeyEventKind::Press => {
                            app.on_key(line_feed_as_enter(key))
                        }
                        event::Event::Paste(text) => {
                            app.on_paste(&text);
                            Action::None
                        }
                        _ => Action::None,
                    };
                    match action {
                        Action::Start(task) => started = Some(start(task)),
                        Action::Stop => match &started {
                            Some(started) => (started.stop)(),
                            None => return Ok(()),
                        },
                        Action::Exit => return Ok(()),
                        Action::Copy(text) => copy(&text)?,
                        Action::None => {}
                    }
                }
            }
        }
        app.tick();
    }
}

/// What the terminal has after a wait.
enum Terminal {
    Input,
    /// Nothing yet (or a signal came first).
    Quiet,
    /// Hung up or closed.
    Gone,
}

/// Wait up to `frame` for input on the terminal. Asked before crossterm is: on a dead terminal
/// its poll reads nothing forever, without returning or timing out
/// (crossterm-rs/crossterm#793).
fn wait_for_input(frame: Duration) -> Terminal {
    let mut terminal = libc::pollfd {
        fd: libc::STDIN_FILENO,
        events: libc::POLLIN,
        revents: 0,
    };
    let timeout = i32::try_from(frame.as_millis()).unwrap_or(i32::MAX);
    // SAFETY: one valid pollfd, for the length given.
    let ready = unsafe { libc::poll(&mut terminal, 1, timeout) };
    let gone = libc::POLLHUP | libc::POLLERR | libc::POLLNVAL;
    match ready {
        ..=0 => Terminal::Quiet,
        _ if terminal.revents & gone != 0 => Terminal::Gone,
        _ => Terminal::Input,
    }
}

/// The terminal is gone (SIGHUP's case, or closed without one): nothing can be drawn or read
/// any more. Stop, and wait only for the step under way, so a write is not cut short; a
/// question still open is answered as Ctrl-C.
fn finish_without_terminal(app: &mut App, started: Option<&mut Started>) {
    let Some(started) = started else {
        return;
    };
    (started.stop)();
    app.prompt = None;
    while let Some(event) = started.events.blocking_recv() {
        if let crate::waves::Event::Finished(outcome) = event {
            app.outcome = Some(outcome);
            return;
        }
    }
}

/// The address once more over what was drawn, as text the terminal wraps itself: copied, it
/// is one line.
fn print_address(address: &view::Address) -> std::io::Result<()> {
    execute!(
        std::io::stdout(),
        crossterm::cursor::MoveTo(0, address.row),
        crossterm::style::Print(&address.url)
    )
}

/// Put `text` on the clipboard with OSC 52, which works over SSH and in tmux (when the
/// terminal allows it).
fn copy(text: &str) -> std::io::Result<()> {
    use base64::Engine;
    let encoded = base64::engine::general_purpose::STANDARD.encode(text);
    execute!(
        std::io::stdout(),
        crossterm::style::Print(format!("\x1b]52;c;{encoded}\x07"))
    )
}
