//! Feeds: the mail a sender gets back — bounces (RFC 3464 DSNs and the vendor formats),
//! complaints (RFC 5965 ARF), auto-replies (RFC 3834) — and the containers they arrive in
//! (files, directories, mbox, Maildir, gzip).

pub mod batch;
pub mod bounce;
pub mod input;
pub mod record;

pub use batch::{decode_paths, Decoded};
pub use bounce::{decode, DecodeError, Limits};
pub use input::{for_each_message, InputError, Item};
pub use record::BounceRecord;
