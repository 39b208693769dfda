//! Drawing the TUI: a header, the waves as a checklist (a strip on narrow terminals), the
//! current wave's report with its question or progress, a log line and key hints. Secret
//! fields are drawn as dots only.

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span, Text};
use ratatui::widgets::{Block, Borders, Clear, Gauge, Paragraph, Wrap};
use ratatui::Frame;

use super::app::{App, Prompt, Screen};
use crate::ui::text::{self, mark_symbol, status_symbol};
use crate::waves::flow::{Outcome, Task};
use crate::waves::{Mark, Question, Status, Wave};

/// Below this width the checklist becomes a one-line strip above the report.
const SIDE_BY_SIDE: u16 = 80;
const CHECKLIST_WIDTH: u16 = 27;
const SPINNER: [&str; 10] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

/// Where the sign-in address is on screen: whole, from the first column of `row`. The event
/// loop prints it there once more as plain text, so the terminal wraps it itself and a copied
/// address is one line, without borders or line breaks.
#[derive(Debug, PartialEq, Eq)]
pub struct Address {
    pub row: u16,
    pub url: String,
}

pub fn draw(frame: &mut Frame, app: &App) -> Option<Address> {
    let [header, body, log, hints] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(3),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(frame.area());
    frame.render_widget(
        Paragraph::new(" clawboot · OpenClaw on Kubernetes")
            .style(style(app, Color::Cyan).add_modifier(Modifier::BOLD)),
        header,
    );
    let address = match app.screen {
        Screen::Home { selected } => {
            draw_home(frame, app, selected, body);
            None
        }
        Screen::Run => draw_run(frame, app, body),
    };
    let last = app.log.back().map(String::as_str).unwrap_or("");
    frame.render_widget(
        Paragraph::new(format!(" {last}")).style(style(app, Color::DarkGray)),
        log,
    );
    frame.render_widget(
        Paragraph::new(format!(" {}", key_hints(app)))
            .style(Style::default().add_modifier(Modifier::DIM)),
        hints,
    );
    address
}

/// A foreground colour, or nothing under NO_COLOR.
fn style(app: &App, color: Color) -> Style {
    if app.color {
        Style::default().fg(color)
    } else {
        Style::default()
    }
}

fn draw_home(frame: &mut Frame, app: &App, selected: usize, area: Rect) {
    let mut lines = vec![
        Line::from(""),
        Line::from(Span::styled(
            "What to do?",
            Style::default().add_modifier(Modifier::BOLD),
        )),
        Line::from(""),
    ];
    for (i, (_, label)) in app.tasks().iter().enumerate() {
        let line = if i == selected {
            Line::from(Span::styled(
                format!("› {label}"),
                style(app, Color::Cyan).add_modifier(Modifier::REVERSED),
            ))
        } else {
            Line::from(format!("  {label}"))
        };
        lines.push(line);
    }
    if app.resumable {
        lines.push(Line::from(""));
        lines.push(Line::from(Span::styled(
            "An earlier setup was interrupted: what it did is kept and not asked again.",
            style(app, Color::Yellow),
        )));
    }
    let block = Block::default().borders(Borders::TOP).title(" Home ");
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false }),
        area,
    );
}

fn draw_run(frame: &mut Frame, app: &App, area: Rect) -> Option<Address> {
    let Some((prompt, url)) = sign_in(app) else {
        draw_panes(frame, app, area);
        return None;
    };
    let (title, lines) = prompt_view(app, prompt);
    let height = wrapped_rows(lines.clone(), area.width).saturating_add(2);
    let [panes, bottom] =
        Layout::vertical([Constraint::Min(1), Constraint::Length(height)]).areas(area);
    draw_panes(frame, app, panes);
    let hidden = height.saturating_sub(bottom.height);
    let before = wrapped_rows(lines[..1].to_vec(), bottom.width);
    // The box's sides give way to the text: the address runs from the first column to the
    // last.
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(style(app, Color::Cyan))
        .title(title);
    frame.render_widget(Clear, bottom);
    frame.render_widget(block, bottom);
    let text = Rect {
        y: bottom.y + 1,
        height: bottom.height.saturating_sub(2),
        ..bottom
    };
    frame.render_widget(Clear, text);
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .scroll((hidden, 0)),
        text,
    );
    (hidden == 0).then(|| Address {
        row: bottom.y + 1 + before,
        url: url.to_string(),
    })
}

/// The sign-in question and its address, when that is what is asked: it gets the whole width.
fn sign_in(app: &App) -> Option<(&Prompt, &str)> {
    let prompt = app.prompt.as_ref().filter(|_| app.outcome.is_none())?;
    match &prompt.question {
        Question::Redirect { url, .. } => Some((prompt, url)),
        _ => None,
    }
}

/// The checklist (or strip) and the current wave's report, with the question, progress or
/// outcome under it.
fn draw_panes(frame: &mut Frame, app: &App, area: Rect) {
    let (checklist, detail) = if area.width >= SIDE_BY_SIDE {
        let [left, right] =
            Layout::horizontal([Constraint::Length(CHECKLIST_WIDTH), Constraint::Min(20)])
                .areas(area);
        (left, right)
    } else {
        let [top, bottom] =
            Layout::vertical([Constraint::Length(2), Constraint::Min(1)]).areas(area);
        (top, bottom)
    };
    if area.width >= SIDE_BY_SIDE {
        draw_checklist(frame, app, checklist);
    } else {
        draw_strip(frame, app, checklist);
    }
    let bottom = bottom_height(app, detail.width);
    let [report, bottom_area] =
        Layout::vertical([Constraint::Min(1), Constraint::Length(bottom)]).areas(detail);
    draw_report(frame, app, report);
    if let Some(outcome) = &app.outcome {
        draw_outcome(frame, app, outcome, bottom_area);
    } else if let Some(prompt) = pane_prompt(app) {
        draw_prompt(frame, app, prompt, bottom_area);
    } else if app.progress.is_some() {
        draw_progress(frame, app, bottom_area);
    }
}

fn status_color(status: &Status) -> Color {
    match status {
        Status::Done(_) => Color::Green,
        Status::Todo(_) => Color::Yellow,
        Status::Working(_) => Color::Cyan,
        Status::Attention(_) => Color::Yellow,
        Status::Failed(_) => Color::Red,
        Status::Pending | Status::Skipped(_) => Color::DarkGray,
    }
}

fn symbol(app: &App, status: &Status) -> &'static str {
    match status {
        Status::Working(_) => SPINNER[app.ticks % SPINNER.len()],
        other => status_symbol(other),
    }
}

fn draw_checklist(frame: &mut Frame, app: &App, area: Rect) {
    let lines: Vec<Line> = Wave::ALL
        .iter()
        .map(|&wave| {
            let report = app.report(wave);
            let text = format!(
                " {} {} {}",
                symbol(app, &report.status),
                wave.number(),
                wave.title()
            );
            let mut style = style(app, status_color(&report.status));
            if wave == app.current {
                style = style.add_modifier(Modifier::BOLD | Modifier::REVERSED);
            }
            Line::from(Span::styled(text, style))
        })
        .collect();
    let block = Block::default()
        .borders(Borders::RIGHT | Borders::TOP)
        .title(" Waves ");
    frame.render_widget(Paragraph::new(lines).block(block), area);
}

fn draw_strip(frame: &mut Frame, app: &App, area: Rect) {
    let spans: Vec<Span> = Wave::ALL
        .iter()
        .map(|&wave| {
            let report = app.report(wave);
            let mut style = style(app, status_color(&report.status));
            if wave == app.current {
                style = style.add_modifier(Modifier::BOLD | Modifier::REVERSED);
            }
            Span::styled(
                format!(" {}{} ", symbol(app, &report.status), wave.number()),
                style,
            )
        })
        .collect();
    let block = Block::default().borders(Borders::TOP).title(" Waves ");
    frame.render_widget(Paragraph::new(Line::from(spans)).block(block), area);
}

fn mark_color(mark: Mark) -> Color {
    match mark {
        Mark::Ok => Color::Green,
        Mark::Todo => Color::Yellow,
        Mark::Warn => Color::Yellow,
        Mark::Fail => Color::Red,
        Mark::Info => Color::Gray,
    }
}

fn draw_report(frame: &mut Frame, app: &App, area: Rect) {
    let report = app.report(app.current);
    let mut lines = vec![Line::from(vec![
        Span::styled(
            format!("{} ", symbol(app, &report.status)),
            style(app, status_color(&report.status)),
        ),
        Span::styled(
            match &report.status {
                Status::Pending => "not looked at yet".to_string(),
                other => other.summary().to_string(),
            },
            Style::default().add_modifier(Modifier::BOLD),
        ),
    ])];
    for line in &report.lines {
        lines.push(Line::from(vec![
            Span::styled(
                format!("  {} ", mark_symbol(line.mark)),
                style(app, mark_color(line.mark)),
            ),
            Span::raw(line.text.clone()),
        ]));
    }
    if !report.diff.is_empty() {
        lines.push(Line::from(""));
        for diff_line in report.diff.lines() {
            let color = match diff_line.chars().next() {
                Some('+') => Color::Green,
                Some('-') => Color::Red,
                Some('@') => Color::Cyan,
                _ => Color::Reset,
            };
            lines.push(Line::from(Span::styled(
                diff_line.to_string(),
                style(app, color),
            )));
        }
    }
    let title = format!(" Wave {} · {} ", app.current.number(), app.current.title());
    let block = Block::default().borders(Borders::TOP).title(title);
    frame.render_widget(
        Paragraph::new(Text::from(lines))
            .block(block)
            .wrap(Wrap { trim: false })
            .scroll((app.scroll, 0)),
        area,
    );
}

/// Rows the question, the progress or the outcome needs under the report: every wrapped
/// line of it, measured as it is drawn.
fn bottom_height(app: &App, width: u16) -> u16 {
    if let Some(outcome) = &app.outcome {
        let lines = outcome_lines(app, outcome).into_iter().map(Line::from);
        return boxed_height(lines.collect(), width);
    }
    match pane_prompt(app) {
        Some(prompt) => boxed_height(prompt_view(app, prompt).1, width),
        None if app.progress.is_some() => 3,
        None => 0,
    }
}

/// The question drawn under the report: any but the sign-in's.
fn pane_prompt(app: &App) -> Option<&Prompt> {
    app.prompt.as_ref().filter(|_| sign_in(app).is_none())
}

/// Rows `lines` take wrapped inside a bordered box `width` wide.
fn boxed_height(lines: Vec<Line<'static>>, width: u16) -> u16 {
    wrapped_rows(lines, width.saturating_sub(2)).saturating_add(2)
}

/// Rows `lines` take wrapped at `width`.
fn wrapped_rows(lines: Vec<Line<'static>>, width: u16) -> u16 {
    let rows = Paragraph::new(lines)
        .wrap(Wrap { trim: false })
        .line_count(width.max(1));
    u16::try_from(rows).unwrap_or(u16::MAX)
}

/// The question's box title and lines.
fn prompt_view(app: &App, prompt: &Prompt) -> (String, Vec<Line<'static>>) {
    let accent = style(app, Color::Cyan);
    match &prompt.question {
        Question::Confirm {
            text,
            default,
            consent,
            ..
        } => (
            format!(" {} ", text::confirm_title(*consent)),
            vec![Line::from(format!(
                "{text}  [{}]",
                if *default { "Y/n" } else { "y/N" }
            ))],
        ),
        Question::Secret {
            name,
            description,
            page,
            problem,
            ..
        } => {
            let mut lines = vec![Line::from(description.clone())];
            if let Some((url, steps)) = page {
                lines.extend(text::token_page(url, steps).into_iter().map(Line::from));
            }
            lines.extend(refusal(app, problem));
            lines.push(field_line(prompt, accent));
            (format!(" {name} "), lines)
        }
        Question::Redirect {
            url,
            listening,
            problem,
        } => {
            let mut lines: Vec<Line> = text::sign_in_lines(url, *listening)
                .into_iter()
                .map(Line::from)
                .collect();
            lines.extend(refusal(app, problem));
            lines.push(field_line(prompt, accent));
            (" Codex sign-in ".to_string(), lines)
        }
        Question::Pick { text, options } => {
            let mut lines = Vec::new();
            for (i, option) in options.iter().enumerate() {
                let mark = if prompt.picked[i] { "[x]" } else { "[ ]" };
                let mut line_style = Style::default();
                if i == prompt.cursor {
                    line_style = accent.add_modifier(Modifier::REVERSED);
                }
                lines.push(Line::from(Span::styled(
                    format!("{mark} {option}"),
                    line_style,
                )));
            }
            (format!(" {text} "), lines)
        }
    }
}

/// Why the last answer was refused, in red.
fn refusal(app: &App, problem: &Option<String>) -> Option<Line<'static>> {
    let problem = problem.as_ref()?;
    Some(Line::from(Span::styled(
        text::refused(problem),
        style(app, Color::Red),
    )))
}

/// The question in its box. When the terminal is too small for all of it, its end shows:
/// the field, or the `[Y/n]`, is what the operator answers.
fn draw_prompt(frame: &mut Frame, app: &App, prompt: &Prompt, area: Rect) {
    let (title, lines) = prompt_view(app, prompt);
    let hidden = boxed_height(lines.clone(), area.width).saturating_sub(area.height);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(style(app, Color::Cyan))
        .title(title);
    frame.render_widget(Clear, area);
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false })
            .scroll((hidden, 0)),
        area,
    );
}

/// The typed value as dots, and how many characters it has.
fn field_line(prompt: &Prompt, accent: Style) -> Line<'static> {
    let count = prompt.field.chars().count();
    let dots = "•".repeat(count.min(40));
    let more = if count > 40 { "…" } else { "" };
    Line::from(vec![
        Span::styled("› ", accent),
        Span::raw(format!("{dots}{more}▏")),
        Span::styled(
            if count > 0 {
                format!("  {count} characters, hidden")
            } else {
                String::new()
            },
            Style::default().add_modifier(Modifier::DIM),
        ),
    ])
}

fn draw_progress(frame: &mut Frame, app: &App, area: Rect) {
    let Some(progress) = &app.progress else {
        return;
    };
    let block = Block::default().borders(Borders::ALL);
    if progress.countdown {
        let left = progress.done;
        let line = format!(
            "{} {}",
            SPINNER[app.ticks % SPINNER.len()],
            text::countdown(left)
        );
        frame.render_widget(Paragraph::new(line).block(block), area);
    } else {
        let ratio = if progress.total == 0 {
            0.0
        } else {
            progress.done as f64 / progress.total as f64
        };
        let gauge = Gauge::default()
            .block(block)
            .gauge_style(style(app, Color::Cyan))
            .ratio(ratio.clamp(0.0, 1.0))
            .label(format!("{} of {}", progress.done, progress.total));
        frame.render_widget(gauge, area);
    }
}

fn outcome_lines(app: &App, outcome: &Outcome) -> Vec<String> {
    text::outcome_lines(app.task.as_ref().unwrap_or(&Task::Setup), outcome)
}

fn draw_outcome(frame: &mut Frame, app: &App, outcome: &Outcome, area: Rect) {
    let color = match outcome {
        Outcome::Complete => Color::Green,
        Outcome::Incomplete(_) | Outcome::Interrupted => Color::Yellow,
        Outcome::Failed(_) => Color::Red,
    };
    let lines: Vec<Line> = outcome_lines(app, outcome)
        .into_iter()
        .map(Line::from)
        .collect();
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(style(app, color))
        .title(" Finished ");
    frame.render_widget(Clear, area);
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false }),
        area,
    );
}

fn key_hints(app: &App) -> &'static str {
    if app.outcome.is_some() {
        return "←→ other waves · ↑↓ scroll · Enter leave";
    }
    if app.stopping {
        return "stopping after the step under way…";
    }
    match (&app.screen, app.prompt.as_ref().map(|p| &p.question)) {
        (Screen::Home { .. }, _) => "↑↓ choose · Enter start · q quit",
        (_, Some(Question::Confirm { .. })) => {
            "y/Enter yes · n no · ↑↓ PgUp PgDn scroll · Ctrl-C stop"
        }
        (_, Some(Question::Pick { .. })) => "↑↓ move · Space select · Enter confirm · Ctrl-C stop",
        (_, Some(Question::Redirect { .. })) => {
            "paste · Enter submit · Ctrl-Y copy the address · Esc leave for later · Ctrl-C stop"
        }
        (_, Some(_)) => "type or paste · Enter submit · Esc leave for later · Ctrl-C stop",
        (_, None) => "←→ other waves · ↑↓ scroll · Ctrl-C stop after this step",
    }
}

#[cfg(test)]
mod tests {
    use ratatui::backend::TestBackend;
    use ratatui::Terminal;
    use tokio::sync::oneshot;

    use super::*;
    use crate::ui::tui::app::Action;
    use crate::waves::{Answer, Event, Report};
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

    fn screen(app: &App, width: u16, height: u16) -> String {
        drawn(app, width, height).0
    }

    /// The screen, and where the sign-in address is said to be.
    fn drawn(app: &App, width: u16, height: u16) -> (String, Option<Address>) {
        let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
        let mut address = None;
        terminal.draw(|frame| address = draw(frame, app)).unwrap();
        (terminal.backend().to_string(), address)
    }

    /// The rows of a drawn screen, without the quotes TestBackend puts around each.
    fn rows(screen: &str) -> Vec<&str> {
        screen.lines().map(|l| l.trim_matches('"')).collect()
    }

    fn running() -> App {
        let mut app = App::new(Some(crate::waves::flow::Task::Setup), false, false, true);
        app.on_event(Event::Report(
            Report::new(Wave::Preflight, Status::Attention("2 finding(s): the waves that need them are skipped".into()))
                .line(Mark::Ok, "AWS: SSM answers in ap-northeast-1 (0 parameters under /lolice/openclaw)")
                .line(Mark::Fail, "cluster unreachable: https://10.0.0.1:6443 did not answer (dial tcp: i/o timeout): check the VPN and `kubectl config current-context`; the offline waves still work")
                .line(Mark::Info, "not on PATH here: terraform (for Wave 1's plan/apply)"),
        ));
        app.on_event(Event::Report(Report::new(
            Wave::Infrastructure,
            Status::Done("14 files written into /srv/arch".into()),
        )));
        app
    }

    /// Ask `question`; the receiver is kept so the question stays open.
    fn ask(app: &mut App, question: Question) -> oneshot::Receiver<Answer> {
        let (reply, answer) = oneshot::channel();
        app.on_event(Event::Ask(question, reply));
        answer
    }

    fn key(app: &mut App, code: KeyCode) -> Action {
        app.on_key(KeyEvent::new(code, KeyModifiers::NONE))
    }

    fn secret_question(problem: Option<&str>) -> Question {
        Question::Secret {
            replaces: false,
            name: "GITHUB_TOKEN".into(),
            description: "GitHub fine-grained PAT for the agent's pull requests".into(),
            page: Some((
                "https://github.com/settings/personal-access-tokens/new".into(),
                vec!["fine-grained token, expiration 90 days or less".into()],
            )),
            problem: problem.map(str::to_string),
        }
    }

    #[test]
    fn home() {
        let app = App::new(None, false, false, true);
        insta::assert_snapshot!(screen(&app, 80, 14));
        let resumable = App::new(None, true, false, true);
        insta::assert_snapshot!("home_resumable", screen(&resumable, 80, 14));
    }

    #[test]
    fn confirm_with_a_diff() {
        let mut app = running();
        let mut report = Report::new(
            Wave::Manifests,
            Status::Todo("1 of 16 files to write into /srv/gitops/argoproj/openclaw".into()),
        )
        .line(
            Mark::Todo,
            "update /srv/gitops/argoproj/openclaw/deployment-litellm.yaml",
        );
        report.diff = "--- a/deployment-litellm.yaml\n+++ b/deployment-litellm.yaml\n@@ -20,3 +20,3 @@\n           limits:\n-            memory: 512Mi\n+            memory: 1Gi\n".into();
        app.on_event(Event::Report(report));
        let _open = ask(
            &mut app,
            Question::Confirm {
                consent: crate::waves::Consent::Apply,
                wave: Wave::Manifests,
                text: "Write them? (1 of 16 files to write into /srv/gitops/argoproj/openclaw)"
                    .into(),
                default: true,
            },
        );
        insta::assert_snapshot!(screen(&app, 100, 24));
    }

    #[test]
    fn secret_field_shows_dots_only() {
        let mut app = running();
        app.on_event(Event::Report(Report::new(
            Wave::Secrets,
            Status::Working("applying".into()),
        )));
        let _open = ask(&mut app, secret_question(None));
        app.on_paste("github_pat_11SNAPSHOTSECRET_abcdefghijklmnopqrstuvwxyz\n");
        let drawn = screen(&app, 100, 24);
        assert!(!drawn.contains("SNAPSHOTSECRET"));
        insta::assert_snapshot!(drawn);
    }

    #[test]
    fn secret_refused_says_why() {
        let mut app = running();
        let _open = ask(
            &mut app,
            secret_question(Some(
                "the value is not a GitHub token (github_pat_… or ghp_…)",
            )),
        );
        insta::assert_snapshot!(screen(&app, 100, 24));
    }

    /// A refusal that wraps over two rows still leaves the field inside the box, also on a
    /// terminal too small for the whole question (its end shows).
    #[test]
    fn a_refused_value_keeps_the_field_in_its_box() {
        let mut app = running();
        let _open = ask(
            &mut app,
            secret_question(Some(
                "the value contains spaces or line breaks: paste the token alone",
            )),
        );
        for (width, height) in [(120, 40), (100, 24), (60, 16), (40, 10)] {
            let screen = screen(&app, width, height);
            let rows = rows(&screen);
            let field = rows.iter().position(|r| r.contains("› ▏")).unwrap();
            assert!(rows[field + 1].contains("└"), "{width}×{height}:\n{screen}");
        }
        insta::assert_snapshot!("refused_60x16", screen(&app, 60, 16));
    }

    /// The answer keys stay on screen when the terminal is made very small.
    #[test]
    fn confirm_at_40_by_10_shows_its_answer() {
        let mut app = running();
        let _open = ask(
            &mut app,
            Question::Confirm {
                consent: crate::waves::Consent::Apply,
                wave: Wave::Codex,
                text: "Sign in to ChatGPT/Codex now? (no sign-in in pod openclaw/openclaw-7d9f8c6b5d-x2x4q)".into(),
                default: true,
            },
        );
        let screen = screen(&app, 40, 10);
        assert!(screen.contains("[Y/n]"), "{screen}");
        insta::assert_snapshot!(screen);
    }

    const AUTHORIZE: &str = "https://auth.openai.com/oauth/authorize?response_type=code&client_id=app_EMoamEEZ73f0CkXaXp7hrann&redirect_uri=http%3A%2F%2Flocalhost%3A1455%2Fauth%2Fcallback&scope=openid+profile+email+offline_access&code_challenge=8QqnyeO5KKVM1i2vhjhX4UgUIZmADvNfKfXBw6rZ2vQ&code_challenge_method=S256&state=0123456789abcdef0123456789abcdef&id_token_add_organizations=true&codex_cli_simplified_flow=true&originator=clawboot";

    /// The address runs across the whole width from the first column, with no border in it,
    /// and `draw` says where, for the event loop to print it as one line.
    #[test]
    fn sign_in_asks_for_the_address() {
        let mut app = running();
        let _open = ask(
            &mut app,
            Question::Redirect {
                url: AUTHORIZE.into(),
                listening: Some(1455),
                problem: None,
            },
        );
        let (screen, address) = drawn(&app, 100, 24);
        let address = address.expect("the address is shown whole");
        assert_eq!(address.url, AUTHORIZE);
        let rows = rows(&screen);
        let start = usize::from(address.row);
        let drawn: String = rows[start..]
            .iter()
            .take(AUTHORIZE.len().div_ceil(100))
            .copied()
            .collect();
        assert_eq!(drawn.trim_end(), AUTHORIZE, "{screen}");
        insta::assert_snapshot!(screen);
    }

    /// A paste of another sign-in is refused in the box, and the address is asked again.
    #[test]
    fn sign_in_refused_paste_asks_again() {
        let mut app = running();
        let _open = ask(
            &mut app,
            Question::Redirect {
                url: AUTHORIZE.into(),
                listening: None,
                problem: Some("the pasted state does not match this sign-in (an old or someone else's link): paste the address this sign-in ended on".into()),
            },
        );
        insta::assert_snapshot!(screen(&app, 100, 24));
    }

    #[test]
    fn pick_the_secrets_to_rotate() {
        let mut app = App::new(
            Some(crate::waves::flow::Task::Rotate(Vec::new())),
            false,
            false,
            true,
        );
        let _open = ask(
            &mut app,
            Question::Pick {
                text: "Which secrets to rotate?".into(),
                options: vec![
                    "DISCORD_BOT_TOKEN".into(),
                    "OPENCLAW_GATEWAY_TOKEN".into(),
                    "GITHUB_TOKEN".into(),
                ],
            },
        );
        key(&mut app, KeyCode::Down);
        key(&mut app, KeyCode::Char(' '));
        insta::assert_snapshot!(screen(&app, 80, 16));
    }

    #[test]
    fn progress_gauge_and_device_countdown() {
        let mut app = running();
        app.on_event(Event::Report(Report::new(
            Wave::Secrets,
            Status::Working("applying".into()),
        )));
        app.on_event(Event::Progress {
            wave: Wave::Secrets,
            done: 3,
            total: 6,
            countdown: false,
        });
        insta::assert_snapshot!("gauge", screen(&app, 80, 16));
        app.on_event(Event::Report(
            Report::new(
                Wave::Codex,
                Status::Working("waiting for your approval".into()),
            )
            .line(
                Mark::Todo,
                "on any device, open https://auth.openai.com/codex/device",
            )
            .line(Mark::Todo, "and enter the code ABCD-EFGH"),
        ));
        app.on_event(Event::Progress {
            wave: Wave::Codex,
            done: 754,
            total: 900,
            countdown: true,
        });
        insta::assert_snapshot!("countdown", screen(&app, 80, 16));
    }

    #[test]
    fn finished_screens() {
        let mut app = running();
        app.on_event(Event::Finished(Outcome::Incomplete(vec![
            "Wave 2 Secrets: AWS does not answer".into(),
            "Wave 6 Verify: the cluster does not answer".into(),
        ])));
        insta::assert_snapshot!("incomplete", screen(&app, 80, 20));
        let mut failed = running();
        failed.on_event(Event::Finished(Outcome::Failed(
            "DISCORD_BOT_TOKEN was not written: AWS denied ssm:PutParameter on /lolice/openclaw/DISCORD_BOT_TOKEN".into(),
        )));
        insta::assert_snapshot!("failed", screen(&failed, 80, 20));
        let mut complete = running();
        complete.on_event(Event::Finished(Outcome::Complete));
        insta::assert_snapshot!("complete", screen(&complete, 80, 20));
    }

    #[test]
    fn narrow_terminal_puts_the_waves_in_a_strip() {
        let mut app = running();
        let _open = ask(&mut app, secret_question(None));
        app.on_paste("sk-not-shown");
        insta::assert_snapshot!(screen(&app, 60, 20));
    }

    #[test]
    fn no_color_draws_without_colours() {
        let app = running();
        let mut terminal = Terminal::new(TestBackend::new(80, 14)).unwrap();
        let plain = App {
            color: false,
            ..app
        };
        terminal
            .draw(|frame| {
                draw(frame, &plain);
            })
            .unwrap();
        let buffer = terminal.backend().buffer();
        assert!(buffer.content().iter().all(|cell| cell.fg == Color::Reset));
    }

    #[test]
    fn keys_answer_and_ctrl_c_stops() {
        let mut app = running();
        let mut answer = ask(&mut app, secret_question(None));
        app.on_paste("github_pat_x");
        key(&mut app, KeyCode::Backspace);
        key(&mut app, KeyCode::Enter);
        match answer.try_recv().unwrap() {
            Answer::Secret(value) => {
                assert_eq!(secrecy::ExposeSecret::expose_secret(&value), "github_pat_")
            }
            other => panic!("{other:?}"),
        }
        let mut answer = ask(&mut app, secret_question(None));
        let ctrl_c = app.on_key(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL));
        assert_eq!(ctrl_c, Action::Stop);
        assert!(matches!(answer.try_recv().unwrap(), Answer::Interrupt));
        // During a step, Ctrl-C asks the engine to stop after it; the screen says so.
        let mut busy = running();
        assert_eq!(
            busy.on_key(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL)),
            Action::Stop
        );
        assert!(screen(&busy, 80, 14).contains("stopping after the step under way"));
    }
}
