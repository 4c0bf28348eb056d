//! Command-line arguments.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Email deliverability diagnostics: SPF, DKIM, DMARC, blocklists, bounces, reports.
#[derive(Debug, Parser)]
#[command(name = "inboxlens", version, about)]
pub struct Cli {
    /// DNS server to ask, HOST[:PORT] with HOST an IP address (repeatable; default: the
    /// saved setting, else the system resolver).
    #[arg(
        long = "nameserver",
        global = true,
        env = "INBOXLENS_NAMESERVER",
        value_delimiter = ','
    )]
    pub nameservers: Vec<String>,
    /// Per-query DNS timeout in seconds (default: the saved setting, else 5).
    #[arg(long, global = true)]
    pub timeout: Option<String>,
    /// Database file (default: inboxlens.db in the platform data folder).
    #[arg(long, global = true, env = "INBOXLENS_DB")]
    pub db: Option<PathBuf>,
    /// Output format.
    #[arg(long, global = true, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Human-readable text.
    Text,
    /// One JSON document.
    Json,
    /// One JSON document per line (one per item for lists).
    Jsonl,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Manage customer accounts.
    #[command(subcommand)]
    Accounts(AccountsCmd),
    /// Show or change settings (resolver, timeout, Spamhaus DQS key).
    #[command(subcommand)]
    Settings(SettingsCmd),
    /// Resolve a name through the configured resolver and record it in the history.
    Lookup(LookupArgs),
    /// Show recorded checks, newest first.
    History(HistoryArgs),
    /// Check IPs and domains against DNS blocklists.
    Blocklist(BlocklistArgs),
    /// Audit the DNS posture of domains: SPF, DKIM, DMARC, MX, MTA-STS, TLS-RPT, BIMI, PTR.
    Audit(AuditArgs),
    /// What changed in a domain's DNS between two stored audits (default: the last two):
    /// records added and removed, TTLs, lookups that changed outcome, findings.
    AuditDiff(AuditDiffArgs),
    /// Verify a message (SPF, DKIM, DMARC, ARC, bulk-sender headers) as the receiver saw it.
    Verify(VerifyArgs),
    /// Classify bounces, complaints (ARF) and auto-replies: .eml files, directories, mbox,
    /// Maildir, .gz; one record per recipient.
    Bounces(BouncesArgs),
    /// Import feeds (bounces, complaints, auto-replies; files, directories, mbox, Maildir,
    /// .gz) into an account, idempotently; prints a summary.
    Import(ImportArgs),
    /// List an account's imported bounce, complaint and auto-reply records, or their counts.
    Feeds(FeedsArgs),
    /// Score an account's sending habits against the rule set (metrics, firing rules, the
    /// Gmail/Yahoo/Microsoft scorecard).
    Score(ScoreArgs),
    /// The rule set in the database: list, show, test, export, import, add, enable, disable,
    /// rm, reset, metrics.
    #[command(subcommand)]
    Rules(RulesCommand),
    /// The account report to hand over: score and fixes, audits, blocklists, bounces,
    /// complaints, DMARC and TLS reports — one self-contained HTML file (or JSON with
    /// --format json); recipient addresses redacted unless --include-personal-data.
    Report(ReportArgs),
    /// Read DMARC aggregate/failure reports and SMTP TLS reports (XML, JSON, .gz, .zip, report
    /// mail, directories, mbox); one JSON line per report, sources named.
    Reports(ReportsArgs),
    /// One account at a glance: score, scorecard, open critical/error findings from every
    /// area, the last audit and blocklist check of each target, feed and report volumes.
    Overview(AccountArgs),
    /// An account over time: per-day sent, bounces by reason, complaints, DMARC pass rate and
    /// blocklist listings, with the DNS and listing changes seen (annotations).
    Timeline(AccountArgs),
    /// Search every account: names, domains, IPs, selectors, bounce/complaint recipients,
    /// DMARC report source IPs.
    Search(SearchArgs),
}

/// An account, by name.
#[derive(Debug, Args)]
pub struct AccountArgs {
    /// The account.
    #[arg(long)]
    pub account: String,
}

/// `inboxlens search`.
#[derive(Debug, Args)]
pub struct SearchArgs {
    /// What to look for (at least two characters; case-insensitive).
    pub query: String,
}

/// `inboxlens report`.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// The account.
    #[arg(long)]
    pub account: String,
    /// Write to FILE instead of standard output.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Show recipient addresses (they are personal data; redacted by default).
    #[arg(long)]
    pub include_personal_data: bool,
}

/// `inboxlens score`.
#[derive(Debug, Args)]
pub struct ScoreArgs {
    /// The account.
    #[arg(long)]
    pub account: String,
    /// First day of the window (YYYY-MM-DD, UTC); default: 37 days before its end.
    #[arg(long)]
    pub since: Option<String>,
    /// Last day of the window, inclusive; default: the day of the account's newest data.
    #[arg(long)]
    pub until: Option<String>,
}

/// `inboxlens rules …`.
#[derive(Debug, clap::Subcommand)]
pub enum RulesCommand {
    /// Every rule: id, area, severity, weight, state.
    List,
    /// One rule as TOML.
    Show {
        /// Rule id.
        id: String,
    },
    /// Runs every rule's examples; exit 1 when one disagrees or a rule is invalid.
    Test,
    /// The whole rule set as one TOML document (`[[rule]]` tables).
    Export,
    /// Rules from a file as exported (or one rule); all are checked before any is saved.
    Import {
        /// The TOML file (`-` = stdin).
        file: PathBuf,
    },
    /// Adds or replaces one rule from a TOML file (`-` = stdin).
    Add {
        /// The TOML file.
        file: PathBuf,
    },
    /// Switches a rule on.
    Enable {
        /// Rule id.
        id: String,
    },
    /// Switches a rule off.
    Disable {
        /// Rule id.
        id: String,
    },
    /// Deletes a rule (a shipped one stays deleted across upgrades until reset).
    Rm {
        /// Rule id.
        id: String,
    },
    /// Puts a shipped rule back as shipped.
    Reset {
        /// Rule id.
        id: String,
    },
    /// The metrics rules can read.
    Metrics,
}

/// `inboxlens reports`.
#[derive(Debug, Args)]
pub struct ReportsArgs {
    /// Report files, archives, mails, directories, mbox; `-` reads one from stdin.
    pub paths: Vec<PathBuf>,
    /// Instead of reading files: the account's imported reports added up (sources, pass
    /// rate by day, what-if, TLS failures by MX).
    #[arg(long, conflicts_with = "paths")]
    pub account: Option<String>,
    /// With --account: only reports about this domain.
    #[arg(long, requires = "account")]
    pub domain: Option<String>,
    /// With --account: only reports starting at or after this date (YYYY-MM-DD, UTC).
    #[arg(long, requires = "account")]
    pub since: Option<String>,
    /// With --account: only reports starting before this date.
    #[arg(long, requires = "account")]
    pub until: Option<String>,
    /// Do not look up reverse DNS of source IPs (sources are then named from DKIM and
    /// envelope-from domains only).
    #[arg(long)]
    pub offline: bool,
    /// Seconds all reverse DNS lookups may take together.
    #[arg(long, default_value_t = 30.0)]
    pub deadline: f64,
    /// Decoding threads (default: one per CPU).
    #[arg(long)]
    pub threads: Option<usize>,
}

/// `inboxlens import`.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The account to import into.
    #[arg(long)]
    pub account: String,
    /// Files, directories, mbox files, Maildirs, .gz.
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// Decoding threads (default: one per CPU).
    #[arg(long)]
    pub threads: Option<usize>,
    /// Do not look up reverse DNS of DMARC report source IPs after the import.
    #[arg(long)]
    pub offline: bool,
}

/// `inboxlens feeds`.
#[derive(Debug, Args)]
pub struct FeedsArgs {
    /// The account.
    #[arg(long)]
    pub account: String,
    /// Counts per reason, domain and feedback type instead of records.
    #[arg(long)]
    pub summary: bool,
    /// Only `bounce`, `complaint`, `autoreply` or `delivery` records.
    #[arg(long)]
    pub kind: Option<String>,
    /// Only this reason (`userunknown`, `mailboxfull`, …).
    #[arg(long)]
    pub reason: Option<String>,
    /// Only hard bounces.
    #[arg(long, conflicts_with = "soft")]
    pub hard: bool,
    /// Only soft bounces.
    #[arg(long)]
    pub soft: bool,
    /// Only recipients at this domain.
    #[arg(long)]
    pub domain: Option<String>,
    /// Only records at or after this date (YYYY-MM-DD, UTC).
    #[arg(long)]
    pub since: Option<String>,
    /// Only records before this date (YYYY-MM-DD, UTC).
    #[arg(long)]
    pub until: Option<String>,
    /// Most records shown (newest first).
    #[arg(long, default_value_t = 1000)]
    pub limit: u32,
}

/// `inboxlens bounces`.
#[derive(Debug, Args)]
pub struct BouncesArgs {
    /// Files, directories (recursive), mbox files, Maildirs, .gz; `-` reads one message from stdin.
    pub paths: Vec<PathBuf>,
    /// Decoding threads (default: one per CPU).
    #[arg(long)]
    pub threads: Option<usize>,
}

/// `inboxlens verify`.
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The message (.eml, whole or headers only); `-` reads stdin.
    pub message: PathBuf,
    /// The connecting IP (default: from the topmost Received header naming one).
    #[arg(long)]
    pub ip: Option<String>,
    /// The HELO/EHLO name (default: from that Received header).
    #[arg(long)]
    pub helo: Option<String>,
    /// The MAIL FROM address (default: Return-Path).
    #[arg(long = "mail-from")]
    pub mail_from: Option<String>,
    /// Seconds the DNS work may take.
    #[arg(long, default_value_t = 30.0)]
    pub deadline: f64,
    /// Keep the result as a sample message of this account (its findings feed the
    /// account's habit score).
    #[arg(long)]
    pub account: Option<String>,
}

/// `inboxlens audit-diff`.
#[derive(Debug, Args)]
pub struct AuditDiffArgs {
    /// The domain.
    pub domain: String,
    /// History id of the older audit (see `inboxlens history`).
    #[arg(long)]
    pub from: Option<i64>,
    /// History id of the newer audit.
    #[arg(long)]
    pub to: Option<i64>,
}

/// `inboxlens audit`.
#[derive(Debug, Args)]
pub struct AuditArgs {
    /// Domains to audit.
    pub domains: Vec<String>,
    /// Read domains from FILE, one per line (`-` = stdin; `#` starts a comment).
    #[arg(long = "from")]
    pub from: Option<PathBuf>,
    /// DKIM selectors to check (besides the common ones tried by discovery).
    #[arg(long = "selector", value_delimiter = ',')]
    pub selectors: Vec<String>,
    /// Sending IPs: the SPF result and reverse DNS (PTR/FCrDNS) of each.
    #[arg(long = "ip", value_delimiter = ',')]
    pub ips: Vec<String>,
    /// Use the account's domains (when none are given), selectors and IPs; store the
    /// results in its history.
    #[arg(long)]
    pub account: Option<String>,
    /// Domains audited at the same time.
    #[arg(long, default_value_t = 16)]
    pub concurrency: usize,
    /// Seconds each domain's DNS work may take before its lookups end as temperror.
    #[arg(long, default_value_t = 30.0)]
    pub deadline: f64,
    /// Do not try the common DKIM selectors; check only the ones given.
    #[arg(long)]
    pub no_discover: bool,
    /// Do not fetch MTA-STS policies over HTTPS (overrides the mta_sts_fetch setting).
    #[arg(long)]
    pub no_mta_sts_fetch: bool,
}

/// `blocklist TARGET…`
#[derive(Debug, Args)]
pub struct BlocklistArgs {
    /// IPv4/IPv6 addresses and domains to check.
    pub targets: Vec<String>,
    /// Read more targets from FILE, one per line (`-` = standard input; `#` starts a comment).
    #[arg(long = "from")]
    pub from: Option<PathBuf>,
    /// Use this catalogue file (rules/blocklists.toml format) instead of the stored one.
    #[arg(long = "lists")]
    pub lists: Option<PathBuf>,
    /// Spamhaus DQS key for this run (default: the saved setting).
    #[arg(long = "dqs-key")]
    pub dqs_key: Option<String>,
    /// Check this account's sending IPs and domains (with no TARGET) and record the results
    /// in its history.
    #[arg(long)]
    pub account: Option<String>,
    /// DNS queries in flight at most.
    #[arg(long, default_value_t = 32)]
    pub concurrency: usize,
    /// Deadline per target in seconds.
    #[arg(long, default_value_t = 30.0)]
    pub deadline: f64,
}

/// `accounts …`
#[derive(Debug, Subcommand)]
pub enum AccountsCmd {
    /// List accounts.
    List,
    /// Create an account.
    Add(AccountFields),
    /// Show one account.
    Show {
        /// Account name.
        name: String,
    },
    /// Replace an account's fields (fields not given are kept).
    Edit {
        /// Account name.
        name: String,
        /// New name.
        #[arg(long)]
        rename: Option<String>,
        /// Domains (replaces the list when given; repeatable or comma-separated).
        #[arg(long = "domain", value_delimiter = ',')]
        domains: Option<Vec<String>>,
        /// Sending IPs (replaces the list when given).
        #[arg(long = "ip", value_delimiter = ',')]
        ips: Option<Vec<String>>,
        /// DKIM selectors (replaces the list when given).
        #[arg(long = "selector", value_delimiter = ',')]
        selectors: Option<Vec<String>>,
        /// Notes (replaces them when given).
        #[arg(long)]
        notes: Option<String>,
    },
    /// Delete an account and everything stored for it.
    Rm {
        /// Account name.
        name: String,
    },
}

/// Fields of a new account.
#[derive(Debug, Args)]
pub struct AccountFields {
    /// Account name (unique, case-insensitive).
    pub name: String,
    /// Sending domain (repeatable or comma-separated).
    #[arg(long = "domain", value_delimiter = ',')]
    pub domains: Vec<String>,
    /// Sending IP, v4 or v6 (repeatable or comma-separated).
    #[arg(long = "ip", value_delimiter = ',')]
    pub ips: Vec<String>,
    /// DKIM selector (repeatable or comma-separated).
    #[arg(long = "selector", value_delimiter = ',')]
    pub selectors: Vec<String>,
    /// Free-form notes.
    #[arg(long, default_value = "")]
    pub notes: String,
}

/// `settings …`
#[derive(Debug, Subcommand)]
pub enum SettingsCmd {
    /// Print one setting, or all of them.
    Get {
        /// Setting key (nameservers, timeout, attempts, dqs_key).
        key: Option<String>,
    },
    /// Change a setting; an empty VALUE resets nameservers to the system resolver.
    Set {
        /// Setting key.
        key: String,
        /// New value.
        value: String,
    },
}

/// Record types `lookup` can ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
#[value(rename_all = "UPPER")]
pub enum LookupType {
    /// IPv4 addresses.
    A,
    /// IPv6 addresses.
    Aaaa,
    /// Mail exchangers.
    Mx,
    /// Text records.
    Txt,
    /// Reverse pointers.
    Ptr,
    /// Canonical name.
    Cname,
    /// Name servers.
    Ns,
    /// Start of authority.
    Soa,
}

/// `lookup NAME`
#[derive(Debug, Args)]
pub struct LookupArgs {
    /// Name to resolve (an IP address with --type PTR is reversed for you).
    pub name: String,
    /// Record type.
    #[arg(long = "type", short = 't', value_enum, ignore_case = true, default_value_t = LookupType::Txt)]
    pub rtype: LookupType,
    /// Record the lookup in this account's history.
    #[arg(long)]
    pub account: Option<String>,
    /// Deadline for the whole job in seconds.
    #[arg(long, default_value_t = 30.0)]
    pub deadline: f64,
}

/// `history`
#[derive(Debug, Args)]
pub struct HistoryArgs {
    /// Only this account's checks.
    #[arg(long)]
    pub account: Option<String>,
    /// How many entries at most.
    #[arg(long, default_value_t = 20)]
    pub limit: u32,
}
