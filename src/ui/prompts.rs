//! Asking the operator: where each token is made (printed, and opened in a browser), then a
//! masked prompt. Nothing typed is echoed, logged or kept outside a `SecretString`.

use std::io::IsTerminal;

use inquire::{Confirm, InquireError, Password, PasswordDisplayMode};
use secrecy::SecretString;

use crate::profile::Profile;
use crate::secrets::catalog;

/// Whether prompting is possible: both ends are a terminal.
pub fn can_prompt() -> bool {
    std::io::stdin().is_terminal() && std::io::stderr().is_terminal()
}

/// Show where the token is made (opening the page unless `no_browser`), then ask for it masked.
/// `Ok(None)` when the operator leaves it empty.
pub fn ask_secret(
    name: &str,
    description: &str,
    profile: &Profile,
    no_browser: bool,
) -> anyhow::Result<Option<SecretString>> {
    if let Some((url, steps)) = catalog::token_page(name, profile) {
        eprintln!("\n{name}: {description}\n  make it at {url}");
        for step in steps {
            eprintln!("  - {step}");
        }
        if !no_browser {
            // A failure to open a browser is not an error: the address is printed above.
            let _ = open::that_detached(url);
        }
    }
    masked(
        &format!("{name}:"),
        "pasting works; the value is not shown; empty skips",
    )
    .map_err(interrupted)
}

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

/// A yes/no question, `false` by default.
pub fn confirm(question: &str) -> anyhow::Result<bool> {
    Confirm::new(question)
        .with_default(false)
        .prompt()
        .map_err(interrupted)
}

fn interrupted(e: InquireError) -> anyhow::Error {
    match e {
        InquireError::OperationInterrupted | InquireError::OperationCanceled => {
            anyhow::anyhow!("interrupted: nothing was written")
        }
        other => anyhow::anyhow!("cannot prompt: {other}"),
    }
}
