//! Command handlers of the command-line face.

pub mod codex;
pub mod secrets;

/// Whether a command found something to report (exit 1) or not (exit 0), or a command's own
/// documented code (`codex status`: 2 = expiring, as `openclaw models status --check`).
pub enum Outcome {
    Clean,
    Reported,
    Code(u8),
}
