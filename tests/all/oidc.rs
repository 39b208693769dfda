//! The standard parts of the sign-in (PKCE S256 code exchange, refresh) against npm
//! oidc-provider, a certified OpenID provider, on 127.0.0.1, driven headlessly.

use std::process::Command;

use crate::common::ssm::Server;
use crate::common::*;
use clawboot::codex::{paste, token, BrowserLogin, Issuer};
use secrecy::{ExposeSecret, SecretString};

fn provider() -> Server {
    let mut command = Command::new(peer("oc-2026.9.6/node_modules/.bin/node"));
    command
        .arg(repo().join("scripts/oidc_server.mjs"))
        .arg(peer("oidc/node_modules"));
    Server::spawn(command)
}

/// Log in and consent in oidc-provider's dev interactions; the redirect it ends on.
fn browse(url: &str) -> String {
    let output = Command::new(python())
        .arg(repo().join("scripts/oidc_browser.py"))
        .arg(url)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", text(&output.stderr));
    text(&output.stdout).trim().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pkce_code_exchange_and_rotating_refresh_against_oidc_provider() {
    let server = provider();
    let issuer = Issuer::new(&server.url()).unwrap();

    let login = BrowserLogin::start(&issuer, 1455);
    let redirect = tokio::task::spawn_blocking({
        let url = login.url.to_string();
        move || browse(&url)
    })
    .await
    .unwrap();
    let code = paste::code_for(paste::parse(&redirect).unwrap(), &login.state).unwrap();
    let tokens = token::exchange_code(&issuer, &code, &login.verifier, &login.redirect_uri)
        .await
        .expect("oidc-provider accepts the PKCE exchange");
    assert!(!tokens.access.expose_secret().is_empty());
    assert!(tokens.expires_at_ms > token::now_ms());

    let renewed = token::refresh(&issuer, &tokens.refresh)
        .await
        .expect("refresh works");
    assert_ne!(
        renewed.refresh.expose_secret(),
        tokens.refresh.expose_secret(),
        "refresh tokens rotate"
    );
    let stale = token::refresh(&issuer, &tokens.refresh)
        .await
        .err()
        .expect("a rotated refresh token is spent");
    assert!(stale.to_string().contains("invalid_grant"), "{stale}");
    // Last: a reused code is refused (and oidc-provider revokes what it issued).
    let reused = token::exchange_code(&issuer, &code, &login.verifier, &login.redirect_uri).await;
    assert!(reused.is_err(), "a code works once");

    // PKCE is enforced: the right code with another verifier is refused.
    let second = BrowserLogin::start(&issuer, 1455);
    let redirect = tokio::task::spawn_blocking({
        let url = second.url.to_string();
        move || browse(&url)
    })
    .await
    .unwrap();
    let code = paste::code_for(paste::parse(&redirect).unwrap(), &second.state).unwrap();
    let wrong = SecretString::from("a".repeat(43));
    let refused = token::exchange_code(&issuer, &code, &wrong, &second.redirect_uri).await;
    let message = refused
        .err()
        .expect("a wrong verifier is refused")
        .to_string();
    assert!(message.contains("invalid_grant"), "{message}");
    assert!(
        !message.contains(&"a".repeat(43)),
        "the verifier is not echoed"
    );
}
