//! Decoding many messages at once: one reader walks the inputs (in order), worker threads
//! decode, and results come back in input order. Memory stays bounded: at most a few
//! messages per worker are in flight.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::mpsc;
use std::sync::{Arc, Mutex};

use sha2::{Digest, Sha256};

use super::bounce::{Limits, decode};
use super::input::{InputLimits, for_each_message};
use super::record::BounceRecord;
use super::report::{Report, ReportLimits, is_bare_report, parse_report};

/// The result for one message (or one unreadable file).
#[derive(Debug)]
pub enum Decoded {
    /// The message was read; zero records means it was not a bounce, complaint or auto-reply.
    Message {
        /// `path` or `path#N`.
        name: String,
        /// SHA-256 of the raw message, hex: what an import is keyed by (empty unless
        /// [`Keep::Message`] was asked for).
        hash: String,
        /// Its size in bytes.
        size: usize,
        /// The message itself (kept for import and drill-down; empty unless
        /// [`Keep::Message`] was asked for).
        raw: Vec<u8>,
        /// The records (one per recipient).
        records: Vec<BounceRecord>,
        /// The DMARC or TLS report the message or file holds.
        report: Option<Box<Report>>,
    },
    /// The file or message could not be read or decoded; the batch goes on.
    Failed {
        /// `path` or `path#N`.
        name: String,
        /// Why, in plain words.
        reason: String,
    },
}

/// What [`decode_paths`] keeps of each message besides its records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Keep {
    /// Records and the reports messages carry.
    Records,
    /// Bounce, complaint and auto-reply records only (`inboxlens bounces`): the report
    /// reader is not run, so a message that only carries a DMARC or TLS report yields
    /// nothing here (`inboxlens reports` reads those).
    Bounces,
    /// Records, the raw message and its SHA-256 (import).
    Message,
    /// Reports only (`inboxlens reports`): mail is not run through the bounce decoder.
    Reports,
}

/// Decodes every message under `paths` with `threads` workers and hands the results to `f`
/// in input order. Returning `false` from `f` stops the batch.
pub fn decode_paths(
    paths: &[PathBuf],
    threads: usize,
    keep: Keep,
    f: &mut dyn FnMut(Decoded) -> bool,
) {
    let threads = threads.max(1);
    // Messages travel in small chunks: one hand-off per chunk instead of per message keeps
    // the threads busy decoding rather than waking each other. A chunk is cut at
    // CHUNK_MESSAGES messages or CHUNK_BYTES bytes, so memory stays bounded. The first
    // chunks are smaller (1, 2, 4 … messages) so that the workers start on the first
    // message read rather than the 32nd.
    const CHUNK_MESSAGES: usize = 32;
    const CHUNK_BYTES: usize = 512 * 1024;
    type Work = Vec<(usize, String, Vec<u8>)>;
    let (work_tx, work_rx) = mpsc::sync_channel::<Work>(threads * 2);
    let (done_tx, done_rx) = mpsc::sync_channel::<Vec<(usize, Decoded)>>(threads * 2);
    let work_rx = Arc::new(Mutex::new(work_rx));
    std::thread::scope(|scope| {
        let failed_tx = done_tx.clone();
        scope.spawn(move || {
            let mut seq = 0usize;
            let mut chunk: Work = Vec::new();
            let mut chunk_bytes = 0usize;
            let mut chunk_messages = 1usize;
            for path in paths {
                let mut keep_going = true;
                for_each_message(path, InputLimits::default(), &mut |item| {
                    let sent = match item {
                        Ok(item) => {
                            chunk_bytes += item.data.len();
                            chunk.push((seq, item.name, item.data));
                            if chunk.len() >= chunk_messages || chunk_bytes >= CHUNK_BYTES {
                                chunk_bytes = 0;
                                chunk_messages = (chunk_messages * 2).min(CHUNK_MESSAGES);
                                work_tx.send(std::mem::take(&mut chunk)).is_ok()
                            } else {
                                true
                            }
                        }
                        Err(e) => failed_tx
                            .send(vec![(
                                seq,
                                Decoded::Failed {
                                    name: e.name,
                                    reason: e.reason,
                                },
                            )])
                            .is_ok(),
                    };
                    seq += 1;
                    keep_going = sent;
                    sent
                });
                if !keep_going {
                    return;
                }
            }
            if !chunk.is_empty() {
                let _ = work_tx.send(chunk);
            }
        });
        for worker in 0..threads {
            let rx = Arc::clone(&work_rx);
            let tx = done_tx.clone();
            scope.spawn(move || {
                if worker == 0 && keep != Keep::Reports {
                    // The automata are read (and the few patterns compiled at run time
                    // compile) while the reader opens the first files. In a worker, not a
                    // thread of its own: the regex engine keeps the search states it builds
                    // (and its fastest, lock-free cache) for the thread that used a pattern
                    // first, so a warm-up thread's would leave with it and every worker would
                    // take the slower shared path.
                    super::bounce::warm_up();
                }
                loop {
                    let next = match rx.lock() {
                        Ok(guard) => guard.recv(),
                        Err(_) => return,
                    };
                    let Ok(chunk) = next else {
                        return;
                    };
                    let results = chunk
                        .into_iter()
                        .map(|(seq, name, data)| (seq, decode_one(name, data, keep)))
                        .collect();
                    if tx.send(results).is_err() {
                        return;
                    }
                }
            });
        }
        // The workers hold the only handles on the work queue: when they all end (the
        // results' receiver gone), the queue closes and a reader blocked on a full queue
        // gets an error and ends too, instead of waiting for ever.
        drop(work_rx);
        drop(done_tx);
        let mut pending: BTreeMap<usize, Decoded> = BTreeMap::new();
        let mut next = 0usize;
        let mut stopped = false;
        for results in done_rx.iter() {
            if stopped {
                continue;
            }
            pending.extend(results);
            while let Some(result) = pending.remove(&next) {
                next += 1;
                if !f(result) {
                    stopped = true;
                    break;
                }
            }
            if stopped {
                // Dropping the receiver ends the workers and the reader.
                break;
            }
        }
        drop(done_rx);
    });
}

/// Decodes one message (the unit the workers run): a bare report or archive (XML, JSON,
/// gzip, zip) is read as a report; mail goes to the bounce decoder and, when it names a
/// report format, to the report reader. A DMARC failure report keeps its ARF record too (as
/// sisimai reports it; the import stores it as a report, not a complaint); a bounce that
/// merely carries an unreadable archive stays a bounce.
pub fn decode_one(name: String, data: Vec<u8>, keep: Keep) -> Decoded {
    let limits = ReportLimits::default();
    let (records, report) = if is_bare_report(&data) && keep == Keep::Bounces {
        // A report file (XML, JSON, an archive) holds no bounce.
        (Vec::new(), None)
    } else if is_bare_report(&data) {
        match parse_report(&data, limits) {
            Ok(Some(report)) => (Vec::new(), Some(Box::new(report))),
            Ok(None) => (Vec::new(), None),
            Err(e) => {
                return Decoded::Failed {
                    name,
                    reason: e.to_string(),
                };
            }
        }
    } else if keep == Keep::Reports {
        match parse_report(&data, limits) {
            Ok(report) => (Vec::new(), report.map(Box::new)),
            Err(e) => {
                return Decoded::Failed {
                    name,
                    reason: e.to_string(),
                };
            }
        }
    } else {
        let records = match decode(&data, &name, Limits::default()) {
            Ok(records) => records,
            Err(e) => {
                return Decoded::Failed {
                    name,
                    reason: e.to_string(),
                };
            }
        };
        let is_complaint_or_bounce = records.iter().any(|r| r.feedbacktype != "auth-failure");
        if keep == Keep::Bounces {
            (records, None)
        } else {
            match parse_report(&data, limits) {
                Ok(Some(report)) => (records, Some(Box::new(report))),
                Ok(None) => (records, None),
                Err(_) if is_complaint_or_bounce => (records, None),
                Err(e) => {
                    return Decoded::Failed {
                        name,
                        reason: e.to_string(),
                    };
                }
            }
        }
    };
    Decoded::Message {
        hash: if keep == Keep::Message {
            hex(&Sha256::digest(&data))
        } else {
            String::new()
        },
        size: data.len(),
        raw: if keep == Keep::Message {
            data
        } else {
            Vec::new()
        },
        name,
        records,
        report,
    }
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes.iter().fold(String::with_capacity(64), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}
