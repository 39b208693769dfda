//! Which OpenClaw release the manifests pin, and what that release supports.

use std::fmt;

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

impl fmt::Display for Release {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.year, self.month, self.patch)
    }
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
}
