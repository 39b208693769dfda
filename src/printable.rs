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

#[cfg(test)]
mod tests {
    use super::printable;

    #[test]
    fn control_characters_are_escaped_and_the_rest_kept() {
        assert_eq!(printable("ok é 名"), "ok é 名");
        assert_eq!(printable("a\u{1b}[2Jb\nc"), "a\\u{1b}[2Jb\\nc");
    }
}
