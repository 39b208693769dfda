//! The typed values a profile holds, shared with doctor, render and preflight: a DNS label, an
//! image reference, a CIDR, the sandbox settings and the OpenClaw release. Each is checked
//! once, when the profile loads, with a message that says what is allowed.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Implements `Display`, `Serialize` and `TryFrom<String>` (for `Deserialize`) of a type that
/// is written as a string.
macro_rules! string_form {
    ($type:ty, $parse:expr) => {
        impl TryFrom<String> for $type {
            type Error = String;
            fn try_from(text: String) -> Result<Self, String> {
                $parse(text)
            }
        }
        impl From<$type> for String {
            fn from(value: $type) -> String {
                value.to_string()
            }
        }
    };
}

/// A Kubernetes name such as a namespace: lower-case letters, digits and '-', at most 63.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct DnsLabel(String);

impl DnsLabel {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn is_valid(s: &str) -> bool {
        !s.is_empty()
            && s.len() <= 63
            && s.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !s.starts_with('-')
            && !s.ends_with('-')
    }
}

impl fmt::Display for DnsLabel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

string_form!(DnsLabel, |text: String| {
    match DnsLabel::is_valid(&text) {
        true => Ok(DnsLabel(text)),
        false => Err(format!(
            "{text:?} is not a DNS label: lower-case letters, digits and '-', at most 63"
        )),
    }
});

/// A container image reference (`repo:tag`, `repo:tag@digest` or `repo@digest`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ImageRef(String);

impl ImageRef {
    /// Any reference, pinned or not (doctor reads what a folder holds).
    pub fn new(text: &str) -> Self {
        Self(text.to_string())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The tag, if any.
    pub fn tag(&self) -> Option<&str> {
        let name = self.0.split('@').next().unwrap_or(&self.0);
        let last_segment = name.rsplit('/').next().unwrap_or(name);
        last_segment.split_once(':').map(|(_, tag)| tag)
    }

    /// The name without its tag and digest: `ghcr.io/openclaw/openclaw`.
    pub fn repository(&self) -> &str {
        let name = self.0.split('@').next().unwrap_or(&self.0);
        match self.tag() {
            Some(tag) => &name[..name.len() - tag.len() - 1],
            None => name,
        }
    }

    /// The OpenClaw release its tag names (`2026.9.6`, `2026.9.6-slim`), if it names one.
    pub fn release(&self) -> Option<crate::openclaw::release::Release> {
        crate::openclaw::release::Release::parse(self.tag()?)
    }

    /// Why the text is not an image reference (`name[:tag][@sha256:<64 hex>]`), if it is not.
    fn malformed_reason(&self) -> Option<String> {
        let (name, digest) = match self.0.split_once('@') {
            Some((name, digest)) => (name, Some(digest)),
            None => (self.0.as_str(), None),
        };
        let plain = !name.is_empty()
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"._-/:".contains(&b));
        let digest_ok = digest.is_none_or(|d| {
            d.strip_prefix("sha256:")
                .is_some_and(|hex| hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit()))
        });
        match (plain, digest_ok) {
            (true, true) => None,
            (false, _) => Some(format!(
                "{:?} is not an image reference such as ghcr.io/owner/name:1.2.3",
                self.0
            )),
            (true, false) => Some(format!(
                "{:?}: a digest is @sha256: and 64 hex digits",
                self.0
            )),
        }
    }

    /// Why the reference is not pinned, or `None` when it is.
    pub fn unpinned_reason(&self) -> Option<String> {
        let image = &self.0;
        if image.contains("@sha256:") {
            return None;
        }
        match self.tag() {
            None => Some(format!("{image} has no tag, so it means :latest")),
            Some("latest") => Some(format!("{image} uses the moving tag latest")),
            Some(tag) if tag == "main" || tag.starts_with("main-") => Some(format!(
                "{image} uses a development build tag ({tag}) that is not a release"
            )),
            Some(_) => None,
        }
    }
}

impl fmt::Display for ImageRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

string_form!(ImageRef, |text: String| {
    let image = ImageRef(text);
    if let Some(why) = image.malformed_reason() {
        return Err(why);
    }
    match image.unpinned_reason() {
        Some(why) => Err(format!("{why}; pin a version tag or a digest (@sha256:…)")),
        None => Ok(image),
    }
});

/// An IPv4 or IPv6 network such as `100.64.0.0/10`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Cidr(pub ipnet::IpNet);

impl fmt::Display for Cidr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

string_form!(Cidr, |text: String| {
    text.parse()
        .map(Cidr)
        .map_err(|_| format!("{text:?} is not a CIDR such as 100.64.0.0/10 or fd00::/8"))
});

/// Generates a string-valued enum with the words allowed for it.
macro_rules! word_enum {
    ($(#[$doc:meta])* $name:ident { $($variant:ident = $word:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub enum $name {
            $($variant),+
        }

        impl $name {
            pub const WORDS: &'static [&'static str] = &[$($word),+];

            pub fn word(self) -> &'static str {
                match self {
                    $(Self::$variant => $word),+
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.word())
            }
        }

        string_form!($name, |text: String| {
            match text.as_str() {
                $($word => Ok(Self::$variant),)+
                _ => Err(format!("{text:?} is not allowed; allowed: {}", Self::WORDS.join(", "))),
            }
        });
    };
}

word_enum!(
    /// Which sessions run in the Docker sandbox.
    SandboxMode { Off = "off", NonMain = "non-main", All = "all" }
);
word_enum!(
    /// How far one sandbox container is shared.
    SandboxScope { Session = "session", Agent = "agent", Shared = "shared" }
);
word_enum!(
    /// What the sandbox sees of the agent workspace.
    WorkspaceAccess { None = "none", Ro = "ro", Rw = "rw" }
);

#[cfg(test)]
mod tests {
    use super::ImageRef;

    #[test]
    fn images_are_pinned_by_tag_or_by_a_real_digest() {
        let digest = format!("@sha256:{}", "ab".repeat(32));
        for good in [
            "ghcr.io/berriai/litellm:v1.80.0-stable".to_string(),
            format!("ghcr.io/berriai/litellm{digest}"),
            format!("ghcr.io/openclaw/openclaw:2026.9.6{digest}"),
        ] {
            assert!(ImageRef::try_from(good.clone()).is_ok(), "{good}");
        }
        for (bad, why) in [
            (
                "ghcr.io/x/y@sha256:zz",
                "a digest is @sha256: and 64 hex digits",
            ),
            ("ghcr.io/x/y:1 --privileged", "is not an image reference"),
            ("ghcr.io/x/y", "has no tag"),
        ] {
            let message = ImageRef::try_from(bad.to_string()).unwrap_err();
            assert!(message.contains(why), "{bad}: {message}");
        }
    }
}
