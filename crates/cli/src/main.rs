//! `inboxlens`: the command line of Inboxlens (DESIGN.md §3).
//!
//! Exit codes: 0 ran and nothing at error/critical; 1 ran and found error/critical
//! results; 2 usage or input error (the message names the file or argument).

/// mimalloc: decoding a mailbox allocates and frees millions of small strings, and glibc's
/// allocator was a sixth of the run (BENCHMARKS.md, bounces: about 10 % less CPU time with
/// mimalloc). Its arenas are committed lazily (`MI_DEFAULT_ARENA_EAGER_COMMIT=0`, set for the C
/// build in `.cargo/config.toml`), so peak RSS stays about 5 MiB above glibc's, not 50.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// `println!` that hands back the write's error instead of panicking: a reader that went
/// away (`inboxlens … | head`) ends the command quietly (see `closed_stdout`).
macro_rules! outln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        writeln!(std::io::stdout().lock(), $($arg)*)
    }};
}

/// A line to stdout whose error is dropped: a closed pipe (`| head`) ends the output quietly
/// and the command runs to its end (its exit code unchanged).
macro_rules! say {
    ($($arg:tt)*) => {{
        let _ = outln!($($arg)*);
    }};
}

/// `print!` that hands back the write's error instead of panicking.
macro_rules! out {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        write!(std::io::stdout().lock(), $($arg)*)
    }};
}

mod accounts;
mod args;
mod audit;
mod blocklist;
mod bounces;
mod import;
mod lookup;
mod output;
mod record_json;
mod reports;
mod score;
mod settings;
mod verify;
mod workspace;

use std::process::ExitCode;

use clap::Parser;

use args::{Cli, Command};

/// How a command ended, mapped to the process exit code.
pub enum Outcome {
    /// Ran; nothing at error or critical.
    Clean,
    /// Ran; found error or critical results.
    Problems,
}

/// An error that is the user's input (exit 2), as opposed to a failure while running.
#[derive(Debug)]
pub struct InputError(pub String);

impl std::fmt::Display for InputError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}
impl std::error::Error for InputError {}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(Outcome::Clean) => ExitCode::SUCCESS,
        Ok(Outcome::Problems) => ExitCode::from(1),
        // The reader of our output went away (`inboxlens … | head`): its choice, not a
        // failure, and nothing is left to tell it. (JSON lines and text already stop quietly
        // at the first failed write; a JSON document fails at its one write.)
        Err(e) if closed_stdout(&e) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("inboxlens: {e:#}");
            ExitCode::from(2)
        }
    }
}

/// Whether `e` is a write to a pipe nobody reads any more.
fn closed_stdout(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

fn run(cli: Cli) -> anyhow::Result<Outcome> {
    match &cli.command {
        Command::Accounts(cmd) => accounts::run(&cli, cmd),
        Command::Settings(cmd) => settings::run(&cli, cmd),
        Command::Lookup(cmd) => lookup::run(&cli, cmd),
        Command::History(cmd) => lookup::history(&cli, cmd),
        Command::Blocklist(cmd) => blocklist::run(&cli, cmd),
        Command::Audit(cmd) => audit::run(&cli, cmd),
        Command::AuditDiff(cmd) => audit::diff(&cli, cmd),
        Command::Verify(cmd) => verify::run(&cli, cmd),
        Command::Bounces(cmd) => bounces::run(&cli, cmd),
        Command::Import(cmd) => import::run(&cli, cmd),
        Command::Feeds(cmd) => import::feeds(&cli, cmd),
        Command::Reports(cmd) => reports::run(&cli, cmd),
        Command::Score(cmd) => score::run(&cli, cmd),
        Command::Report(cmd) => score::report(&cli, cmd),
        Command::Rules(cmd) => score::rules(&cli, cmd),
        Command::Overview(cmd) => workspace::overview(&cli, cmd),
        Command::Timeline(cmd) => workspace::timeline(&cli, cmd),
        Command::Search(cmd) => workspace::search(&cli, cmd),
    }
}
