//! Secret values without a terminal: `CLAWBOOT_<NAME>` variables, `--from-file NAME=PATH`, and
//! one `--stdin NAME`. Values go straight into `SecretString`s.

use std::collections::BTreeMap;
use std::io::Read;

use anyhow::Context;
use secrecy::SecretString;

/// The environment variable that supplies a parameter, e.g. `CLAWBOOT_DISCORD_BOT_TOKEN`.
pub fn env_var(name: &str) -> String {
    format!("CLAWBOOT_{}", name.to_uppercase().replace('-', "_"))
}

/// Values given on the command line, by parameter name (files and stdin win over the environment).
pub fn supplied_values(
    names: &[&str],
    from_files: &[String],
    stdin_name: Option<&str>,
) -> anyhow::Result<BTreeMap<String, SecretString>> {
    let mut values = BTreeMap::new();
    for name in names {
        if let Ok(value) = std::env::var(env_var(name)) {
            values.insert(name.to_string(), SecretString::from(value));
        }
    }
    for spec in from_files {
        let (name, path) = spec.split_once('=').with_context(|| {
            format!(
                "--from-file takes NAME=PATH, e.g. DISCORD_BOT_TOKEN=./discord.txt (got {spec:?})"
            )
        })?;
        known(names, name)?;
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read the value of {name} from {path}"))?;
        values.insert(name.to_string(), SecretString::from(strip_line_break(text)));
    }
    if let Some(name) = stdin_name {
        known(names, name)?;
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .with_context(|| format!("cannot read the value of {name} from standard input"))?;
        values.insert(name.to_string(), SecretString::from(strip_line_break(text)));
    }
    Ok(values)
}

fn known(names: &[&str], name: &str) -> anyhow::Result<()> {
    if names.contains(&name) {
        Ok(())
    } else {
        anyhow::bail!(
            "{name} is not a parameter this command can take; one of: {}",
            names.join(", ")
        )
    }
}

/// A file or pipe usually ends with one line break that is not part of the value.
fn strip_line_break(mut text: String) -> String {
    if text.ends_with('\n') {
        text.pop();
        if text.ends_with('\r') {
            text.pop();
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_line_breaks() {
        assert_eq!(env_var("tunnel-token"), "CLAWBOOT_TUNNEL_TOKEN");
        assert_eq!(strip_line_break("abc\r\n".into()), "abc");
        assert_eq!(strip_line_break("abc\n\n".into()), "abc\n");
    }

    #[test]
    fn bad_specs_say_what_to_write() {
        let err = supplied_values(&["A"], &["A:./x".into()], None).unwrap_err();
        assert!(err.to_string().contains("NAME=PATH"));
        let err = supplied_values(&["A"], &["B=./x".into()], None).unwrap_err();
        assert!(err.to_string().contains("one of: A"));
    }
}
