//! Changing one value of an answers file in place: every other line stays as it was (its
//! comments, its other keys, its order), which a YAML parser and writer would not keep.

/// `text` with `section.key` set to `value` (already written as YAML: `"2026.9.6"`). The key
/// is found in the block mapping `section:` at the top level; a missing key is added as the
/// section's last entry, a missing section at the end. A comment after the old value stays.
pub fn set(text: &str, section: &str, key: &str, value: &str) -> anyhow::Result<String> {
    let lines: Vec<&str> = text.lines().collect();
    let header = lines.iter().position(|l| is_key(l, 0, section));
    let Some(header) = header else {
        let mut out = text.to_string();
        if !out.is_empty() && !out.ends_with('\n') {
            out.push('\n');
        }
        out.push_str(&format!("{section}:\n  {key}: {value}\n"));
        return Ok(out);
    };
    anyhow::ensure!(
        after_colon(lines[header]).is_empty(),
        "`{section}:` in the answers file is not a block of `key: value` lines: set {section}.{key} to {value} by hand"
    );
    // The section runs until the next line at the top level that is neither blank nor a comment.
    let end = (header + 1..lines.len())
        .find(|&i| indent(lines[i]) == 0 && !is_blank_or_comment(lines[i]))
        .unwrap_or(lines.len());
    let children = header + 1..end;
    let child_indent = children
        .clone()
        .map(|i| lines[i])
        .find(|l| !is_blank_or_comment(l))
        .map_or(2, indent);
    let mut out: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
    match children
        .clone()
        .find(|&i| is_key(lines[i], child_indent, key))
    {
        Some(i) => out[i] = with_value(lines[i], value),
        None => {
            let last = children
                .clone()
                .rev()
                .find(|&i| !is_blank_or_comment(lines[i]))
                .unwrap_or(header);
            out.insert(
                last + 1,
                format!("{}{key}: {value}", " ".repeat(child_indent)),
            );
        }
    }
    let mut joined = out.join("\n");
    if text.ends_with('\n') || text.is_empty() {
        joined.push('\n');
    }
    Ok(joined)
}

fn indent(line: &str) -> usize {
    line.len() - line.trim_start_matches(' ').len()
}

fn is_blank_or_comment(line: &str) -> bool {
    let trimmed = line.trim();
    trimmed.is_empty() || trimmed.starts_with('#')
}

/// `line` is `key:` (with a value or not) at exactly `at` spaces.
fn is_key(line: &str, at: usize, key: &str) -> bool {
    indent(line) == at
        && line[at..].strip_prefix(key).is_some_and(|rest| {
            rest.starts_with(':') && (rest.len() == 1 || rest[1..].starts_with([' ', '\t']))
        })
}

/// What follows `key:`, without a comment.
fn after_colon(line: &str) -> &str {
    let rest = line.split_once(':').map_or("", |(_, rest)| rest);
    rest.split(" #").next().unwrap_or("").trim()
}

/// `line` with its value replaced; its key, indentation and trailing comment kept.
fn with_value(line: &str, value: &str) -> String {
    let (key, rest) = line.split_once(':').unwrap_or((line, ""));
    // The comment with the spaces before it, as they were.
    let comment = rest
        .find(" #")
        .map(|at| &rest[rest[..at].trim_end().len()..])
        .unwrap_or("");
    format!("{key}: {value}{comment}")
}

#[cfg(test)]
mod tests {
    use super::*;

    const ANSWERS: &str = "# my cluster\naws:\n  ssm_prefix: /x/openclaw # ours\n\nimages:\n  # pinned\n  openclaw: ghcr.io/openclaw/openclaw:2026.5.28 # was slim\n  litellm: ghcr.io/berriai/litellm:v1.81.3-stable\nopenclaw:\n  release: \"2026.5.28\"   # in step\n";

    #[test]
    fn one_value_changes_and_every_other_line_stays() {
        let text = set(ANSWERS, "openclaw", "release", "\"2026.9.6\"").unwrap();
        let text = set(
            &text,
            "images",
            "openclaw",
            "ghcr.io/openclaw/openclaw:2026.9.6",
        )
        .unwrap();
        assert_eq!(
            text,
            ANSWERS
                .replace("release: \"2026.5.28\"", "release: \"2026.9.6\"")
                .replace(
                    "openclaw:2026.5.28 # was slim",
                    "openclaw:2026.9.6 # was slim"
                )
        );
    }

    #[test]
    fn a_missing_key_or_section_is_added() {
        let text = set(
            "aws:\n  ssm_prefix: /x\n\n# end\n",
            "aws",
            "region",
            "eu-west-1",
        )
        .unwrap();
        assert_eq!(
            text,
            "aws:\n  ssm_prefix: /x\n  region: eu-west-1\n\n# end\n"
        );
        let text = set(
            "aws:\n  ssm_prefix: /x\n",
            "openclaw",
            "release",
            "\"2026.9.6\"",
        )
        .unwrap();
        assert_eq!(
            text,
            "aws:\n  ssm_prefix: /x\nopenclaw:\n  release: \"2026.9.6\"\n"
        );
        assert!(set("openclaw: {release: x}\n", "openclaw", "release", "y").is_err());
    }
}
