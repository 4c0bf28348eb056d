//! The DNS layer every check runs through (DESIGN.md §5).
//!
//! * [`DnsSettings`]: where to ask (system resolver or explicit `HOST:PORT` servers over
//!   UDP with TCP fallback), per-query timeout and attempts.
//! * [`Resolver`]: the configured servers, shared by all jobs of a run: a hickory resolver
//!   (for mail-auth's message verification) and the jobs' query path (`transport`:
//!   hickory-proto messages over long-lived UDP sockets, TCP on truncation). No cache of its
//!   own, so every [`DnsJob`] cache miss is a real query.
//! * [`DnsJob`]: one unit of work (an audit of one domain, one blocklist target) with a
//!   per-job deadline and a per-job cache that keeps answers consistent within the job
//!   and counts the queries it sent.
//!
//! "No record" (NXDOMAIN or NODATA) is an [`Answer`], never an error; errors are
//! reserved for what RFC 7208 §2.6.6 and RFC 7489 §6.6.3 call temporary errors
//! (timeouts, SERVFAIL, REFUSED) and for a job that ran out of time.

mod error;
mod job;
mod record;
mod resolver;
mod reverse;
mod settings;
mod transport;

pub use error::DnsError;
pub use job::{DnsJob, DnsStats, SeenAnswer, SeenRecord};
pub use record::{Answer, AnswerStatus, DnsRecord, RecordData, RecordKind};
pub use resolver::Resolver;
pub use reverse::{reverse_name, reversed_labels};
pub use settings::{DEFAULT_ATTEMPTS, DEFAULT_TIMEOUT_SECS, DnsSettings, Nameserver};
