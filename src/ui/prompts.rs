//! Asking the operator: where each token is made (printed, and opened in a browser), then a
//! masked prompt. Nothing typed is echoed, logged or kept outside a `SecretString`.

use std::io::IsTerminal;

use inquire::{Confirm, InquireError, Password, PasswordDisplayMode};
use secrecy::SecretString;

use crate::profile::Profile;

/// Whether prompting is possible: both ends are a terminal.
pub fn can_prompt() -> bool {
    std::io::stdin().is_terminal() && std::io::stderr().is_terminal()
}

/// The page where a token is made, and what to do there.
pub fn token_page(name: &str, profile: &Profile) -> Option<(&'static str, Vec<String>)> {
    let page = match name {
        "DISCORD_BOT_TOKEN" => (
            "https://discord.com/developers/applications",
            vec![
                "open your application (or create one) > Bot".to_string(),
                "Reset Token, copy it; turn on MESSAGE CONTENT INTENT on the same page".to_string(),
            ],
        ),
        "GITHUB_TOKEN" => (
            "https://github.com/settings/personal-access-tokens/new",
            vec![
                "fine-grained token, expiration 90 days or less".to_string(),
                format!(
                    "Repository access: Only select repositories: {}",
                    profile.github_repos().join(", ")
                ),
                "Permissions: Contents: Read and write; Pull requests: Read and write; Metadata: Read-only".to_string(),
            ],
        ),
        "ANTHROPIC_API_KEY" => (
            "https://console.anthropic.com/settings/keys",
            vec!["Create Key; it starts with sk-ant-".to_string()],
        ),
        "OPENAI_API_KEY" => (
            "https://platform.openai.com/api-keys",
            vec!["Create new secret key; it starts with sk-".to_string()],
        ),
        "ZAI_API_KEY" => (
            "https://z.ai/manage-apikey/apikey-list",
            vec!["Create a new API key".to_string()],
        ),
        "GEMINI_API_KEY" => (
            "https://aistudio.google.com/apikey",
            vec!["Create API key".to_string()],
        ),
        _ => return None,
    };
    Some(page)
}

/// Show where the token is made (opening the page unless `no_browser`), then ask for it masked.
/// `Ok(None)` when the operator leaves it empty.
pub fn ask_secret(
    name: &str,
    description: &str,
    profile: &Profile,
    no_browser: bool,
) -> anyhow::Result<Option<SecretString>> {
    if let Some((url, steps)) = token_page(name, profile) {
        eprintln!("\n{name}: {description}\n  make it at {url}");
        for step in steps {
            eprintln!("  - {step}");
        }
        if !no_browser {
            // A failure to open a browser is not an error: the address is printed above.
            let _ = open::that_detached(url);
        }
    }
    let answer = Password::new(&format!("{name}:"))
        .with_display_mode(PasswordDisplayMode::Masked)
        .without_confirmation()
        .with_help_message("pasting works; the value is not shown; empty skips")
        .prompt();
    match answer {
        Ok(value) if value.is_empty() => Ok(None),
        Ok(value) => Ok(Some(SecretString::from(value))),
        Err(e) => Err(interrupted(e)),
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
