//! Writes the workspace story account (see `inboxlens_tests::story`) into a database, for
//! trying the app and taking the README screenshots without a network:
//! `cargo run -p inboxlens-tests --bin inboxlens-demo -- /tmp/demo.db`.

fn main() {
    let Some(db) = std::env::args_os().nth(1).map(std::path::PathBuf::from) else {
        eprintln!("usage: inboxlens-demo DATABASE (a new file)");
        std::process::exit(2);
    };
    if db.exists() {
        eprintln!("{} exists: give a new file", db.display());
        std::process::exit(2);
    }
    let dir = std::env::temp_dir().join(format!("inboxlens-demo-{}", std::process::id()));
    let id = inboxlens_tests::story::story_account(&dir, &db, &["192.0.2.10", "192.0.2.66"]);
    let _ = std::fs::remove_dir_all(&dir);
    println!("{}: account Sender (id {id})", db.display());
}
