//! Discord DM pairing: after Verify in a setup, and as the `pairing` commands. When DMs use
//! pairing (no Discord user ids in the profile), the first DM gets a code from the bot; the
//! requests waiting in OpenClaw's state are listed (sender, code, age) and the ones the
//! operator picks are approved, all through OpenClaw's own CLI where its state lives.

use super::{openclaw_place, Answer, Consent, Engine, Halt, Mark, Question, Report, Status, Wave};
use crate::codex::token::now_ms;
use crate::openclaw::pairing::{self, Request};
use crate::openclaw::store::Place;

/// Where OpenClaw keeps the requests, or the report that says why it cannot be reached.
async fn place(engine: &Engine) -> Result<Place, Report> {
    openclaw_place(engine, Wave::Verify).await
}

/// `clawboot pairing list`.
pub async fn list(engine: &Engine) -> Result<Report, Halt> {
    let place = match place(engine).await {
        Ok(place) => place,
        Err(report) => return Ok(report),
    };
    let pending = engine
        .read(pairing::pending(&place, engine.release()))
        .await??;
    let now = now_ms();
    let mut report = Report::new(
        Wave::Verify,
        Status::Done(match pending.len() {
            0 => "no Discord DM pairing request is waiting".into(),
            n => {
                format!("{n} Discord DM pairing requests waiting: `clawboot pairing approve CODE`")
            }
        }),
    );
    for request in &pending {
        report = report.line(Mark::Todo, request.describe(now));
    }
    Ok(report)
}

/// `clawboot pairing approve [CODE]`: a code OpenClaw does not hold fails, with its words;
/// without one, the requests waiting are offered as after Verify.
pub async fn approve(engine: &Engine, code: Option<&str>) -> Result<Report, Halt> {
    let place = match place(engine).await {
        Ok(place) => place,
        Err(report) => return Ok(report),
    };
    let Some(code) = code else {
        let report = Report::new(Wave::Verify, Status::Done("Discord DM pairing".into()));
        return ask_and_approve(engine, &place, report).await;
    };
    pairing::approve(&place, engine.release(), code).await?;
    Ok(Report::new(Wave::Verify, Status::Done(approved(code))))
}

fn approved(code: &str) -> String {
    format!("Discord DM pairing {code} approved: its sender may DM the bot")
}

/// After Verify in a setup, when DMs use pairing: approve `--approve-pairing CODE`, else offer
/// to approve the requests waiting (asking the operator to DM the bot when none is).
pub async fn offer(engine: &Engine, verified: Report) -> Result<Report, Halt> {
    if !engine.profile.openclaw.discord_allow_from.is_empty() {
        return Ok(verified);
    }
    // Verify already said why OpenClaw cannot be reached.
    let Ok(place) = place(engine).await else {
        return Ok(verified);
    };
    if let Some(code) = &engine.settings.approve_pairing {
        return Ok(approve_each(engine, &place, std::slice::from_ref(code), verified).await);
    }
    ask_and_approve(engine, &place, verified).await
}

/// Offer the requests waiting (asking the operator to DM the bot when none is) and approve
/// the ones picked; what was done goes into `report`.
async fn ask_and_approve(engine: &Engine, place: &Place, report: Report) -> Result<Report, Halt> {
    loop {
        let listed = engine.read(pairing::pending(place, engine.release()));
        let pending = match listed.await? {
            Ok(pending) => pending,
            Err(e) => {
                return Ok(report.line(Mark::Warn, format!("Discord DM pairing: {e:#}")));
            }
        };
        if !pending.is_empty() {
            return pick(engine, place, &pending, report).await;
        }
        let question = Question::Confirm {
            wave: Wave::Verify,
            consent: Consent::Act,
            text: "Discord DMs use pairing, and no one has asked yet. DM the bot on Discord now (it answers with a code), then say yes to approve it here".into(),
            default: true,
        };
        match engine.ask(question).await {
            Answer::Yes => continue,
            Answer::Interrupt => return Err(Halt::Interrupted),
            _ => return Ok(report.line(Mark::Info, LATER)),
        }
    }
}

const LATER: &str = "Discord DM pairing: when someone DMs the bot, `clawboot pairing list` shows the request and `clawboot pairing approve CODE` lets them in";

async fn pick(
    engine: &Engine,
    place: &Place,
    pending: &[Request],
    verified: Report,
) -> Result<Report, Halt> {
    let now = now_ms();
    let question = Question::Pick {
        text: "Approve which Discord DM pairing requests? (check the sender: each may DM the bot)"
            .into(),
        options: pending.iter().map(|r| r.describe(now)).collect(),
    };
    let codes: Vec<String> = match engine.ask(question).await {
        Answer::Picked(picked) => picked
            .iter()
            .filter_map(|&i| pending.get(i))
            .map(|r| r.code.clone())
            .collect(),
        Answer::Interrupt => return Err(Halt::Interrupted),
        _ => Vec::new(),
    };
    if codes.is_empty() {
        return Ok(verified.line(Mark::Info, LATER));
    }
    Ok(approve_each(engine, place, &codes, verified).await)
}

/// Approve each code; one that fails leaves the report needing attention, saying why.
async fn approve_each(
    engine: &Engine,
    place: &Place,
    codes: &[String],
    mut report: Report,
) -> Report {
    for code in codes {
        report = match pairing::approve(place, engine.release(), code).await {
            Ok(()) => report.line(Mark::Ok, approved(code)),
            Err(e) => {
                report.status = Status::Attention("a Discord DM pairing was not approved".into());
                report.line(Mark::Fail, format!("{e:#}"))
            }
        };
    }
    report
}
