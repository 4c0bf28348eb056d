//! A private X server for the UI tests.
//!
//! Xvfb picks its own display (`-displayfd`): it skips displays whose lock file
//! names a live server and takes over stale locks, which a pre-check of
//! `/tmp/.X<n>-lock` cannot tell apart. It is stopped with SIGTERM so it removes
//! its lock file and socket; SIGKILL is only the fallback (a killed server leaves
//! its lock behind, and fifty of those once filled every display we tried).

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// How long Xvfb may take to announce its display.
const START_DEADLINE: Duration = Duration::from_secs(20);
/// How long Xvfb may take to exit after SIGTERM before it is killed.
const STOP_DEADLINE: Duration = Duration::from_secs(5);

/// A running Xvfb; stopped on drop.
pub struct Xvfb {
    child: Child,
    display: String,
}

impl Xvfb {
    /// Starts Xvfb on a display it finds free and waits until it accepts clients.
    pub fn start() -> crate::Result<Xvfb> {
        let mut child = Command::new("Xvfb")
            // -displayfd 1: the server writes the display number it chose to
            // stdout once it is ready for connections.
            .args([
                "-displayfd",
                "1",
                "-screen",
                "0",
                "1280x800x24",
                "-nolisten",
                "tcp",
            ])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot start Xvfb: {e}"))?;
        let stdout = child.stdout.take().expect("stdout is piped");
        let mut stderr = child.stderr.take().expect("stderr is piped");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = tx.send(line);
        });
        // Drained on its own thread so a chatty server never blocks on a full pipe;
        // kept for the error message.
        let log = std::thread::spawn(move || {
            let mut text = String::new();
            let _ = stderr.read_to_string(&mut text);
            text
        });
        let started = Instant::now();
        let number = rx.recv_timeout(START_DEADLINE).unwrap_or_default();
        let number = number.trim();
        if number.is_empty() || !number.bytes().all(|b| b.is_ascii_digit()) {
            let mut xvfb = Xvfb {
                child,
                display: String::new(),
            };
            xvfb.stop();
            let log = log.join().unwrap_or_default();
            let lines: Vec<&str> = log.lines().collect();
            let tail = &lines[lines.len().saturating_sub(5)..];
            return Err(format!(
                "Xvfb did not report a display within {} s; its last words: {}",
                started.elapsed().as_secs(),
                if tail.is_empty() {
                    "(none)".to_string()
                } else {
                    tail.join(" | ")
                }
            ));
        }
        let display = format!(":{number}");
        let xvfb = Xvfb { child, display };
        // Belt and braces: the display answers a real client before tests use it.
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if crate::sys::succeeds("xdpyinfo", &["-display", &xvfb.display]) {
                eprintln!("    Xvfb on {}", xvfb.display);
                return Ok(xvfb);
            }
            if Instant::now() >= deadline {
                return Err(format!("Xvfb on {} does not answer xdpyinfo", xvfb.display));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// The DISPLAY value.
    pub fn display(&self) -> &str {
        &self.display
    }

    /// SIGTERM (the server then removes its lock file and socket), SIGKILL if it
    /// is still there after [`STOP_DEADLINE`].
    fn stop(&mut self) {
        if let Ok(Some(_)) = self.child.try_wait() {
            return;
        }
        if crate::sys::succeeds("kill", &["-TERM", &self.child.id().to_string()]) {
            let deadline = Instant::now() + STOP_DEADLINE;
            while Instant::now() < deadline {
                if let Ok(Some(_)) = self.child.try_wait() {
                    return;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Xvfb {
    fn drop(&mut self) {
        self.stop();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The server listens on the display it announced, and once dropped it has
    /// removed its socket: a run leaves nothing behind in /tmp.
    #[test]
    fn starts_and_leaves_no_lock_behind() {
        let xvfb = Xvfb::start().expect("Xvfb starts");
        let n = xvfb.display().trim_start_matches(':').to_string();
        let socket = format!("/tmp/.X11-unix/X{n}");
        let lock = format!("/tmp/.X{n}-lock");
        assert!(
            std::path::Path::new(&socket).exists(),
            "{socket} while running"
        );
        drop(xvfb);
        assert!(
            !std::path::Path::new(&socket).exists(),
            "{socket} after stop"
        );
        assert!(!std::path::Path::new(&lock).exists(), "{lock} after stop");
    }
}
