//! The store: AWS SSM Parameter Store through aws-sdk-ssm, with the standard credential chain,
//! `AWS_ENDPOINT_URL_SSM` honoured, and the SDK's standard retry mode. Errors say what to do.

use std::collections::HashMap;
use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region};
use aws_sdk_ssm::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_ssm::types::{ParameterStringFilter, ParameterType, ResourceTypeForTagging, Tag};
use aws_sdk_ssm::Client;
use secrecy::{ExposeSecret, SecretString};

type Result<T> = std::result::Result<T, SsmError>;

/// Attempts per request, retries included. Standard mode (not adaptive: measured here, adaptive
/// turned two throttles into 30–40 s of waiting) with a short backoff, bounded by the SDK's
/// retry quota so a fully throttled run still ends quickly.
const MAX_ATTEMPTS: u32 = 8;
/// An endpoint that does not take the connection, an attempt that gets no answer, and every
/// attempt of one request together: an SSM request never waits longer than `OPERATION_TIMEOUT`.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);
const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(5);
pub const OPERATION_TIMEOUT: Duration = Duration::from_secs(20);

/// Names per GetParameters request (the API's limit).
const GET_PARAMETERS_LIMIT: usize = 10;

/// The tag every parameter clawboot creates carries.
const MANAGED_BY: (&str, &str) = ("managed-by", "clawboot");

#[derive(Clone)]
pub struct Store {
    client: Client,
    region: String,
    kms_key: Option<String>,
}

/// A parameter's current value and version.
pub struct Current {
    pub value: SecretString,
    pub version: i64,
}

/// What SSM says of a parameter, without its value.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Metadata {
    pub version: i64,
    pub last_modified: Option<String>,
    pub key_id: Option<String>,
}

/// One version of a parameter, without its value.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Version {
    pub version: i64,
    pub labels: Vec<String>,
    pub last_modified: Option<String>,
    pub key_id: Option<String>,
}

impl Store {
    pub fn region(&self) -> &str {
        &self.region
    }

    /// Connect with the standard credential chain; `region` is where the parameters live.
    /// `endpoint_url` overrides the endpoint (as AWS_ENDPOINT_URL_SSM does).
    pub async fn connect(region: &str, kms_key_alias: &str, endpoint_url: Option<&str>) -> Self {
        let loader = aws_config::defaults(BehaviorVersion::latest());
        Self::connect_with(loader, region, kms_key_alias, endpoint_url).await
    }

    /// The same, from a loader that may carry its own credentials (tests, embedding).
    pub async fn connect_with(
        loader: aws_config::ConfigLoader,
        region: &str,
        kms_key_alias: &str,
        endpoint_url: Option<&str>,
    ) -> Self {
        let retry = RetryConfig::standard()
            .with_max_attempts(MAX_ATTEMPTS)
            .with_initial_backoff(Duration::from_millis(100))
            .with_max_backoff(Duration::from_secs(2));
        let timeouts = TimeoutConfig::builder()
            .connect_timeout(CONNECT_TIMEOUT)
            .read_timeout(ATTEMPT_TIMEOUT)
            .operation_attempt_timeout(ATTEMPT_TIMEOUT)
            .operation_timeout(OPERATION_TIMEOUT)
            .build();
        let mut loader = loader
            .region(Region::new(region.to_string()))
            .retry_config(retry)
            .timeout_config(timeouts);
        if let Some(url) = endpoint_url {
            loader = loader.endpoint_url(url);
        }
        if let Some(client) = crate::tls::aws_http_client() {
            loader = loader.http_client(client);
        }
        let config = loader.load().await;
        Self {
            client: Client::new(&config),
            region: region.to_string(),
            kms_key: (!kms_key_alias.is_empty()).then(|| kms_key_alias.to_string()),
        }
    }

    /// The current value, or `None` when the parameter does not exist.
    pub async fn get(&self, path: &str) -> Result<Option<Current>> {
        match self
            .client
            .get_parameter()
            .name(path)
            .with_decryption(true)
            .send()
            .await
        {
            Ok(out) => Ok(out.parameter.map(|parameter| Current {
                value: SecretString::from(parameter.value.unwrap_or_default()),
                version: parameter.version,
            })),
            Err(e) if e.code() == Some("ParameterNotFound") => Ok(None),
            Err(e) => Err(self.explain("ssm:GetParameter", path, e)),
        }
    }

    /// The current values of many parameters, by path (absent ones are left out): GetParameters
    /// takes at most 10 names per request, so the chunks go out concurrently.
    pub async fn get_many(&self, paths: &[String]) -> Result<HashMap<String, Current>> {
        let chunks = paths.chunks(GET_PARAMETERS_LIMIT).map(|chunk| async move {
            self.client
                .get_parameters()
                .set_names(Some(chunk.to_vec()))
                .with_decryption(true)
                .send()
                .await
                .map_err(|e| self.explain("ssm:GetParameters", &chunk.join(", "), e))
        });
        let mut found = HashMap::new();
        for out in futures_util::future::try_join_all(chunks).await? {
            for parameter in out.parameters.unwrap_or_default() {
                let Some(name) = parameter.name else { continue };
                found.insert(
                    name,
                    Current {
                        value: SecretString::from(parameter.value.unwrap_or_default()),
                        version: parameter.version,
                    },
                );
            }
        }
        Ok(found)
    }

    /// The value of one version (`path:version`).
    pub async fn get_version(&self, path: &str, version: i64) -> Result<SecretString> {
        let selector = format!("{path}:{version}");
        let out = self
            .client
            .get_parameter()
            .name(&selector)
            .with_decryption(true)
            .send()
            .await
            .map_err(|e| self.explain("ssm:GetParameter", &selector, e))?;
        Ok(SecretString::from(
            out.parameter.and_then(|p| p.value).unwrap_or_default(),
        ))
    }

    /// Write a SecureString; returns the new version. A new parameter gets clawboot's tag with
    /// the value; an existing one gets it afterwards (SSM refuses tags together with overwrite).
    pub async fn put(
        &self,
        path: &str,
        description: &str,
        value: &SecretString,
        exists: bool,
    ) -> Result<i64> {
        let mut request = self
            .client
            .put_parameter()
            .name(path)
            .description(description)
            .value(value.expose_secret())
            .r#type(ParameterType::SecureString)
            .overwrite(exists)
            .set_key_id(self.kms_key.clone());
        if !exists {
            request = request.tags(managed_by_tag());
        }
        let out = request
            .send()
            .await
            .map_err(|e| self.explain("ssm:PutParameter", path, e))?;
        if exists {
            self.client
                .add_tags_to_resource()
                .resource_type(ResourceTypeForTagging::Parameter)
                .resource_id(path)
                .tags(managed_by_tag())
                .send()
                .await
                .map_err(|e| self.explain("ssm:AddTagsToResource", path, e))?;
        }
        Ok(out.version)
    }

    /// Put `label` on `version` (moving it from any other version).
    pub async fn label(&self, path: &str, version: i64, label: &str) -> Result<()> {
        self.client
            .label_parameter_version()
            .name(path)
            .parameter_version(version)
            .labels(label)
            .send()
            .await
            .map_err(|e| self.explain("ssm:LabelParameterVersion", path, e))?;
        Ok(())
    }

    /// Metadata of every parameter directly under `prefix`, by full path.
    pub async fn describe(&self, prefix: &str) -> Result<HashMap<String, Metadata>> {
        let filter = ParameterStringFilter::builder()
            .key("Path")
            .option("OneLevel")
            .values(prefix)
            .build()
            .expect("key is set");
        let mut found = HashMap::new();
        let mut pages = self
            .client
            .describe_parameters()
            .parameter_filters(filter)
            .into_paginator()
            .send();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| self.explain("ssm:DescribeParameters", prefix, e))?;
            for p in page.parameters.unwrap_or_default() {
                let Some(name) = p.name else { continue };
                found.insert(
                    name,
                    Metadata {
                        version: p.version,
                        last_modified: p.last_modified_date.map(to_seconds),
                        key_id: p.key_id,
                    },
                );
            }
        }
        Ok(found)
    }

    /// Every version, oldest first, without values.
    pub async fn history(&self, path: &str) -> Result<Vec<Version>> {
        let mut versions = Vec::new();
        let mut pages = self
            .client
            .get_parameter_history()
            .name(path)
            .with_decryption(false)
            .into_paginator()
            .send();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| self.explain("ssm:GetParameterHistory", path, e))?;
            versions.extend(
                page.parameters
                    .unwrap_or_default()
                    .into_iter()
                    .map(|p| Version {
                        version: p.version,
                        labels: p.labels.unwrap_or_default(),
                        last_modified: p.last_modified_date.map(to_seconds),
                        key_id: p.key_id,
                    }),
            );
        }
        versions.sort_by_key(|v| v.version);
        Ok(versions)
    }

    /// Turn an SDK error into one that says what to do.
    fn explain<E, R>(&self, action: &str, path: &str, err: SdkError<E, R>) -> SsmError
    where
        E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
        R: std::fmt::Debug + Send + Sync + 'static,
    {
        let region = &self.region;
        let code = err.code().unwrap_or_default().to_string();
        let message = without_quoted_values(err.message().unwrap_or_default());
        let detail = safe_detail(&err);
        let (kind, advice) = match code.as_str() {
            "AccessDeniedException" => (ErrorKind::AccessDenied, format!(
                "AWS denied {action} on {path}: allow `{action}` on arn:aws:ssm:{region}:<account>:parameter{path} in your IAM policy (SecureStrings also need kms:Encrypt/kms:Decrypt on their key)"
            )),
            "ThrottlingException" | "TooManyUpdates" => (ErrorKind::Throttled, format!(
                "SSM kept throttling {action} on {path} after {MAX_ATTEMPTS} attempts: run the command again later (what was written is skipped), or turn on Parameter Store's higher throughput (a paid setting): aws ssm update-service-setting --setting-id arn:aws:ssm:{region}:<account>:servicesetting/ssm/parameter-store/high-throughput-enabled --setting-value true"
            )),
            "InvalidKeyId" => (ErrorKind::BadKmsKey, format!(
                "the KMS key {} does not exist in {region} or cannot be used: create it, correct aws.kms_key_alias in the profile, or leave it empty for the account's default key",
                self.kms_key.as_deref().unwrap_or("(default)")
            )),
            "ParameterLimitExceeded" => (ErrorKind::LimitReached, "the account has reached its Parameter Store limit (10,000 standard parameters per region): delete unused parameters or move to the advanced tier".to_string()),
            "ParameterMaxVersionLimitExceeded" => (ErrorKind::TooManyVersions, format!(
                "{path} has 100 versions and the oldest carries a label, so SSM cannot drop it: remove that label (aws ssm unlabel-parameter-version) and run again"
            )),
            "UnrecognizedClientException" | "InvalidSignatureException" | "ExpiredTokenException" | "InvalidClientTokenId" => (ErrorKind::BadCredentials, format!(
                "AWS did not accept the credentials ({code}): refresh them (aws sso login, or new access keys) and check AWS_PROFILE"
            )),
            "" if timed_out(&err) => (ErrorKind::Unreachable, format!(
                "SSM did not answer {action} on {path} in time (each request gives up after {} s): check the network and aws.region (or --region); AWS_ENDPOINT_URL_SSM overrides the endpoint",
                OPERATION_TIMEOUT.as_secs()
            )),
            "" if broke_off(&err) => (ErrorKind::Unreachable, format!(
                "the connection broke before SSM answered {action} on {path}: run the command again (it compares with what is stored, so nothing is written twice); if it keeps happening, check the network and HTTPS_PROXY"
            )),
            "" if matches!(err, SdkError::ResponseError(_)) => (ErrorKind::Unreachable, format!(
                "SSM's answer to {action} on {path} could not be read: something between clawboot and SSM may be altering it (check HTTPS_PROXY and AWS_ENDPOINT_URL_SSM), then run the command again"
            )),
            "" if detail.contains("credentials") => (ErrorKind::NoCredentials, format!(
                "no AWS credentials found for {action}: set AWS_PROFILE (and run `aws sso login` for SSO), or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"
            )),
            "" => (ErrorKind::Unreachable, format!(
                "cannot reach SSM in region {region} for {action} on {path}: check aws.region in the profile (or --region) and the network; AWS_ENDPOINT_URL_SSM overrides the endpoint"
            )),
            _ => (ErrorKind::Refused, format!("SSM refused {action} on {path}: {code}: {message}")),
        };
        tracing::warn!(action, path, ?kind, %detail, "SSM request failed");
        SsmError {
            kind,
            advice,
            detail,
        }
    }
}

/// What went wrong, never with the raw response: `DisplayErrorContext` ends with the error's
/// Debug form, which holds the HTTP body, and a GetParameters body holds decrypted values.
fn safe_detail<E, R>(err: &SdkError<E, R>) -> String
where
    E: std::error::Error + 'static,
    R: std::fmt::Debug,
{
    match err {
        SdkError::ResponseError(_) => {
            "SSM's answer could not be read (a malformed response)".into()
        }
        SdkError::ServiceError(service) => without_quoted_values(&chain(service.err())),
        other => chain(other),
    }
}

/// No answer in time: the SDK's own timeout, or a connection that timed out.
fn timed_out<E, R>(err: &SdkError<E, R>) -> bool {
    match err {
        SdkError::TimeoutError(_) => true,
        SdkError::DispatchFailure(failure) => failure.is_timeout(),
        _ => false,
    }
}

/// The connection closed before the answer was complete (hyper's IncompleteMessage, which
/// the SDK classes as transient): the request went out, its result is unknown.
fn broke_off<E, R>(err: &SdkError<E, R>) -> bool {
    match err {
        SdkError::DispatchFailure(failure) => {
            failure.as_other() == Some(aws_smithy_types::retry::ErrorKind::TransientError)
        }
        _ => false,
    }
}

/// An error and its sources, by Display only.
fn chain(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// AWS validation messages quote what was sent (`Value '…' at 'value' failed to satisfy …`):
/// every quoted part is left out.
fn without_quoted_values(message: &str) -> String {
    let mut parts = message.split('\'');
    let mut kept = parts.next().unwrap_or_default().to_string();
    for (i, part) in parts.enumerate() {
        kept.push_str(if i % 2 == 0 { "'…" } else { part });
        if i % 2 == 0 {
            kept.push('\'');
        }
    }
    kept
}

/// What went wrong with an SSM request, in the terms of what the operator can do about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    AccessDenied,
    Throttled,
    BadKmsKey,
    LimitReached,
    TooManyVersions,
    BadCredentials,
    NoCredentials,
    Unreachable,
    /// Any other refusal: SSM's own code and message.
    Refused,
}

/// An SSM failure: its kind, and the advice shown to the operator (the transport detail is
/// kept apart, for the log).
#[derive(Debug, thiserror::Error)]
#[error("{advice}")]
pub struct SsmError {
    pub kind: ErrorKind,
    pub advice: String,
    pub detail: String,
}

/// `2026-11-23T11:59:41Z`: SSM dates to the second, in UTC.
fn to_seconds(date: aws_smithy_types::DateTime) -> String {
    aws_smithy_types::DateTime::from_secs(date.secs())
        .fmt(aws_smithy_types::date_time::Format::DateTime)
        .unwrap_or_else(|_| date.to_string())
}

fn managed_by_tag() -> Tag {
    Tag::builder()
        .key(MANAGED_BY.0)
        .value(MANAGED_BY.1)
        .build()
        .expect("key and value are set")
}
