//! Where in a file a finding is: the line reached by searching forward step by step.

/// The 1-based line reached by searching forward for each step in turn (any of its
/// alternatives); when a step is not found, the line of the last step that was.
pub fn locate(text: &str, steps: &[&[&str]]) -> usize {
    let lines: Vec<&str> = text.lines().collect();
    let mut at = 0;
    let mut found = 0;
    for step in steps {
        match (at..lines.len()).find(|&i| step.iter().any(|needle| lines[i].contains(needle))) {
            Some(i) => {
                at = i;
                found = i + 1;
            }
            None => break,
        }
    }
    found.max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locate_walks_steps_forward() {
        let text = "a: 1\nname: x\n  limits:\n    memory: 1\n";
        assert_eq!(locate(text, &[&["name: x"], &["limits:"], &["memory:"]]), 4);
        assert_eq!(locate(text, &[&["name: x"], &["nothing"]]), 2);
        assert_eq!(locate(text, &[&["nothing"]]), 1);
    }
}
