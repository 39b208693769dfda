//! Which OpenClaw release the manifests pin, and what that release supports.

use std::fmt;

use serde::{Deserialize, Serialize};

/// An OpenClaw release such as `2026.9.6` (calendar version: year, month, patch).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Release {
    pub year: u16,
    pub month: u8,
    pub patch: u16,
}

impl Release {
    pub const fn new(year: u16, month: u8, patch: u16) -> Self {
        Self { year, month, patch }
    }

    /// Parse `2026.9.6`; a suffix after `-` (image variants such as `-2-slim`) is ignored.
    pub fn parse(text: &str) -> Option<Self> {
        let core = text.split('-').next()?;
        let mut parts = core.split('.');
        let release = Self {
            year: parts.next()?.parse().ok()?,
            month: parts.next()?.parse().ok()?,
            patch: parts.next()?.parse().ok()?,
        };
        let plausible = (2026..=2100).contains(&release.year) && (1..=12).contains(&release.month);
        (parts.next().is_none() && plausible).then_some(release)
    }

    /// The image answers `/startupz` from 2026.8.1 on; older ones only `/healthz`.
    pub fn has_startupz(self) -> bool {
        self >= Self::new(2026, 8, 1)
    }
}

/// Written as `2026.9.6`; a profile takes only a release clawboot supports.
impl Serialize for Release {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Release {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        let release = Self::parse(&text).ok_or_else(|| {
            serde::de::Error::custom(format!("{text:?} is not an OpenClaw release like 2026.9.6"))
        })?;
        match release.supported() {
            Some(_) => Ok(release),
            None => Err(serde::de::Error::custom(format!(
                "clawboot does not support OpenClaw {release} yet (its config, credentials and plugins are unchecked); supported: {}",
                supported_list()
            ))),
        }
    }
}

impl fmt::Display for Release {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.year, self.month, self.patch)
    }
}

/// Why a release needs a plugin.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    /// The Discord channel: always, Discord is the front end.
    Discord,
    /// Only with `openclaw.codex_subscription`.
    CodexSubscription,
}

/// A plugin a release needs from outside its npm package, pinned (checked with each release's
/// own CLI: `openclaw plugins list --json` on an empty state dir, then `plugins install`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExternalPlugin {
    /// The plugin id, as in `plugins.entries.<id>`.
    pub id: &'static str,
    pub package: &'static str,
    /// The npm version to install; `None` when no published version runs on this release.
    pub version: Option<&'static str>,
    /// The official image already bundles it (the installer then leaves it alone).
    pub in_image: bool,
    pub need: Need,
}

impl ExternalPlugin {
    /// `package@version`, what `openclaw plugins install` takes.
    pub fn spec(&self) -> Option<String> {
        self.version.map(|v| format!("{}@{v}", self.package))
    }
}

/// One supported release and the plugins it needs outside its npm package.
#[derive(Debug, Clone, Copy)]
pub struct Supported {
    pub release: Release,
    pub plugins: &'static [ExternalPlugin],
}

const DISCORD: &str = "@openclaw/discord";
const CODEX: &str = "@openclaw/codex";

/// Every release clawboot supports: the one place a new release is added.
pub const SUPPORTED: [Supported; 2] = [
    // Discord left the core package before this release, yet the first @openclaw/discord on npm
    // (2026.6.11) needs plugin API >= 2026.6.11: its own installer refuses every published version.
    // The Codex subscription is served by the bundled `openai` plugin (provider openai-codex).
    Supported {
        release: Release::new(2026, 5, 28),
        plugins: &[ExternalPlugin {
            id: "discord",
            package: DISCORD,
            version: None,
            in_image: false,
            need: Need::Discord,
        }],
    },
    // The official image bundles codex (its Docker docs), not discord. No @openclaw/codex 2026.9.6
    // is published; 2026.9.5 needs plugin API >= 2026.9.5.
    Supported {
        release: Release::new(2026, 9, 6),
        plugins: &[
            ExternalPlugin {
                id: "discord",
                package: DISCORD,
                version: Some("2026.9.6"),
                in_image: false,
                need: Need::Discord,
            },
            ExternalPlugin {
                id: "codex",
                package: CODEX,
                version: Some("2026.9.5"),
                in_image: true,
                need: Need::CodexSubscription,
            },
        ],
    },
];

impl Release {
    /// This release's row of [`SUPPORTED`], if it has one.
    pub fn supported(self) -> Option<&'static Supported> {
        SUPPORTED.iter().find(|s| s.release == self)
    }

    /// The plugins this release needs from outside its npm package (none when unsupported).
    pub fn external_plugins(self) -> &'static [ExternalPlugin] {
        self.supported().map_or(&[], |s| s.plugins)
    }
}

/// What an upgrade between two releases must carry across, as the table and the release
/// boundaries (`credentials.rs`, `has_startupz`) say.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Traits {
    pub image_tag: String,
    /// The provider id a Codex sign-in is stored under.
    pub codex_provider: &'static str,
    /// Where the runtime reads the sign-in: the JSON file, or OpenClaw's SQLite store.
    pub sqlite_credentials: bool,
    pub startup_probe: &'static str,
    /// The plugins installed from npm: `package@version`, or what cannot be installed.
    pub plugins: Vec<String>,
}

impl Release {
    pub fn traits(self) -> Traits {
        Traits {
            image_tag: self.to_string(),
            codex_provider: super::credentials::provider(self),
            sqlite_credentials: super::credentials::needs_import(self),
            startup_probe: match self.has_startupz() {
                true => "/startupz",
                false => "/healthz",
            },
            plugins: self
                .external_plugins()
                .iter()
                .map(|p| match (p.spec(), p.in_image) {
                    (Some(spec), true) => format!("{spec} (unless the image has {})", p.id),
                    (Some(spec), false) => spec,
                    (None, _) => format!("{}: none on npm runs here", p.package),
                })
                .collect(),
        }
    }
}

/// What changes from `from` to `to`, one line each.
pub fn differences(from: Release, to: Release) -> Vec<String> {
    let (a, b) = (from.traits(), to.traits());
    let mut said = Vec::new();
    let mut differs = |what: &str, old: String, new: String| {
        if old != new {
            said.push(format!("{what}: {old} → {new}"));
        }
    };
    differs("image tag", a.image_tag, b.image_tag);
    differs(
        "Codex sign-in provider",
        a.codex_provider.into(),
        b.codex_provider.into(),
    );
    let store = |sqlite| match sqlite {
        true => "OpenClaw's SQLite store (imported from the JSON file)".to_string(),
        false => "auth-profiles.json".to_string(),
    };
    differs(
        "credentials",
        store(a.sqlite_credentials),
        store(b.sqlite_credentials),
    );
    differs(
        "startup probe",
        a.startup_probe.into(),
        b.startup_probe.into(),
    );
    differs("plugins", a.plugins.join(", "), b.plugins.join(", "));
    said
}

/// The newest supported release: where an operator on an older one should go.
pub fn newest() -> Release {
    SUPPORTED[SUPPORTED.len() - 1].release
}

/// The supported releases, for messages: `2026.5.28, 2026.9.6`.
pub fn supported_list() -> String {
    SUPPORTED
        .iter()
        .map(|s| s.release.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_orders_releases() {
        let old = Release::parse("2026.5.28").unwrap();
        let new = Release::parse("2026.9.6").unwrap();
        assert!(old < new);
        assert_eq!(
            Release::parse("2026.7.1-2-slim"),
            Some(Release::new(2026, 7, 1))
        );
        assert_eq!(Release::parse("latest"), None);
        assert_eq!(Release::parse("2026.13.1"), None);
        assert!(!old.has_startupz() && new.has_startupz());
        assert_eq!(new.to_string(), "2026.9.6");
    }

    #[test]
    fn an_upgrade_says_what_changes() {
        let said = differences(Release::new(2026, 5, 28), Release::new(2026, 9, 6));
        assert_eq!(
            said,
            [
                "image tag: 2026.5.28 → 2026.9.6",
                "Codex sign-in provider: openai-codex → openai",
                "credentials: auth-profiles.json → OpenClaw's SQLite store (imported from the JSON file)",
                "startup probe: /healthz → /startupz",
                "plugins: @openclaw/discord: none on npm runs here → @openclaw/discord@2026.9.6, @openclaw/codex@2026.9.5 (unless the image has codex)",
            ]
        );
        assert!(differences(Release::new(2026, 9, 6), Release::new(2026, 9, 6)).is_empty());
    }

    #[test]
    fn the_table_pins_discord_where_npm_has_it() {
        let new = Release::new(2026, 9, 6).external_plugins();
        assert_eq!(new[0].spec().as_deref(), Some("@openclaw/discord@2026.9.6"));
        assert!(new.iter().any(|p| p.id == "codex" && p.in_image));
        let old = Release::new(2026, 5, 28).external_plugins();
        assert_eq!(old[0].spec(), None);
        assert!(Release::new(2026, 7, 1).supported().is_none());
        assert_eq!(supported_list(), "2026.5.28, 2026.9.6");
    }
}
