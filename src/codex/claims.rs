//! What the access token says about the account: read from the JWT payload (no signature check
//! is needed to read it; OpenClaw re-reads the account id on every request anyway).

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::Value;

const AUTH_CLAIM: &str = "https://api.openai.com/auth";
const PROFILE_CLAIM: &str = "https://api.openai.com/profile";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claims {
    pub account_id: String,
    pub plan: Option<String>,
    pub email: Option<String>,
    pub subject: Option<String>,
}

/// The payload of a JWT as JSON; never panics on any input.
pub fn payload(jwt: &str) -> anyhow::Result<Value> {
    let mut parts = jwt.split('.');
    let (Some(_), Some(body), Some(_), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        anyhow::bail!("the token is not a JWT (three dot-separated parts)");
    };
    let bytes = URL_SAFE_NO_PAD
        .decode(body.trim_end_matches('='))
        .map_err(|_| anyhow::anyhow!("the token's payload is not base64url"))?;
    let value: Value = serde_json::from_slice(&bytes)
        .map_err(|_| anyhow::anyhow!("the token's payload is not JSON"))?;
    anyhow::ensure!(
        value.is_object(),
        "the token's payload is not a JSON object"
    );
    Ok(value)
}

/// Account id (required), plan and e-mail from the access token; the e-mail falls back to the
/// id token's top-level `email`, as the Codex CLI does.
pub fn read(access_token: &str, id_token: Option<&str>) -> anyhow::Result<Claims> {
    let access = payload(access_token)?;
    let text = |v: &Value, path: &[&str]| -> Option<String> {
        path.iter()
            .try_fold(v, |v, k| v.get(k))
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    let account_id = text(&access, &[AUTH_CLAIM, "chatgpt_account_id"]).ok_or_else(|| {
        anyhow::anyhow!(
            "the access token carries no ChatGPT account id ({AUTH_CLAIM} chatgpt_account_id): \
             sign in with the ChatGPT account that has the Codex subscription"
        )
    })?;
    let id_email = id_token
        .and_then(|t| payload(t).ok())
        .and_then(|p| text(&p, &["email"]));
    Ok(Claims {
        account_id,
        plan: text(&access, &[AUTH_CLAIM, "chatgpt_plan_type"]),
        email: text(&access, &[PROFILE_CLAIM, "email"]).or(id_email),
        subject: text(&access, &["sub"]),
    })
}

#[cfg(test)]
pub(crate) fn jwt(payload: &Value) -> String {
    let b64 = |v: &str| URL_SAFE_NO_PAD.encode(v);
    format!(
        "{}.{}.sig",
        b64(r#"{"alg":"none"}"#),
        b64(&payload.to_string())
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    #[test]
    fn reads_account_plan_and_email() {
        let token = jwt(&json!({
            "sub": "user-1",
            AUTH_CLAIM: { "chatgpt_account_id": "acct", "chatgpt_plan_type": "pro" },
            PROFILE_CLAIM: { "email": "a@example.com" },
        }));
        let claims = read(&token, None).unwrap();
        assert_eq!(claims.account_id, "acct");
        assert_eq!(claims.plan.as_deref(), Some("pro"));
        assert_eq!(claims.email.as_deref(), Some("a@example.com"));
    }

    #[test]
    fn email_falls_back_to_the_id_token_and_account_is_required() {
        let access = jwt(&json!({ AUTH_CLAIM: { "chatgpt_account_id": "acct" } }));
        let id = jwt(&json!({ "email": "b@example.com" }));
        assert_eq!(
            read(&access, Some(&id)).unwrap().email.as_deref(),
            Some("b@example.com")
        );
        let no_account = jwt(&json!({ "sub": "x" }));
        let err = read(&no_account, None).unwrap_err().to_string();
        assert!(err.contains("no ChatGPT account id"), "{err}");
        assert!(read("not-a-jwt", None).is_err());
    }

    proptest! {
        #[test]
        fn never_panics_on_any_token(token in ".*", id in proptest::option::of(".*")) {
            let _ = read(&token, id.as_deref());
        }

        #[test]
        fn never_panics_on_dotted_base64(a in "[A-Za-z0-9_=-]*", b in "[A-Za-z0-9_=-]*") {
            let _ = read(&format!("{a}.{b}.c"), None);
        }
    }
}
