//! The faces over the engine: the full-screen TUI, plain prompts, and batch. They read keys or
//! answers and draw; they never talk to AWS, the cluster or OpenAI themselves.

pub mod batch;
pub mod face;
pub mod plain;
pub mod prompts;
pub mod text;
pub mod tui;
