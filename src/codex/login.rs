//! One sign-in, whatever the face, shaped like openai/codex `codex-rs/login`: options in, a
//! handle out. The handle carries what the operator must see (the page, or the device code),
//! takes a pasted address at any moment, and ends with the tokens. The callback-or-paste race
//! and the device-code polling live here; a face only shows the prompt and hands over a paste.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{mpsc, Notify};
use tokio::task::JoinHandle;
use url::Url;

use super::token::{self, Tokens};
use super::{callback, device, paste, BrowserLogin, Issuer};

/// How the sign-in happens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Mode {
    /// Callback on 127.0.0.1 and a pasted address, whichever comes first.
    #[default]
    Browser,
    /// Only the pasted address (or code).
    Paste,
    /// The device-code flow.
    Device,
}

pub struct Options {
    pub issuer: Issuer,
    pub mode: Mode,
    pub callback_port: u16,
    pub open_browser: bool,
}

/// What the operator needs to see to sign in.
#[derive(Debug, Clone)]
pub enum Prompt {
    /// Open `url` and sign in; the browser comes back to 127.0.0.1:`listening` by itself, or
    /// the address it ended on is pasted. `note` says why nothing listens when a port was asked.
    Browser {
        url: Url,
        listening: Option<u16>,
        note: Option<String>,
    },
    /// Open `page` on any device and enter `user_code`.
    Device { page: Url, user_code: String },
}

/// Hands a paste to a running sign-in, or cancels it; cheap to clone.
#[derive(Clone)]
pub struct Control {
    codes: mpsc::UnboundedSender<String>,
    /// The browser sign-in's state, which a pasted address must carry back (when it has one).
    state: Option<Arc<str>>,
    cancel: Arc<Notify>,
}

impl Control {
    /// A pasted redirect address, query string or bare code. One that does not parse or is
    /// another sign-in's is refused here and the sign-in goes on, so it can be pasted again.
    pub fn paste(&self, text: &str) -> anyhow::Result<()> {
        let Some(state) = self.state.as_deref() else {
            anyhow::bail!("this sign-in takes no pasted address: approve the device code");
        };
        let code = paste::code_for(paste::parse(text)?, state)?;
        let _ = self.codes.send(code);
        Ok(())
    }

    /// End the sign-in now; `wait` then returns an error and nothing is stored.
    pub fn cancel(&self) {
        self.cancel.notify_one();
    }
}

/// A sign-in under way.
pub struct Login {
    pub prompt: Prompt,
    control: Control,
    task: JoinHandle<anyhow::Result<Tokens>>,
}

impl Login {
    /// Start: a fresh PKCE pair and the callback listener, or a device code from the issuer.
    /// `tick` is told the time left while a device code waits for approval.
    pub async fn start(
        options: Options,
        tick: impl Fn(Duration) + Send + 'static,
    ) -> anyhow::Result<Self> {
        let (codes, pasted) = mpsc::unbounded_channel();
        let (prompt, task, state) = match options.mode {
            Mode::Device => {
                let (prompt, task) = start_device(options.issuer, tick).await?;
                (prompt, task, None)
            }
            mode => start_browser(options, mode == Mode::Browser, pasted).await,
        };
        let control = Control {
            codes,
            state,
            cancel: Arc::new(Notify::new()),
        };
        let cancel = control.cancel.clone();
        let task = tokio::spawn(async move {
            tokio::select! {
                tokens = task => tokens,
                _ = cancel.notified() => anyhow::bail!("the sign-in was cancelled: nothing was stored"),
            }
        });
        Ok(Self {
            prompt,
            control,
            task,
        })
    }

    pub fn control(&self) -> Control {
        self.control.clone()
    }

    /// The tokens, once the callback, a paste or the device approval gave a code to exchange.
    pub async fn wait(self) -> anyhow::Result<Tokens> {
        self.task
            .await
            .unwrap_or_else(|e| Err(anyhow::anyhow!("the sign-in stopped: {e}")))
    }
}

type Running = std::pin::Pin<Box<dyn std::future::Future<Output = anyhow::Result<Tokens>> + Send>>;

/// The prompt, the running sign-in, and the state a pasted address must carry.
async fn start_browser(
    options: Options,
    listen: bool,
    pasted: mpsc::UnboundedReceiver<String>,
) -> (Prompt, Running, Option<Arc<str>>) {
    let port = options.callback_port;
    let login = BrowserLogin::start(&options.issuer, port);
    let (listener, note) = match listen {
        false => (None, None),
        true => match callback::bind(port).await {
            Ok(listener) => (Some(listener), None),
            Err(e) => (
                None,
                Some(format!(
                    "cannot listen on 127.0.0.1:{port} ({e}): paste the address instead"
                )),
            ),
        },
    };
    if listener.is_some() && options.open_browser {
        // The address is shown too: a browser that cannot open is not an error.
        let _ = open::that_detached(login.url.as_str());
    }
    let prompt = Prompt::Browser {
        url: login.url.clone(),
        listening: listener.as_ref().map(|_| port),
        note,
    };
    let issuer = options.issuer;
    let state: Arc<str> = Arc::from(login.state.as_str());
    let running = Box::pin(async move {
        let code = code_from_callback_or_paste(listener, pasted, &login.state).await?;
        token::exchange_code(&issuer, &code, &login.verifier, &login.redirect_uri).await
    });
    (prompt, running, Some(state))
}

/// The first of: the callback (when listening), a pasted code ([`Control::paste`] checked
/// it). A callback without this sign-in's state is ignored (a web page could send one).
async fn code_from_callback_or_paste(
    listener: Option<tokio::net::TcpListener>,
    mut pasted: mpsc::UnboundedReceiver<String>,
    state: &str,
) -> anyhow::Result<String> {
    let from_paste = |code: Option<String>| {
        code.ok_or_else(|| {
            anyhow::anyhow!("no address was pasted: sign in later with `clawboot sign-in`")
        })
    };
    let waiting = async {
        match listener {
            Some(listener) => tokio::select! {
                code = callback::wait_for_code(&listener, state) => code,
                text = pasted.recv() => from_paste(text),
            },
            None => from_paste(pasted.recv().await),
        }
    };
    // As long as a device code lives: a browser sign-in left open does not wait forever.
    tokio::time::timeout(device::LIFETIME, waiting)
        .await
        .unwrap_or_else(|_| {
            anyhow::bail!(
                "no sign-in arrived within {} minutes: run the sign-in again",
                device::LIFETIME.as_secs() / 60
            )
        })
}

async fn start_device(
    issuer: Issuer,
    tick: impl Fn(Duration) + Send + 'static,
) -> anyhow::Result<(Prompt, Running)> {
    let code = device::request_code(&issuer).await?;
    let prompt = Prompt::Device {
        page: code.page.clone(),
        user_code: code.user_code.clone(),
    };
    let running = Box::pin(async move {
        let approved = device::wait_for_approval(&issuer, &code, tick).await?;
        token::exchange_code(
            &issuer,
            &approved.code,
            &approved.verifier,
            issuer.device_redirect().as_str(),
        )
        .await
    });
    Ok((prompt, running))
}
