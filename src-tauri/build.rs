//! Tauri build step. The app manifest lists every IPC command so that each one is denied
//! unless a capability (capabilities/main.json) grants it: least privilege by default.

const COMMANDS: &[&str] = include!("command_names.rs");

fn main() {
    println!("cargo:rerun-if-changed=command_names.rs");
    let manifest = tauri_build::AppManifest::new().commands(COMMANDS);
    tauri_build::try_build(tauri_build::Attributes::new().app_manifest(manifest))
        .expect("tauri build step failed");
}
