//! Feeds: the mail a sender gets back — bounces (RFC 3464 DSNs and the vendor formats),
//! complaints (RFC 5965 ARF), auto-replies (RFC 3834) — and the containers they arrive in
//! (files, directories, mbox, Maildir, gzip) — and the reports receivers send about the
//! customer's domain: DMARC aggregate and failure reports, SMTP TLS reports.

pub mod batch;
pub mod bounce;
pub mod dmarc_report;
pub mod failure_report;
pub mod input;
pub mod record;
pub mod report;
pub mod source;
pub mod tls_report;
pub mod xml;

pub use batch::{Decoded, Keep, decode_paths};
pub use bounce::{DecodeError, Limits, decode};
pub use input::{InputError, Item, for_each_message};
pub use record::BounceRecord;
pub use report::{Report, ReportError, ReportLimits, parse_report};
