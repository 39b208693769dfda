//! Tokens checked where they work, before they are stored and at `status`: Discord (the bot
//! behind the token, and whether it is in any server), GitHub (the user, each repository the
//! profile names, and the permissions the token lacks), OpenAI and Anthropic (`GET /models`,
//! which spends nothing). Every request is bounded; an API that does not answer is one line,
//! never a refusal. Only a definite "this token does not work" (401) refuses a value. Nothing
//! here prints a value or an API's own words (OpenAI's echo part of the key).

use std::time::Duration;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use futures_util::future::join_all;
use reqwest::{header::HeaderMap, RequestBuilder, StatusCode};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};

use super::catalog::Parameter;
use crate::profile::Profile;

/// How long one request may take, connecting included.
const REQUEST_LIMIT: Duration = Duration::from_secs(5);
/// A `Retry-After` this short is waited for once; a longer one leaves the token unchecked.
const SHORT_WAIT: Duration = Duration::from_secs(2);

/// What Discord's invite gives the bot: View Channels, Send Messages, Send Messages in
/// Threads, Embed Links, Attach Files, Read Message History, Add Reactions (OpenClaw's
/// Discord setup).
const BOT_PERMISSIONS: u64 =
    (1 << 10) | (1 << 11) | (1 << 38) | (1 << 14) | (1 << 15) | (1 << 16) | (1 << 6);

/// Where each API answers: the real ones, or (for a proxy, a mirror or the tests)
/// `CLAWBOOT_<API>_API`.
#[derive(Debug, Clone)]
pub struct Apis {
    discord: String,
    github: String,
    openai: String,
    anthropic: String,
}

/// The variables that move an API, and the real address of each.
pub const API_VARIABLES: [(&str, &str); 4] = [
    ("CLAWBOOT_DISCORD_API", "https://discord.com/api/v10"),
    ("CLAWBOOT_GITHUB_API", "https://api.github.com"),
    ("CLAWBOOT_OPENAI_API", "https://api.openai.com/v1"),
    ("CLAWBOOT_ANTHROPIC_API", "https://api.anthropic.com/v1"),
];

impl Apis {
    /// The real APIs, each moved by its variable when set: HTTPS, or plain HTTP on this
    /// machine only (a token never travels in clear text).
    pub fn from_env() -> anyhow::Result<Self> {
        let [discord, github, openai, anthropic] = API_VARIABLES.map(|(variable, real)| {
            let url = std::env::var(variable).unwrap_or_else(|_| real.to_string());
            let local = ["http://127.0.0.1:", "http://localhost:", "http://[::1]:"]
                .iter()
                .any(|p| url.starts_with(p));
            match url.starts_with("https://") || local {
                true => Ok(url.trim_end_matches('/').to_string()),
                false => Err(anyhow::anyhow!(
                    "{variable}={url} is refused: a token goes only over HTTPS (or to this machine)"
                )),
            }
        });
        Ok(Self {
            discord: discord?,
            github: github?,
            openai: openai?,
            anthropic: anthropic?,
        })
    }
}

/// How a token fared.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "verdict", rename_all = "kebab-case")]
pub enum Live {
    /// It works; what the API said about it (the bot's name, a missing permission).
    Works { notes: Vec<Note> },
    /// It does not work (revoked, mistyped): not to be stored.
    Refused { why: String },
    /// The API could not say (offline, a proxy, rate limited): stored all the same.
    Unchecked { why: String },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Note {
    /// Something to fix (a missing permission, a bot in no server), not just a fact.
    pub warning: bool,
    pub text: String,
}

impl Note {
    fn fact(text: String) -> Self {
        Self {
            warning: false,
            text,
        }
    }

    fn warning(text: String) -> Self {
        Self {
            warning: true,
            text,
        }
    }
}

/// Check `value` where `parameter` works; None for a parameter without such a check.
pub async fn check(
    apis: &Apis,
    profile: &Profile,
    parameter: &Parameter,
    value: &SecretString,
) -> Option<Live> {
    let api = match parameter.name {
        "DISCORD_BOT_TOKEN" => "Discord",
        "GITHUB_TOKEN" => "GitHub",
        "OPENAI_API_KEY" => "OpenAI",
        "ANTHROPIC_API_KEY" => "Anthropic",
        _ => return None,
    };
    let client = match client() {
        Ok(client) => client,
        Err(e) => {
            return Some(Live::Unchecked {
                why: format!("no HTTPS client ({e:#}): not checked"),
            })
        }
    };
    let checker = Checker { client, apis };
    Some(match api {
        "Discord" => checker.discord(value).await,
        "GitHub" => checker.github(value, &profile.github_repos()).await,
        api => checker.models(api, value).await,
    })
}

fn client() -> anyhow::Result<reqwest::Client> {
    let builder = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(Duration::from_secs(3))
        .timeout(REQUEST_LIMIT)
        .user_agent(concat!("clawboot/", env!("CARGO_PKG_VERSION")));
    Ok(crate::tls::with_roots(builder)?.build()?)
}

struct Checker<'a> {
    client: reqwest::Client,
    apis: &'a Apis,
}

/// One answer: its status, headers and body (a failure to get one is `Err`, said in words).
struct Answer {
    status: StatusCode,
    headers: HeaderMap,
    body: Vec<u8>,
}

impl Answer {
    fn json<T: for<'de> Deserialize<'de>>(&self) -> Option<T> {
        serde_json::from_slice(&self.body).ok()
    }

    fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    }

    fn retry_after(&self) -> Option<u64> {
        self.header("retry-after")?.trim().parse().ok()
    }

    fn rate_limited(&self) -> bool {
        self.status == StatusCode::TOO_MANY_REQUESTS
            || (self.status == StatusCode::FORBIDDEN
                && self.header("x-ratelimit-remaining").as_deref() == Some("0"))
    }
}

impl Checker<'_> {
    /// Send `request`; a rate limit with a short `Retry-After` is waited for once.
    async fn send(&self, api: &str, request: RequestBuilder) -> Result<Answer, Live> {
        let retry = request.try_clone();
        let answer = self.send_once(api, request).await?;
        match (answer.rate_limited(), answer.retry_after(), retry) {
            (true, Some(s), Some(retry)) if Duration::from_secs(s) <= SHORT_WAIT => {
                tokio::time::sleep(Duration::from_secs(s)).await;
                self.limited(api, self.send_once(api, retry).await?)
            }
            _ => self.limited(api, answer),
        }
    }

    fn limited(&self, api: &str, answer: Answer) -> Result<Answer, Live> {
        if !answer.rate_limited() {
            return Ok(answer);
        }
        let wait = answer
            .retry_after()
            .map(|s| format!(" (it asks to wait {s} s)"))
            .unwrap_or_default();
        Err(Live::Unchecked {
            why: format!("{api} is rate limiting{wait}: not checked"),
        })
    }

    async fn send_once(&self, api: &str, request: RequestBuilder) -> Result<Answer, Live> {
        let unreachable = |e: reqwest::Error| Live::Unchecked {
            why: format!("{api} did not answer ({}): not checked", cause(&e)),
        };
        let response = request.send().await.map_err(unreachable)?;
        let (status, headers) = (response.status(), response.headers().clone());
        let body = response.bytes().await.map_err(unreachable)?.to_vec();
        Ok(Answer {
            status,
            headers,
            body,
        })
    }

    async fn discord(&self, token: &SecretString) -> Live {
        let get = |path: &str| {
            self.client
                .get(format!("{}{path}", self.apis.discord))
                .header("Authorization", format!("Bot {}", token.expose_secret()))
        };
        let me = match self.send("Discord", get("/users/@me")).await {
            Ok(me) => me,
            Err(live) => return live,
        };
        if me.status == StatusCode::UNAUTHORIZED {
            return refused("Discord", "the token was reset or mistyped: copy the current one from Bot > Reset Token in the developer portal");
        }
        #[derive(Deserialize)]
        struct Me {
            id: String,
            username: String,
        }
        let Some(me) = me.json::<Me>().filter(|_| me.status.is_success()) else {
            return unexpected("Discord", me.status);
        };
        if Some(me.id.as_str()) != token_bot_id(token).as_deref() {
            return refused(
                "Discord",
                "the token is not the bot's own (its first part is another id)",
            );
        }
        let mut notes = vec![Note::fact(format!(
            "Discord accepts it: the bot {} (id {})",
            crate::printable::printable(&me.username),
            me.id
        ))];
        notes.push(match self.send("Discord", get("/users/@me/guilds")).await {
            Ok(guilds) => match guilds.json::<Vec<serde_json::Value>>() {
                Some(list) if list.is_empty() => Note::warning(format!(
                    "the bot is in no Discord server yet: invite it with https://discord.com/oauth2/authorize?client_id={}&scope=bot%20applications.commands&permissions={BOT_PERMISSIONS}",
                    me.id
                )),
                Some(list) => Note::fact(format!("the bot is in {} Discord server(s)", list.len())),
                None => Note::warning(format!("Discord did not list the bot's servers (HTTP {})", guilds.status.as_u16())),
            },
            Err(live) => Note::warning(live_words(&live)),
        });
        Live::Works { notes }
    }

    async fn github(&self, token: &SecretString, repos: &[String]) -> Live {
        let get = |path: &str| {
            self.client
                .get(format!("{}{path}", self.apis.github))
                .header("Authorization", format!("Bearer {}", token.expose_secret()))
                .header("Accept", "application/vnd.github+json")
                .header("X-GitHub-Api-Version", "2022-11-28")
        };
        let user = match self.send("GitHub", get("/user")).await {
            Ok(user) => user,
            Err(live) => return live,
        };
        if user.status == StatusCode::UNAUTHORIZED {
            return refused(
                "GitHub",
                "the token expired, was revoked or is mistyped: make a new one",
            );
        }
        #[derive(Deserialize)]
        struct User {
            login: String,
        }
        let Some(login) = user.json::<User>().filter(|_| user.status.is_success()) else {
            return unexpected("GitHub", user.status);
        };
        let mut notes = vec![Note::fact(format!(
            "GitHub accepts it: user {}",
            crate::printable::printable(&login.login)
        ))];
        if let Some(scopes) = user.header("x-oauth-scopes") {
            notes.push(Note::warning(format!(
                "a classic token with the scopes [{}]: it reaches every repository you can; a fine-grained token limited to {} is safer",
                crate::printable::printable(&scopes),
                repos.join(" and ")
            )));
        }
        let checked = join_all(repos.iter().map(|repo| self.github_repo(&get, repo))).await;
        notes.extend(checked.into_iter().flatten());
        Live::Works { notes }
    }

    /// What the token may do in `repo`: see it, read its contents and pull requests, push.
    async fn github_repo(&self, get: &impl Fn(&str) -> RequestBuilder, repo: &str) -> Vec<Note> {
        let [shown, contents, pulls] = [
            format!("/repos/{repo}"),
            format!("/repos/{repo}/commits?per_page=1"),
            format!("/repos/{repo}/pulls?per_page=1"),
        ]
        .map(|path| self.send("GitHub", get(&path)));
        let (shown, contents, pulls) = tokio::join!(shown, contents, pulls);
        let shown = match shown {
            Ok(shown) => shown,
            Err(live) => return vec![Note::warning(live_words(&live))],
        };
        if matches!(shown.status, StatusCode::NOT_FOUND | StatusCode::FORBIDDEN) {
            return vec![Note::warning(format!(
                "the token cannot see {repo}: add it under Repository access (Only select repositories)"
            ))];
        }
        #[derive(Deserialize)]
        struct Repo {
            #[serde(default)]
            permissions: Option<Permissions>,
        }
        #[derive(Deserialize)]
        struct Permissions {
            #[serde(default)]
            push: bool,
        }
        let mut missing = Vec::new();
        for (answer, permission) in [(contents, "Contents: Read"), (pulls, "Pull requests: Read")] {
            match answer {
                Ok(a) if a.status == StatusCode::FORBIDDEN => missing.push(
                    a.header("x-accepted-github-permissions")
                        .map(|p| describe_permission(&p))
                        .unwrap_or_else(|| permission.to_string()),
                ),
                _ => {}
            }
        }
        let push = shown
            .json::<Repo>()
            .and_then(|r| r.permissions)
            .is_some_and(|p| p.push);
        if !push {
            missing.push("Contents: Read and write (it cannot push)".into());
        }
        vec![match missing.is_empty() {
            true => Note::fact(format!("{repo}: the token may read, push and open pull requests")),
            false => Note::warning(format!(
                "{repo}: the token lacks {}: edit the token's permissions on GitHub (the value stays the same)",
                missing.join(", ")
            )),
        }]
    }

    /// OpenAI's and Anthropic's `GET /models`: the key works, spending nothing.
    async fn models(&self, api: &str, key: &SecretString) -> Live {
        let request = match api {
            "OpenAI" => self
                .client
                .get(format!("{}/models", self.apis.openai))
                .header("Authorization", format!("Bearer {}", key.expose_secret())),
            _ => self
                .client
                .get(format!("{}/models", self.apis.anthropic))
                .header("x-api-key", key.expose_secret())
                .header("anthropic-version", "2023-06-01"),
        };
        let answer = match self.send(api, request).await {
            Ok(answer) => answer,
            Err(live) => return live,
        };
        match answer.status {
            StatusCode::UNAUTHORIZED => refused(api, "the key was revoked or is mistyped: make a new one"),
            s if s.is_success() => Live::Works {
                notes: vec![Note::fact(format!("{api} accepts it"))],
            },
            StatusCode::FORBIDDEN => Live::Works {
                notes: vec![Note::warning(format!(
                    "{api} knows the key but refuses to list models with it (HTTP 403): check its project and permissions"
                ))],
            },
            s => unexpected(api, s),
        }
    }
}

/// `pull_requests=read` → `Pull requests: Read`
fn describe_permission(header: &str) -> String {
    header
        .split([',', ';'])
        .map(|p| {
            let (name, level) = p.trim().split_once('=').unwrap_or((p.trim(), ""));
            let name = name.replace('_', " ");
            let mut chars = name.chars();
            let name: String = chars
                .next()
                .map(|c| c.to_uppercase().chain(chars).collect())
                .unwrap_or_default();
            match level {
                "" => name,
                level => format!("{name}: {}{}", level[..1].to_uppercase(), &level[1..]),
            }
        })
        .collect::<Vec<_>>()
        .join(" or ")
}

/// The bot id a Discord token starts with.
fn token_bot_id(token: &SecretString) -> Option<String> {
    let first = token.expose_secret().split('.').next()?;
    String::from_utf8(URL_SAFE_NO_PAD.decode(first.trim_end_matches('=')).ok()?).ok()
}

fn refused(api: &str, why: &str) -> Live {
    Live::Refused {
        why: format!("{api} refuses it (401 Unauthorized): {why}"),
    }
}

fn unexpected(api: &str, status: StatusCode) -> Live {
    Live::Unchecked {
        why: format!("{api} answered HTTP {}: not checked", status.as_u16()),
    }
}

/// What to tell about `name`'s check, one line per note (a refusal is the caller's to say).
pub fn said(name: &str, live: &Live) -> Vec<String> {
    match live {
        Live::Works { notes } => notes
            .iter()
            .map(|n| match n.warning {
                true => format!("warning: {name}: {}", n.text),
                false => format!("{name}: {}", n.text),
            })
            .collect(),
        Live::Unchecked { why } => vec![format!("{name}: {why}")],
        Live::Refused { .. } => Vec::new(),
    }
}

/// What to add to a refusal: how to store the value all the same.
pub const OVERRIDE: &str = "--skip-token-check stores it all the same";

/// Check every value given for a batch run before anything is written: the lines to tell, or
/// one error naming each refused value.
pub async fn check_all(
    apis: &Apis,
    profile: &Profile,
    values: Vec<(&Parameter, &SecretString)>,
) -> anyhow::Result<Vec<String>> {
    let checked = join_all(values.iter().map(|(p, v)| check(apis, profile, p, v))).await;
    let mut told = Vec::new();
    let mut refused = Vec::new();
    for ((parameter, _), live) in values.iter().zip(checked) {
        match live {
            Some(Live::Refused { why }) => refused.push(format!("{}: {why}", parameter.name)),
            Some(live) => told.extend(said(parameter.name, &live)),
            None => {}
        }
    }
    match refused.is_empty() {
        true => Ok(told),
        false => anyhow::bail!("{}\nNothing was written ({OVERRIDE}).", refused.join("\n")),
    }
}

/// What an unchecked or refused token's line says.
pub fn live_words(live: &Live) -> String {
    match live {
        Live::Refused { why } | Live::Unchecked { why } => why.clone(),
        Live::Works { notes } => notes
            .iter()
            .map(|n| n.text.as_str())
            .collect::<Vec<_>>()
            .join("; "),
    }
}

/// The innermost cause of a failed request, without the URL's query or anything sent.
fn cause(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        return format!("no answer within {} s", REQUEST_LIMIT.as_secs());
    }
    let mut source: &dyn std::error::Error = e;
    while let Some(inner) = source.source() {
        source = inner;
    }
    source.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_permission_header_in_github_words() {
        assert_eq!(
            describe_permission("pull_requests=read"),
            "Pull requests: Read"
        );
        assert_eq!(
            describe_permission("contents=read, metadata=read"),
            "Contents: Read or Metadata: Read"
        );
    }

    #[test]
    fn the_invite_asks_for_what_the_bot_needs() {
        assert_eq!(BOT_PERMISSIONS, 274_878_024_768);
    }

    #[test]
    fn a_token_goes_only_over_https_or_to_this_machine() {
        std::env::set_var("CLAWBOOT_GITHUB_API", "http://api.example.com");
        let refused = Apis::from_env().unwrap_err().to_string();
        std::env::set_var("CLAWBOOT_GITHUB_API", "http://127.0.0.1:9/github/");
        let local = Apis::from_env().unwrap();
        std::env::remove_var("CLAWBOOT_GITHUB_API");
        assert!(refused.contains("only over HTTPS"), "{refused}");
        assert_eq!(local.github, "http://127.0.0.1:9/github");
    }
}
