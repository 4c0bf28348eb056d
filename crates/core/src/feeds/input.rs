//! Where feed messages come from: single files, directories (recursive, Maildir's
//! `cur`/`new` included, `tmp` skipped), mbox files (mboxrd `>From ` unescaping) and
//! gzip-compressed versions of any of them.
//!
//! Everything streams: an mbox is read line by line and only one message is held in memory at
//! a time, and gzip input is inflated as it is read. Each message is capped
//! ([`InputLimits::max_message`]) and so is all the data inflated from one gzip file
//! ([`InputLimits::max_inflated`]), so a compression bomb ends in an error naming the file.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::Path;

use thiserror::Error;

/// Size caps for reading feeds.
#[derive(Debug, Clone, Copy)]
pub struct InputLimits {
    /// Largest single message (bytes).
    pub max_message: u64,
    /// Most bytes inflated from one gzip file.
    pub max_inflated: u64,
}

impl Default for InputLimits {
    fn default() -> Self {
        Self {
            max_message: 50 * 1024 * 1024,
            max_inflated: 4 * 1024 * 1024 * 1024,
        }
    }
}

/// One message read from a feed.
#[derive(Debug)]
pub struct Item {
    /// The file it came from; `path#N` for the N-th message of an mbox.
    pub name: String,
    /// The raw message.
    pub data: Vec<u8>,
}

/// A file or message that could not be read; the batch goes on without it.
#[derive(Debug, Error)]
#[error("{name}: {reason}")]
pub struct InputError {
    /// The file (or `path#N` message) concerned.
    pub name: String,
    /// Why, in plain words.
    pub reason: String,
}

impl InputError {
    fn new(name: impl Into<String>, reason: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            reason: reason.into(),
        }
    }
}

/// Reads every message under `path` and hands each (or the error reading it) to `f`, in a
/// stable order (directory entries sorted by name). Returning `false` from `f` stops the walk.
pub fn for_each_message(
    path: &Path,
    limits: InputLimits,
    f: &mut dyn FnMut(Result<Item, InputError>) -> bool,
) {
    let _ = walk(path, limits, f);
}

/// `Err(())` means the callback asked to stop.
fn walk(
    path: &Path,
    limits: InputLimits,
    f: &mut dyn FnMut(Result<Item, InputError>) -> bool,
) -> Result<(), ()> {
    match std::fs::symlink_metadata(path) {
        Ok(m) if m.is_dir() => walk_dir(path, limits, f),
        Ok(_) => read_file(File::open(path), path, &name_of(path), limits, f),
        Err(e) => emit(f, Err(InputError::new(name_of(path), e.to_string()))),
    }
}

/// The entries of a directory in name order; each entry's type comes with it from the
/// directory listing (no extra `stat` per file).
fn walk_dir(
    path: &Path,
    limits: InputLimits,
    f: &mut dyn FnMut(Result<Item, InputError>) -> bool,
) -> Result<(), ()> {
    // Names only: each entry's path is joined when it is read, so the listing a batch waits
    // for before its first message is one allocation an entry, not two.
    let mut entries: Vec<(std::ffi::OsString, Option<std::fs::FileType>)> =
        match std::fs::read_dir(path) {
            Ok(rd) => rd
                .filter_map(|e| e.ok())
                .map(|e| (e.file_name(), e.file_type().ok()))
                .collect(),
            Err(e) => {
                return emit(f, Err(InputError::new(name_of(path), e.to_string())));
            }
        };
    // All entries share the parent, so ordering by name is ordering by path; names in a
    // directory are unique, so an unstable sort gives the one order.
    entries.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    let dir = DirFiles::new(path);
    for (os_name, kind) in entries {
        let entry = path.join(&os_name);
        let file_name = os_name.to_str().unwrap_or("");
        // Hidden files, and Maildir's tmp/ (messages still being written).
        if file_name.starts_with('.') || (file_name == "tmp" && is_maildir(path)) {
            continue;
        }
        match kind {
            Some(k) if k.is_dir() => walk_dir(&entry, limits, f)?,
            // Symlinked directories are not followed (no loops); symlinked files are read.
            Some(k) if k.is_symlink() && entry.is_dir() => {}
            // A FIFO would block the batch until something writes to it, a device may never
            // end: neither is a message file.
            Some(k) if is_special(&k) => emit(
                f,
                Err(InputError::new(
                    name_of(&entry),
                    "not a regular file (a FIFO, socket or device): skipped",
                )),
            )?,
            Some(_) => read_file(
                dir.open(&os_name, &entry),
                &entry,
                &name_of(&entry),
                limits,
                f,
            )?,
            None => walk(&entry, limits, f)?,
        }
    }
    Ok(())
}

/// A FIFO, socket or device (never one on platforms without them).
fn is_special(kind: &std::fs::FileType) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        kind.is_fifo() || kind.is_socket() || kind.is_block_device() || kind.is_char_device()
    }
    #[cfg(not(unix))]
    {
        let _ = kind;
        false
    }
}

/// Opens the files of one directory by name relative to it (on Unix, `openat` on the
/// directory's descriptor: one path component to look up a file instead of the whole path,
/// measured 10-15 % off reading a folder of small messages); by full path elsewhere or when
/// the directory cannot be opened so.
struct DirFiles {
    #[cfg(unix)]
    dir: Option<std::os::fd::OwnedFd>,
}

impl DirFiles {
    fn new(path: &Path) -> Self {
        #[cfg(unix)]
        {
            use rustix::fs::{Mode, OFlags};
            let flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC;
            DirFiles {
                dir: rustix::fs::open(path, flags, Mode::empty()).ok(),
            }
        }
        #[cfg(not(unix))]
        {
            let _ = path;
            DirFiles {}
        }
    }

    /// Opens the entry `name` (whose full path is `full`) for reading, following a symlink
    /// as `File::open` does. Non-blocking, so that a symlink to a FIFO opens (and reads as
    /// empty) instead of waiting for a writer; reading a regular file is the same either way.
    fn open(&self, name: &std::ffi::OsStr, full: &Path) -> io::Result<File> {
        #[cfg(unix)]
        if let Some(dir) = &self.dir {
            use rustix::fs::{Mode, OFlags};
            let flags = OFlags::RDONLY | OFlags::CLOEXEC | OFlags::NONBLOCK;
            return rustix::fs::openat(dir, name, flags, Mode::empty())
                .map(File::from)
                .map_err(io::Error::from);
        }
        let _ = name;
        File::open(full)
    }
}

/// How a file is named in records and errors: its path, with any bytes that are not UTF-8
/// shown as U+FFFD (as `Path::display` does; most paths are UTF-8 and are copied as they are).
fn name_of(path: &Path) -> String {
    match path.to_str() {
        Some(name) => name.to_string(),
        None => path.display().to_string(),
    }
}

fn is_maildir(dir: &Path) -> bool {
    dir.join("cur").is_dir() && dir.join("new").is_dir()
}

fn emit(
    f: &mut dyn FnMut(Result<Item, InputError>) -> bool,
    item: Result<Item, InputError>,
) -> Result<(), ()> {
    if f(item) { Ok(()) } else { Err(()) }
}

/// A reader that fails once more than `left` bytes have been read through it.
struct Capped<R> {
    inner: R,
    left: u64,
    what: &'static str,
}

impl<R: Read> Read for Capped<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        if n as u64 > self.left {
            return Err(io::Error::other(self.what));
        }
        self.left -= n as u64;
        Ok(n)
    }
}

/// Files up to this size are read whole in one go (sized from their metadata); larger ones
/// (mailboxes) stream through a buffer.
const READ_WHOLE: u64 = 4 * 1024 * 1024;

/// Reads the file `opened` from `path` (opened by the caller: by path, or relative to its
/// directory).
fn read_file(
    opened: io::Result<File>,
    path: &Path,
    name: &str,
    limits: InputLimits,
    f: &mut dyn FnMut(Result<Item, InputError>) -> bool,
) -> Result<(), ()> {
    let file = match opened {
        Ok(file) => file,
        Err(e) => return emit(f, Err(InputError::new(name, e.to_string()))),
    };
    // Only a regular file's size says how much there is to read (not a pipe's or a device's).
    let size = match file.metadata() {
        Ok(m) if m.is_file() => m.len(),
        _ => u64::MAX,
    };
    if size <= READ_WHOLE.min(limits.max_message) {
        // One allocation of the right size and no copy for a single message (a .eml), and
        // one read: a read that returns as many bytes as the file's size (of the one more
        // asked for) has reached its end, without the second read that would return none
        // (a folder of messages is thousands of files). A short read (or an interrupted one)
        // goes on reading to the end as before.
        let mut data = vec![0u8; size as usize + 1];
        let first = match (&file).read(&mut data) {
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => 0,
            Err(e) => return emit(f, Err(InputError::new(name, e.to_string()))),
        };
        data.truncate(first);
        if first as u64 != size
            && let Err(e) = (&file)
                .take(READ_WHOLE + 1 - first as u64)
                .read_to_end(&mut data)
        {
            return emit(f, Err(InputError::new(name, e.to_string())));
        }
        // (A file that grew since its size was read is read again, streaming.)
        if data.len() as u64 <= READ_WHOLE {
            if data.starts_with(&[0x1f, 0x8b]) {
                return read_stream(gunzip(io::Cursor::new(data), limits), name, limits, f);
            }
            if data.starts_with(b"From ") {
                return read_mbox(Box::new(io::Cursor::new(data)), name, limits, f);
            }
            return whole_message(data, name, limits, f);
        }
        return read_file_streaming(File::open(path), name, limits, f);
    }
    read_file_streaming(Ok(file), name, limits, f)
}

fn read_file_streaming(
    file: io::Result<File>,
    name: &str,
    limits: InputLimits,
    f: &mut dyn FnMut(Result<Item, InputError>) -> bool,
) -> Result<(), ()> {
    let file = match file {
        Ok(file) => file,
        Err(e) => return emit(f, Err(InputError::new(name, e.to_string()))),
    };
    let mut raw = BufReader::with_capacity(256 * 1024, file);
    let gz = match raw.fill_buf() {
        Ok(head) => head.starts_with(&[0x1f, 0x8b]),
        Err(e) => return emit(f, Err(InputError::new(name, e.to_string()))),
    };
    let reader: Box<dyn BufRead> = if gz {
        gunzip(raw, limits)
    } else {
        Box::new(raw)
    };
    read_stream(reader, name, limits, f)
}

/// gzip data inflated as it is read, capped at [`InputLimits::max_inflated`].
fn gunzip<R: BufRead + 'static>(raw: R, limits: InputLimits) -> Box<dyn BufRead> {
    Box::new(BufReader::new(Capped {
        inner: flate2::bufread::MultiGzDecoder::new(raw),
        left: limits.max_inflated,
        what: "gzip data inflates beyond the limit (a compression bomb?)",
    }))
}

fn read_stream(
    mut reader: Box<dyn BufRead>,
    name: &str,
    limits: InputLimits,
    f: &mut dyn FnMut(Result<Item, InputError>) -> bool,
) -> Result<(), ()> {
    let is_mbox = match reader.fill_buf() {
        Ok(head) => head.starts_with(b"From "),
        Err(e) => return emit(f, Err(InputError::new(name, e.to_string()))),
    };
    if !is_mbox {
        let mut data = Vec::new();
        let mut capped = (&mut reader).take(limits.max_message + 1);
        return match capped.read_to_end(&mut data) {
            Err(e) => emit(f, Err(InputError::new(name, e.to_string()))),
            Ok(_) => whole_message(data, name, limits, f),
        };
    }
    read_mbox(reader, name, limits, f)
}

/// A file (or inflated stream) holding one message.
fn whole_message(
    data: Vec<u8>,
    name: &str,
    limits: InputLimits,
    f: &mut dyn FnMut(Result<Item, InputError>) -> bool,
) -> Result<(), ()> {
    if data.len() as u64 > limits.max_message {
        return emit(
            f,
            Err(InputError::new(
                name,
                format!("message larger than {} bytes", limits.max_message),
            )),
        );
    }
    if data.iter().all(u8::is_ascii_whitespace) {
        return emit(f, Err(InputError::new(name, "empty file")));
    }
    emit(
        f,
        Ok(Item {
            name: name.to_string(),
            data,
        }),
    )
}

/// mbox: a message starts at each line beginning `From ` (the first line, or one after an
/// empty line); `>From `-quoted lines are unquoted one level (mboxrd).
///
/// Lines are read where they lie in the reader's buffer (one SIMD `memchr` each, one
/// `consume` per buffer); only a line that straddles two buffer fills is copied to be joined.
fn read_mbox(
    mut reader: Box<dyn BufRead>,
    name: &str,
    limits: InputLimits,
    f: &mut dyn FnMut(Result<Item, InputError>) -> bool,
) -> Result<(), ()> {
    let mut mbox = Mbox {
        name,
        limits,
        index: 0,
        current: None,
        oversized: false,
        previous_blank: true,
        previous_closing: false,
        next_capacity: 16 * 1024,
    };
    // A line split across two buffer fills, joined here.
    let mut partial: Vec<u8> = Vec::new();
    let from_line = memchr::memmem::Finder::new(b"\nFrom ");
    let quoted_line = memchr::memmem::Finder::new(b"\n>");
    loop {
        let available = match reader.fill_buf() {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => {
                mbox.index += 1;
                return emit(
                    f,
                    Err(InputError::new(
                        format!("{name}#{}", mbox.index),
                        e.to_string(),
                    )),
                );
            }
        };
        if available.is_empty() {
            if !partial.is_empty() {
                mbox.line(&partial, f)?;
            }
            return mbox.finish(f);
        }
        let mut used = 0;
        // Where the next "\nFrom " and "\n>" are in this buffer (None: no more), each looked
        // for again only once passed, so the buffer is searched once for each.
        let mut next: [Option<Option<usize>>; 2] = [None, None];
        loop {
            // A run of whole lines none of which starts with "From " or ">" (most of a
            // mailbox) is taken in one piece: no separator and nothing to unquote in it.
            if partial.is_empty() {
                let rest = &available[used..];
                if rest.len() >= 5 && !rest.starts_with(b"From ") && !rest.starts_with(b">") {
                    for (cached, finder) in next.iter_mut().zip([&from_line, &quoted_line]) {
                        if cached.is_none_or(|at| at.is_some_and(|at| at < used)) {
                            *cached = Some(finder.find(rest).map(|at| used + at));
                        }
                    }
                    let special = next.iter().filter_map(|at| at.flatten()).min();
                    let run = match special {
                        Some(at) => at - used + 1,
                        None => memchr::memrchr(b'\n', rest).map_or(0, |at| at + 1),
                    };
                    if run > 0 {
                        mbox.plain_lines(&rest[..run]);
                        used += run;
                        continue;
                    }
                }
            }
            let Some(i) = memchr::memchr(b'\n', &available[used..]) else {
                break;
            };
            let line = &available[used..used + i + 1];
            used += i + 1;
            if partial.is_empty() {
                mbox.line(line, f)?;
            } else {
                partial.extend_from_slice(line);
                mbox.line(&partial, f)?;
                partial.clear();
            }
        }
        partial.extend_from_slice(&available[used..]);
        let len = available.len();
        reader.consume(len);
    }
}

/// The state of an mbox being split (see [`read_mbox`]).
struct Mbox<'a> {
    name: &'a str,
    limits: InputLimits,
    /// Messages found so far.
    index: usize,
    /// The message being read (none before the first separator).
    current: Option<Vec<u8>>,
    /// The current message passed the size limit: it is reported, not kept.
    oversized: bool,
    previous_blank: bool,
    /// The line before was a closing MIME boundary (`--b--`).
    previous_closing: bool,
    /// Capacity for the next message's buffer: sized like the one before, since most of a
    /// mailbox is alike and growing a buffer line by line copies it several times over.
    next_capacity: usize,
}

impl Mbox<'_> {
    /// Takes one line (with its line end).
    fn line(
        &mut self,
        line: &[u8],
        f: &mut dyn FnMut(Result<Item, InputError>) -> bool,
    ) -> Result<(), ()> {
        let separator = line.starts_with(b"From ")
            && (self.previous_blank
                || (self.current.is_some() && self.previous_closing && is_postmark(line)));
        if separator {
            self.emit_current(false, f)?;
        }
        self.remember_last_line(line);
        if separator {
            self.current = Some(Vec::with_capacity(self.next_capacity));
            return Ok(());
        }
        let body: &[u8] = if line.starts_with(b">") && unquote(line) {
            &line[1..]
        } else {
            line
        };
        self.append(body);
        Ok(())
    }

    /// Takes whole lines none of which starts with `From ` or `>`.
    fn plain_lines(&mut self, lines: &[u8]) {
        let body = lines.strip_suffix(b"\n").unwrap_or(lines);
        let last = match memchr::memrchr(b'\n', body) {
            Some(at) => &lines[at + 1..],
            None => lines,
        };
        self.remember_last_line(last);
        self.append(lines);
    }

    /// What the next line's `From ` needs to know about the line before it.
    fn remember_last_line(&mut self, line: &[u8]) {
        self.previous_blank = line == b"\n" || line == b"\r\n";
        // "--boundary--": the message before ended with its last MIME part.
        let trimmed = line.trim_ascii_end();
        self.previous_closing =
            trimmed.len() > 4 && trimmed.starts_with(b"--") && trimmed.ends_with(b"--");
    }

    /// Adds bytes to the current message (none before the first separator), or marks it
    /// oversized once it passes the limit.
    fn append(&mut self, bytes: &[u8]) {
        let Some(buf) = self.current.as_mut() else {
            return;
        };
        if self.oversized {
            return;
        }
        if (buf.len() + bytes.len()) as u64 > self.limits.max_message {
            self.oversized = true;
            buf.clear();
            return;
        }
        buf.extend_from_slice(bytes);
    }

    /// The end of the input: the last message goes out.
    fn finish(mut self, f: &mut dyn FnMut(Result<Item, InputError>) -> bool) -> Result<(), ()> {
        self.emit_current(true, f)
    }

    fn emit_current(
        &mut self,
        at_end: bool,
        f: &mut dyn FnMut(Result<Item, InputError>) -> bool,
    ) -> Result<(), ()> {
        let Some(data) = self.current.take() else {
            return Ok(());
        };
        self.index += 1;
        let name = self.name;
        // A file holding one message (an .eml saved with its mbox "From " line) keeps its
        // plain name; only real mailboxes get #N.
        let item_name = if at_end && self.index == 1 {
            name.to_string()
        } else {
            format!("{name}#{}", self.index)
        };
        self.next_capacity = (data.len() + data.len() / 8).clamp(4096, 1 << 20);
        let item = if self.oversized {
            Err(InputError::new(
                item_name,
                format!("message larger than {} bytes", self.limits.max_message),
            ))
        } else {
            Ok(Item {
                name: item_name,
                data: trim_separator_blank(data),
            })
        };
        self.oversized = false;
        emit(f, item)
    }
}

/// A `From sender Www Mmm dd hh:mm[:ss] [zone] yyyy` line: the mbox postmark. Recognised
/// without the blank line before it that mbox writers put there only right after a closing
/// MIME boundary (some tools append messages that way); a body that quotes a returned
/// message after its own text ("bounced e-mail:\nFrom a@b Sat Oct …") stays one message.
fn is_postmark(line: &[u8]) -> bool {
    const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let Ok(text) = std::str::from_utf8(line) else {
        return false;
    };
    let words: Vec<&str> = text.split_whitespace().collect();
    // From, sender, weekday, month, day, time, …, year
    if words.len() < 7 || words.len() > 9 {
        return false;
    }
    let time = words[5];
    let time_ok = time.len() >= 5
        && time.split(':').count() >= 2
        && time
            .split(':')
            .all(|p| p.len() == 2 && p.bytes().all(|b| b.is_ascii_digit()));
    let year_ok = words[6..]
        .iter()
        .any(|w| w.len() == 4 && w.bytes().all(|b| b.is_ascii_digit()));
    DAYS.contains(&words[2])
        && MONTHS.contains(&words[3])
        && words[4].len() <= 2
        && words[4].bytes().all(|b| b.is_ascii_digit())
        && time_ok
        && year_ok
}

/// `>From `, `>>From `, …: mboxrd quoting.
fn unquote(line: &[u8]) -> bool {
    let quotes = line.iter().take_while(|b| **b == b'>').count();
    line[quotes..].starts_with(b"From ")
}

/// The blank line before the next `From ` separator belongs to the mbox, not the message.
fn trim_separator_blank(mut data: Vec<u8>) -> Vec<u8> {
    if data.ends_with(b"\r\n\r\n") {
        data.truncate(data.len() - 2);
    } else if data.ends_with(b"\n\n") {
        data.truncate(data.len() - 1);
    }
    data
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn collect(path: &Path, limits: InputLimits) -> Vec<Result<Item, InputError>> {
        let mut out = Vec::new();
        for_each_message(path, limits, &mut |item| {
            out.push(item);
            true
        });
        out
    }

    #[test]
    fn mbox_reads_the_same_whatever_the_buffer_size() {
        let mbox = "From a@b Thu Jan  1 00:00:00 2024\nSubject: one\n\n>From here\n>>From there\nbody line\n\nFrom c@d Thu Jan  1 00:00:01 2024\nSubject: two\n\nhello\nFrom the desk of x\n--b--\nFrom e@f  Thu Jul  2 12:05:06 2020\nSubject: three\n\nlast line without end";
        let read = |capacity: usize| {
            let mut out = Vec::new();
            let reader =
                BufReader::with_capacity(capacity, io::Cursor::new(mbox.as_bytes().to_vec()));
            let _ = read_mbox(
                Box::new(reader),
                "box",
                InputLimits::default(),
                &mut |item| {
                    out.push(item.map(|i| (i.name, i.data)).map_err(|e| e.reason));
                    true
                },
            );
            out
        };
        let expected = read(1 << 16);
        assert_eq!(expected.len(), 3);
        assert_eq!(
            expected[0].as_ref().map(|(_, d)| d.clone()),
            Ok(b"Subject: one\n\nFrom here\n>From there\nbody line\n".to_vec())
        );
        assert_eq!(
            expected[1].as_ref().map(|(_, d)| d.clone()),
            Ok(b"Subject: two\n\nhello\nFrom the desk of x\n--b--\n".to_vec())
        );
        for capacity in [1, 2, 5, 7, 13, 64] {
            assert_eq!(read(capacity), expected, "buffer of {capacity} bytes");
        }
    }

    #[test]
    fn mbox_splits_and_unquotes() {
        let dir = tempdir();
        let path = dir.join("box.mbox");
        std::fs::write(
            &path,
            "From a@b Thu Jan  1 00:00:00 2024\nSubject: one\n\n>From here\nbody\n\nFrom c@d Thu Jan  1 00:00:01 2024\nSubject: two\n\nx\n",
        )
        .expect("write");
        let items = collect(&path, InputLimits::default());
        assert_eq!(items.len(), 2);
        let first = items[0].as_ref().expect("first");
        assert!(first.name.ends_with("box.mbox#1"));
        assert_eq!(first.data, b"Subject: one\n\nFrom here\nbody\n");
        let second = items[1].as_ref().expect("second");
        assert_eq!(second.data, b"Subject: two\n\nx\n");
    }

    #[test]
    fn postmark_without_blank_line_starts_a_message_but_prose_does_not() {
        let dir = tempdir();
        let path = dir.join("two.mbox");
        std::fs::write(
            &path,
            "From a@b  Thu Jul  2 12:05:05 2020\nSubject: one\n\nhello\nFrom the desk of x\nFrom q@r  Thu Jul  2 12:05:01 2020\n--b--\nFrom c@d  Thu Jul  2 12:05:06 2020\nSubject: two\n\nx\n",
        )
        .expect("write");
        let items: Vec<Item> = collect(&path, InputLimits::default())
            .into_iter()
            .map(|r| r.expect("readable"))
            .collect();
        assert_eq!(items.len(), 2);
        assert_eq!(items[0].data, b"Subject: one\n\nhello\nFrom the desk of x\nFrom q@r  Thu Jul  2 12:05:01 2020\n--b--\n");
        assert!(is_postmark(
            b"From MAILER-DAEMON Fri Feb  2 18:30:22 2018\n"
        ));
        assert!(!is_postmark(
            b"From the desk of the postmaster, Thu Jul 2\n"
        ));
    }

    #[test]
    fn gzip_bomb_is_an_error_naming_the_file() {
        let dir = tempdir();
        let path = dir.join("bomb.eml.gz");
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        gz.write_all(b"Subject: x\n\n").expect("gz");
        gz.write_all(&vec![b'a'; 4 << 20]).expect("gz");
        std::fs::write(&path, gz.finish().expect("gz")).expect("write");
        let limits = InputLimits {
            max_message: 50 << 20,
            max_inflated: 1 << 20,
        };
        let items = collect(&path, limits);
        assert_eq!(items.len(), 1);
        let err = items[0].as_ref().expect_err("bomb");
        assert!(err.name.ends_with("bomb.eml.gz"), "{err}");
        assert!(err.reason.contains("compression bomb"), "{err}");
    }

    #[test]
    fn maildir_tmp_is_skipped_and_order_is_stable() {
        let dir = tempdir();
        for sub in ["cur", "new", "tmp"] {
            std::fs::create_dir_all(dir.join(sub)).expect("mkdir");
            std::fs::write(dir.join(sub).join("1"), format!("Subject: {sub}\n\nx\n")).expect("w");
        }
        let names: Vec<String> = collect(&dir, InputLimits::default())
            .into_iter()
            .map(|i| i.expect("item").name)
            .collect();
        assert_eq!(names.len(), 2, "{names:?}");
        assert!(
            names[0].ends_with("cur/1") && names[1].ends_with("new/1"),
            "{names:?}"
        );
    }

    #[cfg(unix)]
    #[test]
    fn folder_entries_are_read_through_symlinks_and_odd_ones_named_not_waited_on() {
        // Files are opened relative to their folder: a symlinked file is read like
        // `File::open` reads it; a dangling link, a FIFO and a link to a FIFO are reported by
        // name and the rest go on; a symlinked folder is not followed.
        use rustix::fs::{CWD, FileType, Mode, mknodat};
        let dir = tempdir();
        let outside = tempdir();
        let fifo = |p: &Path| mknodat(CWD, p, FileType::Fifo, Mode::RUSR | Mode::WUSR, 0);
        std::fs::write(outside.join("target.eml"), "Subject: linked\n\nx\n").expect("w");
        fifo(&outside.join("pipe")).expect("mkfifo");
        std::fs::write(dir.join("a.eml"), "Subject: a\n\nx\n").expect("w");
        std::os::unix::fs::symlink(outside.join("target.eml"), dir.join("b.eml")).expect("ln");
        std::os::unix::fs::symlink(outside.join("gone.eml"), dir.join("c.eml")).expect("ln");
        std::os::unix::fs::symlink(&outside, dir.join("d")).expect("ln");
        fifo(&dir.join("e.eml")).expect("mkfifo");
        std::os::unix::fs::symlink(outside.join("pipe"), dir.join("f.eml")).expect("ln");
        // (Without a writer, a blocking open of either FIFO would never return: walk on a
        // thread and fail after a minute rather than hang the test run.)
        let (tx, rx) = std::sync::mpsc::channel();
        let walked = dir.clone();
        std::thread::spawn(move || {
            let _ = tx.send(collect(&walked, InputLimits::default()));
        });
        let items = rx
            .recv_timeout(std::time::Duration::from_secs(60))
            .expect("the walk returns");
        assert_eq!(items.len(), 5, "{items:?}");
        assert_eq!(items[0].as_ref().expect("a").data, b"Subject: a\n\nx\n");
        let linked = items[1].as_ref().expect("b");
        assert!(linked.name.ends_with("/b.eml"), "{}", linked.name);
        assert_eq!(linked.data, b"Subject: linked\n\nx\n");
        for (item, name) in items[2..].iter().zip(["/c.eml", "/e.eml", "/f.eml"]) {
            let err = item.as_ref().expect_err(name);
            assert!(err.name.ends_with(name), "{err}");
        }
        let fifo_err = items[3].as_ref().expect_err("e");
        assert!(fifo_err.reason.contains("not a regular file"), "{fifo_err}");
    }

    #[test]
    fn oversized_message_is_reported_and_the_next_is_read() {
        let dir = tempdir();
        let path = dir.join("big.mbox");
        let big = "y".repeat(2000);
        std::fs::write(
            &path,
            format!("From a\nSubject: big\n\n{big}\n\nFrom b\nSubject: small\n\nx\n"),
        )
        .expect("write");
        let limits = InputLimits {
            max_message: 1000,
            max_inflated: 1 << 20,
        };
        let items = collect(&path, limits);
        assert!(items[0].is_err());
        assert_eq!(
            items[1].as_ref().expect("small").data,
            b"Subject: small\n\nx\n"
        );
    }

    #[test]
    fn a_single_message_file_is_read_whole_at_any_size() {
        // Around the sizes where one read does or does not reach the end.
        let dir = tempdir();
        let empty = dir.join("empty.eml");
        std::fs::write(&empty, "").expect("write");
        assert!(collect(&empty, InputLimits::default())[0].is_err());
        for size in [
            0usize,
            1,
            4095,
            4096,
            4097,
            65_536,
            1 << 20,
            READ_WHOLE as usize + 10,
        ] {
            let path = dir.join(format!("m{size}.eml"));
            let body = "z".repeat(size.saturating_sub(20));
            let data = format!("Subject: s\n\n{body}");
            std::fs::write(&path, &data).expect("write");
            let items = collect(&path, InputLimits::default());
            assert_eq!(items.len(), 1, "{size}");
            let got = &items[0].as_ref().expect("read").data;
            assert_eq!(got.len(), data.len(), "{size}");
            assert!(got == data.as_bytes(), "{size}");
        }
    }

    fn tempdir() -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!(
            "inboxlens-input-{}-{}",
            std::process::id(),
            rand::random::<u64>()
        ));
        std::fs::create_dir_all(&dir).expect("mkdir");
        dir
    }
}
