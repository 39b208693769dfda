//! A Helm chart or template: not YAML until rendered, so it is linted as Helm renders it.

use crate::doctor::folder::Folder;
use crate::doctor::{Finding, Rule};

pub const RULE: Rule = Rule {
    id: "helm-template",
    finds: "a Helm chart, or a file with `{{ … }}` that is not YAML until rendered: linted only as rendered",
    check,
};

fn check(folder: &Folder) -> Vec<Finding> {
    let charts = folder
        .charts
        .iter()
        .map(|chart| (chart.join("Chart.yaml"), "a Helm chart"));
    let templates = folder
        .templates
        .iter()
        .map(|file| (file.clone(), "a template ({{ … }})"));
    charts
        .chain(templates)
        .map(|(file, what)| {
            RULE.finding(
                &file,
                1,
                format!("{what}: not YAML until rendered, so its manifests were not linted"),
                "lint what it renders: `helm template <release> <chart> -f <values> | clawboot doctor -`",
            )
        })
        .collect()
}
