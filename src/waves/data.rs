//! What a task hands a face as data beside its reports: the rows of a status table, what a
//! write did, a parameter's history. Names, versions, dates and states only: never a value.

use serde::Serialize;

use crate::openclaw::store::SignIn;
use crate::secrets::ops::{self, Rollback};
use crate::secrets::ssm::Version;

#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum Data {
    /// Every stored Codex sign-in (`codex status`).
    SignIns { profiles: Vec<SignInRow> },
    /// A sign-in just stored (`codex login`, `codex refresh`).
    SignedIn(SignedIn),
    /// Every parameter of the catalog (`secrets status`).
    Secrets { parameters: Vec<ops::Status> },
    /// What a seed or rotation wrote.
    Written(Written),
    /// Every version of one parameter (`secrets history`).
    History {
        name: String,
        path: String,
        versions: Vec<Version>,
    },
    /// What a rollback did, and what the cluster must do.
    RolledBack {
        rollback: Rollback,
        cluster: Vec<String>,
    },
}

impl Data {
    /// A table that says all its wave's report says: the face shows it instead of the report.
    pub fn replaces_report(&self) -> bool {
        matches!(
            self,
            Data::SignIns { .. } | Data::Secrets { .. } | Data::History { .. }
        )
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct SignInRow {
    pub profile: String,
    pub email: Option<String>,
    pub plan: Option<String>,
    pub expires_ms: Option<i64>,
    pub state: SignIn,
}

#[derive(Debug, Clone, Serialize)]
pub struct SignedIn {
    pub profile: String,
    pub email: Option<String>,
    pub plan: Option<String>,
    pub expires_ms: i64,
    pub openclaw_release: String,
    pub stored_in: String,
    pub other_profiles_kept: Vec<String>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Written {
    pub written: Vec<ops::Written>,
    /// Already held exactly this value: no new version.
    pub unchanged: Vec<String>,
    pub failed: Vec<ops::Failed>,
    /// Already set, and kept.
    pub kept: Vec<String>,
    /// No value was given: left for a later run.
    pub left: Vec<String>,
    /// Written by the Cloudflare Terraform, and not there yet.
    pub terraform_unset: Vec<String>,
    /// The kubectl commands that make the cluster pick the new values up.
    pub cluster: Vec<String>,
}
