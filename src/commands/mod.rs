//! Command handlers of the command-line face.

pub mod secrets;

/// Whether a command found something to report (exit 1) or not (exit 0).
pub enum Outcome {
    Clean,
    Reported,
}
