//! Shape checks of secret values and generation of the ones clawboot makes itself.
//! Messages describe what is expected, never the value.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rand::RngCore;
use secrecy::{ExposeSecret, SecretString};
use serde::Serialize;

/// SSM's limit for a standard parameter's value; input is never read past it (plus one byte,
/// to tell a value that is too long).
pub const MAX_VALUE_BYTES: usize = 4096;

/// What Terraform writes as the initial value: it counts as not set.
pub const PLACEHOLDER: &str = "dummy";

/// The expected form of a parameter's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Shape {
    /// Three dot-separated base64url parts; the first is the bot's numeric id.
    DiscordBotToken,
    /// `github_pat_…` (fine-grained, preferred) or `ghp_…` (classic, accepted with a warning).
    GitHubToken,
    /// `sk-ant-…`
    AnthropicKey,
    /// `sk-…` (not an Anthropic key)
    OpenAiKey,
    /// A provider key of no known prefix: one line, no spaces.
    ApiKey,
    /// At least 32 random bytes, base64url.
    GatewayToken,
    /// `sk-` followed by at least 32 random characters.
    LiteLlmMasterKey,
    /// Anything non-empty (written by another tool).
    Any,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Valid,
    /// Usable, with advice.
    Warning(String),
    Invalid(String),
}

pub fn is_placeholder(value: &SecretString) -> bool {
    value.expose_secret().trim() == PLACEHOLDER
}

fn is_base64url(part: &str) -> bool {
    !part.is_empty()
        && part
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

fn token_chars(rest: &str, min: usize) -> bool {
    rest.len() >= min && is_base64url(rest)
}

impl Shape {
    pub fn check(self, value: &SecretString) -> Verdict {
        let value = value.expose_secret();
        if value.is_empty() {
            return Verdict::Invalid("is empty".into());
        }
        if value.len() > MAX_VALUE_BYTES {
            return Verdict::Invalid(format!(
                "is longer than SSM's limit for a standard parameter ({MAX_VALUE_BYTES} bytes): is it the right file?"
            ));
        }
        if value.trim() != value || value.contains(char::is_whitespace) {
            return Verdict::Invalid(
                "contains spaces or line breaks: paste the token alone".into(),
            );
        }
        match self {
            Self::DiscordBotToken => check_discord(value),
            Self::GitHubToken => check_github(value),
            Self::AnthropicKey => match value.strip_prefix("sk-ant-") {
                Some(rest) if token_chars(rest, 20) => Verdict::Valid,
                _ => Verdict::Invalid("is not an Anthropic API key (sk-ant-…)".into()),
            },
            Self::OpenAiKey => match value.strip_prefix("sk-") {
                Some(rest) if rest.starts_with("ant-") => {
                    Verdict::Invalid("is an Anthropic key (sk-ant-…), not an OpenAI key".into())
                }
                Some(rest) if token_chars(rest, 20) => Verdict::Valid,
                _ => Verdict::Invalid("is not an OpenAI API key (sk-…)".into()),
            },
            Self::ApiKey if value.len() >= 16 => Verdict::Valid,
            Self::ApiKey => Verdict::Invalid("is too short for an API key".into()),
            Self::GatewayToken if token_chars(value, 43) => Verdict::Valid,
            Self::GatewayToken => Verdict::Invalid(
                "must be at least 32 random bytes as base64url (43 characters or more)".into(),
            ),
            Self::LiteLlmMasterKey => match value.strip_prefix("sk-") {
                Some(rest) if token_chars(rest, 32) => Verdict::Valid,
                _ => {
                    Verdict::Invalid("must be sk- followed by at least 32 random characters".into())
                }
            },
            Self::Any => Verdict::Valid,
        }
    }

    /// A fresh value for the shapes clawboot generates.
    pub fn generate(self) -> Option<SecretString> {
        // The random bytes and their text are wiped when dropped; only the SecretString stays.
        let random = |bytes: usize| {
            let mut buf = zeroize::Zeroizing::new(vec![0u8; bytes]);
            rand::thread_rng().fill_bytes(&mut buf);
            zeroize::Zeroizing::new(URL_SAFE_NO_PAD.encode(&*buf))
        };
        match self {
            Self::GatewayToken => Some(SecretString::from(random(32).as_str())),
            Self::LiteLlmMasterKey => {
                Some(SecretString::from(format!("sk-{}", random(36).as_str())))
            }
            _ => None,
        }
    }
}

fn check_discord(value: &str) -> Verdict {
    let parts: Vec<&str> = value.split('.').collect();
    let id_part = parts.first().copied().unwrap_or_default();
    let id_is_numeric = URL_SAFE_NO_PAD
        .decode(id_part.trim_end_matches('='))
        .is_ok_and(|id| id.len() >= 15 && id.iter().all(u8::is_ascii_digit));
    if parts.len() == 3 && parts.iter().all(|p| is_base64url(p)) && id_is_numeric {
        Verdict::Valid
    } else {
        Verdict::Invalid(
            "is not a Discord bot token (three dot-separated parts, the first the bot's id): \
             copy it from Bot > Reset Token in the developer portal"
                .into(),
        )
    }
}

fn check_github(value: &str) -> Verdict {
    if let Some(rest) = value.strip_prefix("github_pat_") {
        if token_chars(rest, 30) {
            return Verdict::Valid;
        }
    }
    if let Some(rest) = value.strip_prefix("ghp_") {
        if rest.len() == 36 && rest.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Verdict::Warning(
                "is a classic token (ghp_…) with access to every repository you can reach; \
                 a fine-grained token (github_pat_…) limited to the two repos is safer"
                    .into(),
            );
        }
    }
    Verdict::Invalid(
        "is not a GitHub personal access token (github_pat_… fine-grained, or ghp_… classic)"
            .into(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn verdict(shape: Shape, value: &str) -> Verdict {
        shape.check(&SecretString::from(value.to_string()))
    }

    fn is_valid(v: &Verdict) -> bool {
        !matches!(v, Verdict::Invalid(_))
    }

    const DISCORD_GOOD: &str =
        "MTIzNDU2Nzg5MDEyMzQ1Njc4.GaBcDe.abcdefghijklmnopqrstuvwxyz0123456789AB";

    #[test]
    fn good_and_bad_tokens_of_each_kind() {
        let table: &[(Shape, &str, bool)] = &[
            (Shape::DiscordBotToken, DISCORD_GOOD, true),
            (Shape::DiscordBotToken, "MTIzNDU2Nzg5MDEyMzQ1Njc4.GaBcDe", false),
            (Shape::DiscordBotToken, "bm90LWEtbnVtYmVy.GaBcDe.abcdefghijklmnop", false),
            (Shape::DiscordBotToken, "MTIzNDU2Nzg5MDEyMzQ1Njc4.Ga+cDe.abc", false),
            (Shape::DiscordBotToken, "dummy", false),
            (Shape::GitHubToken, "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVW", true),
            (Shape::GitHubToken, "ghp_abcdefghijklmnopqrstuvwxyz0123456789", true),
            (Shape::GitHubToken, "ghp_short", false),
            (Shape::GitHubToken, "gho_abcdefghijklmnopqrstuvwxyz0123456789", false),
            (Shape::AnthropicKey, "sk-ant-api03-abcdefghijklmnopqrstuvwxyz", true),
            (Shape::AnthropicKey, "sk-abcdefghijklmnopqrstuvwxyz", false),
            (Shape::OpenAiKey, "sk-proj-abcdefghijklmnopqrstuvwxyz012345", true),
            (Shape::OpenAiKey, "sk-ant-api03-abcdefghijklmnopqrstuvwxyz", false),
            (Shape::OpenAiKey, "pk-abcdefghijklmnopqrstuvwxyz", false),
            (Shape::ApiKey, "AIzaSyA-abcdefghijklmnopqrstuvwxyz0123", true),
            (Shape::ApiKey, "short", false),
            (Shape::GatewayToken, "abc", false),
            (Shape::LiteLlmMasterKey, "sk-1234", false),
            (Shape::Any, "anything-at-all", true),
        ];
        for (shape, value, good) in table {
            assert_eq!(
                is_valid(&verdict(*shape, value)),
                *good,
                "{shape:?} {value}"
            );
        }
    }

    #[test]
    fn whitespace_is_refused_and_classic_github_warns() {
        assert!(!is_valid(&verdict(
            Shape::AnthropicKey,
            " sk-ant-api03-abcdefghijklmnopqrstuvwxyz"
        )));
        assert!(!is_valid(&verdict(Shape::Any, "two\nlines")));
        assert!(matches!(
            verdict(
                Shape::GitHubToken,
                "ghp_abcdefghijklmnopqrstuvwxyz0123456789"
            ),
            Verdict::Warning(_)
        ));
    }

    #[test]
    fn messages_never_contain_the_value() {
        let value = "sk-ant-CANARY-never-shown-0000000";
        if let Verdict::Invalid(message) = verdict(Shape::OpenAiKey, value) {
            assert!(!message.contains("CANARY"));
        } else {
            panic!("expected invalid");
        }
    }

    #[test]
    fn generated_values_pass_their_own_checks_and_differ() {
        for shape in [Shape::GatewayToken, Shape::LiteLlmMasterKey] {
            let a = shape.generate().unwrap();
            let b = shape.generate().unwrap();
            assert_eq!(shape.check(&a), Verdict::Valid);
            assert_ne!(a.expose_secret(), b.expose_secret());
        }
        assert!(Shape::DiscordBotToken.generate().is_none());
    }

    #[test]
    fn placeholder_counts_as_not_set() {
        assert!(is_placeholder(&SecretString::from("dummy")));
        assert!(!is_placeholder(&SecretString::from("dummy2")));
    }
}
