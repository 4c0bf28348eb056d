//! SMTP TLS report (RFC 8460) JSON parsing and validation.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = inboxlens_core::feeds::tls_report::parse_tls(data);
});
