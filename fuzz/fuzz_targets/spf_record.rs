//! SPF record parser, linter and macro expander on arbitrary text.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = inboxlens_core::auth::spf::parse(text);
        let _ = inboxlens_core::auth::spf::lint("fuzz.example", text);
        let cx = inboxlens_core::auth::spf::MacroContext {
            sender: "user@fuzz.example",
            domain: "fuzz.example",
            ip: "192.0.2.1".parse().expect("ip"),
            helo: "mail.fuzz.example",
            receiver: "mx.example",
            now: 0,
            validated: "unknown",
        };
        let _ = inboxlens_core::auth::spf::expand(text, &cx);
    }
});
