//! The listener on 127.0.0.1 that receives the browser's redirect (`GET /auth/callback`).

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use url::Url;

use crate::printable::printable;

/// Bind the callback port on loopback only.
pub async fn bind(port: u16) -> std::io::Result<TcpListener> {
    TcpListener::bind(("127.0.0.1", port)).await
}

/// How long a connection may take to send its request line: a browser's preconnect that
/// never sends one must not hold the port.
const READ_TIMEOUT: Duration = Duration::from_secs(10);

/// Serve until a callback with the expected state arrives; answer the browser with a short
/// page. Each connection is served on its own. Anything that does not carry the state of this
/// sign-in (another path, another method, a page's forged request, a wrong state) is answered
/// and ignored: only the real callback, with its code or its error, ends the wait.
pub async fn wait_for_code(listener: &TcpListener, expected_state: &str) -> anyhow::Result<String> {
    let (outcomes, mut received) = mpsc::channel(4);
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let (stream, _) = accepted?;
                let (outcomes, state) = (outcomes.clone(), expected_state.to_string());
                tokio::spawn(async move {
                    if let Some(outcome) = serve(stream, &state).await {
                        let _ = outcomes.send(outcome).await;
                    }
                });
            }
            Some(outcome) = received.recv() => {
                return outcome.map_err(|message| anyhow::anyhow!("{message}: start the sign-in again"));
            }
        }
    }
}

/// One connection: the outcome when it is this sign-in's callback, else `None`.
async fn serve(mut stream: TcpStream, expected_state: &str) -> Option<Result<String, String>> {
    let request = tokio::time::timeout(READ_TIMEOUT, read_request_line(&mut stream))
        .await
        .ok()?;
    let mut words = request.split_whitespace();
    let (method, target) = (words.next().unwrap_or(""), words.next().unwrap_or("/"));
    let url = Url::parse(&format!("http://localhost{target}"))
        .unwrap_or_else(|_| Url::parse("http://localhost/").expect("a valid URL"));
    let query = |key: &str| {
        url.query_pairs()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.into_owned())
    };
    if url.path() != "/auth/callback" {
        respond(&mut stream, 404, "Not found").await;
        return None;
    }
    if method != "GET" {
        respond(&mut stream, 405, "Only GET").await;
        return None;
    }
    if query("state").as_deref() != Some(expected_state) {
        respond(
            &mut stream,
            400,
            "This is not the sign-in clawboot is waiting for.",
        )
        .await;
        return None;
    }
    let outcome = match query("error") {
        Some(error) => {
            let description = query("error_description").unwrap_or_default();
            Err(printable(
                format!("the sign-in was refused: {error} {description}").trim(),
            ))
        }
        None => query("code").ok_or_else(|| "Missing authorization code".to_string()),
    };
    match &outcome {
        Ok(_) => {
            let done = "Signed in to Codex. You can close this tab and return to clawboot.";
            respond(&mut stream, 200, done).await
        }
        Err(message) => respond(&mut stream, 400, message).await,
    }
    Some(outcome)
}

/// The request line: read until its line break (a client may send it in several segments),
/// at most 8 KiB.
async fn read_request_line(stream: &mut TcpStream) -> String {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 1024];
    while !buf.windows(2).any(|w| w == b"\r\n") && buf.len() < 8192 {
        match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => break,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    }
    String::from_utf8_lossy(&buf).into_owned()
}

async fn respond(stream: &mut TcpStream, status: u16, message: &str) {
    let reason = match status {
        200 => "OK",
        404 => "Not Found",
        405 => "Method Not Allowed",
        _ => "Bad Request",
    };
    let body = format!(
        "<!doctype html><meta charset=utf-8><title>clawboot</title><p style=\"font:16px sans-serif\">{}</p>\n",
        message.replace('<', "&lt;")
    );
    let response = format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = stream.write_all(response.as_bytes()).await;
    let _ = stream.shutdown().await;
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Send `request` to the listener on `port`; the status line of the answer.
    async fn send(port: u16, request: &str) -> String {
        let mut stream = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
        stream.write_all(request.as_bytes()).await.unwrap();
        let mut answer = String::new();
        stream.read_to_string(&mut answer).await.unwrap();
        answer.lines().next().unwrap_or_default().to_string()
    }

    #[tokio::test]
    async fn only_this_sign_ins_callback_ends_the_wait() {
        let listener = bind(0).await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let waiting = tokio::spawn(async move { wait_for_code(&listener, "s3cret").await });
        // A preconnect that never speaks does not hold the port.
        let _idle = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
        let forged = "GET /auth/callback?error=x&error_description=%1B%5D0%3Bpwned%07%1B%5B2J&state=guess HTTP/1.1\r\n\r\n";
        assert!(send(port, forged).await.contains("400"));
        assert!(send(
            port,
            "POST /auth/callback?code=c&state=s3cret HTTP/1.1\r\n\r\n"
        )
        .await
        .contains("405"));
        assert!(send(port, "GET /favicon.ico HTTP/1.1\r\n\r\n")
            .await
            .contains("404"));
        assert!(
            !waiting.is_finished(),
            "a request without this sign-in's state ended it"
        );
        let real = "GET /auth/callback?code=the-code&state=s3cret HTTP/1.1\r\n\r\n";
        assert!(send(port, real).await.contains("200"));
        assert_eq!(waiting.await.unwrap().unwrap(), "the-code");
    }

    #[tokio::test]
    async fn a_refusal_with_the_state_ends_it_and_its_text_is_printable() {
        let listener = bind(0).await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let waiting = tokio::spawn(async move { wait_for_code(&listener, "s3cret").await });
        let refused = "GET /auth/callback?error=access_denied&error_description=%1B%5B2Jno&state=s3cret HTTP/1.1\r\n\r\n";
        send(port, refused).await;
        let message = waiting.await.unwrap().unwrap_err().to_string();
        assert!(
            message.starts_with("the sign-in was refused: access_denied"),
            "{message}"
        );
        assert!(!message.chars().any(char::is_control), "{message:?}");
    }
}
