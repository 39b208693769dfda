//! Command handlers of the command-line face.

pub mod codex;
pub mod pairing;
pub mod secrets;
pub mod wizard;

/// Whether a command found something to report (exit 1) or not (exit 0), or a command's own
/// documented code (`codex status`: 2 = expiring, as `openclaw models status --check`).
pub enum Outcome {
    Clean,
    Reported,
    Code(u8),
}

/// The async runtime of the commands that talk to the network: two workers, like the machine.
pub fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?)
}
