//! Feeds: the mail a sender gets back — bounces (RFC 3464 DSNs and the vendor formats),
//! complaints (RFC 5965 ARF), auto-replies (RFC 3834) — and the containers they arrive in
//! (files, directories, mbox, Maildir, gzip).

pub mod batch;
pub mod bounce;
pub mod input;
pub mod record;

pub use batch::{Decoded, Keep, decode_paths};
pub use bounce::{DecodeError, Limits, decode};
pub use input::{InputError, Item, for_each_message};
pub use record::BounceRecord;
