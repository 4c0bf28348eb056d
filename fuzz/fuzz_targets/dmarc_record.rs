//! DMARC record parser and linter on arbitrary text.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = inboxlens_core::auth::dmarc::parse(text);
        let _ = inboxlens_core::auth::dmarc::lint("fuzz.example", text);
    }
});
