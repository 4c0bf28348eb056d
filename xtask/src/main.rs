//! `cargo xtask`: the two README commands and their helpers.
//!
//! * `run`: install missing system packages, build the app, launch it.
//! * `test`: install what the tests need, then fmt, architecture checks, clippy, the UI
//!   type check, all unit/integration tests, the e2e UI tests under Xvfb, and `eval` when
//!   `../shared/corpus` exists. Stops at the first failing step.
//! * `e2e`: only the e2e UI tests. `eval`: the accuracy table. `bench`: benchmarks against
//!   peer tools, written to BENCHMARKS.md. `bindings`: regenerate `ui/www/src/bindings.ts`.

mod arch;
mod bench;
mod bench_audit;
mod eval;
mod fuzz;
mod sys;
mod xvfb;

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::Instant;

/// A failed step, with what to do about it.
pub type Result<T = ()> = std::result::Result<T, String>;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let task = args.first().map(String::as_str).unwrap_or("help");
    let rest = &args[args.len().min(1)..];
    let started = Instant::now();
    let result = match task {
        "run" => run_app(rest),
        "test" => test_all(),
        "e2e" => sys::ensure_test_tools().and_then(|_| e2e()),
        "eval" => eval::run(&root()),
        "bench" => bench::run(std::env::args().nth(2).as_deref()),
        "arch" => arch::check(&root()),
        "bindings" => bindings(),
        "fuzz" => {
            // cargo xtask fuzz [TARGET|all] [SECONDS]
            let target = rest.first().map(String::as_str).filter(|t| *t != "all");
            match rest.get(1).map(|s| s.parse::<u64>()) {
                Some(Err(_)) => Err("usage: cargo xtask fuzz [TARGET|all] [SECONDS]".into()),
                Some(Ok(secs)) => fuzz::run(target, secs),
                None => fuzz::run(target, 600),
            }
        }
        "help" | "--help" | "-h" => {
            println!(
                "usage: cargo xtask <run [-- APP ARGS] | test | e2e | eval | bench [dnsbl|audit|bounces|reports|habits] | fuzz [TARGET|all] [SECONDS] | arch | bindings>"
            );
            return ExitCode::SUCCESS;
        }
        other => Err(format!(
            "unknown task '{other}'; try: run, test, e2e, eval, bench, fuzz, arch, bindings"
        )),
    };
    match result {
        Ok(()) => {
            eprintln!(
                "xtask {task}: done in {:.0} s",
                started.elapsed().as_secs_f64()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("xtask {task}: FAILED: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The workspace root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}

fn cargo() -> Command {
    let mut c = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    c.current_dir(root());
    c
}

/// Runs `cmd`, echoing it; fails with `what` if it does not exit 0.
pub fn step(what: &str, cmd: &mut Command) -> Result {
    eprintln!("\n==> {what}");
    let t = Instant::now();
    let status = cmd
        .status()
        .map_err(|e| format!("{what}: cannot start {:?}: {e}", cmd.get_program()))?;
    eprintln!("    ({what}: {:.0} s)", t.elapsed().as_secs_f64());
    if status.success() {
        Ok(())
    } else {
        Err(format!("{what} failed ({status})"))
    }
}

fn run_app(args: &[String]) -> Result {
    sys::ensure_build_packages()?;
    ui_prepare()?;
    step(
        "build the app",
        cargo().args(["build", "-p", "inboxlens-app"]),
    )?;
    let app = root().join("target/debug/inboxlens-app");
    let app_args: Vec<&String> = args.iter().filter(|a| a.as_str() != "--").collect();
    if std::env::var_os("DISPLAY").is_none() && std::env::var_os("WAYLAND_DISPLAY").is_none() {
        return Err(format!(
            "no display (DISPLAY and WAYLAND_DISPLAY are unset): run it from a desktop session, or under Xvfb: xvfb-run {}",
            app.display()
        ));
    }
    step("Inboxlens", Command::new(&app).args(app_args))
}

/// The UI's npm packages (`npm ci`, from package-lock.json) and the chart library copied
/// where the app serves it (`ui/www/vendor/`, not committed; the app embeds `ui/www` when it
/// is built, so this runs before every build of the app).
fn ui_prepare() -> Result {
    let ui = root().join("ui");
    step(
        "npm ci (the UI's chart library and type-check tools)",
        Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund", "--loglevel=error"])
            .current_dir(&ui),
    )?;
    let vendor = ui.join("www/vendor");
    std::fs::create_dir_all(&vendor).map_err(|e| format!("{}: {e}", vendor.display()))?;
    for (from, to) in [
        ("node_modules/uplot/dist/uPlot.esm.js", "uPlot.esm.js"),
        ("node_modules/uplot/dist/uPlot.min.css", "uPlot.min.css"),
        ("node_modules/uplot/LICENSE", "uPlot.LICENSE"),
    ] {
        let (src, dst) = (ui.join(from), vendor.join(to));
        let bytes = std::fs::read(&src).map_err(|e| format!("{}: {e}", src.display()))?;
        // Rewritten only when different, so the app is not rebuilt for nothing.
        if std::fs::read(&dst).ok().as_deref() != Some(&bytes[..]) {
            std::fs::write(&dst, &bytes).map_err(|e| format!("{}: {e}", dst.display()))?;
        }
    }
    Ok(())
}

fn ui_check() -> Result {
    let ui = root().join("ui");
    step(
        "tsc: type-check the UI against the generated bindings",
        Command::new("npx")
            .args(["--no-install", "tsc", "-p", "tsconfig.json"])
            .current_dir(&ui),
    )
}

fn test_all() -> Result {
    sys::ensure_build_packages()?;
    sys::ensure_test_tools()?;
    step(
        "cargo fmt --check",
        cargo().args(["fmt", "--all", "--", "--check"]),
    )?;
    arch::check(&root())?;
    step(
        "cargo deny: licences allow-listed, duplicate versions explained, crates.io only",
        cargo()
            .args(["deny", "check", "licenses", "bans", "sources"])
            .env("PATH", sys::path_with_cargo_bin()),
    )?;
    advisories();
    step(
        "cargo clippy (all targets, all features, warnings are errors)",
        cargo().args([
            "clippy",
            "--workspace",
            "--all-targets",
            "--all-features",
            "--",
            "-D",
            "warnings",
        ]),
    )?;
    ui_prepare()?;
    ui_check()?;
    step(
        "build the CLI and the app (the tests run the real binaries)",
        // --all-targets: the same feature set as `cargo test` (dev-dependencies
        // included), so the test step reuses these artifacts instead of rebuilding.
        cargo().args(["build", "--workspace", "--all-features", "--all-targets"]),
    )?;
    let display = xvfb::Xvfb::start()?;
    step(
        "cargo test: unit, integration and e2e UI tests",
        cargo()
            .args(["test", "--workspace", "--all-features", "--no-fail-fast"])
            .env("DISPLAY", display.display())
            .env("PATH", sys::path_with_cargo_bin()),
    )?;
    drop(display);
    let corpus = root().join("../shared/corpus");
    if corpus.is_dir() {
        eval::run(&root())?;
    } else {
        eprintln!("\n==> eval skipped: {} does not exist", corpus.display());
    }
    Ok(())
}

/// `cargo deny check advisories` when the advisory database can be fetched within a minute;
/// offline (CI has no network) it says so and moves on: advisories need the database.
fn advisories() {
    eprintln!("\n==> cargo deny check advisories (needs the RustSec database)");
    let child = cargo()
        .args(["deny", "check", "advisories"])
        .env("PATH", sys::path_with_cargo_bin())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn();
    let Ok(mut child) = child else {
        eprintln!("    skipped: cargo deny did not start");
        return;
    };
    let deadline = Instant::now() + std::time::Duration::from_secs(60);
    loop {
        match child.try_wait() {
            Ok(Some(status)) => {
                let mut err = String::new();
                if let Some(mut e) = child.stderr.take() {
                    use std::io::Read;
                    let _ = e.read_to_string(&mut err);
                }
                if status.success() {
                    eprintln!("    advisories ok");
                } else if err.contains("failed to fetch")
                    || err.contains("unable to")
                    || err.contains("network")
                {
                    eprintln!("    skipped: the advisory database is not reachable from here");
                } else {
                    // Reported, not fatal: a new advisory must not break CI for code that did not change.
                    eprintln!(
                        "    ADVISORIES FOUND (see `cargo deny check advisories`):\n{}",
                        err.lines()
                            .filter(|l| l.contains("error[") || l.contains("ID"))
                            .collect::<Vec<_>>()
                            .join("\n")
                    );
                }
                return;
            }
            Ok(None) if Instant::now() < deadline => {
                std::thread::sleep(std::time::Duration::from_millis(200))
            }
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                eprintln!("    skipped: the advisory database did not arrive within 60 s");
                return;
            }
        }
    }
}

fn e2e() -> Result {
    ui_prepare()?;
    step(
        "build the app",
        cargo().args(["build", "-p", "inboxlens-app", "-p", "inboxlens"]),
    )?;
    let display = xvfb::Xvfb::start()?;
    step(
        "e2e UI tests",
        cargo()
            .args([
                "test",
                "-p",
                "inboxlens-tests",
                "--features",
                "e2e",
                "--",
                "e2e::",
            ])
            .env("DISPLAY", display.display())
            .env("PATH", sys::path_with_cargo_bin()),
    )
}

fn bindings() -> Result {
    step(
        "regenerate ui/www/src/bindings.ts",
        cargo()
            .args([
                "test",
                "-p",
                "inboxlens-app",
                "--lib",
                "bindings_are_current",
            ])
            .env("INBOXLENS_UPDATE_BINDINGS", "1"),
    )
}
