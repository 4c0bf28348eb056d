//! DKIM key records (RFC 6376 §3.6.1, RFC 8463) and the selectors an audit tries when the
//! user names none. Message signatures are verified with mail-auth (message inspector).

mod key;
mod selectors;

pub use key::{KeyError, KeyRecord, KeyType, key_bits, looks_like_key, parse};
pub use selectors::COMMON_SELECTORS;
