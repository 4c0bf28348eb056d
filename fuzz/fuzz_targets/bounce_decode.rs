//! Bounce, ARF, SES and auto-reply decoding of one message: MIME splitting, transfer and
//! charset decoding, status blocks, error-text scraping, reason classification.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = inboxlens_core::feeds::decode(data, "fuzz", Default::default());
});
