//! Whom HTTPS trusts, the same for AWS and for the sign-in: the platform's roots (including
//! SSL_CERT_FILE and SSL_CERT_DIR) plus the PEM bundle AWS_CA_BUNDLE names, as the AWS CLI does
//! (a corporate proxy's CA, say).

use aws_smithy_http_client::tls::{self, rustls_provider::CryptoMode, TlsContext, TrustStore};
use std::sync::OnceLock;

use aws_smithy_runtime_api::client::http::SharedHttpClient;

const BUNDLE: &str = "AWS_CA_BUNDLE";

/// The bundle AWS_CA_BUNDLE names, if set: read and checked once (at start, by `check`, so a
/// bad one is a clear error before anything runs), then shared by both clients.
fn bundle() -> anyhow::Result<Option<&'static [u8]>> {
    static LOADED: OnceLock<Result<Option<Vec<u8>>, String>> = OnceLock::new();
    match LOADED.get_or_init(|| load().map_err(|e| format!("{e:#}"))) {
        Ok(pem) => Ok(pem.as_deref()),
        Err(message) => Err(anyhow::anyhow!("{message}")),
    }
}

fn load() -> anyhow::Result<Option<Vec<u8>>> {
    let Some(path) = std::env::var_os(BUNDLE).filter(|p| !p.is_empty()) else {
        return Ok(None);
    };
    let shown = std::path::Path::new(&path).display().to_string();
    let pem = std::fs::read(&path)
        .map_err(|e| anyhow::anyhow!("{BUNDLE} names {shown}, which cannot be read: {e}"))?;
    let certificates = reqwest::Certificate::from_pem_bundle(&pem)
        .map_err(|e| anyhow::anyhow!("{BUNDLE} names {shown}, which is not a PEM bundle: {e}"))?;
    anyhow::ensure!(
        !certificates.is_empty(),
        "{BUNDLE} names {shown}, which holds no certificate: give a PEM file of CA certificates or unset it"
    );
    Ok(Some(pem))
}

/// Refuse a bad AWS_CA_BUNDLE before anything is done.
pub fn check() -> anyhow::Result<()> {
    bundle().map(drop)
}

/// The AWS SDK's HTTP client trusting the bundle too, when one is named (the SDK's own already
/// trusts the platform's roots).
pub fn aws_http_client() -> Option<SharedHttpClient> {
    let pem = bundle().ok()??;
    let trust = TrustStore::default().with_pem_certificate(pem);
    let context = TlsContext::builder().with_trust_store(trust).build().ok()?;
    Some(
        aws_smithy_http_client::Builder::new()
            .tls_provider(tls::Provider::Rustls(CryptoMode::AwsLc))
            .tls_context(context)
            .build_https(),
    )
}

/// `builder` trusting the platform's roots and the bundle.
pub fn with_roots(builder: reqwest::ClientBuilder) -> anyhow::Result<reqwest::ClientBuilder> {
    let mut builder = builder.tls_built_in_native_certs(true);
    if let Some(pem) = bundle()? {
        for certificate in reqwest::Certificate::from_pem_bundle(pem)? {
            builder = builder.add_root_certificate(certificate);
        }
    }
    Ok(builder)
}
