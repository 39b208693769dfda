//! Upgrading OpenClaw to another supported release, one task over the waves. It first says what
//! changes (the release table's differences, the answers file and the manifests as diffs) and
//! refuses what cannot work before anything changes; then each step runs after a yes and is
//! journaled, so a run that stopped resumes at the step it stopped at: the backup of the
//! credentials and the config (Wave 4's place), the answers file, the manifests (Wave 3; in the
//! cluster, then Argo CD and the new pod), the import of the sign-in when the target keeps it in
//! SQLite, and Verify's `openclaw models status --check` on the new release.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use super::journal::EntryState;
use super::{
    openclaw_place, verify, Answer, Consent, Engine, Event, Halt, Line, Mark, Question, Report,
    Status, Wave,
};
use crate::cluster::pod::image_of;
use crate::openclaw::credentials::needs_import;
use crate::openclaw::plugins;
use crate::openclaw::release::{differences, supported_list, Release};
use crate::openclaw::store::{
    openclaw_pod, CredentialStore, Place, CONTAINER, MODELS_CHECK_SCRIPT,
};
use crate::profile::types::ImageRef;
use crate::profile::{edit, Profile};
use crate::render::output::{self, unified_diff, Change};
use crate::render::{self, Group, Roots};

/// How long the plugins may take to install (npm's retries are bounded by the script).
const PLUGIN_LIMIT: Duration = Duration::from_secs(600);
/// How long the new pod may take to run the target release once the repo is pushed.
const ROLLOUT_LIMIT: Duration = Duration::from_secs(600);

/// The steps, as the journal records them (all in the Manifests entry of the `upgrade` task).
const BACKUP: &str = "backup";
const ANSWERS: &str = "answers";
const MANIFESTS: &str = "manifests";
const ROLLED_OUT: &str = "rolled-out";
const IMPORTED: &str = "imported";
const PLUGINS: &str = "plugins";

pub async fn upgrade(engine: &Engine, to: Release) -> Result<Vec<Report>, Halt> {
    let answers = engine.settings.profile_path.clone().ok_or_else(|| {
        anyhow::anyhow!("an upgrade records the release in the answers file: run it with --profile FILE (`clawboot profile init FILE` writes one)")
    })?;
    engine.journal().begin("upgrade")?;
    let done = steps_done(engine, to);
    let from = match done.get("from").and_then(|f| Release::parse(f)) {
        Some(from) => from,
        None => running_release(engine).await?,
    };
    refuse(from, to)?;
    let text = read_answers(&answers)?;
    let target_text = answers_for(&text, &engine.profile, to)?;
    let target = Profile::from_answers(&target_text).map_err(|e| {
        anyhow::anyhow!(
            "{e}\nthe answers file for OpenClaw {to} would not be valid: fix it, then upgrade"
        )
    })?;
    let plan = plan_report(from, to, (&answers, &text, &target_text), &target)?;
    engine.send(Event::Report(plan.clone()));
    if from == to && text == target_text && !done.contains_key(BACKUP) {
        return Ok(vec![plan]);
    }
    record(engine, [("from", from.to_string()), ("to", to.to_string())])?;
    let step = Steps { engine, to, done };

    let mut credentials = Report::new(Wave::Codex, Status::Working("upgrading".into()));
    if step.todo(BACKUP) {
        step.confirm(
            "Back up the credentials and the config where OpenClaw keeps them (one archive, 0600)?",
        )
        .await?;
        let place = place(engine, Wave::Codex).await?;
        let archive = place.backup(&stamp()).await?.display().to_string();
        credentials = credentials.line(Mark::Ok, format!("backup: OpenClaw's verified archive of {}, kept on this machine in {archive} (0600; it holds the refresh token: delete it once the upgrade is verified; `openclaw backup restore` restores it)", place.describe()));
        step.record(BACKUP, &archive)?;
    }
    let mut manifests = Report::new(Wave::Manifests, Status::Working("upgrading".into()));
    if step.todo(ANSWERS) {
        let file = answers.display();
        step.confirm(&format!(
            "Set openclaw.release and images.openclaw to {to} in {file}?"
        ))
        .await?;
        crate::fsutil::write_atomic(&answers, target_text.as_bytes(), 0o644)?;
        manifests = manifests.line(
            Mark::Ok,
            format!("{file}: OpenClaw {to}, every other line kept"),
        );
        step.record(ANSWERS, "written")?;
    }
    if step.todo(MANIFESTS) {
        step.confirm(&format!("Write the manifests for OpenClaw {to}?"))
            .await?;
        let planned = planned_files(&target)?;
        output::apply(&planned)?;
        let written = planned
            .iter()
            .filter(|f| f.change != Change::Unchanged)
            .count();
        manifests = manifests.line(
            Mark::Ok,
            format!(
                "{written} files written into {}",
                target
                    .repos
                    .gitops
                    .path
                    .join(&target.repos.gitops.folder)
                    .display()
            ),
        );
        step.record(MANIFESTS, &written.to_string())?;
    }
    if engine.settings.state_dir.is_some() && step.todo(PLUGINS) {
        let line = install_plugins(&step, &target).await?;
        manifests = manifests.line(Mark::Ok, line);
        step.record(PLUGINS, "installed")?;
    }
    if engine.settings.state_dir.is_none() && step.todo(ROLLED_OUT) {
        let pod = roll_out(&step, &target).await?;
        manifests = manifests.line(Mark::Ok, format!("pod {pod} runs OpenClaw {to}"));
        step.record(ROLLED_OUT, &pod)?;
    }
    manifests.status = Status::Done(format!("the manifests are for OpenClaw {to}"));
    engine.send(Event::Report(manifests.clone()));
    let signs_in = target.openclaw.codex_subscription;
    if signs_in && needs_import(to) && !needs_import(from) && step.todo(IMPORTED) {
        step.confirm(&format!("Import the sign-in into OpenClaw {to}'s store (its own `openclaw doctor --fix`, on a scratch config; in the cluster the new pod's init-credentials did it)?")).await?;
        let store = CredentialStore {
            release: to,
            place: place(engine, Wave::Codex).await?,
        };
        if let Place::Local(_) = store.place {
            crate::openclaw::store::local_openclaw_is(to).await?;
        }
        let ids = store.import_existing().await?;
        credentials = match ids.is_empty() {
            true => credentials.line(
                Mark::Info,
                "no sign-in was stored: sign in with `clawboot sign-in`",
            ),
            false => credentials.line(Mark::Ok, format!("OpenClaw {to} lists {}", ids.join(", "))),
        };
        step.record(IMPORTED, &ids.join(","))?;
    }
    credentials.status = Status::Done(format!("the sign-in is where OpenClaw {to} reads it"));
    engine.send(Event::Report(credentials.clone()));
    let verified = verify_release(engine, &target, to).await?;
    engine.send(Event::Report(verified.clone()));
    let plan = Report {
        status: Status::Done(format!("upgraded OpenClaw {from} → {to}")),
        ..plan
    };
    engine.send(Event::Report(plan.clone()));
    Ok(vec![plan, credentials, manifests, verified])
}

/// The steps of an upgrade to `to` the journal says were done; an unfinished upgrade to
/// another release does not count.
fn steps_done(engine: &Engine, to: Release) -> BTreeMap<String, String> {
    let journal = engine.journal();
    let facts = journal
        .waves
        .get(&Wave::Manifests)
        .map(|e| e.facts.clone())
        .unwrap_or_default();
    match facts.get("to") == Some(&to.to_string()) {
        true => facts,
        false => BTreeMap::new(),
    }
}

fn record<const N: usize>(engine: &Engine, facts: [(&str, String); N]) -> Result<(), Halt> {
    let facts = facts.into_iter().map(|(k, v)| (k.to_string(), v)).collect();
    engine
        .journal()
        .record(Wave::Manifests, EntryState::Interrupted, facts)?;
    Ok(())
}

struct Steps<'a> {
    engine: &'a Engine,
    to: Release,
    done: BTreeMap<String, String>,
}

impl Steps<'_> {
    fn todo(&self, step: &str) -> bool {
        !self.done.contains_key(step)
    }

    fn record(&self, step: &str, fact: &str) -> Result<(), Halt> {
        record(self.engine, [(step, fact.to_string())])
    }

    /// A yes goes on; a no stops here, and the next run resumes at this step. Asked as part of
    /// the upgrade's plan (Wave 3's report).
    async fn confirm(&self, text: &str) -> Result<(), Halt> {
        self.ask(Wave::Manifests, Consent::Apply, text).await
    }

    async fn ask(&self, wave: Wave, consent: Consent, text: &str) -> Result<(), Halt> {
        let question = Question::Confirm {
            wave,
            consent,
            text: text.to_string(),
            default: true,
        };
        match self.engine.ask(question).await {
            Answer::Yes => Ok(()),
            Answer::Interrupt => Err(Halt::Interrupted),
            _ => Err(Halt::Failed(anyhow::anyhow!(
                "stopped before: {text} Run `clawboot upgrade --to {}` again to go on from there.",
                self.to
            ))),
        }
    }
}

/// The release OpenClaw runs now: the pod's image tag, else the profile's.
async fn running_release(engine: &Engine) -> Result<Release, Halt> {
    if engine.settings.state_dir.is_some() {
        return Ok(engine.profile.release());
    }
    let kubectl = engine.kubectl();
    let Ok(pod) = openclaw_pod(kubectl).await else {
        return Ok(engine.profile.release());
    };
    let image = image_of(kubectl, &pod, CONTAINER).await.unwrap_or_default();
    Ok(ImageRef::new(&image)
        .release()
        .unwrap_or_else(|| engine.profile.release()))
}

/// What cannot work is refused before anything changes.
fn refuse(from: Release, to: Release) -> Result<(), Halt> {
    if to.supported().is_none() {
        return Err(Halt::Failed(anyhow::anyhow!(
            "clawboot has not checked OpenClaw {to} (its config, credentials and plugins): supported: {}",
            supported_list()
        )));
    }
    if needs_import(from) && !needs_import(to) {
        return Err(Halt::Failed(anyhow::anyhow!(
            "OpenClaw {from} keeps the sign-in in its SQLite store, which {to} cannot read: a downgrade across 2026.7 would lose it. Nothing was changed. To go back, restore the backup made before the upgrade (`openclaw backup restore`), with the release it was made with"
        )));
    }
    Ok(())
}

fn read_answers(path: &Path) -> Result<String, Halt> {
    std::fs::read_to_string(path)
        .map_err(|e| Halt::Failed(anyhow::anyhow!("cannot read {}: {e}", path.display())))
}

/// The answers file for `to`: `openclaw.release` and the OpenClaw image's tag (a digest, which
/// would pin the old image, is dropped).
fn answers_for(text: &str, profile: &Profile, to: Release) -> anyhow::Result<String> {
    let repository = profile.images.openclaw.repository();
    let text = edit::set(text, "openclaw", "release", &format!("\"{to}\""))?;
    edit::set(&text, "images", "openclaw", &format!("{repository}:{to}"))
}

/// The manifests for `target` against the GitOps repo.
fn planned_files(target: &Profile) -> anyhow::Result<Vec<output::PlannedFile>> {
    output::plan(
        render::render(target, Some(Group::K8s))?,
        &Roots::from_profile(target),
    )
}

/// What the upgrade changes, as a report of Wave 3: the table's differences, whether the
/// sign-in must be imported, and the answers file and the manifests as diffs.
fn plan_report(
    from: Release,
    to: Release,
    (answers, text, target_text): (&Path, &str, &str),
    target: &Profile,
) -> Result<Report, Halt> {
    let mut report = Report::new(Wave::Manifests, Status::Pending);
    report = report.line(Mark::Info, format!("OpenClaw {from} → {to}"));
    for change in differences(from, to) {
        report = report.line(Mark::Todo, change);
    }
    if needs_import(to) && !needs_import(from) {
        report = report.line(
            Mark::Todo,
            format!("the sign-in is imported into OpenClaw {to}'s store (`openclaw doctor --fix`)"),
        );
    }
    report.diff = unified_diff(text, target_text, answers);
    let planned = planned_files(target)?;
    for file in planned.iter().filter(|f| f.change != Change::Unchanged) {
        let verb = match file.change {
            Change::Created => "create",
            _ => "update",
        };
        report = report.line(Mark::Todo, format!("{verb} {}", file.path.display()));
        report.diff.push_str(&file.diff);
    }
    report.status = match (from == to, report.diff.is_empty()) {
        (true, true) => Status::Done(format!("OpenClaw {to} already")),
        _ => Status::Todo(format!("upgrade OpenClaw {from} → {to}")),
    };
    Ok(report)
}

/// Where OpenClaw keeps its state now; a halt saying why it cannot be reached.
async fn place(engine: &Engine, wave: Wave) -> Result<Place, Halt> {
    openclaw_place(engine, wave).await.map_err(|report| {
        let why: Vec<&str> = report.lines.iter().map(|l| l.text.as_str()).collect();
        Halt::Failed(anyhow::anyhow!(
            "{}: {}",
            report.status.summary(),
            why.join("; ")
        ))
    })
}

/// In the cluster: the operator pushes the GitOps repo, Argo CD is asked to refresh, and the
/// new pod is awaited until it runs the target release and is ready. Its name.
async fn roll_out(step: &Steps<'_>, target: &Profile) -> Result<String, Halt> {
    let (engine, to) = (step.engine, step.to);
    let repo = target.repos.gitops.path.display();
    step.ask(
        Wave::Verify,
        Consent::Restart,
        &format!(
            "Push {repo} so Argo CD rolls out OpenClaw {to}, then say yes to wait for the new pod."
        ),
    )
    .await?;
    let refreshed = super::files::refresh_application(engine).await;
    engine.log(refreshed);
    wait_for_template(engine, to).await?;
    let kubectl = engine.kubectl();
    kubectl
        .rollout_status("openclaw", ROLLOUT_LIMIT, |done, total| {
            engine.send(Event::Progress {
                wave: Wave::Verify,
                done,
                total,
                countdown: false,
            })
        })
        .await
        .map_err(|e| anyhow::anyhow!("the rollout of OpenClaw {to} did not finish: {e}"))?;
    let pod = openclaw_pod(kubectl).await?;
    let image = image_of(kubectl, &pod, CONTAINER).await.unwrap_or_default();
    match runs(&image, to) {
        true => Ok(pod),
        false => Err(Halt::Failed(anyhow::anyhow!(
            "the ready OpenClaw pod {pod} runs {image}, not {to}: check the deployment, then run `clawboot upgrade --to {to}` again"
        ))),
    }
}

/// Whether `image` is the target release's.
fn runs(image: &str, to: Release) -> bool {
    ImageRef::new(image).release() == Some(to)
}

/// Until Argo CD has synced: the deployment's template runs the target's image (polled every
/// 2 s, with a countdown, up to [`ROLLOUT_LIMIT`]).
async fn wait_for_template(engine: &Engine, to: Release) -> Result<(), Halt> {
    let path =
        format!("jsonpath={{.spec.template.spec.containers[?(@.name==\"{CONTAINER}\")].image}}");
    let started = std::time::Instant::now();
    loop {
        let args = ["get", "deployment/openclaw", "-o", path.as_str()];
        if let Ok(image) = engine.read(engine.kubectl().run(&args)).await? {
            if runs(image.trim(), to) {
                return Ok(());
            }
        }
        let left = ROLLOUT_LIMIT.saturating_sub(started.elapsed());
        if left.is_zero() {
            return Err(Halt::Failed(anyhow::anyhow!(
                "deployment/openclaw does not run OpenClaw {to} after {} s: push the GitOps repo and check Argo CD's sync of the openclaw Application, then run `clawboot upgrade --to {to}` again",
                ROLLOUT_LIMIT.as_secs()
            )));
        }
        engine.send(Event::Progress {
            wave: Wave::Verify,
            done: left.as_secs(),
            total: ROLLOUT_LIMIT.as_secs(),
            countdown: true,
        });
        engine
            .read(tokio::time::sleep(Duration::from_secs(2)))
            .await?;
    }
}

/// A local OpenClaw: the plugins `target` needs, installed into the state dir by the target
/// release's own installer (what the pod's `init-plugins` does at each start).
async fn install_plugins(step: &Steps<'_>, target: &Profile) -> Result<String, Halt> {
    let pins = plugins::install_args(target);
    if pins.is_empty() {
        return Ok(format!("no plugin to install for OpenClaw {}", step.to));
    }
    step.confirm(&format!(
        "Install {} into the state dir with OpenClaw {}'s installer (from npm)?",
        pins.join(", "),
        step.to
    ))
    .await?;
    crate::openclaw::store::local_openclaw_is(step.to).await?;
    let place = place(step.engine, Wave::Manifests).await?;
    // The installer's scratch files in a folder of this run's own (in the pod, its /tmp).
    let script = format!(
        "export OPENCLAW_STATE_DIR=\"$1\"; shift\nTMPDIR=$(mktemp -d); export TMPDIR\ntrap 'rm -rf \"$TMPDIR\"' EXIT\n{}",
        plugins::INSTALL_SCRIPT
    );
    let mut args = vec![place.state_dir()];
    args.extend(pins.iter().cloned());
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    place
        .run(&script, &args, None, PLUGIN_LIMIT)
        .await
        .map_err(|e| anyhow::anyhow!("the plugins were not installed: {e}"))?;
    Ok(format!("plugins installed: {}", pins.join(", ")))
}

/// Does OpenClaw `to` accept the sign-in (`openclaw models status --check`)?
async fn verify_release(engine: &Engine, target: &Profile, to: Release) -> Result<Report, Halt> {
    if !target.openclaw.codex_subscription {
        return Ok(
            Report::new(Wave::Verify, Status::Done(format!("OpenClaw {to} runs"))).line(
                Mark::Info,
                "no Codex sign-in to check: openclaw.codex_subscription is off",
            ),
        );
    }
    let line = match place(engine, Wave::Verify).await? {
        Place::Pod { kubectl, .. } => verify::sign_in_accepted(&kubectl).await,
        local @ Place::Local(_) => {
            crate::openclaw::store::local_openclaw_is(to).await?;
            let mut args = vec![local.state_dir()];
            args.extend(plugins::needed(target).iter().map(|p| p.id.to_string()));
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            match local
                .run(MODELS_CHECK_SCRIPT, &args, None, Duration::from_secs(180))
                .await
            {
                Ok(printed) => verify::judge_models_status(&printed),
                Err(e) => Line::new(
                    Mark::Fail,
                    format!("openclaw models status --check could not run ({e:#})"),
                ),
            }
        }
    };
    let status = match line.mark {
        Mark::Ok => Status::Done(format!("OpenClaw {to} accepts the sign-in")),
        _ => Status::Attention(format!(
            "OpenClaw {to} runs; its models check needs attention"
        )),
    };
    Ok(Report {
        lines: vec![line],
        ..Report::new(Wave::Verify, status)
    })
}

/// A time for the backup's name: `20261130T152601Z`.
fn stamp() -> String {
    let now = super::journal::now().replace(['-', ':'], "");
    format!(
        "{}Z",
        now.trim_end_matches('Z')
            .split('.')
            .next()
            .unwrap_or_default()
    )
}
