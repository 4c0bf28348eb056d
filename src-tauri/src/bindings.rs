//! Generation of `ui/www/src/bindings.ts`: the IPC types and the command signatures.
//!
//! `cargo xtask bindings` (or `INBOXLENS_UPDATE_BINDINGS=1 cargo test -p inboxlens-app`)
//! rewrites the file; the test `bindings_are_current` fails when it is stale.

use ts_rs::{Config, TS};

use inboxlens_core::audit::AuditReport;
use inboxlens_core::message::MessageReport;
use ts_rs::TypeVisitor;

use crate::dto::{
    AccountDto, AccountInputDto, AppInfo, AuditRunDto, BlocklistDto, BlocklistReportDto,
    CatalogueDto, ExportDto, FeedFilterDto, FindingDto, ImportStatusDto, ListResultDto,
    ReportFilterDto, ScoreDto, SettingsDto,
};
use crate::error::ApiError;
use inboxlens_core::habits::{MetricDef, RuleCheck};
use inboxlens_store::{
    AccountOverview, DayTrend, FeedSummary, ReportOverview, SearchHit, StoredAuditDiff,
    StoredMessage, StoredRecord, StoredRule, Timeline,
};

/// The bindings file, relative to this crate.
pub const BINDINGS_PATH: &str = "../ui/www/src/bindings.ts";

fn cfg() -> Config {
    // serde_json writes i64 as a JSON number, so the TS type is number.
    Config::new().with_large_int("number")
}

/// `(command, [(argument, TS type)], result TS type)`.
type Signature = (&'static str, Vec<(&'static str, String)>, String);

/// The signature of every command.
fn signatures(cfg: &Config) -> Vec<Signature> {
    vec![
        ("app_info", vec![], AppInfo::name(cfg)),
        (
            "list_accounts",
            vec![],
            format!("Array<{}>", AccountDto::name(cfg)),
        ),
        (
            "create_account",
            vec![("input", AccountInputDto::name(cfg))],
            AccountDto::name(cfg),
        ),
        (
            "update_account",
            vec![
                ("id", "number".into()),
                ("input", AccountInputDto::name(cfg)),
            ],
            AccountDto::name(cfg),
        ),
        (
            "delete_account",
            vec![("id", "number".into())],
            "null".into(),
        ),
        ("get_settings", vec![], SettingsDto::name(cfg)),
        (
            "save_settings",
            vec![("settings", SettingsDto::name(cfg))],
            SettingsDto::name(cfg),
        ),
        (
            "check_blocklists",
            vec![
                ("targets", "Array<string>".into()),
                ("accountId", "number | null".into()),
            ],
            format!("Array<{}>", BlocklistReportDto::name(cfg)),
        ),
        ("get_blocklists", vec![], CatalogueDto::name(cfg)),
        (
            "save_blocklists",
            vec![("toml", "string".into())],
            CatalogueDto::name(cfg),
        ),
        (
            "set_blocklist_enabled",
            vec![("zone", "string".into()), ("enabled", "boolean".into())],
            CatalogueDto::name(cfg),
        ),
        (
            "run_audit",
            vec![
                ("domains", "Array<string>".into()),
                ("accountId", "number | null".into()),
                ("selectors", "Array<string>".into()),
                ("ips", "Array<string>".into()),
            ],
            format!("Array<{}>", AuditReport::name(cfg)),
        ),
        (
            "audit_history",
            vec![("domain", "string".into()), ("limit", "number".into())],
            format!("Array<{}>", AuditRunDto::name(cfg)),
        ),
        (
            "verify_message",
            vec![
                ("raw", "string".into()),
                ("ip", "string".into()),
                ("helo", "string".into()),
                ("mailFrom", "string".into()),
            ],
            MessageReport::name(cfg),
        ),
        (
            "start_feed_import",
            vec![
                ("accountId", "number".into()),
                ("paths", "Array<string>".into()),
            ],
            "number".into(),
        ),
        (
            "feed_import_status",
            vec![("job", "number".into())],
            ImportStatusDto::name(cfg),
        ),
        (
            "feed_records",
            vec![
                ("accountId", "number".into()),
                ("filter", FeedFilterDto::name(cfg)),
            ],
            format!("Array<{}>", StoredRecord::name(cfg)),
        ),
        (
            "feed_summary",
            vec![("accountId", "number".into())],
            FeedSummary::name(cfg),
        ),
        (
            "feed_message",
            vec![("accountId", "number".into()), ("message", "number".into())],
            StoredMessage::name(cfg),
        ),
        (
            "report_overview",
            vec![
                ("accountId", "number".into()),
                ("filter", ReportFilterDto::name(cfg)),
            ],
            ReportOverview::name(cfg),
        ),
        (
            "score_account",
            vec![
                ("accountId", "number".into()),
                ("since", "string".into()),
                ("until", "string".into()),
            ],
            ScoreDto::name(cfg),
        ),
        (
            "list_rules",
            vec![],
            format!("Array<{}>", StoredRule::name(cfg)),
        ),
        (
            "check_rule",
            vec![("toml", "string".into())],
            RuleCheck::name(cfg),
        ),
        (
            "save_rule",
            vec![("toml", "string".into())],
            StoredRule::name(cfg),
        ),
        (
            "set_rule_enabled",
            vec![("id", "string".into()), ("enabled", "boolean".into())],
            StoredRule::name(cfg),
        ),
        ("delete_rule", vec![("id", "string".into())], "null".into()),
        ("reset_rule", vec![("id", "string".into())], "null".into()),
        ("export_rules", vec![], "string".into()),
        (
            "list_metrics",
            vec![],
            format!("Array<{}>", MetricDef::name(cfg)),
        ),
        (
            "habit_trends",
            vec![
                ("accountId", "number".into()),
                ("since", "number".into()),
                ("until", "number".into()),
            ],
            format!("Array<{}>", DayTrend::name(cfg)),
        ),
        (
            "account_overview",
            vec![("accountId", "number".into())],
            AccountOverview::name(cfg),
        ),
        (
            "account_timeline",
            vec![("accountId", "number".into())],
            Timeline::name(cfg),
        ),
        (
            "search",
            vec![("query", "string".into())],
            format!("Array<{}>", SearchHit::name(cfg)),
        ),
        (
            "audit_diff",
            vec![
                ("domain", "string".into()),
                ("from", "number".into()),
                ("to", "number".into()),
            ],
            StoredAuditDiff::name(cfg),
        ),
        (
            "export_report",
            vec![
                ("accountId", "number".into()),
                ("path", "string".into()),
                ("format", "string".into()),
                ("includePersonalData", "boolean".into()),
            ],
            ExportDto::name(cfg),
        ),
    ]
}

/// Collects the declarations of a type and everything it refers to, once each, in the
/// order first met (the engine's report types come from `inboxlens-core` with its `ts`
/// feature, so the UI sees exactly what the CLI prints as JSON).
struct Decls<'a> {
    cfg: &'a Config,
    seen: Vec<String>,
    /// (TypeScript name, declaration); sorted by name before use, because the order in
    /// which ts-rs visits dependencies is not stable between builds.
    out: Vec<(String, String)>,
}

impl TypeVisitor for Decls<'_> {
    fn visit<T: TS + 'static + ?Sized>(&mut self) {
        // Keyed by the Rust type (wrappers included), so recursive types end.
        let key = std::any::type_name::<T>().to_string();
        if self.seen.contains(&key) {
            return;
        }
        self.seen.push(key);
        if T::output_path().is_some() {
            self.out.push((T::ident(self.cfg), T::decl(self.cfg)));
        }
        T::visit_dependencies(self);
    }
}

/// The full text of `ui/www/src/bindings.ts`.
pub fn render() -> String {
    let cfg = cfg();
    let mut out = String::from(
        "// Generated by src-tauri/src/bindings.rs — do not edit. Regenerate: cargo xtask bindings\n\n",
    );
    for decl in [
        ApiError::decl(&cfg),
        AccountDto::decl(&cfg),
        AccountInputDto::decl(&cfg),
        SettingsDto::decl(&cfg),
        AppInfo::decl(&cfg),
        FindingDto::decl(&cfg),
        ListResultDto::decl(&cfg),
        BlocklistReportDto::decl(&cfg),
        BlocklistDto::decl(&cfg),
        CatalogueDto::decl(&cfg),
        AuditRunDto::decl(&cfg),
        FeedFilterDto::decl(&cfg),
        ReportFilterDto::decl(&cfg),
    ]
    .into_iter()
    .chain({
        let mut d = Decls {
            cfg: &cfg,
            seen: Vec::new(),
            out: Vec::new(),
        };
        d.visit::<AuditReport>();
        d.visit::<MessageReport>();
        d.visit::<ImportStatusDto>();
        d.visit::<StoredRecord>();
        d.visit::<FeedSummary>();
        d.visit::<StoredMessage>();
        d.visit::<ReportOverview>();
        d.visit::<ScoreDto>();
        d.visit::<StoredRule>();
        d.visit::<RuleCheck>();
        d.visit::<MetricDef>();
        d.visit::<AccountOverview>();
        d.visit::<Timeline>();
        d.visit::<SearchHit>();
        d.visit::<StoredAuditDiff>();
        d.visit::<ExportDto>();
        d.out.sort();
        d.out.into_iter().map(|(_, decl)| decl)
    }) {
        out.push_str("export ");
        out.push_str(&decl);
        out.push_str("\n\n");
    }
    out.push_str("/** Every IPC command: its arguments and what it resolves to (errors reject with ApiError). */\n");
    out.push_str("export interface Commands {\n");
    for (name, args, result) in signatures(&cfg) {
        let args: Vec<String> = args.iter().map(|(a, t)| format!("{a}: {t}")).collect();
        out.push_str(&format!(
            "  {name}: {{ args: {{ {} }}; result: {result} }};\n",
            args.join("; ")
        ));
    }
    out.push_str("}\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path() -> std::path::PathBuf {
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(BINDINGS_PATH)
    }

    #[test]
    fn bindings_are_current() {
        let fresh = render();
        if std::env::var_os("INBOXLENS_UPDATE_BINDINGS").is_some() {
            std::fs::write(path(), &fresh).expect("write bindings");
        }
        let committed = std::fs::read_to_string(path()).unwrap_or_default();
        assert!(
            committed == fresh,
            "ui/www/src/bindings.ts is stale: run `cargo xtask bindings` and commit the result"
        );
    }

    #[test]
    fn every_command_is_registered_permitted_and_typed() {
        let cfg = cfg();
        let typed: Vec<&str> = signatures(&cfg).iter().map(|s| s.0).collect();
        assert_eq!(typed, crate::commands::NAMES);
        let lib_rs = include_str!("lib.rs");
        let capability: serde_json::Value =
            serde_json::from_str(include_str!("../capabilities/main.json"))
                .expect("capability json");
        let granted: Vec<String> = capability["permissions"]
            .as_array()
            .expect("permissions")
            .iter()
            .map(|p| p.as_str().expect("string").to_string())
            .collect();
        let expected: Vec<String> = crate::commands::NAMES
            .iter()
            .map(|n| format!("allow-{}", n.replace('_', "-")))
            .collect();
        assert_eq!(granted, expected, "capability grants exactly the commands");
        for name in crate::commands::NAMES {
            assert!(
                lib_rs.contains(&format!("::{name},")),
                "lib.rs registers {name}"
            );
        }
    }

    #[test]
    fn settings_form_is_validated() {
        use crate::commands::settings::from_dto;
        let ok = SettingsDto {
            nameservers: vec!["127.0.0.1:5353".into(), " ".into()],
            timeout_secs: 2.0,
            attempts: 2,
            dqs_key: "".into(),
            mta_sts_fetch: false,
        };
        let s = from_dto(&ok).expect("valid");
        assert_eq!(s.dns.nameservers.len(), 1);
        assert!(!s.mta_sts_fetch);
        let bad = SettingsDto {
            nameservers: vec!["resolver.example".into()],
            ..ok.clone()
        };
        let e = from_dto(&bad).expect_err("hostname");
        assert_eq!(e.code, "invalid-input");
        assert!(e.message.contains("resolver.example"));
        let bad = SettingsDto {
            timeout_secs: 0.0,
            ..ok
        };
        assert_eq!(from_dto(&bad).expect_err("timeout").code, "invalid-input");
    }
}
