//! `inboxlens bounces PATH…`: classify bounces, complaints and auto-replies.

use std::io::{Read, Write};
use std::path::PathBuf;

use inboxlens_core::feeds::{BounceRecord, Decoded, Keep, decode_paths};

use crate::Outcome;
use crate::args::{BouncesArgs, Cli, Format};
use crate::output::input;

pub fn run(cli: &Cli, args: &BouncesArgs) -> anyhow::Result<Outcome> {
    if args.paths.is_empty() {
        return Err(input(
            "name at least one file, directory, mbox or Maildir (or - for stdin)",
        ));
    }
    let stdout = std::io::stdout();
    // Records leave in 64 KiB writes (a pipe's default capacity on Linux) rather than the
    // default 8 KiB: a mailbox's megabytes of JSON lines in an eighth of the writes, and
    // whatever reads the pipe woken an eighth as often (measured: 1-3 % off a corpus run
    // read through a pipe).
    let mut out = std::io::BufWriter::with_capacity(64 * 1024, stdout.lock());
    let mut failed = 0usize;
    let mut all: Vec<BounceRecord> = Vec::new();
    // One record is written into this buffer (`record_json`, serde_json's bytes) and the
    // buffer written at once.
    let mut line: Vec<u8> = Vec::with_capacity(4096);
    let mut emit = |d: Decoded, out: &mut dyn Write| -> bool {
        match d {
            Decoded::Message { records, .. } => {
                for r in records {
                    let ok = match cli.format {
                        Format::Json => {
                            all.push(r);
                            Ok(())
                        }
                        Format::Jsonl => {
                            line.clear();
                            crate::record_json::write(&mut line, &r);
                            line.push(b'\n');
                            out.write_all(&line)
                        }
                        Format::Text => writeln!(out, "{}", text_line(&r)),
                    };
                    if ok.is_err() {
                        return false; // stdout closed (e.g. piped into head)
                    }
                }
            }
            Decoded::Failed { name, reason } => {
                failed += 1;
                eprintln!("inboxlens: {name}: {reason}");
            }
        }
        true
    };
    let (stdin, files): (Vec<&PathBuf>, Vec<&PathBuf>) =
        args.paths.iter().partition(|p| p.as_os_str() == "-");
    if !stdin.is_empty() {
        let mut raw = Vec::new();
        std::io::stdin()
            .read_to_end(&mut raw)
            .map_err(|e| input(format!("stdin: {e}")))?;
        emit(
            inboxlens_core::feeds::batch::decode_one("-".into(), raw, Keep::Bounces),
            &mut out,
        );
    }
    for p in &files {
        if !p.exists() {
            return Err(input(format!("{}: no such file or directory", p.display())));
        }
    }
    let files: Vec<PathBuf> = files.into_iter().cloned().collect();
    let threads = args
        .threads
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    decode_paths(&files, threads, Keep::Bounces, &mut |d| emit(d, &mut out));
    if cli.format == Format::Json {
        writeln!(out, "{}", serde_json::to_string_pretty(&all)?)?;
    }
    out.flush().ok();
    if failed > 0 {
        return Err(input(format!(
            "{failed} file(s) or message(s) could not be read (named above); the rest were decoded"
        )));
    }
    Ok(Outcome::Clean)
}

/// One tab-separated line: file, recipient, reason, then for a bounce hard/soft, status and
/// diagnostic; for a complaint its feedback type, source IP and the feedback loop that sent
/// it (ARF `User-Agent`).
fn text_line(r: &BounceRecord) -> String {
    let or_dash = |s: &str| {
        if s.is_empty() {
            "-".to_string()
        } else {
            s.to_string()
        }
    };
    let (a, b, c) = if r.reason == "feedback" {
        (
            or_dash(&r.feedbacktype),
            or_dash(&r.rhost),
            format!("reported by {}", or_dash(&r.useragent)),
        )
    } else {
        (
            (if r.hardbounce { "hard" } else { "soft" }).to_string(),
            or_dash(&r.status),
            r.diagnosticcode.chars().take(120).collect(),
        )
    };
    format!(
        "{}\t{}\t{}\t{a}\t{b}\t{c}",
        r.file,
        r.recipient.as_deref().unwrap_or("-"),
        r.reason
    )
}
