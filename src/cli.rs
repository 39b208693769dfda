//! The command line (clap definitions only): the engine knows nothing of clap, so the few
//! engine enums a flag names have their command-line twins here.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use clawboot::codex::login::Mode;
use clawboot::render::Group;

#[derive(Debug, Parser)]
#[command(
    name = "clawboot",
    version,
    about = "Bootstrap and keep running OpenClaw on Kubernetes",
    long_about = "Bootstrap and keep running OpenClaw on Kubernetes.\n\nWithout a command: the wizard's home screen (first-time setup, rotate secrets, sign in to Codex again, check everything)."
)]
pub struct Cli {
    /// Answers file overriding the embedded defaults (see `clawboot profile init`).
    #[arg(long, global = true, value_name = "FILE")]
    pub profile: Option<PathBuf>,

    /// How commands that report something print it.
    #[arg(long, global = true, value_enum, default_value_t = OutputFormat::Text)]
    pub output: OutputFormat,

    #[command(flatten)]
    pub wizard: WizardArgs,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    Text,
    Json,
}

/// How to sign in to Codex.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SignInHow {
    /// Callback on 127.0.0.1 and a pasted address, whichever comes first.
    Browser,
    /// Only the pasted address (or code).
    Paste,
    /// The device-code flow.
    Device,
}

impl From<SignInHow> for Mode {
    fn from(how: SignInHow) -> Self {
        match how {
            SignInHow::Browser => Mode::Browser,
            SignInHow::Paste => Mode::Paste,
            SignInHow::Device => Mode::Device,
        }
    }
}

/// One group of rendered files.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Only {
    /// The GitOps folder: manifests, kustomization, Argo CD Application.
    K8s,
    /// The two Terraform folders of the infrastructure repo.
    Terraform,
    /// The agent workspace: SOUL.md and skills/.
    Workspace,
}

impl From<Only> for Group {
    fn from(only: Only) -> Self {
        match only {
            Only::K8s => Group::K8s,
            Only::Terraform => Group::Terraform,
            Only::Workspace => Group::Workspace,
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// The wizard's first-time setup: Waves 0–6, resuming an interrupted run.
    Setup(WizardArgs),
    /// Rotate secrets: new values in SSM (old versions kept), force-sync, restart, verify.
    Rotate {
        /// Parameter names, e.g. OPENCLAW_GATEWAY_TOKEN (none: pick them in the wizard).
        names: Vec<String>,
        #[command(flatten)]
        wizard: WizardArgs,
    },
    /// Sign in to ChatGPT/Codex again (Wave 4), then verify.
    SignIn(WizardArgs),
    /// Check everything: observe every wave, apply nothing. Exit 0 when all is done, 1 otherwise.
    Status(WizardArgs),
    /// Upgrade OpenClaw to another supported release: backup, answers file, manifests, the new
    /// pod, the sign-in imported, verified; each step after a yes, resumed where it stopped.
    Upgrade {
        /// The release to run, e.g. 2026.9.6.
        #[arg(long, value_name = "RELEASE")]
        to: String,
        #[command(flatten)]
        wizard: WizardArgs,
    },
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
        only: Option<Only>,
        /// Write nothing; exit 1 when any file would change (for CI in the GitOps repo).
        #[arg(long)]
        check: bool,
    },
    /// Lint an existing GitOps folder for the known failure modes; exit 1 when anything is found.
    Doctor {
        /// The folder with the OpenClaw manifests (default: the profile's GitOps folder), or -
        /// for a multi-document stream on standard input (`helm template … | clawboot doctor -`).
        path: Option<PathBuf>,
    },
    /// Work with the answers file.
    #[command(subcommand)]
    Profile(ProfileCommand),
    /// Sign in to the ChatGPT/Codex subscription for OpenClaw, check or renew the sign-in.
    #[command(subcommand)]
    Codex(CodexCommand),
    /// Discord DM pairing: the requests waiting for approval, and approving one.
    Pairing {
        #[command(subcommand)]
        command: PairingCommand,
        /// A local OpenClaw state dir instead of the cluster's pod.
        // Own ids: the wizard has options of the same names, whose values clap would take.
        #[arg(
            long = "state-dir",
            id = "pairing_state_dir",
            global = true,
            value_name = "DIR"
        )]
        state_dir: Option<PathBuf>,
        /// Show every kubectl command, to repeat it by hand.
        #[arg(long = "show-commands", id = "pairing_show_commands", global = true)]
        show_commands: bool,
    },
    /// Seed, inspect, rotate and roll back the secrets in AWS SSM Parameter Store.
    ///
    /// Uses the standard AWS credential chain (environment, profiles, SSO);
    /// AWS_ENDPOINT_URL_SSM overrides the endpoint.
    Secrets {
        /// AWS region of the parameters (default: aws.region of the profile).
        #[arg(long, global = true)]
        region: Option<String>,
        /// SSM endpoint, e.g. a VPC endpoint or a local test server (AWS_ENDPOINT_URL_SSM works too).
        #[arg(long, global = true, value_name = "URL")]
        endpoint_url: Option<String>,
        #[command(subcommand)]
        command: SecretsCommand,
    },
}

/// The wizard's options (also accepted without a command).
#[derive(Debug, Clone, PartialEq, Eq, Args)]
pub struct WizardArgs {
    /// Plain prompts instead of the full-screen interface (SSH sessions, screen readers).
    #[arg(long)]
    pub plain: bool,
    /// Never ask: secrets from CLAWBOOT_<NAME>, --from-file or --stdin; exit 1 listing what is missing.
    #[arg(long)]
    pub non_interactive: bool,
    /// Show every kubectl command the wizard runs, to repeat it by hand.
    #[arg(long)]
    pub show_commands: bool,
    /// AWS region of the parameters (default: aws.region of the profile).
    // Own ids: `secrets` has global options of the same names, whose values clap would copy here.
    #[arg(long = "region", id = "wizard_region", value_name = "REGION")]
    pub region: Option<String>,
    /// SSM endpoint, e.g. a VPC endpoint or a local test server (AWS_ENDPOINT_URL_SSM works too).
    #[arg(long = "endpoint-url", id = "wizard_endpoint_url", value_name = "URL")]
    pub endpoint_url: Option<String>,
    /// Keep the Codex sign-in in this local OpenClaw state dir instead of the pod's volume.
    #[arg(long, value_name = "DIR")]
    pub state_dir: Option<PathBuf>,
    /// The OAuth issuer (default https://auth.openai.com; CLAWBOOT_CODEX_ISSUER works too).
    #[arg(long, value_name = "URL")]
    pub issuer: Option<String>,
    /// How to sign in to Codex (batch runs sign in only when this is given).
    #[arg(long, value_enum, value_name = "HOW")]
    pub sign_in: Option<SignInHow>,
    /// Port of the local sign-in callback.
    #[arg(long, default_value_t = clawboot::codex::CALLBACK_PORT)]
    pub callback_port: u16,
    /// Print pages (token pages, the sign-in) instead of opening a browser.
    #[arg(long)]
    pub no_browser: bool,
    /// After a rotation, print the kubectl follow-up instead of running it.
    #[arg(long)]
    pub no_cluster: bool,
    /// Batch runs: replace what is stored (a value, another account's sign-in) and restart
    /// deployments without asking; without it they only say what they left.
    #[arg(long)]
    pub yes: bool,
    /// Read a secret from a file: NAME=PATH. Repeatable.
    #[arg(long = "from-file", value_name = "NAME=PATH")]
    pub from_file: Vec<String>,
    /// Read one secret from standard input.
    #[arg(long, value_name = "NAME")]
    pub stdin: Option<String>,
    /// After Verify, approve this Discord DM pairing code (the bot's reply to a first DM).
    #[arg(long, value_name = "CODE")]
    pub approve_pairing: Option<String>,
    /// Store tokens their API refuses, and do not check them at status (checks.tokens: false
    /// in the profile turns the checks off for good).
    #[arg(long)]
    pub skip_token_check: bool,
}

impl WizardArgs {
    /// Whether none was given: before a command that is not the wizard's they would be
    /// ignored, so that is refused.
    pub fn is_unset(&self) -> bool {
        *self == Self::unset()
    }

    fn unset() -> Self {
        #[derive(Parser)]
        struct Bare {
            #[command(flatten)]
            wizard: WizardArgs,
        }
        Bare::parse_from(["clawboot"]).wizard
    }

    /// These options, with those given before the command (`clawboot --plain setup`) where
    /// these leave one unset.
    pub fn with_earlier(&self, earlier: &Self) -> Self {
        let unset = Self::unset();
        let port = match self.callback_port == unset.callback_port {
            true => earlier.callback_port,
            false => self.callback_port,
        };
        Self {
            plain: self.plain || earlier.plain,
            non_interactive: self.non_interactive || earlier.non_interactive,
            show_commands: self.show_commands || earlier.show_commands,
            region: self.region.clone().or_else(|| earlier.region.clone()),
            endpoint_url: self
                .endpoint_url
                .clone()
                .or_else(|| earlier.endpoint_url.clone()),
            state_dir: self.state_dir.clone().or_else(|| earlier.state_dir.clone()),
            issuer: self.issuer.clone().or_else(|| earlier.issuer.clone()),
            sign_in: self.sign_in.or(earlier.sign_in),
            callback_port: port,
            no_browser: self.no_browser || earlier.no_browser,
            no_cluster: self.no_cluster || earlier.no_cluster,
            yes: self.yes || earlier.yes,
            from_file: [earlier.from_file.clone(), self.from_file.clone()].concat(),
            stdin: self.stdin.clone().or_else(|| earlier.stdin.clone()),
            approve_pairing: self
                .approve_pairing
                .clone()
                .or_else(|| earlier.approve_pairing.clone()),
            skip_token_check: self.skip_token_check || earlier.skip_token_check,
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum CodexCommand {
    /// Sign in to the ChatGPT/Codex subscription and put the credentials where OpenClaw reads them.
    ///
    /// Browser sign-in with a callback on 127.0.0.1 by default; the redirect URL can be pasted
    /// at any time instead (the browser may run on another machine).
    Login {
        /// Paste the redirect URL (or the code) instead of listening for the browser.
        #[arg(long, conflicts_with = "device_code")]
        paste: bool,
        /// Use the device-code flow: enter a code on a page, on any device.
        #[arg(long)]
        device_code: bool,
        /// Port of the local callback (the redirect URI is http://localhost:PORT/auth/callback).
        #[arg(long, default_value_t = clawboot::codex::CALLBACK_PORT)]
        callback_port: u16,
        /// Print the sign-in page without opening a browser.
        #[arg(long)]
        no_browser: bool,
        #[command(flatten)]
        target: CodexTarget,
    },
    /// The stored sign-in: profile, e-mail, plan, expiry (never a token). Exit 0 ok,
    /// 1 expired or missing, 2 expiring within 24 h (as `openclaw models status --check`).
    Status {
        #[command(flatten)]
        target: CodexTarget,
    },
    /// Exchange the stored refresh token for new tokens now and store them the same way.
    Refresh {
        #[command(flatten)]
        target: CodexTarget,
    },
}

#[derive(Debug, Args)]
pub struct CodexTarget {
    /// A local OpenClaw state dir instead of the cluster's pod.
    #[arg(long, value_name = "DIR")]
    pub state_dir: Option<PathBuf>,
    /// The OpenClaw release the credentials are for (default: openclaw.release of the profile).
    #[arg(long, value_name = "VERSION")]
    pub openclaw_version: Option<String>,
    /// The OAuth issuer (default https://auth.openai.com; CLAWBOOT_CODEX_ISSUER works too).
    #[arg(long, value_name = "URL")]
    pub issuer: Option<String>,
    /// In a batch run (no terminal): replace another account's sign-in stored under the same
    /// id, and restart OpenClaw in the cluster, without asking.
    #[arg(long)]
    pub yes: bool,
    /// Show every kubectl command, to repeat it by hand.
    #[arg(long)]
    pub show_commands: bool,
}

#[derive(Debug, Subcommand)]
pub enum PairingCommand {
    /// The DM pairing requests waiting: code, sender, age (`openclaw pairing list` in the pod).
    List,
    /// Approve one: its sender may DM the bot (`openclaw pairing approve` in the pod).
    Approve {
        /// The code the bot sent in its reply to the DM (none: pick from the requests waiting,
        /// in a terminal).
        code: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum SecretsCommand {
    /// One line per parameter: state (missing, dummy, set, invalid-shape), version, last
    /// modified, KMS key; each token checked where it works. Never the value. Exit 1 when a
    /// required one is not set or refused.
    Status {
        /// Do not check the tokens with their APIs.
        #[arg(long)]
        skip_token_check: bool,
    },
    /// Write every required parameter that is missing or still `dummy`: generated ones are
    /// generated, the others taken from CLAWBOOT_<NAME>, --from-file, --stdin or a masked prompt.
    Seed {
        /// Also replace your values that are already set (asks for confirmation, or --yes).
        #[arg(long)]
        overwrite: bool,
        #[command(flatten)]
        values: ValueArgs,
    },
    /// Give parameters a new value (generated, or asked), keeping the old version labelled
    /// `previous`, then make the cluster pick it up.
    Rotate {
        /// Parameter names, e.g. OPENCLAW_GATEWAY_TOKEN DISCORD_BOT_TOKEN.
        #[arg(required = true)]
        names: Vec<String>,
        #[command(flatten)]
        cluster: ClusterArgs,
        #[command(flatten)]
        values: ValueArgs,
    },
    /// Every version of a parameter with its labels and dates (never values).
    History { name: String },
    /// Write an earlier version's value back as a new version (nothing is deleted), then make
    /// the cluster pick it up. Without --to, the version labelled `previous`.
    Rollback {
        name: String,
        /// The version to restore (see `secrets history`).
        #[arg(long, value_name = "VERSION")]
        to: Option<i64>,
        #[command(flatten)]
        cluster: ClusterArgs,
    },
}

#[derive(Debug, Default, Args)]
pub struct ValueArgs {
    /// Read a value from a file: NAME=PATH (one trailing line break is dropped). Repeatable.
    #[arg(long = "from-file", value_name = "NAME=PATH")]
    pub from_file: Vec<String>,
    /// Read one value from standard input.
    #[arg(long, value_name = "NAME")]
    pub stdin: Option<String>,
    /// Never prompt: a value that is not supplied is an error listing what is missing.
    #[arg(long)]
    pub non_interactive: bool,
    /// Print the pages where tokens are made without opening a browser.
    #[arg(long)]
    pub no_browser: bool,
    /// Confirm replacing set values without asking (for scripts).
    #[arg(long)]
    pub yes: bool,
    /// Show every kubectl command, to repeat it by hand.
    #[arg(long)]
    pub show_commands: bool,
    /// Store tokens their API refuses, and do not check them at status.
    #[arg(long)]
    pub skip_token_check: bool,
}

#[derive(Debug, Args)]
pub struct ClusterArgs {
    /// Do not touch the cluster; print the kubectl commands to run instead.
    #[arg(long)]
    pub no_cluster: bool,
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
