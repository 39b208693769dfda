//! Signing in to the ChatGPT/Codex subscription (spec/codex-oauth.md): browser PKCE with a
//! callback on 127.0.0.1, a pasted redirect, or OpenAI's own device-code flow; then the code
//! exchange, the claims of the access token, and refresh. Every endpoint hangs off one issuer
//! base URL so tests can run the whole flow against a server on 127.0.0.1.

pub mod callback;
pub mod claims;
pub mod device;
pub mod login;
pub mod paste;
pub mod token;

use secrecy::SecretString;
use url::Url;

pub const CLIENT_ID: &str = "app_EMoamEEZ73f0CkXaXp7hrann";
pub const DEFAULT_ISSUER: &str = "https://auth.openai.com";
pub const SCOPE: &str = "openid profile email offline_access";
pub const CALLBACK_PORT: u16 = 1455;
const ORIGINATOR: &str = "clawboot";

/// The issuer and the endpoints OpenAI's clients use under it.
#[derive(Debug, Clone)]
pub struct Issuer {
    base: Url,
}

impl Issuer {
    /// An `https` issuer, or plain `http` on this machine only (a test server): tokens never
    /// travel in the clear or to a scheme that is not HTTP.
    pub fn new(base: &str) -> anyhow::Result<Self> {
        let shown = crate::printable::printable(base);
        let base = Url::parse(base.trim_end_matches('/'))
            .map_err(|e| anyhow::anyhow!("--issuer {shown:?} is not a URL: {e}"))?;
        let loopback = match base.host() {
            Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
            Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
            Some(url::Host::Domain(name)) => name == "localhost",
            None => false,
        };
        anyhow::ensure!(
            base.scheme() == "https" || (base.scheme() == "http" && loopback),
            "--issuer {shown:?} must be an https URL (plain http only to 127.0.0.1, ::1 or localhost)"
        );
        Ok(Self { base })
    }

    /// `--issuer`, else CLAWBOOT_CODEX_ISSUER, else OpenAI's.
    pub fn from_setting(flag: Option<&str>) -> anyhow::Result<Self> {
        match flag {
            Some(url) => Self::new(url),
            None => Self::new(
                &std::env::var("CLAWBOOT_CODEX_ISSUER").unwrap_or_else(|_| DEFAULT_ISSUER.into()),
            ),
        }
    }

    fn join(&self, path: &str) -> Url {
        let mut url = self.base.clone();
        url.set_path(path);
        url
    }

    pub fn authorize_url(&self) -> Url {
        self.join("/oauth/authorize")
    }

    pub fn token_url(&self) -> Url {
        self.join("/oauth/token")
    }

    pub fn device_code_url(&self) -> Url {
        self.join("/api/accounts/deviceauth/usercode")
    }

    pub fn device_token_url(&self) -> Url {
        self.join("/api/accounts/deviceauth/token")
    }

    /// The page the operator opens to enter the device code (built by the client).
    pub fn device_page(&self) -> Url {
        self.join("/codex/device")
    }

    /// The redirect URI of the device flow's final exchange.
    pub fn device_redirect(&self) -> Url {
        self.join("/deviceauth/callback")
    }
}

/// The redirect URI of the browser flow: `localhost`, as registered for the client.
pub fn browser_redirect(port: u16) -> String {
    format!("http://localhost:{port}/auth/callback")
}

/// A browser sign-in in progress: the PKCE verifier and the state never leave this process.
pub struct BrowserLogin {
    pub url: Url,
    pub state: String,
    pub verifier: SecretString,
    pub redirect_uri: String,
}

impl BrowserLogin {
    /// Fresh PKCE pair (S256, 32-byte verifier) and state (16 random bytes as hex).
    pub fn start(issuer: &Issuer, port: u16) -> Self {
        let (challenge, verifier) = oauth2::PkceCodeChallenge::new_random_sha256_len(32);
        let state = random_hex(16);
        let redirect_uri = browser_redirect(port);
        let mut url = issuer.authorize_url();
        url.query_pairs_mut()
            .append_pair("response_type", "code")
            .append_pair("client_id", CLIENT_ID)
            .append_pair("redirect_uri", &redirect_uri)
            .append_pair("scope", SCOPE)
            .append_pair("code_challenge", challenge.as_str())
            .append_pair("code_challenge_method", "S256")
            .append_pair("state", &state)
            .append_pair("id_token_add_organizations", "true")
            .append_pair("codex_cli_simplified_flow", "true")
            .append_pair("originator", ORIGINATOR);
        Self {
            url,
            state,
            verifier: SecretString::from(verifier.secret().clone()),
            redirect_uri,
        }
    }
}

fn random_hex(bytes: usize) -> String {
    use rand::RngCore;
    let mut buf = vec![0u8; bytes];
    rand::thread_rng().fill_bytes(&mut buf);
    buf.iter().map(|b| format!("{b:02x}")).collect()
}

/// An HTTP client that follows no redirects (a token endpoint must answer itself).
pub fn http_client() -> anyhow::Result<oauth2::reqwest::Client> {
    let builder = oauth2::reqwest::Client::builder()
        .redirect(oauth2::reqwest::redirect::Policy::none())
        .timeout(std::time::Duration::from_secs(30));
    Ok(crate::tls::with_roots(builder)?.build()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_issuer_is_https_or_on_this_machine() {
        assert!(Issuer::new("https://auth.openai.com").is_ok());
        assert!(Issuer::new("http://127.0.0.1:8080/").is_ok());
        assert!(Issuer::new("http://[::1]:8080").is_ok());
        for refused in [
            "http://auth.example.com",
            "ftp://127.0.0.1/",
            "file:///etc/passwd",
        ] {
            let message = Issuer::new(refused).unwrap_err().to_string();
            assert!(
                message.contains("must be an https URL"),
                "{refused}: {message}"
            );
        }
    }

    #[test]
    fn authorize_url_has_the_spec_parameters_in_order() {
        let issuer = Issuer::new("http://127.0.0.1:9/").unwrap();
        let login = BrowserLogin::start(&issuer, 1455);
        let keys: Vec<String> = login
            .url
            .query_pairs()
            .map(|(k, _)| k.into_owned())
            .collect();
        assert_eq!(
            keys,
            [
                "response_type",
                "client_id",
                "redirect_uri",
                "scope",
                "code_challenge",
                "code_challenge_method",
                "state",
                "id_token_add_organizations",
                "codex_cli_simplified_flow",
                "originator"
            ]
        );
        assert_eq!(login.url.path(), "/oauth/authorize");
        assert_eq!(login.state.len(), 32);
        assert_ne!(login.state, BrowserLogin::start(&issuer, 1455).state);
        assert_eq!(login.redirect_uri, "http://localhost:1455/auth/callback");
    }
}
