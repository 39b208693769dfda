//! The plain face's masked line and the colour setting of its prompts. Nothing typed is
//! echoed, logged or kept outside a `SecretString`.

use inquire::{InquireError, Password, PasswordDisplayMode};
use secrecy::{ExposeSecret, SecretString};
use zeroize::Zeroize;

/// A masked line; None when left empty.
pub fn masked(prompt: &str, help: &str) -> Result<Option<SecretString>, InquireError> {
    Password::new(prompt)
        .with_display_mode(PasswordDisplayMode::Masked)
        .without_confirmation()
        .with_help_message(help)
        .prompt()
        .map(|value| (!value.is_empty()).then(|| SecretString::from(value)))
}

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

/// A masked line on the terminal that gives up as soon as `gone` says so: the sign-in's
/// callback may answer the question while the operator is still at the prompt.
pub fn masked_until(prompt: &str, help: &str, gone: impl Fn() -> bool) -> std::io::Result<Line> {
    use crossterm::event::{self, Event, KeyCode, KeyEventKind, KeyModifiers};
    use std::io::Write;
    let mut err = std::io::stderr();
    // Drawn as the other prompts are: `? question` while asked, `> question` once answered.
    write!(err, "? {prompt} [{help}] ")?;
    err.flush()?;
    crossterm::terminal::enable_raw_mode()?;
    let _restore = RawMode;
    let mut typed = String::new();
    let line = loop {
        if gone() {
            break Line::Withdrawn;
        }
        if !event::poll(std::time::Duration::from_millis(100))? {
            continue;
        }
        match event::read()? {
            Event::Key(key) if key.kind == KeyEventKind::Press => match key.code {
                KeyCode::Char('c') if key.modifiers.contains(KeyModifiers::CONTROL) => {
                    break Line::Interrupted
                }
                KeyCode::Enter if typed.is_empty() => break Line::Empty,
                KeyCode::Enter => {
                    break Line::Typed(SecretString::from(std::mem::take(&mut typed)))
                }
                KeyCode::Backspace if typed.pop().is_some() => write!(err, "\u{8} \u{8}")?,
                KeyCode::Char(c) => {
                    typed.push(c);
                    write!(err, "*")?;
                }
                _ => {}
            },
            Event::Paste(text) => {
                write!(err, "{}", "*".repeat(text.chars().count()))?;
                typed.push_str(&text);
            }
            _ => {}
        }
        err.flush()?;
    };
    let shown = match &line {
        Line::Typed(value) => "*".repeat(value.expose_secret().chars().count()),
        Line::Withdrawn => "(the browser came back by itself)".to_string(),
        Line::Empty | Line::Interrupted => String::new(),
    };
    write!(err, "\r\x1b[2K> {prompt} {shown}\r\n")?;
    typed.zeroize();
    Ok(line)
}

/// Leaves raw mode however the line ends (an error included).
struct RawMode;

impl Drop for RawMode {
    fn drop(&mut self) {
        let _ = crossterm::terminal::disable_raw_mode();
    }
}
