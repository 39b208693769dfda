//! The faces: how values reach the engine from an operator (prompts) or a script (batch).

pub mod batch;
pub mod prompts;
