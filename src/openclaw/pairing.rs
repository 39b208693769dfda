//! Discord DM pairing, through OpenClaw's own CLI where its state lives: `openclaw pairing list
//! discord --json` (the pending requests: sender, code, age) and `openclaw pairing approve
//! discord CODE`. Both run on a scratch config: GitOps owns openclaw.json (the approval itself
//! lands in OpenClaw's state, which is what lets the sender in).

use serde::Deserialize;

use super::release::Release;
use super::store::Place;

const LIST_SCRIPT: &str = openclaw_script!(
    r#"with_scratch_config "$1"
OPENCLAW_STATE_DIR="$1" OPENCLAW_CONFIG_PATH="$scratch" oc pairing list discord --json
"#
);

const APPROVE_SCRIPT: &str = openclaw_script!(
    r#"with_scratch_config "$1"
OPENCLAW_STATE_DIR="$1" OPENCLAW_CONFIG_PATH="$scratch" oc pairing approve discord "$2"
"#
);

/// How long OpenClaw's CLI may take (node starts, SQLite opens).
const LIMIT: std::time::Duration = std::time::Duration::from_secs(60);

/// A DM pairing request waiting for approval.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Request {
    /// The sender's Discord user id.
    pub id: String,
    pub code: String,
    #[serde(default)]
    pub created_at: String,
    #[serde(default)]
    pub meta: Meta,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct Meta {
    #[serde(default)]
    pub name: Option<String>,
}

impl Request {
    /// `CODE from Discord user ID (name), N min ago`
    pub fn describe(&self, now_ms: i64) -> String {
        let name = self
            .meta
            .name
            .as_deref()
            .map(|n| format!(" ({})", crate::printable::printable(n)))
            .unwrap_or_default();
        format!(
            "{} from Discord user {}{name}, {}",
            self.code,
            self.id,
            age(&self.created_at, now_ms)
        )
    }
}

fn age(created_at: &str, now_ms: i64) -> String {
    let created = aws_smithy_types::DateTime::from_str(
        created_at,
        aws_smithy_types::date_time::Format::DateTime,
    )
    .ok()
    .and_then(|t| t.to_millis().ok());
    match created.map(|ms| (now_ms - ms).max(0) / 60_000) {
        None => "at an unknown time".into(),
        Some(0) => "just now".into(),
        Some(minutes) => format!("{minutes} min ago"),
    }
}

#[derive(Deserialize)]
struct Listing {
    #[serde(default)]
    requests: Vec<Request>,
}

/// A local state dir is paired by the `openclaw` on PATH (in the pod, the image's own).
fn cli_at_hand(place: &Place, release: Release) -> anyhow::Result<()> {
    anyhow::ensure!(
        matches!(place, Place::Pod { .. }) || which::which("openclaw").is_ok(),
        "pairing on the local state dir {} runs the `openclaw` CLI, which is not on PATH: npm install -g openclaw@{release}",
        place.describe()
    );
    Ok(())
}

/// The pending Discord DM pairing requests, oldest first.
pub async fn pending(place: &Place, release: Release) -> anyhow::Result<Vec<Request>> {
    cli_at_hand(place, release)?;
    let printed = place
        .run(LIST_SCRIPT, &[&place.state_dir()], None, LIMIT)
        .await
        .map_err(|e| anyhow::anyhow!("openclaw pairing list failed: {e}"))?;
    let listing: Listing = serde_json::from_value(super::first_json(&printed)?)?;
    Ok(listing.requests)
}

/// Approve the request with `code`: its sender may DM the bot from now on.
pub async fn approve(place: &Place, release: Release, code: &str) -> anyhow::Result<()> {
    anyhow::ensure!(
        !code.is_empty() && code.len() <= 16 && code.bytes().all(|b| b.is_ascii_alphanumeric()),
        "a pairing code is 8 letters and digits, as the bot sent it in its reply to the DM"
    );
    cli_at_hand(place, release)?;
    place
        .run(APPROVE_SCRIPT, &[&place.state_dir(), code], None, LIMIT)
        .await
        .map(drop)
        .map_err(|e| anyhow::anyhow!("OpenClaw did not approve {code}: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_says_who_and_when() {
        let request: Request = serde_json::from_value(serde_json::json!({
            "id": "123456789012345678", "code": "BS3PVFKG",
            "createdAt": "2026-11-30T14:57:26.120Z", "lastSeenAt": "2026-11-30T14:57:26.120Z",
            "meta": {"name": "operator", "accountId": "default"}
        }))
        .unwrap();
        let now = aws_smithy_types::DateTime::from_secs(1_795_618_646)
            .to_millis()
            .unwrap();
        assert!(request
            .describe(now)
            .starts_with("BS3PVFKG from Discord user 123456789012345678 (operator), "));
    }
}
