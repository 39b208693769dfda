//! Text from outside (a profile, a server, the network) made safe for a terminal: control
//! characters are shown escaped (`\u{1b}`), so an escape sequence cannot clear the screen, set
//! the window title or fake a line, in any face.

/// `text` with every control character escaped; the rest as it is.
pub fn printable(text: &str) -> String {
    text.chars()
        .map(|c| match c.is_control() {
            true => c.escape_default().to_string(),
            false => c.to_string(),
        })
        .collect()
}

/// What a failed command printed, for one line: the first error it names, or else its last
/// lines; never kubectl's own "command terminated", nor a line that shows a credential (even
/// masked, OpenClaw prints a few of its characters).
pub fn reason(stderr: &str) -> String {
    let said: Vec<&str> = stderr
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with("command terminated with exit code"))
        .filter(|l| !l.contains("effective=") && !l.contains("env="))
        .collect();
    let error = said
        .iter()
        .find(|l| l.contains("Error:") || l.starts_with("error:") || l.contains("Reason:"));
    let reason = match (error, said.len()) {
        (Some(error), _) => error.to_string(),
        (None, 0) => "it printed nothing".into(),
        (None, n) => said[n.saturating_sub(3)..].join(" / "),
    };
    printable(&reason)
}

#[cfg(test)]
mod tests {
    use super::{printable, reason};

    #[test]
    fn a_failed_check_shows_its_error_and_no_credential() {
        let stack = "node:internal/modules/cjs/loader:1210\n  throw err;\n\nError: Cannot find module '/app/openclaw.mjs'\n    at Module._resolveFilename\nNode.js v20\ncommand terminated with exit code 1";
        assert_eq!(
            reason(stack),
            "Error: Cannot find module '/app/openclaw.mjs'"
        );
        let status = "- openai effective=env:sk...AB | env=sk...AB\nMissing auth\ncommand terminated with exit code 1";
        assert_eq!(reason(status), "Missing auth");
        assert_eq!(
            reason("command terminated with exit code 2"),
            "it printed nothing"
        );
    }

    #[test]
    fn control_characters_are_escaped_and_the_rest_kept() {
        assert_eq!(printable("ok é 名"), "ok é 名");
        assert_eq!(printable("a\u{1b}[2Jb\nc"), "a\\u{1b}[2Jb\\nc");
    }
}
