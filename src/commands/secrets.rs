//! `clawboot secrets …`: the command-line face over `secrets::ops`. Values are gathered and
//! checked before anything is written; reports name parameters and versions, never values.

use std::collections::BTreeMap;
use std::io::Write as _;

use secrecy::SecretString;
use serde_json::json;

use clawboot::cli::{ClusterArgs, OutputFormat, SecretsCommand, ValueArgs};
use clawboot::cluster::kubectl::Kubectl;
use clawboot::profile::Profile;
use clawboot::secrets::catalog::{self, Parameter, ValueSource};
use clawboot::secrets::ops::{self, ClusterFollowUp, Write, WriteReport};
use clawboot::secrets::ssm::Store;
use clawboot::ui::{batch, prompts};

use super::Outcome;

pub fn run(
    format: OutputFormat,
    profile: &Profile,
    region: Option<&str>,
    endpoint_url: Option<&str>,
    command: &SecretsCommand,
) -> anyhow::Result<Outcome> {
    super::runtime()?.block_on(async {
        let region = region.unwrap_or(&profile.aws.region);
        let store = Store::connect(region, &profile.aws.kms_key_alias, endpoint_url).await;
        let face = Face { format, profile };
        match command {
            SecretsCommand::Status => face.status(&store).await,
            SecretsCommand::Seed {
                overwrite,
                yes,
                values,
            } => face.seed(&store, *overwrite, *yes, values).await,
            SecretsCommand::Rotate {
                names,
                cluster,
                values,
            } => face.rotate(&store, names, cluster, values).await,
            SecretsCommand::History { name } => face.history(&store, name).await,
            SecretsCommand::Rollback { name, to, cluster } => {
                face.rollback(&store, name, *to, cluster).await
            }
        }
    })
}

struct Face<'a> {
    format: OutputFormat,
    profile: &'a Profile,
}

/// A value ready to be written, and whether it replaces a real one.
struct Pending {
    parameter: &'static Parameter,
    value: SecretString,
    replaces_real_value: bool,
}

impl Face<'_> {
    async fn status(&self, store: &Store) -> anyhow::Result<Outcome> {
        let statuses = ops::status(store, self.profile).await?;
        let incomplete = statuses
            .iter()
            .any(|s| s.required && s.state != ops::State::Set);
        let mut out = std::io::stdout().lock();
        if self.format == OutputFormat::Json {
            writeln!(out, "{}", serde_json::to_string_pretty(&statuses)?)?;
        } else {
            writeln!(
                out,
                "{:<24} {:<14} {:>7}  {:<26} {:<20} NEED",
                "PARAMETER", "STATE", "VERSION", "LAST MODIFIED", "KMS KEY"
            )?;
            for s in &statuses {
                let need = match (s.required, s.source) {
                    (false, _) => "optional",
                    (true, ValueSource::Asked) => "required, yours",
                    (true, ValueSource::Generated) => "required, generated",
                    (true, ValueSource::Terraform) => "required, Terraform",
                };
                writeln!(
                    out,
                    "{:<24} {:<14} {:>7}  {:<26} {:<20} {need}",
                    s.name,
                    serde_json::to_value(s.state)?.as_str().unwrap_or_default(),
                    s.version.map_or("-".to_string(), |v| v.to_string()),
                    s.last_modified.as_deref().unwrap_or("-"),
                    s.key_id.as_deref().unwrap_or("-"),
                )?;
            }
            for s in statuses.iter().filter(|s| s.problem.is_some()) {
                writeln!(
                    out,
                    "{}: the value {}",
                    s.name,
                    s.problem.as_deref().unwrap_or("")
                )?;
            }
            if incomplete {
                writeln!(
                    out,
                    "some required parameters are not set: run `clawboot secrets seed`"
                )?;
            }
        }
        Ok(if incomplete {
            Outcome::Reported
        } else {
            Outcome::Clean
        })
    }

    async fn seed(
        &self,
        store: &Store,
        overwrite: bool,
        yes: bool,
        values: &ValueArgs,
    ) -> anyhow::Result<Outcome> {
        let statuses = ops::status(store, self.profile).await?;
        let writable: Vec<&ops::Status> = statuses
            .iter()
            .filter(|s| s.required && s.source != ValueSource::Terraform)
            .collect();
        let names: Vec<&str> = writable.iter().map(|s| s.name).collect();
        let mut supplied =
            batch::supplied_values(&names, &values.from_file, values.stdin.as_deref())?;
        let mut pending = Vec::new();
        let mut kept = Vec::new();
        let mut missing = Vec::new();
        for status in writable {
            let parameter = catalog::find(status.name).expect("statuses come from the catalog");
            let set = status.state.is_set();
            // A set value is replaced only with --overwrite, and a generated one only by `rotate`.
            let keep = set && (!overwrite || parameter.source == ValueSource::Generated);
            let value = if keep {
                None
            } else {
                self.new_value(parameter, &mut supplied, values)?
            };
            match value {
                Some(value) => pending.push(Pending {
                    parameter,
                    value,
                    replaces_real_value: set,
                }),
                None if set => kept.push(parameter.name),
                None => missing.push(parameter.name),
            }
        }
        for name in supplied.keys() {
            eprintln!("{name} is already set and was kept: pass --overwrite to replace it");
        }
        if !missing.is_empty() {
            anyhow::bail!(
                "these parameters need a value and none was given: {}. Give each as {}, --from-file NAME=PATH or --stdin NAME, or run in a terminal to be asked. Nothing was written.",
                missing.join(", "),
                missing.iter().map(|n| batch::env_var(n)).collect::<Vec<_>>().join(" / ")
            );
        }
        self.check_shapes(&pending)?;
        self.confirm_overwrite(&pending, yes, values)?;
        let report = ops::write_all(store, self.writes(pending)).await;
        let tunnel_unset: Vec<&str> = statuses
            .iter()
            .filter(|s| s.required && s.source == ValueSource::Terraform && !s.state.is_set())
            .map(|s| s.name)
            .collect();
        self.print_report(&report, &kept, &tunnel_unset, None)?;
        finish(&report, !tunnel_unset.is_empty())
    }

    async fn rotate(
        &self,
        store: &Store,
        names: &[String],
        cluster: &ClusterArgs,
        values: &ValueArgs,
    ) -> anyhow::Result<Outcome> {
        let parameters = names
            .iter()
            .map(|name| rotatable(name))
            .collect::<anyhow::Result<Vec<_>>>()?;
        let asked: Vec<&str> = parameters
            .iter()
            .filter(|p| p.source == ValueSource::Asked)
            .map(|p| p.name)
            .collect();
        let mut supplied =
            batch::supplied_values(&asked, &values.from_file, values.stdin.as_deref())?;
        let mut pending = Vec::new();
        let mut missing = Vec::new();
        for parameter in parameters {
            let path = catalog::ssm_path(self.profile, parameter);
            if store.get(&path).await?.is_none() {
                anyhow::bail!(
                    "{path} does not exist yet: run `clawboot secrets seed` first. Nothing was written."
                );
            }
            match self.new_value(parameter, &mut supplied, values)? {
                Some(value) => pending.push(Pending {
                    parameter,
                    value,
                    replaces_real_value: true,
                }),
                None => missing.push(parameter.name),
            }
        }
        if !missing.is_empty() {
            anyhow::bail!(
                "no new value was given for {}: set {} (or use --from-file / --stdin). Nothing was written.",
                missing.join(", "),
                missing.iter().map(|n| batch::env_var(n)).collect::<Vec<_>>().join(" / ")
            );
        }
        self.check_shapes(&pending)?;
        let report = ops::write_all(store, self.writes(pending)).await;
        let changed: Vec<&Parameter> = report
            .written
            .iter()
            .filter_map(|w| catalog::find(&w.name))
            .collect();
        let follow_up = ClusterFollowUp::for_parameters(self.profile, &changed);
        self.print_report(&report, &[], &[], Some(&follow_up))?;
        self.tell_cluster(&follow_up, cluster).await?;
        finish(&report, false)
    }

    async fn history(&self, store: &Store, name: &str) -> anyhow::Result<Outcome> {
        let parameter = known_parameter(name)?;
        let path = catalog::ssm_path(self.profile, parameter);
        let versions = store.history(&path).await?;
        if versions.is_empty() {
            anyhow::bail!("{path} does not exist: run `clawboot secrets seed`");
        }
        let mut out = std::io::stdout().lock();
        if self.format == OutputFormat::Json {
            let report = json!({ "name": name, "path": path, "versions": versions });
            writeln!(out, "{}", serde_json::to_string_pretty(&report)?)?;
        } else {
            writeln!(out, "{path}")?;
            writeln!(
                out,
                "{:>7}  {:<26} {:<20} LABELS",
                "VERSION", "LAST MODIFIED", "KMS KEY"
            )?;
            for v in &versions {
                writeln!(
                    out,
                    "{:>7}  {:<26} {:<20} {}",
                    v.version,
                    v.last_modified.as_deref().unwrap_or("-"),
                    v.key_id.as_deref().unwrap_or("-"),
                    v.labels.join(", ")
                )?;
            }
        }
        Ok(Outcome::Clean)
    }

    async fn rollback(
        &self,
        store: &Store,
        name: &str,
        to: Option<i64>,
        cluster: &ClusterArgs,
    ) -> anyhow::Result<Outcome> {
        let parameter = rotatable(name)?;
        let done = ops::rollback(store, self.profile, parameter, to).await?;
        let follow_up = ClusterFollowUp::for_parameters(self.profile, &[parameter]);
        let mut out = std::io::stdout().lock();
        if self.format == OutputFormat::Json {
            let report = json!({ "rollback": done, "cluster": follow_up });
            writeln!(out, "{}", serde_json::to_string_pretty(&report)?)?;
        } else {
            writeln!(
                out,
                "{}: version {} restored as version {} (labelled {}); version {} is labelled {}",
                done.name,
                done.restored_version,
                done.new_version,
                done.label,
                done.replaced_version,
                ops::PREVIOUS_LABEL
            )?;
        }
        drop(out);
        self.tell_cluster(&follow_up, cluster).await?;
        Ok(Outcome::Clean)
    }

    /// A new value: generated, else supplied (environment, file, stdin), else asked.
    fn new_value(
        &self,
        parameter: &Parameter,
        supplied: &mut BTreeMap<String, SecretString>,
        values: &ValueArgs,
    ) -> anyhow::Result<Option<SecretString>> {
        if parameter.source == ValueSource::Generated {
            return Ok(parameter.shape.generate());
        }
        match supplied.remove(parameter.name) {
            Some(value) => Ok(Some(value)),
            None => self.ask(parameter, values),
        }
    }

    /// Ask for a value at a masked prompt when a terminal is there and prompting is allowed.
    fn ask(
        &self,
        parameter: &Parameter,
        values: &ValueArgs,
    ) -> anyhow::Result<Option<SecretString>> {
        if values.non_interactive || !prompts::can_prompt() {
            return Ok(None);
        }
        prompts::ask_secret(
            parameter.name,
            parameter.description,
            self.profile,
            values.no_browser,
        )
    }

    /// Every value is checked before anything is written.
    fn check_shapes(&self, pending: &[Pending]) -> anyhow::Result<()> {
        for warning in ops::check_values(pending.iter().map(|p| (p.parameter, &p.value)))? {
            eprintln!("warning: {warning}");
        }
        Ok(())
    }

    fn confirm_overwrite(
        &self,
        pending: &[Pending],
        yes: bool,
        values: &ValueArgs,
    ) -> anyhow::Result<()> {
        let replacing: Vec<&str> = pending
            .iter()
            .filter(|p| p.replaces_real_value)
            .map(|p| p.parameter.name)
            .collect();
        if replacing.is_empty() || yes {
            return Ok(());
        }
        let question = format!(
            "Replace the current values of {} (the old versions stay in SSM)?",
            replacing.join(", ")
        );
        if !values.non_interactive && prompts::can_prompt() {
            if prompts::confirm(&question)? {
                return Ok(());
            }
            anyhow::bail!("not confirmed: nothing was written");
        }
        anyhow::bail!(
            "--overwrite would replace the values of {}: add --yes to confirm. Nothing was written.",
            replacing.join(", ")
        )
    }

    fn writes(&self, pending: Vec<Pending>) -> Vec<Write> {
        pending
            .into_iter()
            .map(|p| Write::new(self.profile, p.parameter, p.value, p.replaces_real_value))
            .collect()
    }

    fn print_report(
        &self,
        report: &WriteReport,
        kept: &[&str],
        terraform_unset: &[&str],
        follow_up: Option<&ClusterFollowUp>,
    ) -> anyhow::Result<()> {
        let mut out = std::io::stdout().lock();
        if self.format == OutputFormat::Json {
            let value = json!({
                "written": report.written,
                "unchanged": report.unchanged,
                "failed": report.failed,
                "kept": kept,
                "terraform_unset": terraform_unset,
                "cluster": follow_up,
            });
            writeln!(out, "{}", serde_json::to_string_pretty(&value)?)?;
            return Ok(());
        }
        for w in &report.written {
            writeln!(out, "written    {} (version {})", w.name, w.version)?;
        }
        for name in &report.unchanged {
            writeln!(out, "unchanged  {name} (same value: no new version)")?;
        }
        for name in kept {
            writeln!(out, "kept       {name} (already set)")?;
        }
        for f in &report.failed {
            writeln!(out, "FAILED     {}: {}", f.name, f.error)?;
        }
        for name in terraform_unset {
            writeln!(
                out,
                "not set    {name}: written by the Cloudflare Terraform; apply terraform/cloudflare/{}/openclaw",
                self.profile.cloudflare.zone
            )?;
        }
        Ok(())
    }

    /// After a change: update the cluster, or print what to run with --no-cluster.
    async fn tell_cluster(
        &self,
        follow_up: &ClusterFollowUp,
        cluster: &ClusterArgs,
    ) -> anyhow::Result<()> {
        if follow_up.deployments.is_empty() && follow_up.external_secrets.is_empty() {
            return Ok(());
        }
        let kubectl = Kubectl::new(self.profile);
        let stamp = ClusterFollowUp::stamp();
        let commands = follow_up.shown(&kubectl, &stamp);
        if cluster.no_cluster {
            eprintln!(
                "The cluster was not touched (--no-cluster). To pick up the new values, run:"
            );
            for command in &commands {
                eprintln!("  {command}");
            }
            return Ok(());
        }
        eprintln!("Updating the cluster:");
        for command in &commands {
            eprintln!("  {command}");
        }
        follow_up.run(&kubectl, &stamp).await.map_err(|e| {
            e.context(format!(
                "the new values are in SSM, but the cluster did not pick them up; run by hand:\n  {}",
                commands.join("\n  ")
            ))
        })
    }
}

fn known_parameter(name: &str) -> anyhow::Result<&'static Parameter> {
    catalog::find(name).ok_or_else(|| {
        let names: Vec<&str> = catalog::all().iter().map(|p| p.name).collect();
        anyhow::anyhow!(
            "{name} is not a parameter clawboot manages; one of: {}",
            names.join(", ")
        )
    })
}

/// A parameter clawboot may give a new value (not one Terraform owns).
fn rotatable(name: &str) -> anyhow::Result<&'static Parameter> {
    let parameter = known_parameter(name)?;
    if parameter.source == ValueSource::Terraform {
        anyhow::bail!(
            "{name} is written by the Cloudflare Terraform: replace the tunnel there (terraform apply) to change it"
        );
    }
    Ok(parameter)
}

/// A partial failure is an error that lists what was and was not written.
fn finish(report: &WriteReport, something_to_report: bool) -> anyhow::Result<Outcome> {
    if !report.failed.is_empty() {
        let written: Vec<&str> = report.written.iter().map(|w| w.name.as_str()).collect();
        let failed: Vec<&str> = report.failed.iter().map(|f| f.name.as_str()).collect();
        anyhow::bail!(
            "written: {}; NOT written: {}. Run the same command again to finish: what is written is skipped.",
            if written.is_empty() { "none".to_string() } else { written.join(", ") },
            failed.join(", ")
        );
    }
    Ok(if something_to_report {
        Outcome::Reported
    } else {
        Outcome::Clean
    })
}
