//! Secret values given as `CLAWBOOT_<NAME>` variables, taken out of the process environment
//! once, at start: no child (kubectl, `sh`, `openclaw`, the browser, an AWS
//! `credential_process`) inherits them.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use secrecy::SecretString;

/// `CLAWBOOT_*` variables that are settings, not secrets: they stay.
const SETTINGS: [&str; 6] = [
    "CLAWBOOT_LOG",
    "CLAWBOOT_CODEX_ISSUER",
    "CLAWBOOT_DISCORD_API",
    "CLAWBOOT_GITHUB_API",
    "CLAWBOOT_OPENAI_API",
    "CLAWBOOT_ANTHROPIC_API",
];

static SUPPLIED: OnceLock<BTreeMap<String, SecretString>> = OnceLock::new();

/// Move every secret `CLAWBOOT_*` variable out of the environment. Call it first thing in
/// `main`, before any thread starts (changing the environment is only sound then).
pub fn take() {
    let mut taken = BTreeMap::new();
    for (key, value) in std::env::vars_os() {
        let Some(key) = key.to_str().map(str::to_string) else {
            continue;
        };
        if key.starts_with("CLAWBOOT_") && !SETTINGS.contains(&key.as_str()) {
            std::env::remove_var(&key);
            if let Ok(value) = value.into_string() {
                taken.insert(key, SecretString::from(value));
            }
        }
    }
    let _ = SUPPLIED.set(taken);
}

/// The value given as `variable`, if any.
pub fn supplied(variable: &str) -> Option<SecretString> {
    SUPPLIED.get()?.get(variable).cloned()
}
