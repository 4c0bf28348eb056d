//! Architecture checks (ARCHITECTURE.md): dependency direction and one hickory.

use std::path::Path;
use std::process::Command;

use crate::Result;

fn tree(root: &Path, args: &[&str]) -> Result<String> {
    let out = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
        .arg("tree")
        .args(args)
        .current_dir(root)
        .output()
        .map_err(|e| format!("cannot run cargo tree: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "cargo tree {} failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Crate names in a `--prefix none` tree listing.
fn names(listing: &str) -> Vec<String> {
    listing
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .map(str::to_string)
        .collect()
}

/// Fails when `package` depends (normal or build dependencies, any features) on one of `crates`.
fn forbid(root: &Path, package: &str, crates: &[&str], why: &str) -> Result {
    let deps = names(&tree(
        root,
        &[
            "-p",
            package,
            "--all-features",
            "-e",
            "normal,build",
            "--prefix",
            "none",
        ],
    )?);
    match crates.iter().find(|c| deps.iter().any(|d| d == *c)) {
        Some(c) => Err(format!("{package} depends on {c}; {why}")),
        None => Ok(()),
    }
}

/// Fails when a layer depends on what it must not, or when hickory appears twice.
pub fn check(root: &Path) -> Result {
    eprintln!("\n==> architecture: dependency direction and duplicate hickory");
    forbid(
        root,
        "inboxlens-core",
        &[
            "tauri",
            "tauri-build",
            "rusqlite",
            "libsqlite3-sys",
            "inboxlens-store",
        ],
        "the engine must stay free of UI and SQL (see ARCHITECTURE.md)",
    )?;
    forbid(
        root,
        "inboxlens-store",
        &["tauri", "tauri-build", "inboxlens"],
        "the store sits below the CLI and the app",
    )?;
    let dups = tree(
        root,
        &[
            "--workspace",
            "--all-features",
            "-d",
            "-e",
            "normal,build",
            "--prefix",
            "none",
            "--depth",
            "0",
        ],
    )?;
    let mut hickory: Vec<&str> = dups.lines().filter(|l| l.starts_with("hickory-")).collect();
    hickory.sort();
    hickory.dedup();
    if !hickory.is_empty() {
        return Err(format!(
            "more than one version of hickory in the tree (mail-auth and our DNS layer must share one): {}",
            hickory.join(", ")
        ));
    }
    ui_rules(&root.join("ui/www/src"))?;
    eprintln!(
        "    core: no tauri/rusqlite/store; store: no app/CLI; hickory: one version; UI: one IPC module, no HTML sinks"
    );
    Ok(())
}

/// The UI rules of ARCHITECTURE.md: only backend.js touches Tauri IPC, and no module writes
/// HTML from strings (hostile content must stay text).
fn ui_rules(dir: &Path) -> Result {
    let sinks = [
        "innerHTML",
        "outerHTML",
        "insertAdjacentHTML",
        "document.write",
        "eval(",
        "new Function",
    ];
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let entries = std::fs::read_dir(&d).map_err(|e| format!("{}: {e}", d.display()))?;
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            if path.extension().is_none_or(|x| x != "js") {
                continue;
            }
            let text =
                std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
            // Comments may name what they forbid.
            let text: String = text
                .lines()
                .filter(|l| {
                    let t = l.trim_start();
                    !(t.starts_with("//") || t.starts_with('*') || t.starts_with("/*"))
                })
                .collect::<Vec<_>>()
                .join("\n");
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
            if name != "backend.js"
                && (text.contains("__TAURI__") || text.contains("__TAURI_INTERNALS__"))
            {
                return Err(format!(
                    "{} talks to Tauri directly; only ui/www/src/backend.js may",
                    path.display()
                ));
            }
            for sink in sinks {
                if text.contains(sink) {
                    return Err(format!(
                        "{} uses {sink}: build DOM with dom.js's h() so data stays text",
                        path.display()
                    ));
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::names;

    #[test]
    fn reads_crate_names_from_a_tree_listing() {
        let listing = "inboxlens-core v0.1.0 (/x)\nhickory-resolver v0.26.3\nrusqlite v0.37.0\n";
        assert_eq!(
            names(listing),
            vec!["inboxlens-core", "hickory-resolver", "rusqlite"]
        );
    }
}
