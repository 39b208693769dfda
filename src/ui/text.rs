//! What the faces say, in one place: the symbols, a report, the outcome, the countdown, the
//! secret and sign-in prompts, and the data tables of the commands. The full screen, the plain
//! prompts and batch runs all take their words from here.

use std::io::Write;

use crate::openclaw::store::format_ms;
use crate::secrets::catalog::ValueSource;
use crate::secrets::live::{said, Live};
use crate::waves::flow::{Outcome, Task};
use crate::waves::{data, Consent, Data, Mark, Report, Status};

pub fn mark_symbol(mark: Mark) -> &'static str {
    match mark {
        Mark::Ok => "✓",
        Mark::Todo => "•",
        Mark::Warn => "!",
        Mark::Fail => "✗",
        Mark::Info => "·",
    }
}

pub fn status_symbol(status: &Status) -> &'static str {
    match status {
        Status::Pending => "○",
        Status::Working(_) => "…",
        Status::Done(_) => "✓",
        Status::Todo(_) => "•",
        Status::Attention(_) => "!",
        Status::Skipped(_) => "–",
        Status::Failed(_) => "✗",
    }
}

/// `✓ Wave 1 Infrastructure code: 10 files up to date`, then one indented line per fact.
pub fn write_report(out: &mut dyn Write, report: &Report) -> std::io::Result<()> {
    writeln!(
        out,
        "{} Wave {} {}: {}",
        status_symbol(&report.status),
        report.wave.number(),
        report.wave.title(),
        report.status.summary()
    )?;
    for line in &report.lines {
        writeln!(out, "    {} {}", mark_symbol(line.mark), line.text)?;
    }
    Ok(())
}

/// The closing lines of a task, with what to do next.
pub fn outcome_lines(task: &Task, outcome: &Outcome) -> Vec<String> {
    match outcome {
        Outcome::Complete if task.is_wizard() => vec!["All waves are done.".into()],
        Outcome::Complete => vec!["Done.".into()],
        Outcome::Incomplete(left) => {
            let mut lines = vec!["Still to do:".to_string()];
            lines.extend(left.iter().map(|l| format!("  - {l}")));
            lines.push(
                "Run clawboot again when that is ready; what is done is not asked again.".into(),
            );
            lines
        }
        Outcome::Interrupted => vec![
            "Stopped. What was done is kept; run clawboot again to resume where it stopped.".into(),
        ],
        Outcome::Failed(why) => vec![format!("error: {why}")],
    }
}

pub fn write_outcome(out: &mut dyn Write, task: &Task, outcome: &Outcome) -> std::io::Result<()> {
    for line in outcome_lines(task, outcome) {
        writeln!(out, "{line}")?;
    }
    Ok(())
}

/// The title of a yes/no question, by what it asks consent for.
pub fn confirm_title(consent: Consent) -> &'static str {
    match consent {
        Consent::Apply => "Apply?",
        Consent::Replace => "Replace what is stored?",
        Consent::Restart => "Restart?",
        Consent::Act => "Ready?",
    }
}

/// The device-code countdown.
pub fn countdown(seconds_left: u64) -> String {
    format!(
        "waiting for approval, {:>2}:{:02} left",
        seconds_left / 60,
        seconds_left % 60
    )
}

/// Where a token is made, and the steps there.
pub fn token_page(url: &str, steps: &[String]) -> Vec<String> {
    let mut lines = vec![format!("make it at {url}")];
    lines.extend(steps.iter().map(|s| format!("  - {s}")));
    lines
}

/// Why a typed value was refused (the help under the prompt says what empty does).
pub fn refused(problem: &str) -> String {
    format!("refused: {problem}; nothing was written. Try again.")
}

/// The help under a masked secret prompt.
pub fn secret_help(replaces: bool) -> &'static str {
    match replaces {
        true => "pasting works; the value is not shown; empty keeps the current value",
        false => "pasting works; the value is not shown; empty leaves it for later",
    }
}

/// The sign-in page, and how the browser comes back.
pub fn sign_in_lines(url: &str, listening: Option<u16>) -> Vec<String> {
    vec![
        "Sign in to ChatGPT in a browser, on any machine:".to_string(),
        url.to_string(),
        match listening {
            Some(port) => format!(
                "then paste the address it ended on here, or let it return to 127.0.0.1:{port} by itself"
            ),
            None => "then paste the address it ended on (or the code) here".to_string(),
        },
    ]
}

pub const PASTE_PROMPT: &str = "Address the browser ended on (or the code):";
pub const PASTE_HELP: &str = "it starts with http://localhost:…/auth/callback; not shown";

/// A command's data as text, for a person.
pub fn write_data(out: &mut dyn Write, data: &Data) -> std::io::Result<()> {
    match data {
        Data::SignIns { profiles } => sign_ins(out, profiles),
        Data::SignedIn(signed) => signed_in(out, signed),
        Data::Secrets { parameters } => secrets(out, parameters),
        Data::Written(written) => writes(out, written),
        Data::History { path, versions, .. } => {
            writeln!(out, "{path}")?;
            writeln!(
                out,
                "{:>7}  {:<26} {:<20} LABELS",
                "VERSION", "LAST MODIFIED", "KMS KEY"
            )?;
            for v in versions {
                writeln!(
                    out,
                    "{:>7}  {:<26} {:<20} {}",
                    v.version,
                    v.last_modified.as_deref().unwrap_or("-"),
                    v.key_id.as_deref().unwrap_or("-"),
                    v.labels.join(", ")
                )?;
            }
            Ok(())
        }
        Data::RolledBack { .. } => Ok(()),
    }
}

fn sign_ins(out: &mut dyn Write, profiles: &[data::SignInRow]) -> std::io::Result<()> {
    if profiles.is_empty() {
        return writeln!(out, "no Codex sign-in stored: run `clawboot codex login`");
    }
    for p in profiles {
        writeln!(
            out,
            "{}  {}  plan {}  expires {}  {}",
            p.profile,
            p.email.as_deref().unwrap_or("-"),
            p.plan.as_deref().unwrap_or("-"),
            p.expires_ms.map_or("-".to_string(), format_ms),
            p.state.word()
        )?;
    }
    Ok(())
}

fn signed_in(out: &mut dyn Write, s: &data::SignedIn) -> std::io::Result<()> {
    writeln!(
        out,
        "signed in: {} ({}, plan {}), expires {}; stored for OpenClaw {} in {}",
        s.profile,
        s.email.as_deref().unwrap_or("no e-mail"),
        s.plan.as_deref().unwrap_or("unknown"),
        format_ms(s.expires_ms),
        s.openclaw_release,
        s.stored_in
    )?;
    if !s.other_profiles_kept.is_empty() {
        writeln!(
            out,
            "kept the other profiles: {}",
            s.other_profiles_kept.join(", ")
        )?;
    }
    Ok(())
}

fn secrets(out: &mut dyn Write, statuses: &[crate::secrets::ops::Status]) -> std::io::Result<()> {
    writeln!(
        out,
        "{:<24} {:<14} {:>7}  {:<26} {:<20} NEED",
        "PARAMETER", "STATE", "VERSION", "LAST MODIFIED", "KMS KEY"
    )?;
    for s in statuses {
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
            s.state.word(),
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
    for s in statuses {
        match &s.live {
            Some(Live::Refused { why }) => {
                writeln!(out, "{}: {why}: `clawboot rotate {}`", s.name, s.name)?
            }
            Some(live) => {
                for line in said(s.name, live) {
                    writeln!(out, "{line}")?;
                }
            }
            None => {}
        }
    }
    Ok(())
}

fn writes(out: &mut dyn Write, w: &data::Written) -> std::io::Result<()> {
    for v in &w.written {
        writeln!(out, "written    {} (version {})", v.name, v.version)?;
    }
    for name in &w.unchanged {
        writeln!(out, "unchanged  {name} (same value: no new version)")?;
    }
    for name in &w.kept {
        writeln!(out, "kept       {name} (already set)")?;
    }
    for name in &w.left {
        writeln!(out, "left       {name} (no value given)")?;
    }
    for f in &w.failed {
        writeln!(out, "FAILED     {}: {}", f.name, f.error)?;
    }
    for name in &w.terraform_unset {
        writeln!(
            out,
            "not set    {name}: written by the Cloudflare Terraform; apply its terraform/cloudflare folder"
        )?;
    }
    Ok(())
}
