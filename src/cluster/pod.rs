//! Which pod of a workload to talk to: one choice for the sign-in and for Verify. Running, not
//! being deleted, its container ready, the newest first; then exec by that pod's name.

use serde::Deserialize;

use super::kubectl::{Kubectl, KubectlError};
use super::objects::List;

#[derive(Deserialize)]
struct Pod {
    metadata: Meta,
    #[serde(default)]
    status: PodStatus,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Meta {
    name: String,
    #[serde(default)]
    creation_timestamp: Option<String>,
    #[serde(default)]
    deletion_timestamp: Option<String>,
}

#[derive(Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct PodStatus {
    #[serde(default)]
    phase: Option<String>,
    #[serde(default)]
    container_statuses: Vec<ContainerStatus>,
}

#[derive(Deserialize)]
struct ContainerStatus {
    name: String,
    #[serde(default)]
    ready: bool,
}

/// Why no pod can be talked to.
#[derive(Debug, thiserror::Error)]
pub enum NoPod {
    #[error("no pod matches {selector}")]
    None { selector: String },
    #[error("no ready pod matches {selector} ({count} starting, not ready or being deleted)")]
    NotReady { selector: String, count: usize },
    #[error(transparent)]
    Kubectl(#[from] KubectlError),
}

/// The newest pod matching `selector` that runs, is not being deleted and has `container` ready.
pub async fn ready_pod(
    kubectl: &Kubectl,
    selector: &str,
    container: &str,
) -> Result<String, NoPod> {
    let pods: List<Pod> = kubectl.get_json(&["pods", "-l", selector]).await?;
    choose(pods.items, container).map_err(|count| match count {
        0 => NoPod::None {
            selector: selector.to_string(),
        },
        count => NoPod::NotReady {
            selector: selector.to_string(),
            count,
        },
    })
}

/// The image `container` of `pod` runs.
pub async fn image_of(
    kubectl: &Kubectl,
    pod: &str,
    container: &str,
) -> Result<String, KubectlError> {
    let path = format!("jsonpath={{.spec.containers[?(@.name==\"{container}\")].image}}");
    Ok(kubectl
        .run(&["get", "pod", pod, "-o", &path])
        .await?
        .trim()
        .to_string())
}

/// The chosen pod's name, or how many pods there were.
fn choose(pods: Vec<Pod>, container: &str) -> Result<String, usize> {
    let count = pods.len();
    pods.into_iter()
        .filter(|p| p.status.phase.as_deref() == Some("Running"))
        .filter(|p| p.metadata.deletion_timestamp.is_none())
        .filter(|p| {
            p.status
                .container_statuses
                .iter()
                .any(|c| c.name == container && c.ready)
        })
        .max_by(|a, b| {
            a.metadata
                .creation_timestamp
                .cmp(&b.metadata.creation_timestamp)
        })
        .map(|p| p.metadata.name)
        .ok_or(count)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pod(name: &str, created: &str, phase: &str, ready: bool, deleting: bool) -> Pod {
        serde_json::from_value(serde_json::json!({
            "metadata": {
                "name": name,
                "creationTimestamp": created,
                "deletionTimestamp": if deleting { Some("2026-11-30T00:00:09Z") } else { None },
            },
            "status": {"phase": phase, "containerStatuses": [{"name": "openclaw", "ready": ready}]},
        }))
        .unwrap()
    }

    #[test]
    fn running_not_deleted_ready_and_newest() {
        let pods = vec![
            pod(
                "a-old-ready",
                "2026-11-30T00:00:01Z",
                "Running",
                true,
                false,
            ),
            pod(
                "b-terminating",
                "2026-11-30T00:00:05Z",
                "Running",
                true,
                true,
            ),
            pod(
                "c-new-ready",
                "2026-11-30T00:00:03Z",
                "Running",
                true,
                false,
            ),
            pod(
                "d-newest-not-ready",
                "2026-11-30T00:00:07Z",
                "Running",
                false,
                false,
            ),
            pod("e-pending", "2026-11-30T00:00:08Z", "Pending", false, false),
        ];
        assert_eq!(choose(pods, "openclaw"), Ok("c-new-ready".to_string()));
        let waiting = vec![pod("x", "2026-11-30T00:00:01Z", "Running", false, false)];
        assert_eq!(choose(waiting, "openclaw"), Err(1));
        assert_eq!(choose(Vec::new(), "openclaw"), Err(0));
    }
}
