//! The file log: `clawboot.log` under the XDG state dir, so the SDK's retries and throttles and
//! every kubectl call can be read afterwards. `CLAWBOOT_LOG` sets clawboot's level (default
//! `info`); the SDK's own lines stop at `debug` and the HTTP stack's are left out, so a request
//! body (a secret value) never reaches the file. Values are never logged by clawboot itself.

use std::fs::OpenOptions;
use std::sync::Mutex;

use tracing_subscriber::filter::{LevelFilter, Targets};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

pub const FILE: &str = "clawboot.log";

/// Start logging to the file; a log that cannot be opened is not a reason to stop.
pub fn init() {
    let level = std::env::var("CLAWBOOT_LOG")
        .ok()
        .and_then(|l| l.parse::<LevelFilter>().ok())
        .unwrap_or(LevelFilter::INFO);
    let Ok(dir) = crate::waves::journal::state_dir() else {
        return;
    };
    if std::fs::create_dir_all(&dir).is_err() {
        return;
    }
    let Ok(file) = OpenOptions::new()
        .create(true)
        .append(true)
        .open(dir.join(FILE))
    else {
        return;
    };
    let sdk = level.min(LevelFilter::DEBUG);
    let targets = Targets::new()
        .with_target("clawboot", level)
        .with_target("aws_smithy_runtime", sdk)
        .with_target("aws_config", sdk)
        .with_target("aws_sdk_ssm", sdk);
    let layer = tracing_subscriber::fmt::layer()
        .with_ansi(false)
        .with_writer(Mutex::new(file));
    let _ = tracing_subscriber::registry()
        .with(layer)
        .with(targets)
        .try_init();
}
