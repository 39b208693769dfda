//! The plain face's masked line and the colour setting of its prompts. Nothing typed is
//! echoed, logged or kept outside a `SecretString`.

use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};

use super::face::line_feed_as_enter;
use zeroize::Zeroize;

/// Without colours when NO_COLOR is set (https://no-color.org).
pub fn respect_no_color() {
    if std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()) {
        inquire::set_global_render_config(inquire::ui::RenderConfig::empty());
    }
}

/// How a cancellable line ended.
pub enum Line {
    Typed(SecretString),
    Empty,
    /// Ctrl-C.
    Interrupted,
    /// `gone` said the question is no longer asked (the browser came back by itself).
    Withdrawn,
}

/// A masked line on the terminal. A pasted line break stays in the value (so a two-line paste
/// is refused by the check, as in the full screen), a final one is dropped.
pub fn masked(prompt: &str, help: &str) -> std::io::Result<Line> {
    masked_until(prompt, help, || false)
}

/// A masked line that gives up as soon as `gone` says so: the sign-in's callback may answer the
/// question while the operator is still at the prompt.
pub fn masked_until(prompt: &str, help: &str, gone: impl Fn() -> bool) -> std::io::Result<Line> {
    use crossterm::event::{self, Event, KeyCode, KeyEventKind, KeyModifiers};
    use std::io::Write;
    let mut err = std::io::stderr();
    // Drawn as the other prompts are: `? question` while asked, `> question` once answered. The
    // help goes above, so a narrow terminal does not wrap the line being typed.
    write!(err, "  [{help}]\n? {prompt} ")?;
    err.flush()?;
    let _restore = RawMode::enter()?;
    let mut typed = String::new();
    let line = loop {
        if gone() {
            break Line::Withdrawn;
        }
        if !event::poll(std::time::Duration::from_millis(100))? {
            continue;
        }
        match event::read()? {
            Event::Key(key) if key.kind == KeyEventKind::Press => {
                match line_feed_as_enter(key).code {
                    KeyCode::Char('c') if key.modifiers.contains(KeyModifiers::CONTROL) => {
                        break Line::Interrupted
                    }
                    KeyCode::Char(_) if key.modifiers.contains(KeyModifiers::CONTROL) => continue,
                    KeyCode::Esc => break Line::Empty,
                    // Without bracketed paste a pasted line break is an Enter with more input
                    // right behind it; nobody types that fast.
                    KeyCode::Enter if event::poll(PASTE_GAP)? => typed.push('\n'),
                    KeyCode::Enter if typed.is_empty() => break Line::Empty,
                    KeyCode::Enter => {
                        break Line::Typed(SecretString::from(std::mem::take(&mut typed)))
                    }
                    KeyCode::Backspace => {
                        typed.pop();
                    }
                    KeyCode::Char(c) => typed.push(c),
                    _ => {}
                }
            }
            Event::Paste(mut text) => {
                typed.push_str(text.trim_end_matches(['\r', '\n']));
                text.zeroize();
            }
            _ => continue,
        }
        write!(err, "\r\x1b[2K? {prompt} {}", stars(typed.chars().count()))?;
        err.flush()?;
    };
    let shown = match &line {
        Line::Typed(value) => stars(value.expose_secret().chars().count()),
        Line::Withdrawn => "(the browser came back by itself)".to_string(),
        Line::Empty | Line::Interrupted => String::new(),
    };
    write!(err, "\r\x1b[2K> {prompt} {shown}\r\n")?;
    typed.zeroize();
    Ok(line)
}

/// One star for each character typed, up to a count that keeps the line within 80 columns.
fn stars(count: usize) -> String {
    const SHOWN: usize = 24;
    match count > SHOWN {
        true => format!("{} ({count} characters)", "*".repeat(SHOWN)),
        false => "*".repeat(count),
    }
}

/// How soon after an Enter more input shows it was pasted.
const PASTE_GAP: Duration = Duration::from_millis(15);

/// Raw mode with bracketed paste while a line is read, left however the line ends (an error
/// included).
struct RawMode;

impl RawMode {
    fn enter() -> std::io::Result<Self> {
        crossterm::terminal::enable_raw_mode()?;
        let entered = Self;
        crossterm::execute!(std::io::stderr(), crossterm::event::EnableBracketedPaste)?;
        Ok(entered)
    }
}

impl Drop for RawMode {
    fn drop(&mut self) {
        let _ = crossterm::execute!(std::io::stderr(), crossterm::event::DisableBracketedPaste);
        let _ = crossterm::terminal::disable_raw_mode();
    }
}
