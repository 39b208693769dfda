//! OpenAI's device-code flow (not RFC 8628): ask for a user code, show it, poll until the
//! operator has approved it, then exchange the authorization code the server hands back.

use std::time::Duration;

use crate::printable::printable;
use secrecy::SecretString;
use serde_json::{json, Value};
use url::Url;

use super::{http_client, Issuer, CLIENT_ID};

/// How long a user code lives, and so how long clawboot polls.
pub const LIFETIME: Duration = Duration::from_secs(15 * 60);
const DEFAULT_INTERVAL: Duration = Duration::from_secs(5);

pub struct DeviceCode {
    pub device_auth_id: String,
    pub user_code: String,
    pub interval: Duration,
    /// Where the operator enters the code.
    pub page: Url,
}

/// The authorization code and the PKCE verifier the server made for it.
pub struct Approved {
    pub code: String,
    pub verifier: SecretString,
}

pub async fn request_code(issuer: &Issuer) -> anyhow::Result<DeviceCode> {
    let response = http_client()?
        .post(issuer.device_code_url())
        .json(&json!({ "client_id": CLIENT_ID }))
        .send()
        .await
        .map_err(|e| anyhow::anyhow!("cannot reach the issuer for a device code: {e}"))?;
    let status = response.status();
    anyhow::ensure!(
        status.is_success(),
        "the issuer refused a device code (HTTP {status}): device-code sign-in may be off for this account; use the browser sign-in"
    );
    let body: Value = response.json().await?;
    let text = |key: &str| body.get(key).and_then(Value::as_str).map(str::to_string);
    Ok(DeviceCode {
        device_auth_id: text("device_auth_id")
            .ok_or_else(|| anyhow::anyhow!("the device-code answer has no device_auth_id"))?,
        // Shown to the operator as it is: a code with control characters is not one.
        user_code: text("user_code")
            .or_else(|| text("usercode"))
            .filter(|code| !code.chars().any(char::is_control))
            .ok_or_else(|| anyhow::anyhow!("the device-code answer has no usable user_code"))?,
        interval: parse_interval(body.get("interval")),
        page: issuer.device_page(),
    })
}

/// `interval` may be a number or a string of one; 5 s when absent or unreadable.
fn parse_interval(value: Option<&Value>) -> Duration {
    let seconds = match value {
        Some(Value::Number(n)) => n.as_f64(),
        Some(Value::String(s)) => s.trim().parse().ok(),
        _ => None,
    };
    // Faster than once a second would be hammering the issuer: raised to 1 s.
    seconds
        .filter(|s| s.is_finite() && *s > 0.0 && *s <= 60.0)
        .map_or(DEFAULT_INTERVAL, |s| Duration::from_secs_f64(s.max(1.0)))
}

/// Poll at the server's interval until approved; 403/404 mean still pending, anything else
/// ends the sign-in. `tick` is told the time left before each wait (for a countdown).
pub async fn wait_for_approval(
    issuer: &Issuer,
    device: &DeviceCode,
    mut tick: impl FnMut(Duration),
) -> anyhow::Result<Approved> {
    let client = http_client()?;
    let started = tokio::time::Instant::now();
    loop {
        let elapsed = started.elapsed();
        anyhow::ensure!(
            elapsed < LIFETIME,
            "the device code expired after 15 minutes without approval: run the sign-in again"
        );
        tick(LIFETIME - elapsed);
        tokio::time::sleep(device.interval).await;
        let response = client
            .post(issuer.device_token_url())
            .json(
                &json!({ "device_auth_id": device.device_auth_id, "user_code": device.user_code }),
            )
            .send()
            .await
            .map_err(|e| {
                anyhow::anyhow!("cannot reach the issuer while waiting for approval: {e}")
            })?;
        match response.status().as_u16() {
            403 | 404 => continue,
            200..=299 => {
                let body: Value = response.json().await?;
                let text = |key: &str| body.get(key).and_then(Value::as_str).map(str::to_string);
                return Ok(Approved {
                    code: text("authorization_code").ok_or_else(|| {
                        anyhow::anyhow!("the approval carries no authorization_code")
                    })?,
                    verifier: SecretString::from(
                        text("code_verifier").ok_or_else(|| {
                            anyhow::anyhow!("the approval carries no code_verifier")
                        })?,
                    ),
                });
            }
            status => {
                let body: Value = response.json().await.unwrap_or(Value::Null);
                let reason = ["error_description", "error", "message"]
                    .iter()
                    .find_map(|k| body.get(k).and_then(Value::as_str))
                    .unwrap_or("no reason given");
                anyhow::bail!(
                    "the device sign-in ended (HTTP {status}: {}): run the sign-in again",
                    printable(reason)
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interval_as_number_string_or_default() {
        assert_eq!(parse_interval(Some(&json!(2))), Duration::from_secs(2));
        assert_eq!(parse_interval(Some(&json!("3"))), Duration::from_secs(3));
        assert_eq!(parse_interval(Some(&json!("soon"))), DEFAULT_INTERVAL);
        assert_eq!(parse_interval(Some(&json!(-1))), DEFAULT_INTERVAL);
        assert_eq!(parse_interval(None), DEFAULT_INTERVAL);
        assert_eq!(parse_interval(Some(&json!(0.01))), Duration::from_secs(1));
    }
}
