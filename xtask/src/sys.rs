//! Installing what is missing on a Debian/Ubuntu machine: apt packages, tauri-driver,
//! Node.js/npm for the UI's npm packages (the chart library, the type check).

use std::path::PathBuf;
use std::process::{Command, Stdio};

use crate::{Result, step};

/// Tauri's Linux build prerequisites (WebKitGTK 4.1 brings GTK 3, libsoup 3, JSCore), and
/// npm: the app's UI ships an npm package (uPlot), fetched by `npm ci` before it is built.
const BUILD_PACKAGES: &[&str] = &[
    "build-essential",
    "pkg-config",
    "libssl-dev",
    "libwebkit2gtk-4.1-dev",
    "librsvg2-dev",
    "libayatana-appindicator3-dev",
    "libxdo-dev",
    "file",
    "nodejs",
    "npm",
];

/// What the UI tests need besides the build packages.
const TEST_PACKAGES: &[&str] = &["xvfb", "xauth", "x11-utils", "webkit2gtk-driver"];

fn installed(pkg: &str) -> bool {
    Command::new("dpkg-query")
        .args(["-W", "-f=${Status}", pkg])
        .stderr(Stdio::null())
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).contains("install ok installed"))
        .unwrap_or(false)
}

fn have(cmd: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {cmd}")])
        .stdout(Stdio::null())
        .status()
        .map(|s| s.success())
        .unwrap_or(false)
}

/// Whether `program args…` runs and exits with success (its output discarded).
pub(crate) fn succeeds(program: &str, args: &[&str]) -> bool {
    Command::new(program)
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .map(|s| s.success())
        .unwrap_or(false)
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

/// Installs the missing packages of `wanted` with apt-get (directly as root, else with
/// sudo); explains what to run when neither is possible.
fn apt_install(wanted: &[&str]) -> Result {
    if !have("dpkg-query") {
        eprintln!(
            "    not a Debian/Ubuntu system: make sure the equivalents of these are installed: {}",
            wanted.join(" ")
        );
        return Ok(());
    }
    let missing: Vec<&str> = wanted.iter().copied().filter(|p| !installed(p)).collect();
    // Node may come from elsewhere (nvm, NodeSource): only ask apt when npm is absent.
    let missing: Vec<&str> = missing
        .into_iter()
        .filter(|p| !(matches!(*p, "nodejs" | "npm") && have("npm") && have("node")))
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    let list = missing.join(" ");
    let prefix: Vec<&str> = if is_root() {
        vec![]
    } else if have("sudo") {
        vec!["sudo", "-n"]
    } else {
        return Err(format!(
            "missing system packages: {list}. Install them as root: apt-get update && apt-get install -y --no-install-recommends {list}"
        ));
    };
    let run = |args: &[&str]| {
        let mut all: Vec<&str> = prefix.clone();
        all.extend_from_slice(args);
        let mut c = Command::new(all[0]);
        c.args(&all[1..]).env("DEBIAN_FRONTEND", "noninteractive");
        c
    };
    step("apt-get update", &mut run(&["apt-get", "update", "-q"])).map_err(|e| {
        format!("{e}; install by hand: sudo apt-get install -y --no-install-recommends {list}")
    })?;
    let mut args = vec!["apt-get", "install", "-y", "-q", "--no-install-recommends"];
    args.extend(missing.iter().copied());
    step(&format!("apt-get install {list}"), &mut run(&args)).map_err(|e| {
        format!("{e}; install by hand: sudo apt-get install -y --no-install-recommends {list}")
    })
}

/// The build prerequisites of the desktop app.
pub fn ensure_build_packages() -> Result {
    apt_install(BUILD_PACKAGES)
}

/// Xvfb, WebKitWebDriver and tauri-driver 2.x (besides the build packages).
pub fn ensure_test_tools() -> Result {
    let mut all: Vec<&str> = BUILD_PACKAGES.to_vec();
    all.extend_from_slice(TEST_PACKAGES);
    apt_install(&all)?;
    let driver = cargo_bin().join("tauri-driver");
    let current = driver.is_file()
        && Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
            .args(["install", "--list"])
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).contains("tauri-driver v2."))
            .unwrap_or(false);
    let deny_ok = cargo_bin().join("cargo-deny").is_file()
        && Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
            .args(["install", "--list"])
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).contains("cargo-deny v0.20."))
            .unwrap_or(false);
    if !deny_ok {
        step(
            "cargo install cargo-deny 0.20 (licence, ban and source checks)",
            Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into())).args([
                "install",
                "cargo-deny",
                "--version",
                "~0.20.2",
                "--locked",
            ]),
        )?;
    }
    if !current {
        step(
            "cargo install tauri-driver 2.x",
            Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into())).args([
                "install",
                "tauri-driver",
                "--version",
                "^2",
                "--locked",
            ]),
        )?;
    }
    Ok(())
}

fn cargo_bin() -> PathBuf {
    if let Some(home) = std::env::var_os("CARGO_HOME") {
        return PathBuf::from(home).join("bin");
    }
    std::env::var_os("HOME")
        .map(|h| PathBuf::from(h).join(".cargo/bin"))
        .unwrap_or_else(|| PathBuf::from(".cargo/bin"))
}

/// PATH with cargo's bin folder in front, so tauri-driver is found.
pub fn path_with_cargo_bin() -> std::ffi::OsString {
    let mut parts = vec![cargo_bin()];
    if let Some(p) = std::env::var_os("PATH") {
        parts.extend(std::env::split_paths(&p));
    }
    std::env::join_paths(parts).unwrap_or_default()
}

/// knot DNS (server and kdig), pydnsbl and checkdmarc for `cargo xtask bench`.
/// sisimai 5.3.0 from Debian trixie: the version the bounce corpus expectations come from
/// (bookworm's 4.25 predates half the taxonomy). Fetched as the .deb and unpacked under
/// target/bench/tools, checked against this SHA-256 (the one in corpus/SOURCES.md).
const SISIMAI_DEB: &str =
    "http://deb.debian.org/debian/pool/main/libs/libsisimai-perl/libsisimai-perl_5.3.0-1_all.deb";
const SISIMAI_SHA256: &str = "c68e60dd23ec660e1726279997e7d774b1f5038dd17ea76a068c3c77f984b9b2";

/// Installs the peers of the bounce benchmark; returns sisimai's perl library folder.
pub fn ensure_bounce_bench_tools(tools: &std::path::Path) -> Result<std::path::PathBuf> {
    apt_install(&[
        "python3-pip",
        "time",
        "curl",
        "libclass-accessor-lite-perl",
        "libjson-perl",
    ])?;
    let lib = tools.join("sisimai/usr/share/perl5");
    if !lib.join("Sisimai.pm").exists() {
        std::fs::create_dir_all(tools).map_err(|e| e.to_string())?;
        let deb = tools.join("libsisimai-perl_5.3.0-1_all.deb");
        step(
            "download sisimai 5.3.0 (.deb)",
            Command::new("curl")
                .args(["-sSfL", "--retry", "3", "-o"])
                .arg(&deb)
                .arg(SISIMAI_DEB),
        )?;
        let sum = Command::new("sha256sum")
            .arg(&deb)
            .output()
            .map_err(|e| e.to_string())?;
        let sum = String::from_utf8_lossy(&sum.stdout);
        if !sum.starts_with(SISIMAI_SHA256) {
            return Err(format!("{}: unexpected SHA-256 {sum}", deb.display()));
        }
        step(
            "unpack sisimai",
            Command::new("dpkg-deb")
                .arg("-x")
                .arg(&deb)
                .arg(tools.join("sisimai")),
        )?;
    }
    pip_tool(
        &["python3", "-c", "import flufl.bounce"],
        "flufl.bounce==6.0.0",
    )?;
    Ok(lib)
}

/// Installs a PyPI package (pinned) unless `probe` (a command and its arguments) already runs.
fn pip_tool(probe: &[&str], package: &str) -> Result {
    if succeeds(probe[0], &probe[1..]) {
        return Ok(());
    }
    step(
        &format!("pip install {package}"),
        Command::new("python3").args(["-m", "pip", "install", "--quiet", package]),
    )
}

/// parsedmarc 11.1.0 (the version the corpus expectations come from) and GNU time.
pub fn ensure_report_bench_tools() -> Result {
    apt_install(&["python3-pip", "time"])?;
    pip_tool(&["parsedmarc", "--version"], "parsedmarc==11.1.0")
}

pub fn ensure_bench_tools() -> Result {
    apt_install(&["knot", "knot-dnsutils", "python3-pip", "time"])?;
    pip_tool(&["python3", "-c", "import pydnsbl"], "pydnsbl==1.1.7")?;
    pip_tool(&["checkdmarc", "--version"], "checkdmarc==6.0.4")?;
    if !is_root() {
        return Err("the benchmarks serve their zones on 127.0.0.2:53 (pydnsbl and checkdmarc cannot use another port): run them as root".into());
    }
    Ok(())
}
