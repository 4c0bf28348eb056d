//! Where things are on disk.

use std::path::{Path, PathBuf};

/// The workspace root (the folder with the top-level Cargo.toml).
pub fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(".."))
}

/// A file under `tests/fixtures/`.
pub fn fixture(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(rel)
}

/// A binary built into the same target folder as the running test (`inboxlens`,
/// `inboxlens-app`). Panics with the command to build it when it is missing.
pub fn target_bin(name: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("current_exe");
    // target/<profile>/deps/it-<hash> → target/<profile>/<name>; a binary of this crate
    // (target/<profile>/inboxlens-demo) looks beside itself.
    let dir = exe.parent().expect("binary in a folder");
    let profile_dir = if dir.ends_with("deps") {
        dir.parent().expect("target/<profile>/deps")
    } else {
        dir
    };
    let path = profile_dir.join(name);
    assert!(
        path.exists(),
        "{} is missing: build it first (cargo build -p {}); cargo xtask test does this",
        path.display(),
        if name == "inboxlens-app" {
            "inboxlens-app"
        } else {
            name
        }
    );
    path
}

/// A resolver that asks only `nameserver` (a loopback fixture), one attempt per query.
pub fn resolver(nameserver: &str, timeout_secs: f64) -> inboxlens_core::dns::Resolver {
    use inboxlens_core::dns::{DnsSettings, Nameserver, Resolver};
    Resolver::from_settings(&DnsSettings {
        nameservers: vec![Nameserver::parse(nameserver).expect("fixture nameserver")],
        timeout_secs,
        attempts: 1,
    })
    .expect("resolver")
}

/// Runs the `inboxlens` CLI on the database `db` with `args`, its environment cleared of the
/// variables that would point it elsewhere (`INBOXLENS_NAMESERVER`, `INBOXLENS_DB`).
pub fn run_inboxlens(db: &Path, args: &[&str]) -> std::process::Output {
    std::process::Command::new(target_bin("inboxlens"))
        .arg("--db")
        .arg(db)
        .args(args)
        .env_remove("INBOXLENS_NAMESERVER")
        .env_remove("INBOXLENS_DB")
        .output()
        .expect("run inboxlens")
}
