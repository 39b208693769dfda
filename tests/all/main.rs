//! Every integration test in one binary (one link instead of nine). Each module drives the
//! real `clawboot` binary or the library against a real peer; `common` starts the peers.

mod common;

mod cluster;
mod codex;
mod doctor;
mod engine;
mod oidc;
mod openclaw_config;
mod pod_life;
mod profile_cli;
mod render;
mod secrets;
mod ssm_faults;
mod wizard;
