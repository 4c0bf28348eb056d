//! MTA-STS policy files and MX pattern matching on arbitrary text.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(p) = inboxlens_core::audit::mta_sts::parse_policy(text) {
            for pat in &p.mx {
                let _ = inboxlens_core::audit::mta_sts::mx_matches(pat, "mx1.fuzz.example");
            }
        }
    }
});
