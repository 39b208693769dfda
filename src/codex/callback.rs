//! The listener on 127.0.0.1 that receives the browser's redirect (`GET /auth/callback`).

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use url::Url;

/// Bind the callback port on loopback only.
pub async fn bind(port: u16) -> std::io::Result<TcpListener> {
    TcpListener::bind(("127.0.0.1", port)).await
}

/// Serve until a callback with the expected state arrives; answer the browser with a short
/// page. Other paths get 404 and are ignored; a wrong state or an error ends the sign-in.
pub async fn wait_for_code(listener: &TcpListener, expected_state: &str) -> anyhow::Result<String> {
    loop {
        let (mut stream, _) = listener.accept().await?;
        let request = read_request_line(&mut stream).await;
        let target = request.split_whitespace().nth(1).unwrap_or("/");
        let url = Url::parse(&format!("http://localhost{target}"))
            .unwrap_or_else(|_| Url::parse("http://localhost/").expect("a valid URL"));
        if url.path() != "/auth/callback" {
            respond(&mut stream, 404, "Not found").await;
            continue;
        }
        let query = |key: &str| {
            url.query_pairs()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.into_owned())
        };
        let outcome = if let Some(error) = query("error") {
            let description = query("error_description").unwrap_or_default();
            Err(format!("the sign-in was refused: {error} {description}")
                .trim()
                .to_string())
        } else if query("state").as_deref() != Some(expected_state) {
            Err("State mismatch".to_string())
        } else {
            query("code").ok_or_else(|| "Missing authorization code".to_string())
        };
        match outcome {
            Ok(code) => {
                respond(
                    &mut stream,
                    200,
                    "Signed in to Codex. You can close this tab and return to clawboot.",
                )
                .await;
                return Ok(code);
            }
            Err(message) => {
                respond(&mut stream, 400, &message).await;
                anyhow::bail!("{message}: start the sign-in again");
            }
        }
    }
}

/// The request line: read until its line break (a client may send it in several segments),
/// at most 8 KiB.
async fn read_request_line(stream: &mut tokio::net::TcpStream) -> String {
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

async fn respond(stream: &mut tokio::net::TcpStream, status: u16, message: &str) {
    let reason = match status {
        200 => "OK",
        404 => "Not Found",
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
