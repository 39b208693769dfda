//! The secrets the deployment needs, and where each one lives.

pub mod catalog;
