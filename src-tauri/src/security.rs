//! The security posture of the window, checked: a strict CSP (`tauri.conf.json`) and a
//! capability that grants exactly the app's commands (`capabilities/main.json`).

#[cfg(test)]
mod tests {
    /// The CSP stays minimal: only the app's own files and the IPC endpoint; no inline or
    /// evaluated script or style, no plugins, frames, forms or base URL changes.
    #[test]
    fn csp_is_strict() {
        let conf: serde_json::Value =
            serde_json::from_str(include_str!("../tauri.conf.json")).expect("tauri.conf.json");
        let csp = conf["app"]["security"]["csp"].as_str().expect("csp");
        for needle in [
            "unsafe-inline",
            "unsafe-eval",
            "http:",
            "https:",
            "data:",
            "blob:",
            "*",
        ] {
            let allowed = needle == "http:" && csp.contains("http://ipc.localhost");
            let hits = csp.matches(needle).count();
            assert!(
                hits == 0 || (allowed && hits == 1),
                "CSP must not contain {needle}: {csp}"
            );
        }
        for directive in [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'none'",
            "frame-src 'none'",
        ] {
            assert!(csp.contains(directive), "CSP lacks {directive}: {csp}");
        }
        assert_eq!(conf["app"]["security"]["freezePrototype"], true);
    }

    /// The window's capability grants the app's own commands and nothing from Tauri's core
    /// plugins (events, window, path, fs, shell, http…).
    #[test]
    fn capability_grants_only_our_commands() {
        let cap: serde_json::Value =
            serde_json::from_str(include_str!("../capabilities/main.json")).expect("capability");
        let perms = cap["permissions"].as_array().expect("permissions");
        for p in perms {
            let p = p.as_str().expect("string permission");
            assert!(
                p.starts_with("allow-") && !p.contains(':'),
                "{p} is not one of ours"
            );
            let name = p.trim_start_matches("allow-").replace('-', "_");
            assert!(crate::commands::NAMES.contains(&name.as_str()), "{p}");
        }
        assert_eq!(perms.len(), crate::commands::NAMES.len());
    }
}
