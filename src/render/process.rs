//! Runs a renderer (`helm`, `kustomize`, `kubectl`): no shell, arguments as given, a
//! time limit, capped output, and network access closed off (proxies pointed at a
//! closed local port) so a chart or overlay from the scanned repository can fetch
//! nothing.

use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// More rendered output than this is cut (and reported as an error).
const MAX_OUTPUT: u64 = 64 * 1024 * 1024;

/// How a run ended.
#[derive(Debug)]
pub(crate) enum Ran {
    Ok(String),
    /// The tool said no: its message (stderr, trimmed).
    Failed(String),
    /// The tool could not be started (not installed, not executable).
    Missing(String),
    TimedOut,
}

/// Runs `program args…` in `dir`.
pub(crate) fn run(program: &Path, args: &[String], dir: &Path, timeout: Duration) -> Ran {
    let mut cmd = Command::new(program);
    cmd.args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for var in [
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "http_proxy",
        "https_proxy",
        "ALL_PROXY",
    ] {
        cmd.env(var, "http://127.0.0.1:9");
    }
    for var in ["NO_PROXY", "no_proxy"] {
        cmd.env_remove(var);
    }
    // No Helm plugins (downloaders, post-renderers) from the user's setup.
    cmd.env(
        "HELM_PLUGINS",
        std::env::temp_dir().join("isolint-no-helm-plugins"),
    );
    let mut child = match cmd.spawn() {
        Ok(c) => c,
        Err(e) => return Ran::Missing(e.to_string()),
    };
    let out = child.stdout.take().map(reader);
    let err = child.stderr.take().map(reader);
    let started = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Some(status),
            Ok(None) if started.elapsed() >= timeout => {
                let _ = child.kill();
                let _ = child.wait();
                break None;
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(5)),
            Err(e) => return Ran::Failed(e.to_string()),
        }
    };
    let collect = |h: Option<std::thread::JoinHandle<Vec<u8>>>| {
        h.and_then(|h| h.join().ok()).unwrap_or_default()
    };
    let (stdout, stderr) = (collect(out), collect(err));
    let Some(status) = status else {
        return Ran::TimedOut;
    };
    let text = |b: Vec<u8>| String::from_utf8_lossy(&b).into_owned();
    if !status.success() {
        return Ran::Failed(text(stderr).trim().to_owned());
    }
    if stdout.len() as u64 >= MAX_OUTPUT {
        return Ran::Failed(format!("more than {MAX_OUTPUT} bytes of output"));
    }
    Ran::Ok(text(stdout))
}

fn reader(stream: impl Read + Send + 'static) -> std::thread::JoinHandle<Vec<u8>> {
    std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = stream.take(MAX_OUTPUT).read_to_end(&mut buf);
        buf
    })
}
