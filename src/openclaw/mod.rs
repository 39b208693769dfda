//! What clawboot knows about OpenClaw itself: releases, the config they accept, the plugins
//! they need and where they keep credentials.

/// A shell script with `oc`: the openclaw CLI on PATH, else the image's entry point.
macro_rules! openclaw_script {
    ($body:literal) => {
        concat!(
            "set -eu\n",
            "oc() { if command -v openclaw >/dev/null 2>&1; then openclaw \"$@\"; else node /app/openclaw.mjs \"$@\"; fi; }\n",
            $body
        )
    };
}

pub mod config;
pub mod credentials;
pub mod plugins;
pub mod release;
pub mod store;
