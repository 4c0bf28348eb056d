//! Data crossing the IPC boundary. TypeScript twins are generated into
//! `ui/www/src/bindings.ts` (see [`crate::bindings`]).

use inboxlens_core::account::AccountInput;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// An account as the UI shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct AccountDto {
    /// Row id.
    pub id: i64,
    /// Unique name.
    pub name: String,
    /// Sending domains.
    pub domains: Vec<String>,
    /// Sending IPs.
    pub sending_ips: Vec<String>,
    /// DKIM selectors.
    pub dkim_selectors: Vec<String>,
    /// Notes.
    pub notes: String,
    /// RFC 3339 creation time.
    pub created_at: String,
    /// RFC 3339 last edit time.
    pub updated_at: String,
}

impl From<inboxlens_store::Account> for AccountDto {
    fn from(a: inboxlens_store::Account) -> Self {
        Self {
            id: a.id,
            name: a.name,
            domains: a.domains,
            sending_ips: a.sending_ips,
            dkim_selectors: a.dkim_selectors,
            notes: a.notes,
            created_at: a.created_at,
            updated_at: a.updated_at,
        }
    }
}

/// What the account form submits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct AccountInputDto {
    /// Name.
    pub name: String,
    /// Domains.
    pub domains: Vec<String>,
    /// Sending IPs.
    pub sending_ips: Vec<String>,
    /// DKIM selectors.
    pub dkim_selectors: Vec<String>,
    /// Notes.
    pub notes: String,
}

impl From<AccountInputDto> for AccountInput {
    fn from(d: AccountInputDto) -> Self {
        AccountInput {
            name: d.name,
            domains: d.domains,
            sending_ips: d.sending_ips,
            dkim_selectors: d.dkim_selectors,
            notes: d.notes,
        }
    }
}

/// Settings as the Settings view edits them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct SettingsDto {
    /// Nameservers as `IP[:PORT]` text; empty = system resolver.
    pub nameservers: Vec<String>,
    /// Per-query timeout in seconds.
    pub timeout_secs: f64,
    /// Attempts per query.
    pub attempts: u32,
    /// Spamhaus DQS key, empty for none.
    pub dqs_key: String,
    /// Whether audits fetch the MTA-STS policy over HTTPS.
    pub mta_sts_fetch: bool,
}

/// Facts about the running app for the status bar and the Settings view.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct AppInfo {
    /// Inboxlens version.
    pub version: String,
    /// The database file, if one could be determined.
    pub db_path: Option<String>,
    /// Schema version of the open database, if it is open.
    pub schema_version: Option<i64>,
    /// Why the database is not open, if it is not.
    pub db_error: Option<String>,
}

/// A finding as the UI shows it (DESIGN.md §2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct FindingDto {
    /// Stable id (`dnsbl-listed`, …).
    pub id: String,
    /// `critical | error | warning | info | pass`.
    pub severity: String,
    /// One line.
    pub title: String,
    /// Explanation.
    pub detail: String,
    /// Records and answers it came from.
    pub evidence: Vec<String>,
    /// What to do.
    pub fix: String,
    /// RFC sections and documents.
    pub references: Vec<String>,
}

impl From<&inboxlens_core::Finding> for FindingDto {
    fn from(f: &inboxlens_core::Finding) -> Self {
        Self {
            id: f.id.clone(),
            severity: f.severity.as_str().to_string(),
            title: f.title.clone(),
            detail: f.detail.clone(),
            evidence: f.evidence.clone(),
            fix: f.fix.clone(),
            references: f.references.clone(),
        }
    }
}

/// One list's answer for one target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ListResultDto {
    /// List name.
    pub list: String,
    /// Zone.
    pub zone: String,
    /// `listed | clean | refused | timeout | error | dead-list`.
    pub status: String,
    /// A records answered.
    pub codes: Vec<String>,
    /// Meaning or reason.
    pub meaning: String,
    /// TXT reason, if any.
    pub txt: Option<String>,
    /// Where to request removal.
    pub delist_url: String,
}

/// Blocklist results for one target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct BlocklistReportDto {
    /// The target.
    pub target: String,
    /// For domains: the registered domain queried.
    pub queried_as: Option<String>,
    /// Per list.
    pub results: Vec<ListResultDto>,
    /// Findings.
    pub findings: Vec<FindingDto>,
}

impl From<&inboxlens_core::blocklist::TargetReport> for BlocklistReportDto {
    fn from(r: &inboxlens_core::blocklist::TargetReport) -> Self {
        Self {
            target: r.target.clone(),
            queried_as: r.queried_as.clone(),
            results: r
                .results
                .iter()
                .map(|x| ListResultDto {
                    list: x.list.clone(),
                    zone: x.zone.clone(),
                    status: serde_json::to_value(x.status)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_string))
                        .unwrap_or_default(),
                    codes: x.codes.clone(),
                    meaning: x.meaning.clone(),
                    txt: x.txt.clone(),
                    delist_url: x.delist_url.clone(),
                })
                .collect(),
            findings: r.findings.iter().map(FindingDto::from).collect(),
        }
    }
}

/// One catalogue entry in the catalogue table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct BlocklistDto {
    /// Name.
    pub name: String,
    /// Zone.
    pub zone: String,
    /// `ip | ip4 | ip6 | domain`.
    pub kind: String,
    /// 1–10.
    pub weight: u8,
    /// Checked by default.
    pub enabled: bool,
    /// Needs a key.
    pub needs_key: bool,
    /// Where to request removal.
    pub delist_url: String,
}

/// The catalogue: table rows and the same as TOML text for the editor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct CatalogueDto {
    /// The lists.
    pub lists: Vec<BlocklistDto>,
    /// `rules/blocklists.toml` format.
    pub toml: String,
}

impl From<&inboxlens_core::blocklist::Catalogue> for CatalogueDto {
    fn from(c: &inboxlens_core::blocklist::Catalogue) -> Self {
        Self {
            lists: c
                .lists
                .iter()
                .map(|l| BlocklistDto {
                    name: l.name.clone(),
                    zone: l.zone.clone(),
                    kind: serde_json::to_value(l.kind)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_string))
                        .unwrap_or_default(),
                    weight: l.weight,
                    enabled: l.enabled,
                    needs_key: l.needs_key,
                    delist_url: l.delist_url.clone(),
                })
                .collect(),
            toml: c.to_toml(),
        }
    }
}

/// One earlier audit of a domain, as the history list shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct AuditRunDto {
    /// History row id.
    pub id: i64,
    /// When (RFC 3339 UTC).
    pub checked_at: String,
    /// Which resolver answered.
    pub resolver: String,
    /// The most severe finding.
    pub verdict: String,
    /// Critical findings.
    pub critical: u32,
    /// Errors.
    pub error: u32,
    /// Warnings.
    pub warning: u32,
    /// Ids of the findings above `pass`, for comparing runs.
    pub finding_ids: Vec<String>,
}

/// Filter of the Feeds tables (empty strings mean "any").
#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
pub struct FeedFilterDto {
    /// `bounce`, `complaint`, `autoreply`, `delivery`, or empty.
    pub kind: String,
    /// A reason, or empty.
    pub reason: String,
    /// `hard`, `soft`, or empty.
    pub hardness: String,
    /// Recipient domain, or empty.
    pub domain: String,
    /// First day (YYYY-MM-DD, UTC), or empty.
    pub since: String,
    /// Last day, inclusive (YYYY-MM-DD, UTC), or empty.
    pub until: String,
    /// Most rows.
    pub limit: u32,
}

/// The start of day `YYYY-MM-DD` (UTC), `None` for an empty field; an error naming the field
/// otherwise.
pub fn day_start(value: &str, what: &str) -> Result<Option<i64>, crate::error::ApiError> {
    let v = value.trim();
    if v.is_empty() {
        return Ok(None);
    }
    inboxlens_store::day_start(v).map(Some).ok_or_else(|| {
        crate::error::ApiError::new(
            "invalid-input",
            format!("{what} '{v}' is not a date (YYYY-MM-DD)"),
        )
    })
}

impl TryFrom<FeedFilterDto> for inboxlens_store::FeedFilter {
    type Error = crate::error::ApiError;
    fn try_from(f: FeedFilterDto) -> Result<Self, Self::Error> {
        let some = |s: String| Some(s.trim().to_string()).filter(|s| !s.is_empty());
        Ok(Self {
            since: day_start(&f.since, "from")?,
            until: day_start(&f.until, "to")?.map(|t| t + 86_400),
            kind: some(f.kind),
            reason: some(f.reason),
            hard: match f.hardness.as_str() {
                "hard" => Some(true),
                "soft" => Some(false),
                _ => None,
            },
            domain: some(f.domain),
            limit: Some(f.limit.clamp(1, 10_000)),
        })
    }
}

/// An import job as the UI polls it.
#[derive(Debug, Clone, Serialize, TS)]
pub struct ImportStatusDto {
    /// Finished (successfully or not).
    pub done: bool,
    /// Counts so far (or final).
    pub summary: inboxlens_store::ImportSummary,
    /// Why the import stopped, if it failed.
    pub error: Option<String>,
}

/// Filter for the Reports view (empty strings mean "any").
#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
pub struct ReportFilterDto {
    /// Policy domain, or empty.
    pub domain: String,
    /// First day (YYYY-MM-DD, UTC), or empty.
    pub since: String,
    /// Last day, inclusive (YYYY-MM-DD, UTC), or empty.
    pub until: String,
}

impl TryFrom<ReportFilterDto> for inboxlens_store::ReportFilter {
    type Error = crate::error::ApiError;
    fn try_from(f: ReportFilterDto) -> Result<Self, Self::Error> {
        Ok(Self {
            domain: Some(f.domain.trim().to_ascii_lowercase()).filter(|s| !s.is_empty()),
            since: day_start(&f.since, "from")?,
            until: day_start(&f.until, "to")?.map(|t| t + 86_400),
        })
    }
}

/// A habit score with its window and the day-by-day picture behind it.
#[derive(Debug, Clone, Serialize, TS)]
pub struct ScoreDto {
    /// The score, metrics, areas, firing rules and scorecard.
    pub report: inboxlens_core::habits::ScoreReport,
    /// Rules that could not be compiled (skipped).
    pub invalid_rules: Vec<inboxlens_core::habits::RuleError>,
    /// Window start (Unix seconds).
    pub since: i64,
    /// Window end (exclusive).
    pub until: i64,
    /// Per-day counts in the window.
    pub trends: Vec<inboxlens_store::DayTrend>,
}

/// A report written to disk.
#[derive(Debug, Clone, Serialize, TS)]
pub struct ExportDto {
    /// Where it was written.
    pub path: String,
    /// Its size.
    pub bytes: u64,
    /// Findings and fired rules it lists.
    pub findings: u64,
}
