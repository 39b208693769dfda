//! The code exchange and the refresh (form-encoded, through the `oauth2` crate), and the tokens
//! they give, kept in `SecretString`s.

use crate::printable::printable;
use std::time::{SystemTime, UNIX_EPOCH};

use oauth2::basic::{
    BasicErrorResponse, BasicRevocationErrorResponse, BasicTokenIntrospectionResponse,
    BasicTokenType,
};
use oauth2::{
    AuthType, AuthorizationCode, ClientId, EndpointNotSet, EndpointSet, ExtraTokenFields,
    PkceCodeVerifier, RedirectUrl, RefreshToken, RequestTokenError, StandardRevocableToken,
    StandardTokenResponse, TokenResponse, TokenUrl,
};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};

use super::{http_client, Issuer, CLIENT_ID};

/// OpenAI's token response carries an id token beside the standard fields.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct IdTokenField {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_token: Option<String>,
}

impl ExtraTokenFields for IdTokenField {}

type TokenResponseWithId = StandardTokenResponse<IdTokenField, BasicTokenType>;

type CodexClient = oauth2::Client<
    BasicErrorResponse,
    TokenResponseWithId,
    BasicTokenIntrospectionResponse,
    StandardRevocableToken,
    BasicRevocationErrorResponse,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointSet,
>;

/// Tokens of a sign-in. `expires_at_ms` is epoch milliseconds, as OpenClaw stores it.
pub struct Tokens {
    pub access: SecretString,
    pub refresh: SecretString,
    pub id_token: Option<SecretString>,
    pub expires_at_ms: i64,
}

impl Tokens {
    /// Account, plan and e-mail, from the access token (and the id token for the e-mail).
    pub fn claims(&self) -> anyhow::Result<super::claims::Claims> {
        super::claims::read(
            self.access.expose_secret(),
            self.id_token.as_ref().map(|t| t.expose_secret()),
        )
    }
}

fn client(issuer: &Issuer, redirect_uri: Option<&str>) -> anyhow::Result<CodexClient> {
    let mut client = oauth2::Client::new(ClientId::new(CLIENT_ID.to_string()))
        .set_token_uri(TokenUrl::from_url(issuer.token_url()))
        // A public client: client_id goes in the form body, there is no secret.
        .set_auth_type(AuthType::RequestBody);
    if let Some(uri) = redirect_uri {
        client = client.set_redirect_uri(RedirectUrl::new(uri.to_string())?);
    }
    Ok(client)
}

/// Exchange an authorization code (with its PKCE verifier and the redirect URI it was issued for).
pub async fn exchange_code(
    issuer: &Issuer,
    code: &str,
    verifier: &SecretString,
    redirect_uri: &str,
) -> anyhow::Result<Tokens> {
    let response = client(issuer, Some(redirect_uri))?
        .exchange_code(AuthorizationCode::new(code.to_string()))
        .set_pkce_verifier(PkceCodeVerifier::new(verifier.expose_secret().to_string()))
        .request_async(&http_client()?)
        .await
        .map_err(|e| explain("the authorization code was not accepted", e))?;
    tokens(response, None)
}

/// Exchange a refresh token for new tokens; a response without a refresh token keeps the old one.
pub async fn refresh(issuer: &Issuer, refresh_token: &SecretString) -> anyhow::Result<Tokens> {
    let response = client(issuer, None)?
        .exchange_refresh_token(&RefreshToken::new(
            refresh_token.expose_secret().to_string(),
        ))
        .request_async(&http_client()?)
        .await
        .map_err(|e| {
            explain(
                "the refresh token was not accepted (sign in again with `clawboot codex login`)",
                e,
            )
        })?;
    tokens(response, Some(refresh_token))
}

fn tokens(
    response: TokenResponseWithId,
    old_refresh: Option<&SecretString>,
) -> anyhow::Result<Tokens> {
    let refresh = match (response.refresh_token(), old_refresh) {
        (Some(new), _) => SecretString::from(new.secret().clone()),
        (None, Some(old)) => old.clone(),
        (None, None) => anyhow::bail!(
            "the sign-in gave no refresh token (scope offline_access missing?): OpenClaw could not renew it"
        ),
    };
    let lifetime_ms = response.expires_in().map_or(3_600_000, |d| {
        i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
    });
    Ok(Tokens {
        access: SecretString::from(response.access_token().secret().clone()),
        refresh,
        id_token: response
            .extra_fields()
            .id_token
            .clone()
            .map(SecretString::from),
        expires_at_ms: now_ms().saturating_add(lifetime_ms),
    })
}

pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// An OAuth error says what the server said (its code and description), never a token.
fn explain<RE: std::error::Error + 'static>(
    what: &str,
    error: RequestTokenError<
        RE,
        oauth2::StandardErrorResponse<oauth2::basic::BasicErrorResponseType>,
    >,
) -> anyhow::Error {
    match error {
        RequestTokenError::ServerResponse(response) => anyhow::anyhow!(
            "{what}: {}{}",
            printable(response.error().as_ref()),
            response
                .error_description()
                .map(|d| format!(" ({})", printable(d)))
                .unwrap_or_default()
        ),
        RequestTokenError::Request(e) => anyhow::anyhow!("{what}: cannot reach the issuer: {e}"),
        RequestTokenError::Parse(_, _) => {
            anyhow::anyhow!("{what}: the issuer's answer is not a token response")
        }
        RequestTokenError::Other(e) => anyhow::anyhow!("{what}: {}", printable(&e)),
    }
}
