//! The TUI's state and keys: a home screen of tasks, then the waves as a checklist with the
//! current one's report, its question (a confirmation, a masked field, a pick list), its
//! progress and a log line. Pure state: drawing is in `view.rs`, the terminal in `mod.rs`.

use std::collections::VecDeque;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use secrecy::SecretString;
use tokio::sync::oneshot;
use zeroize::Zeroizing;

use crate::ui::face::home_tasks;
use crate::waves::flow::{Outcome, Task};
use crate::waves::{Answer, Event, Question, Report, Status, Wave};

/// Room reserved for a typed secret, so typing never reallocates (and leaves copies behind).
const FIELD_CAPACITY: usize = 8192;
const LOG_LINES: usize = 50;

pub enum Screen {
    Home { selected: usize },
    Run,
}

/// A question on screen with what has been typed or chosen so far.
pub struct Prompt {
    pub question: Question,
    pub field: Zeroizing<String>,
    pub picked: Vec<bool>,
    pub cursor: usize,
    reply: Option<oneshot::Sender<Answer>>,
}

impl Prompt {
    fn new(question: Question, reply: oneshot::Sender<Answer>) -> Self {
        let options = match &question {
            Question::Pick { options, .. } => options.len(),
            _ => 0,
        };
        Self {
            question,
            field: Zeroizing::new(String::with_capacity(FIELD_CAPACITY)),
            picked: vec![false; options],
            cursor: 0,
            reply: Some(reply),
        }
    }

    /// The engine stopped waiting (e.g. the browser's callback arrived first).
    pub fn is_stale(&self) -> bool {
        self.reply.as_ref().is_none_or(|r| r.is_closed())
    }

    fn has_field(&self) -> bool {
        matches!(
            self.question,
            Question::Secret { .. } | Question::Redirect { .. }
        )
    }
}

pub struct Progress {
    pub done: u64,
    pub total: u64,
    pub countdown: bool,
}

/// What the event loop should do after a key.
#[derive(Debug, PartialEq, Eq)]
pub enum Action {
    None,
    Start(Task),
    /// Ask the engine to stop after the step under way.
    Stop,
    Exit,
    /// Put this on the terminal's clipboard (the sign-in address).
    Copy(String),
}

pub struct App {
    pub screen: Screen,
    pub resumable: bool,
    pub reports: Vec<Report>,
    pub current: Wave,
    pub prompt: Option<Prompt>,
    pub progress: Option<Progress>,
    pub log: VecDeque<String>,
    pub show_commands: bool,
    pub outcome: Option<Outcome>,
    /// The task under way (None on the home screen).
    pub task: Option<Task>,
    /// Ctrl-C was pressed while a step was under way: it finishes, then the task stops.
    pub stopping: bool,
    pub scroll: u16,
    pub ticks: usize,
    pub color: bool,
}

impl App {
    pub fn new(task: Option<Task>, resumable: bool, show_commands: bool, color: bool) -> Self {
        Self {
            screen: match &task {
                Some(_) => Screen::Run,
                None => Screen::Home { selected: 0 },
            },
            resumable,
            reports: Wave::ALL
                .iter()
                .map(|&w| Report::new(w, Status::Pending))
                .collect(),
            current: match task {
                Some(Task::Rotate(_)) => Wave::Secrets,
                Some(Task::SignIn) => Wave::Codex,
                _ => Wave::Preflight,
            },
            task,
            prompt: None,
            progress: None,
            log: VecDeque::new(),
            show_commands,
            outcome: None,
            stopping: false,
            scroll: 0,
            ticks: 0,
            color,
        }
    }

    pub fn report(&self, wave: Wave) -> &Report {
        &self.reports[wave.number()]
    }

    pub fn tasks(&self) -> Vec<(Task, &'static str)> {
        home_tasks(self.resumable)
    }

    pub fn on_event(&mut self, event: Event) {
        match event {
            Event::Report(report) => {
                if report.wave != self.current {
                    self.scroll = 0;
                    self.progress = None;
                }
                self.current = report.wave;
                let wave = report.wave.number();
                self.reports[wave] = report;
            }
            Event::Log(line) => self.push_log(line),
            // The reports say what the data holds; the tables are for the commands.
            Event::Data(_) => {}
            Event::Command(line) if self.show_commands => self.push_log(format!("$ {line}")),
            Event::Command(_) => {}
            Event::Progress {
                wave,
                done,
                total,
                countdown,
            } => {
                self.current = wave;
                self.progress = Some(Progress {
                    done,
                    total,
                    countdown,
                });
            }
            Event::Ask(question, reply) => {
                if let Question::Confirm { wave, .. } = &question {
                    self.current = *wave;
                }
                self.scroll = 0;
                self.prompt = Some(Prompt::new(question, reply));
            }
            Event::Finished(outcome) => {
                self.prompt = None;
                self.progress = None;
                self.outcome = Some(outcome);
            }
        }
    }

    fn push_log(&mut self, line: String) {
        if self.log.len() == LOG_LINES {
            self.log.pop_front();
        }
        self.log.push_back(line);
    }

    /// Once per frame: the spinner turns, a question the engine no longer waits for goes.
    pub fn tick(&mut self) {
        self.ticks = self.ticks.wrapping_add(1);
        if self.prompt.as_ref().is_some_and(Prompt::is_stale) {
            self.prompt = None;
        }
    }

    pub fn on_paste(&mut self, text: &str) {
        if let Some(prompt) = self.prompt.as_mut().filter(|p| p.has_field()) {
            // A pasted token often ends with a line break that is not part of it.
            prompt.field.push_str(text.trim_end_matches(['\r', '\n']));
        }
    }

    pub fn on_key(&mut self, key: KeyEvent) -> Action {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        if ctrl && key.code == KeyCode::Char('c') {
            return self.interrupt();
        }
        if self.outcome.is_some() {
            return match key.code {
                KeyCode::Enter | KeyCode::Esc | KeyCode::Char('q') => Action::Exit,
                other => self.scroll_key(other),
            };
        }
        match self.screen {
            Screen::Home { selected } => self.home_key(selected, key.code),
            Screen::Run => match self.prompt.as_ref().map(|p| &p.question) {
                Some(Question::Confirm { default, .. }) => {
                    let default = *default;
                    self.confirm_key(default, key.code)
                }
                Some(Question::Pick { .. }) => self.pick_key(key.code),
                Some(_) => self.field_key(key, ctrl),
                None => self.scroll_key(key.code),
            },
        }
    }

    /// Ctrl-C (and SIGTERM, SIGHUP): at a question, stop now; during a step, let it finish
    /// (a second one too).
    pub fn interrupt(&mut self) -> Action {
        if self.outcome.is_some() {
            return Action::Exit;
        }
        if let Screen::Home { .. } = self.screen {
            return Action::Exit;
        }
        if self.prompt.is_some() {
            self.answer(Answer::Interrupt);
        } else {
            self.push_log("stopping after the step under way (a write is never cut short)…".into());
        }
        self.stopping = true;
        Action::Stop
    }

    fn home_key(&mut self, selected: usize, code: KeyCode) -> Action {
        let count = self.tasks().len();
        match code {
            KeyCode::Up | KeyCode::Char('k') => {
                self.screen = Screen::Home {
                    selected: (selected + count - 1) % count,
                }
            }
            KeyCode::Down | KeyCode::Char('j') | KeyCode::Tab => {
                self.screen = Screen::Home {
                    selected: (selected + 1) % count,
                }
            }
            KeyCode::Enter => {
                self.screen = Screen::Run;
                let task = self.tasks()[selected].0.clone();
                self.task = Some(task.clone());
                return Action::Start(task);
            }
            KeyCode::Esc | KeyCode::Char('q') => return Action::Exit,
            _ => {}
        }
        Action::None
    }

    fn confirm_key(&mut self, default: bool, code: KeyCode) -> Action {
        match code {
            KeyCode::Char('y') | KeyCode::Char('Y') => self.answer(Answer::Yes),
            KeyCode::Char('n') | KeyCode::Char('N') => self.answer(Answer::No),
            KeyCode::Enter if default => self.answer(Answer::Yes),
            KeyCode::Enter => self.answer(Answer::No),
            other => return self.scroll_key(other),
        }
        Action::None
    }

    fn pick_key(&mut self, code: KeyCode) -> Action {
        let Some(prompt) = self.prompt.as_mut() else {
            return Action::None;
        };
        let count = prompt.picked.len().max(1);
        match code {
            KeyCode::Up | KeyCode::Char('k') => prompt.cursor = (prompt.cursor + count - 1) % count,
            KeyCode::Down | KeyCode::Char('j') => prompt.cursor = (prompt.cursor + 1) % count,
            KeyCode::Char(' ') => {
                if let Some(p) = prompt.picked.get_mut(prompt.cursor) {
                    *p = !*p;
                }
            }
            KeyCode::Enter => {
                let picked = (0..prompt.picked.len())
                    .filter(|&i| prompt.picked[i])
                    .collect();
                self.answer(Answer::Picked(picked));
            }
            KeyCode::Esc => self.answer(Answer::Picked(Vec::new())),
            _ => {}
        }
        Action::None
    }

    fn field_key(&mut self, key: KeyEvent, ctrl: bool) -> Action {
        let Some(prompt) = self.prompt.as_mut() else {
            return Action::None;
        };
        match (key.code, &prompt.question) {
            (KeyCode::Char('y'), Question::Redirect { url, .. }) if ctrl => {
                let url = url.clone();
                self.push_log(
                    "address sent to the clipboard (OSC 52); not there? copy it from the screen"
                        .into(),
                );
                return Action::Copy(url);
            }
            _ => {}
        }
        match key.code {
            KeyCode::Char('u') if ctrl => prompt.field.clear(),
            KeyCode::Char(c) if !ctrl => prompt.field.push(c),
            KeyCode::Backspace => {
                prompt.field.pop();
            }
            KeyCode::Esc => self.answer(Answer::Skip),
            KeyCode::Enter => {
                let typed = std::mem::take(&mut *prompt.field);
                let answer = match (&prompt.question, typed.is_empty()) {
                    (_, true) => Answer::Skip,
                    (Question::Redirect { .. }, false) => Answer::Text(typed),
                    (_, false) => Answer::Secret(SecretString::from(typed)),
                };
                self.answer(answer);
            }
            _ => {}
        }
        Action::None
    }

    fn scroll_key(&mut self, code: KeyCode) -> Action {
        match code {
            KeyCode::Down | KeyCode::Char('j') => self.scroll = self.scroll.saturating_add(1),
            KeyCode::Up | KeyCode::Char('k') => self.scroll = self.scroll.saturating_sub(1),
            KeyCode::PageDown | KeyCode::Char(' ') => self.scroll = self.scroll.saturating_add(10),
            KeyCode::PageUp => self.scroll = self.scroll.saturating_sub(10),
            KeyCode::Left | KeyCode::Char('h') => self.show_wave(-1),
            KeyCode::Right | KeyCode::Char('l') => self.show_wave(1),
            KeyCode::Char('q') if self.prompt.is_none() => return self.interrupt(),
            _ => {}
        }
        Action::None
    }

    /// Look at the wave before or after the one shown (the engine's next event moves it back).
    fn show_wave(&mut self, step: isize) {
        let count = Wave::ALL.len() as isize;
        let index = (self.current.number() as isize + step).rem_euclid(count);
        self.current = Wave::ALL[index as usize];
        self.scroll = 0;
    }

    fn answer(&mut self, answer: Answer) {
        if let Some(mut prompt) = self.prompt.take() {
            if let Some(reply) = prompt.reply.take() {
                let _ = reply.send(answer);
            }
        }
    }
}
