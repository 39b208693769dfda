//! moto server and the fault proxy, started through scripts/test_servers.py: each lives until
//! its handle is dropped (or the test process ends, which closes its stdin).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::{peer, repo};

pub struct Server {
    child: Child,
    pub port: u16,
}

impl Server {
    /// One of scripts/test_servers.py's servers.
    pub fn start(args: &[&str]) -> Self {
        let mut command = Command::new(peer("venv/bin/python"));
        command
            .arg(repo().join("scripts/test_servers.py"))
            .args(args);
        Self::spawn(command)
    }

    /// Any server that prints `READY <port>` and stops when its stdin closes.
    pub fn spawn(mut command: Command) -> Self {
        let mut child = command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("test server starts");
        let mut line = String::new();
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        stdout.read_line(&mut line).unwrap();
        // Keep reading: a server that writes to a closed pipe dies of EPIPE.
        std::thread::spawn(move || std::io::copy(&mut stdout, &mut std::io::sink()));
        let port = line
            .strip_prefix("READY ")
            .and_then(|p| p.trim().parse().ok())
            .unwrap_or_else(|| panic!("test server did not start: {line:?}"));
        Self { child, port }
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        drop(self.child.stdin.take());
        let _ = self.child.wait();
    }
}

/// The moto server this test binary shares between its tests (each uses its own prefix).
pub fn shared_moto() -> &'static Server {
    static MOTO: std::sync::OnceLock<Server> = std::sync::OnceLock::new();
    MOTO.get_or_init(moto)
}

/// A moto server whose SSM backend has answered once (it loads lazily).
pub fn moto() -> Server {
    let server = Server::start(&["moto"]);
    let deadline = Instant::now() + Duration::from_secs(30);
    while !ssm_answers(server.port) {
        assert!(Instant::now() < deadline, "moto's SSM never answered");
        std::thread::sleep(Duration::from_millis(100));
    }
    server
}

/// A fault proxy in front of `upstream`.
pub fn fault_proxy(upstream: &Server, throttle: f64, error: f64) -> Server {
    Server::start(&[
        "proxy",
        &upstream.url(),
        &throttle.to_string(),
        &error.to_string(),
    ])
}

/// One unsigned DescribeParameters call (moto does not check signatures).
fn ssm_answers(port: u16) -> bool {
    let Ok(mut stream) = TcpStream::connect(("127.0.0.1", port)) else {
        return false;
    };
    let request = format!(
        "POST / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nX-Amz-Target: AmazonSSM.DescribeParameters\r\n\
         Content-Type: application/x-amz-json-1.1\r\nAuthorization: AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/ssm/aws4_request\r\n\
         Content-Length: 2\r\nConnection: close\r\n\r\n{{}}"
    );
    let mut response = String::new();
    stream.write_all(request.as_bytes()).is_ok()
        && stream.read_to_string(&mut response).is_ok()
        && response.starts_with("HTTP/1.1 200")
}

/// A proxy that answers every `operation` request (e.g. `PutParameter`) with the error `code`,
/// as AWS would for a missing permission or a missing KMS key.
pub fn refusing_proxy(upstream: &Server, operation: &str, code: &str) -> Server {
    Server::start(&[
        "proxy",
        &upstream.url(),
        "0",
        "0",
        &format!("{operation}={code}"),
    ])
}
