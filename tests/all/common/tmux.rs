//! A real terminal for the faces: a program in its own tmux server (private socket), driven
//! with send-keys and read with capture-pane. Every capture is kept, for the canary checks.

use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

pub struct Tmux {
    dir: tempfile::TempDir,
    pub captures: Vec<String>,
}

const SESSION: &str = "clawboot";

impl Tmux {
    /// Run `argv` with exactly `env` in a `width`×`height` terminal. When it ends, the pane shows
    /// `EXIT=<code>` and stays.
    pub fn start(argv: &[String], env: &[(String, String)], width: u16, height: u16) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let mut script = String::from("exec env -i");
        for (key, value) in env {
            script.push_str(&format!(" {key}={}", quote(value)));
        }
        for arg in argv {
            script.push_str(&format!(" {}", quote(arg)));
        }
        let wrapper = dir.path().join("run.sh");
        std::fs::write(
            &wrapper,
            // A Ctrl-C outside raw mode is a SIGINT to the pane's whole process group: the
            // wrapper survives it (as an operator's shell does) to tell the exit code.
            format!(
                "trap : INT\nsh -c {}; echo \"EXIT=$?\"; sleep 600\n",
                quote(&script)
            ),
        )
        .unwrap();
        let tmux = Self {
            dir,
            captures: Vec::new(),
        };
        let status = tmux
            .command()
            .args(["new-session", "-d", "-s", SESSION, "-x"])
            .arg(width.to_string())
            .arg("-y")
            .arg(height.to_string())
            .arg("sh")
            .arg(&wrapper)
            .status()
            .expect("tmux runs (apt-get install tmux)");
        assert!(status.success(), "tmux did not start");
        tmux
    }

    fn socket(&self) -> PathBuf {
        self.dir.path().join("socket")
    }

    fn command(&self) -> Command {
        let mut command = Command::new("tmux");
        command
            .arg("-S")
            .arg(self.socket())
            .arg("-f")
            .arg("/dev/null");
        command
    }

    /// Keys by tmux name: `Enter`, `C-c`, `Down`, `Space`, `y`.
    pub fn keys(&self, keys: &[&str]) {
        let status = self
            .command()
            .args(["send-keys", "-t", SESSION])
            .args(keys)
            .status()
            .unwrap();
        assert!(status.success());
    }

    /// Text typed character by character.
    pub fn type_text(&self, text: &str) {
        let status = self
            .command()
            .args(["send-keys", "-t", SESSION, "-l", text])
            .status()
            .unwrap();
        assert!(status.success());
    }

    /// Text pasted as a terminal pastes it (bracketed, when the program asked for that).
    pub fn paste(&self, text: &str) {
        self.paste_as(text, true);
    }

    /// Text pasted as a terminal without bracketed paste does: line breaks arrive as Enter.
    pub fn paste_unbracketed(&self, text: &str) {
        self.paste_as(text, false);
    }

    fn paste_as(&self, text: &str, bracketed: bool) {
        let buffer = self.dir.path().join("paste");
        std::fs::write(&buffer, text).unwrap();
        let loaded = self
            .command()
            .args(["load-buffer", "-b", "p"])
            .arg(&buffer)
            .status()
            .unwrap();
        std::fs::remove_file(&buffer).unwrap();
        let mut paste = self.command();
        paste.arg("paste-buffer");
        if bracketed {
            paste.arg("-p");
        }
        let pasted = paste
            .args(["-d", "-b", "p", "-t", SESSION])
            .status()
            .unwrap();
        assert!(loaded.success() && pasted.success());
    }

    pub fn screen(&mut self) -> String {
        let output = self
            .command()
            .args(["capture-pane", "-p", "-t", SESSION])
            .output()
            .unwrap();
        let screen = String::from_utf8_lossy(&output.stdout).into_owned();
        self.captures.push(screen.clone());
        screen
    }

    /// The screen with the lines the terminal wrapped by itself joined, as a copy gets them.
    pub fn joined_screen(&mut self) -> String {
        let output = self
            .command()
            .args(["capture-pane", "-p", "-J", "-t", SESSION])
            .output()
            .unwrap();
        let screen = String::from_utf8_lossy(&output.stdout).into_owned();
        self.captures.push(screen.clone());
        screen
    }

    /// Let programs set tmux's clipboard with OSC 52, as a terminal that allows it does.
    pub fn allow_clipboard(&self) {
        let status = self
            .command()
            .args(["set", "-s", "set-clipboard", "on"])
            .status()
            .unwrap();
        assert!(status.success());
    }

    /// What a program put on the clipboard (empty when nothing).
    pub fn clipboard(&self) -> String {
        let output = self.command().arg("show-buffer").output().unwrap();
        String::from_utf8_lossy(&output.stdout).into_owned()
    }

    /// The screen once `ready` says so; panics with the screen after `timeout`.
    pub fn wait(&mut self, what: &str, timeout: Duration, ready: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + timeout;
        loop {
            let screen = self.screen();
            if ready(&screen) {
                return screen;
            }
            assert!(
                Instant::now() < deadline,
                "waited {timeout:?} for {what}; the screen:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// The screen once `question` reads the same, other than `last`, on two captures in a row:
    /// a capture taken while the program is still drawing may read as a question of its own.
    pub fn wait_question(
        &mut self,
        question: impl Fn(&str) -> Option<String>,
        last: &str,
    ) -> String {
        let previous = std::cell::RefCell::new(None);
        self.wait("the next question", Duration::from_secs(60), |screen| {
            let now = question(screen);
            let settled = now.is_some() && now == *previous.borrow();
            *previous.borrow_mut() = now.clone();
            settled && now.as_deref() != Some(last)
        })
    }

    pub fn wait_for(&mut self, needle: &str) -> String {
        self.wait(needle, Duration::from_secs(30), |s| s.contains(needle))
    }

    /// Whether the terminal shows the alternate screen (a full-screen program not restored).
    pub fn alternate_screen(&self) -> bool {
        let output = self
            .command()
            .args(["display", "-p", "-t", SESSION, "#{alternate_on}"])
            .output()
            .unwrap();
        String::from_utf8_lossy(&output.stdout).trim() == "1"
    }

    /// Send `signal` (e.g. `TERM`) to the program (the child of the pane's shell).
    pub fn signal(&self, signal: &str) {
        let status = Command::new("kill")
            .arg(format!("-{signal}"))
            .arg(self.program().to_string())
            .status()
            .unwrap();
        assert!(status.success(), "the program is gone");
    }

    /// The program's process id (the child of the pane's shell).
    pub fn program(&self) -> u32 {
        let output = self
            .command()
            .args(["display", "-p", "-t", SESSION, "#{pane_pid}"])
            .output()
            .unwrap();
        let shell = String::from_utf8_lossy(&output.stdout).trim().to_string();
        let output = Command::new("pgrep").args(["-P", &shell]).output().unwrap();
        let pid = String::from_utf8_lossy(&output.stdout);
        pid.trim()
            .parse()
            .unwrap_or_else(|_| panic!("no program under the pane's shell {shell}"))
    }

    /// The terminal is resized, as a window is.
    pub fn resize(&self, width: u16, height: u16) {
        let status = self
            .command()
            .args(["resize-window", "-t", SESSION, "-x"])
            .arg(width.to_string())
            .arg("-y")
            .arg(height.to_string())
            .status()
            .unwrap();
        assert!(status.success());
    }

    /// The terminal goes away, as when its window or SSH session is closed.
    pub fn close(&self) {
        let status = self.command().arg("kill-server").status().unwrap();
        assert!(status.success());
    }

    /// The exit code the program ended with.
    pub fn exit_code(&mut self) -> i32 {
        let screen = self.wait("the program to end", Duration::from_secs(60), |s| {
            s.contains("EXIT=")
        });
        let code = screen.split("EXIT=").nth(1).unwrap();
        code.split_whitespace().next().unwrap().parse().unwrap()
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.command().arg("kill-server").status();
    }
}

fn quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}
