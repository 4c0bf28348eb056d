//! The feed input reader on arbitrary bytes, as a file: mbox splitting and mboxrd
//! unquoting, gzip inflation (with its cap), and each message through the decoder.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let dir = std::env::temp_dir().join(format!("inboxlens-fuzz-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    let path = dir.join("input");
    if std::fs::write(&path, data).is_err() {
        return;
    }
    let limits = inboxlens_core::feeds::input::InputLimits {
        max_message: 1 << 20,
        max_inflated: 4 << 20,
    };
    inboxlens_core::feeds::for_each_message(&path, limits, &mut |item| {
        if let Ok(item) = item {
            let _ = inboxlens_core::feeds::decode(&item.data, &item.name, Default::default());
        }
        true
    });
});
