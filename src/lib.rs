//! clawboot: bootstrap and keep running OpenClaw on Kubernetes.
//! The library holds the engine; `main.rs` is the command-line face over it.

pub mod cluster;
pub mod codex;
pub mod doctor;
pub mod fsutil;
pub mod hygiene;
pub mod log;
pub mod openclaw;
pub mod printable;
pub mod profile;
pub mod render;
pub mod secrets;
pub mod tls;
pub mod ui;
pub mod waves;
