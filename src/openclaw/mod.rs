//! What clawboot knows about OpenClaw itself: releases and the config they accept.

pub mod config;
pub mod credentials;
pub mod release;
pub mod store;
