//! The command line (clap definitions only).

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

use crate::render::Group;

#[derive(Debug, Parser)]
#[command(
    name = "clawboot",
    version,
    about = "Bootstrap and keep running OpenClaw on Kubernetes"
)]
pub struct Cli {
    /// Answers file overriding the embedded defaults (see `clawboot profile init`).
    #[arg(long, global = true, value_name = "FILE")]
    pub profile: Option<PathBuf>,

    /// How commands that report something print it.
    #[arg(long, global = true, value_enum, default_value_t = OutputFormat::Text)]
    pub output: OutputFormat,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    Text,
    Json,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Write every file the deployment needs: manifests, Terraform, workspace files.
    ///
    /// Unchanged files are not touched; changed ones are shown as a unified diff and replaced
    /// atomically. Without --out the files go into the repositories the profile names.
    Render {
        /// Write everything under this folder instead (GitOps folder, terraform/, workspace/).
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
        /// Render only one group of files.
        #[arg(long, value_enum)]
        only: Option<Group>,
        /// Write nothing; exit 1 when any file would change (for CI in the GitOps repo).
        #[arg(long)]
        check: bool,
    },
    /// Lint an existing GitOps folder for the known failure modes; exit 1 when anything is found.
    Doctor {
        /// The folder with the OpenClaw manifests (default: the profile's GitOps folder).
        path: Option<PathBuf>,
    },
    /// Work with the answers file.
    #[command(subcommand)]
    Profile(ProfileCommand),
}

#[derive(Debug, Subcommand)]
pub enum ProfileCommand {
    /// Write a commented answers file with every default, to edit.
    Init {
        /// Where to write it.
        #[arg(default_value = "clawboot.yaml")]
        path: PathBuf,
        /// Replace an existing file.
        #[arg(long)]
        force: bool,
    },
    /// Print the effective profile (defaults merged with --profile), after checking it.
    Show,
    /// List the LiteLLM models the profile can enable.
    Models,
}
