//! The fields of Kubernetes objects that clawboot reads, as `kubectl get -o json` gives them.

use serde::Deserialize;

/// A `…List`.
#[derive(Deserialize)]
pub struct List<T> {
    pub items: Vec<T>,
}

/// An object's `status.conditions` (ClusterSecretStore, ExternalSecret).
#[derive(Default, Deserialize)]
pub struct Conditions {
    #[serde(default)]
    pub conditions: Vec<Condition>,
}

impl Conditions {
    /// The condition of that type, if the object has it.
    pub fn of(&self, kind: &str) -> Option<&Condition> {
        self.conditions.iter().find(|c| c.kind == kind)
    }
}

#[derive(Deserialize)]
pub struct Condition {
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub reason: String,
}
