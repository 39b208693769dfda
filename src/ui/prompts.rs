//! The plain face's masked line and the colour setting of its prompts. Nothing typed is
//! echoed, logged or kept outside a `SecretString`.

use inquire::{InquireError, Password, PasswordDisplayMode};
use secrecy::SecretString;

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
