//! The rendered OpenClaw pod's life with the real gateway of each release, run as the pod runs
//! it (`scripts/as_pod.sh`): the rendered init containers in order, then the gateway with the
//! image's command and the rendered env, as uid/gid 1000 with the fsGroup, on a read-only root
//! and HOME, a volume as a fresh PVC comes (root's, group 1000, mode 2775) and a root-owned
//! emptyDir `/tmp` new to each pod. Over several starts: an in-pod config edit and a GitOps
//! change, a sign-in while the gateway runs, timed stops, and a backup made while OpenClaw
//! writes, restored into a new volume on which the gateway starts and lists the sign-in.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::codex::Login;
use crate::common::*;
use serde_yaml::Value;

const RELEASES: [&str; 2] = ["2026.5.28", "2026.9.6"];
/// The volume's mount in the pod (the state dir).
const STATE: &str = "/home/node/.openclaw";
/// The official image: the release's package in its WORKDIR, and its command.
const IMAGE_APP: &str = "/app";
const IMAGE_COMMAND: [&str; 4] = ["node", "openclaw.mjs", "gateway", "--allow-unconfigured"];
/// The image's PATH (Node's base image) where a container's env sets none.
const IMAGE_PATH: &str = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
/// How long a start may take before the startup probe passes (its own budget is 300 s).
const START_LIMIT: Duration = Duration::from_secs(240);

/// The rendered Deployment's pod on this machine: the volume lives across pods, the emptyDir
/// `/tmp` and the config are each pod's own.
struct Pod {
    release: &'static str,
    dir: PathBuf,
    volume: PathBuf,
    spec: Value,
    /// The ConfigMap's openclaw.json, and its folder.
    gitops: serde_json::Value,
    config: PathBuf,
    tmp: PathBuf,
}

/// A folder as a fresh PersistentVolumeClaim with `fsGroup: 1000` comes: root's, group 1000,
/// setgid, 2775.
fn fresh_volume(path: &Path) -> PathBuf {
    fs::create_dir_all(path).unwrap();
    std::os::unix::fs::chown(path, Some(0), Some(1000)).unwrap();
    fs::set_permissions(path, fs::Permissions::from_mode(0o2775)).unwrap();
    path.to_path_buf()
}

/// A folder uid 1000 may write, for what the test shares with the pod.
fn shared_dir(path: &Path) -> PathBuf {
    fs::create_dir_all(path).unwrap();
    std::os::unix::fs::chown(path, Some(1000), Some(1000)).unwrap();
    path.to_path_buf()
}

impl Pod {
    /// A new pod of `profile` (lines under `openclaw:`) on `volume`, rendered for `release`:
    /// its own emptyDirs and ConfigMap folder.
    fn new(release: &'static str, dir: &Path, volume: &Path, profile: &str) -> Self {
        let pod = tempfile::Builder::new()
            .prefix("pod-")
            .tempdir_in(dir)
            .unwrap()
            .keep();
        let answers = format!("openclaw:\n{profile}");
        let answers = (!profile.is_empty()).then_some(answers.as_str());
        let (file, gitops, deployment) = crate::openclaw_config::rendered(
            &pod,
            &crate::openclaw_config::with_release(answers, release),
        );
        fs::create_dir_all(pod.join("config")).unwrap();
        fs::rename(file, pod.join("config/openclaw.json")).unwrap();
        let tmp = pod.join("tmp");
        fs::create_dir_all(&tmp).unwrap();
        fs::set_permissions(&tmp, fs::Permissions::from_mode(0o777)).unwrap();
        fs::create_dir_all(pod.join("root")).unwrap();
        // The emptyDirs: a new folder anyone may write, as the kubelet makes one.
        for folder in ["docker-cli", "docker-certs/client", "npm-cache"] {
            fs::create_dir_all(pod.join(folder)).unwrap();
            fs::set_permissions(pod.join(folder), fs::Permissions::from_mode(0o777)).unwrap();
        }
        Self {
            release,
            config: pod.join("config"),
            dir: pod,
            volume: volume.to_path_buf(),
            spec: deployment["spec"]["template"]["spec"].clone(),
            gitops,
            tmp,
        }
    }

    fn container(&self, name: &str) -> &Value {
        ["initContainers", "containers"]
            .iter()
            .flat_map(|list| self.spec[*list].as_sequence().into_iter().flatten())
            .find(|c| c["name"] == name)
            .unwrap_or_else(|| panic!("no container {name}"))
    }

    /// The folder on this machine behind a volume of the pod.
    fn volume_folder(&self, name: &str) -> PathBuf {
        match name {
            "data" => self.volume.clone(),
            "config" => self.config.clone(),
            "tmp" => self.tmp.clone(),
            other => self.dir.join(other),
        }
    }

    /// The image's programs: the release's Node as /usr/local/bin/node, its package as /app.
    fn image_mounts(&self) -> String {
        let release = peer(&format!("oc-{}", self.release));
        let bin = self.dir.join("image-bin");
        if !bin.exists() {
            fs::create_dir_all(&bin).unwrap();
            let node = fs::canonicalize(release.join("node_modules/.bin/node")).unwrap();
            std::os::unix::fs::symlink(node, bin.join("node")).unwrap();
        }
        let package = release.join("node_modules/openclaw");
        format!(
            "{r}:{r}:ro\n{b}:/usr/local/bin:ro\n{p}:{IMAGE_APP}:link\n",
            r = release.display(),
            b = bin.display(),
            p = package.display()
        )
    }

    /// `argv` in the container `name` (its env, mounts and user), as the kubelet or `kubectl
    /// exec` runs it; `more` adds to its env.
    fn command(&self, name: &str, argv: &[&str], more: &[(&str, String)]) -> Command {
        let container = self.container(name);
        let mut mounts = self.image_mounts() + &test_mounts();
        for mount in container["volumeMounts"].as_sequence().unwrap() {
            let mut host = self.volume_folder(mount["name"].as_str().unwrap());
            if let Some(sub) = mount["subPath"].as_str() {
                host = host.join(sub);
            }
            let ro = if mount["readOnly"] == true { ":ro" } else { "" };
            mounts.push_str(&format!(
                "{}:{}{ro}\n",
                host.display(),
                mount["mountPath"].as_str().unwrap()
            ));
        }
        let mut command = Command::new(repo().join("scripts/as_pod.sh"));
        command
            .args(argv)
            .env_clear()
            .env("PATH", IMAGE_PATH)
            .env("HOME", "/home/node")
            .env("NODE_ENV", "production")
            .env("SSL_CERT_FILE", "/etc/ssl/certs/ca-certificates.crt")
            .env("NODE_EXTRA_CA_CERTS", "/etc/ssl/certs/ca-certificates.crt");
        for var in container["env"].as_sequence().into_iter().flatten() {
            let name = var["name"].as_str().unwrap();
            let value = match var["value"].as_str() {
                Some(value) => value.to_string(),
                None => format!(
                    "canary-{}",
                    var["valueFrom"]["secretKeyRef"]["key"].as_str().unwrap()
                ),
            };
            command.env(name, value);
        }
        for (name, value) in more {
            command.env(name, value);
        }
        command
            .env("POD_ROOT", self.dir.join("root"))
            .env("POD_MOUNTS", mounts)
            .env("POD_WORKDIR", IMAGE_APP);
        command
    }

    /// Run `argv` in the container `name` to its end: its exit code and output.
    fn exec(&self, name: &str, argv: &[&str], more: &[(&str, String)]) -> (i32, String) {
        run(&mut self.command(name, argv, more))
    }

    /// The pod's init containers of the OpenClaw image, in order, each to its end (the
    /// Docker CLI's copy is not OpenClaw's and is taken as done).
    fn run_init_containers(&self) {
        for container in self.spec["initContainers"].as_sequence().unwrap() {
            if !container["image"]
                .as_str()
                .unwrap()
                .starts_with("ghcr.io/openclaw/openclaw:")
            {
                continue;
            }
            let name = container["name"].as_str().unwrap();
            let argv: Vec<&str> = container["command"]
                .as_sequence()
                .unwrap()
                .iter()
                .map(|a| a.as_str().unwrap())
                .collect();
            let since = Instant::now();
            let (code, out) = self.exec(
                name,
                &argv,
                &[("npm_config_cache", npm_cache().to_string())],
            );
            assert_eq!(code, 0, "{} {name}: {out}", self.release);
            eprintln!("{}: {name} ran in {:?}", self.release, since.elapsed());
        }
    }

    /// Start the pod: init containers, then the gateway, until its rendered startup probe
    /// passes.
    fn start(&self) -> Gateway {
        self.run_init_containers();
        let log = self.dir.join("gateway.log");
        let file = fs::File::create(&log).unwrap();
        let child = self
            .command("openclaw", &IMAGE_COMMAND, &[])
            .stdin(Stdio::null())
            .stdout(file.try_clone().unwrap())
            .stderr(file)
            .spawn()
            .unwrap();
        let mut gateway = Gateway { child, log };
        let probe: Vec<String> = self.container("openclaw")["startupProbe"]["exec"]["command"]
            .as_sequence()
            .unwrap()
            .iter()
            .map(|a| a.as_str().unwrap().to_string())
            .collect();
        let probe: Vec<&str> = probe.iter().map(String::as_str).collect();
        let since = Instant::now();
        loop {
            if let Some(status) = gateway.child.try_wait().unwrap() {
                panic!(
                    "{}: the gateway exited ({status}):\n{}",
                    self.release,
                    gateway.said()
                );
            }
            if self.exec("openclaw", &probe, &[]).0 == 0 {
                eprintln!("{}: started in {:?}", self.release, since.elapsed());
                return gateway;
            }
            assert!(
                since.elapsed() < START_LIMIT,
                "{}: the startup probe never passed:\n{}",
                self.release,
                gateway.said()
            );
            std::thread::sleep(Duration::from_secs(1));
        }
    }

    /// OpenClaw's own CLI in the gateway's container (`kubectl exec … -- openclaw ARGS`).
    fn openclaw(&self, args: &[&str]) -> (i32, String) {
        let argv = [&["node", "/app/openclaw.mjs"], args].concat();
        self.exec("openclaw", &argv, &[])
    }

    /// One of clawboot's in-pod scripts, as `kubectl exec` runs it in the gateway's container.
    fn script(&self, script: &str, args: &[&str]) -> (i32, String) {
        let argv = [&["sh", "-c", script, "sh"], args].concat();
        let mut command = self.command("openclaw", &argv, &[]);
        let output = command.output().unwrap();
        if !output.status.success() {
            eprintln!("{}", text(&output.stderr));
        }
        (output.status.code().unwrap_or(-1), text(&output.stdout))
    }

    /// `key` as OpenClaw reads it from the live config.
    fn config_get(&self, key: &str) -> serde_json::Value {
        let (code, out) = self.openclaw(&["config", "get", key, "--json"]);
        assert_eq!(code, 0, "{out}");
        serde_json::from_str(out.lines().last().unwrap_or_default())
            .unwrap_or_else(|e| panic!("{e}: {out}"))
    }
}

/// npm's cache shared by the pods' plugin installs (uid 1000's), so npm downloads once.
fn npm_cache() -> &'static str {
    static CACHE: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    CACHE.get_or_init(|| {
        shared_dir(&repo().join(".peers/npm-cache-1000"))
            .display()
            .to_string()
    })
}

/// Where clawboot itself is in a pod that signs in from inside (the same scripts `kubectl
/// exec` runs there), and npm's shared cache.
const CLAWBOOT_IN_POD: &str = "/opt/clawboot/clawboot";

fn test_mounts() -> String {
    let cache = npm_cache();
    format!(
        "{cache}:{cache}\n{}:{CLAWBOOT_IN_POD}:ro\n",
        env!("CARGO_BIN_EXE_clawboot")
    )
}

/// The gateway's container, running.
struct Gateway {
    child: Child,
    log: PathBuf,
}

impl Gateway {
    fn said(&self) -> String {
        fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Stop it as the kubelet does (SIGTERM to the container's first process): how long it
    /// took to exit, and its exit code.
    fn stop(mut self) -> (Duration, Option<i32>) {
        let since = Instant::now();
        let pid = self.child.id().to_string();
        assert!(Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success());
        let status = self.child.wait().unwrap();
        (since.elapsed(), status.code())
    }
}

impl Drop for Gateway {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The GitOps change between starts (another primary model), and the in-pod edit of the live
/// config before a start (`kubectl exec … openclaw config set`, as an operator or the Control
/// UI writes it).
const CHANGED: &str = "  primary_model: litellm/anthropic/claude-opus-4-6\n";
const PRIMARY: &str = "agents.defaults.model.primary";
const EDITED_IN_POD: &str = "openai/gpt-5.5";

#[test]
fn the_rendered_pod_starts_restarts_signs_in_stops_and_is_restored_with_the_real_gateway() {
    for release in RELEASES {
        live(release);
    }
}

fn live(release: &'static str) {
    let _one = ONE_GATEWAY.lock().unwrap_or_else(|e| e.into_inner());
    let dir = tempfile::tempdir().unwrap();
    let volume = fresh_volume(&dir.path().join("volume"));
    // A fresh volume, an in-pod edit before each next start: GitOps' config is what OpenClaw
    // reads at each start.
    for _ in 0..2 {
        let pod = Pod::new(release, dir.path(), &volume, "");
        let gateway = pod.start();
        pod.assert_gitops_config();
        pod.edit_in_pod();
        stopped(&pod, gateway);
    }

    // A GitOps change; a sign-in while the gateway runs, and a backup while OpenClaw writes.
    let pod = Pod::new(release, dir.path(), &volume, CHANGED);
    let gateway = pod.start();
    pod.assert_gitops_config();
    let issuer = crate::codex::issuer("ok");
    let id = sign_in(&pod, &issuer);
    assert_eq!(
        pod.listed(&id),
        vec![id.clone()],
        "{release}: after the sign-in"
    );
    let archive = backup_while_writing(&pod);
    stopped(&pod, gateway);

    // Restored into a new volume: the gateway starts and lists the sign-in, with its tokens.
    let restored = fresh_volume(&dir.path().join("restored"));
    let pod = Pod::new(release, dir.path(), &restored, CHANGED);
    restore(&pod, &archive);
    let gateway = pod.start();
    pod.assert_gitops_config();
    assert_eq!(
        pod.listed(&id),
        vec![id.clone()],
        "{release}: after the restore"
    );
    stopped(&pod, gateway);
    let copy = dir.path().join("restored-copy");
    assert!(Command::new("cp")
        .arg("-a")
        .arg(&restored)
        .arg(&copy)
        .status()
        .unwrap()
        .success());
    let held = held_by_openclaw(release, &copy, id.split(':').next().unwrap());
    let (fingerprint, _) = last_issued(&issuer);
    assert!(
        held.iter()
            .any(|h| h.id == id && h.fingerprint == fingerprint),
        "{release}: the restored state holds the sign-in's tokens: {held:?}"
    );
}

/// One gateway at a time: the rendered port is fixed.
static ONE_GATEWAY: std::sync::Mutex<()> = std::sync::Mutex::new(());

impl Pod {
    fn assert_gitops_config(&self) {
        assert_eq!(
            self.config_get(PRIMARY),
            self.gitops["agents"]["defaults"]["model"]["primary"],
            "{}: GitOps owns openclaw.json at every start",
            self.release
        );
    }

    /// `openclaw config set` in the gateway's container. 2026.9.6 makes the state dir 0700
    /// before it writes the config, which the node user may not do to the volume root a fresh
    /// PVC has (root's, with the fsGroup): it refuses (EPERM) and the live config stays
    /// GitOps'. 2026.5.28 takes the edit, until the next start.
    fn edit_in_pod(&self) {
        let (code, out) = self.openclaw(&["config", "set", PRIMARY, EDITED_IN_POD]);
        if self.release == "2026.9.6" {
            assert!(
                code != 0 && out.contains("EPERM"),
                "{}: {out}",
                self.release
            );
            self.assert_gitops_config();
        } else {
            assert_eq!(code, 0, "{}: {out}", self.release);
            assert_eq!(self.config_get(PRIMARY), EDITED_IN_POD);
        }
    }
}

/// Stop the gateway as the kubelet does: it exits within the rendered grace period.
fn stopped(pod: &Pod, gateway: Gateway) {
    let grace = pod.spec["terminationGracePeriodSeconds"].as_u64().unwrap();
    let log = gateway.log.clone();
    let (took, code) = gateway.stop();
    eprintln!("{}: stopped in {took:?} (exit {code:?})", pod.release);
    assert!(
        took < Duration::from_secs(grace),
        "{}: the gateway outlived its grace period:\n{}",
        pod.release,
        fs::read_to_string(log).unwrap_or_default()
    );
}

/// `clawboot codex login` from inside the gateway's container (the scripts it runs are those
/// `kubectl exec` runs there), the redirect pasted: the profile id it stored.
fn sign_in(pod: &Pod, issuer: &crate::common::ssm::Server) -> String {
    let release_bin = peer(&format!("oc-{}/node_modules/.bin", pod.release));
    let url = issuer.url();
    let command = pod.command(
        "openclaw",
        &[
            CLAWBOOT_IN_POD,
            "codex",
            "login",
            "--no-browser",
            "--paste",
            "--openclaw-version",
            pod.release,
            "--issuer",
            &url,
            "--state-dir",
            STATE,
        ],
        &[
            ("PATH", format!("{}:{IMAGE_PATH}", release_bin.display())),
            ("XDG_STATE_HOME", "/tmp/clawboot-state".to_string()),
        ],
    );
    let login = Login::run(command, &[]);
    let location = login.redirect();
    let (output, stderr) = login.finish(Some(&format!("{location}\n")));
    let said = text(&output.stdout);
    assert!(output.status.success(), "{}: {said}{stderr}", pod.release);
    said.lines()
        .find_map(|l| l.split_whitespace().find(|w| w.contains(":codex-user@")))
        .unwrap_or_else(|| panic!("no profile id in: {said}"))
        .trim_end_matches(',')
        .to_string()
}

impl Pod {
    /// The ids of the profiles of `id`'s provider OpenClaw lists in the gateway's container.
    fn listed(&self, id: &str) -> Vec<String> {
        let provider = id.split(':').next().unwrap();
        let (code, out) =
            self.openclaw(&["models", "auth", "list", "--provider", provider, "--json"]);
        assert_eq!(code, 0, "{out}");
        let listing = clawboot::openclaw::first_json(&out).unwrap_or_else(|e| panic!("{e}: {out}"));
        listing["profiles"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["id"].as_str().unwrap().to_string())
            .collect()
    }
}

/// Writes OpenClaw's auth store through its own plugin SDK, four times a second (a busy
/// gateway's token refreshes write far less often), until `/tmp/stop-writing` appears: a line
/// in `/tmp/writes.log` for each write.
const WRITER: &str = r#"import fs from "node:fs";
const sdk = await import("/app/dist/plugin-sdk/provider-auth.js");
const agentDir = "/home/node/.openclaw/agents/main/agent";
for (let n = 0; !fs.existsSync("/tmp/stop-writing"); n++) {
  await sdk.updateAuthProfileStoreWithLock({ agentDir, updater: (store) => {
    store.profiles["clawboot-test:writer"] = { type: "api_key", provider: "clawboot-test", key: `k${n}` };
    return true;
  } });
  fs.appendFileSync("/tmp/writes.log", `${n}\n`);
  await new Promise((done) => setTimeout(done, 250));
}
"#;

/// clawboot's backup (its in-pod script: OpenClaw's `backup create --verify`) taken while
/// OpenClaw writes its store: the archive.
fn backup_while_writing(pod: &Pod) -> Vec<u8> {
    let writes = pod.tmp.join("writes.log");
    let mut writer = pod
        .command(
            "openclaw",
            &["node", "--input-type=module", "-e", WRITER],
            &[],
        )
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let count = || fs::read_to_string(&writes).map_or(0, |t| t.lines().count());
    let since = Instant::now();
    while count() < 3 {
        assert!(
            since.elapsed() < Duration::from_secs(60),
            "{}: the writer never wrote",
            pod.release
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    let before = count();
    let (code, printed) = pod.script(clawboot::openclaw::store::BACKUP_SCRIPT, &[STATE]);
    let during = count() - before;
    fs::write(pod.tmp.join("stop-writing"), "").unwrap();
    writer.wait().unwrap();
    assert_eq!(code, 0, "{}: the backup failed", pod.release);
    assert!(
        during > 0,
        "{}: OpenClaw wrote while the backup ran",
        pod.release
    );
    eprintln!("{}: {during} writes during the backup", pod.release);
    use base64::Engine;
    base64::engine::general_purpose::STANDARD
        .decode(printed.trim())
        .unwrap()
}

/// Restore `archive` into the pod's empty volume before it starts, in its gateway's
/// container: OpenClaw's own `backup restore` (which verifies it) into a staging folder where
/// the release has one, else tar; then the state dir out of the archive's payload.
fn restore(pod: &Pod, archive: &[u8]) {
    fs::write(pod.tmp.join("backup.tar.gz"), archive).unwrap();
    let unpack = if pod.release == "2026.5.28" {
        "mkdir /tmp/staging && tar -xzf /tmp/backup.tar.gz -C /tmp/staging"
    } else {
        "node /app/openclaw.mjs backup restore /tmp/backup.tar.gz --target /tmp/staging --json"
    };
    // Entry by entry: the volume's root is root's, its times not the node user's to set.
    let script = format!(
        "set -e\n{unpack} >/dev/null\nfor entry in /tmp/staging/*/payload/posix{STATE}/* /tmp/staging/*/payload/posix{STATE}/.[!.]*; do\n  if [ -e \"$entry\" ]; then cp -a \"$entry\" {STATE}/; fi\ndone\n"
    );
    let (code, out) = pod.exec("openclaw", &["sh", "-c", &script], &[]);
    assert_eq!(code, 0, "{}: the restore failed: {out}", pod.release);
}
