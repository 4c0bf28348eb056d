//! Sending habits: the score of an account, its day-by-day picture, and the rule set.

use inboxlens_core::habits::{METRICS, MetricDef, RuleCheck, check};
use inboxlens_store::{DayTrend, StoredRule};
use tauri::State;

use crate::dto::{ScoreDto, day_start};
use crate::error::ApiError;
use crate::state::AppState;

/// Scores the account over the window (empty dates: the 37 days ending with its newest data).
#[tauri::command(async)]
pub fn score_account(
    state: State<'_, AppState>,
    account_id: i64,
    since: String,
    until: String,
) -> Result<ScoreDto, ApiError> {
    let since = day_start(&since, "from")?;
    let until = day_start(&until, "to")?.map(|t| t + 86_400);
    state.with_store(|s| {
        let scored = s.score_account(account_id, since, until)?;
        let trends = s.habit_trends(account_id, scored.since, scored.until)?;
        Ok(ScoreDto {
            report: scored.report,
            invalid_rules: scored.invalid_rules,
            since: scored.since,
            until: scored.until,
            trends,
        })
    })
}

/// Every rule not deleted.
#[tauri::command(async)]
pub fn list_rules(state: State<'_, AppState>) -> Result<Vec<StoredRule>, ApiError> {
    state.with_store(|s| Ok(s.rules()?))
}

/// Checks a rule's TOML (parse, expression, examples) without saving it.
#[tauri::command(async)]
pub fn check_rule(toml: String) -> RuleCheck {
    check(&toml)
}

/// Saves a rule (new or edited); it must be valid and its examples must hold.
#[tauri::command(async)]
pub fn save_rule(state: State<'_, AppState>, toml: String) -> Result<StoredRule, ApiError> {
    state.with_store(|s| Ok(s.save_rule(&toml)?))
}

/// Switches a rule on or off.
#[tauri::command(async)]
pub fn set_rule_enabled(
    state: State<'_, AppState>,
    id: String,
    enabled: bool,
) -> Result<StoredRule, ApiError> {
    state.with_store(|s| Ok(s.set_rule_enabled(&id, enabled)?))
}

/// Deletes a rule (a shipped rule stays deleted until reset).
#[tauri::command(async)]
pub fn delete_rule(state: State<'_, AppState>, id: String) -> Result<(), ApiError> {
    state.with_store(|s| Ok(s.delete_rule(&id)?))
}

/// Puts a shipped rule back as shipped.
#[tauri::command(async)]
pub fn reset_rule(state: State<'_, AppState>, id: String) -> Result<(), ApiError> {
    state.with_store(|s| Ok(s.reset_rule(&id)?))
}

/// The rule set as one TOML document (what `inboxlens rules export` prints).
#[tauri::command(async)]
pub fn export_rules(state: State<'_, AppState>) -> Result<String, ApiError> {
    state.with_store(|s| Ok(s.export_rules()?))
}

/// The metrics rules can read.
#[tauri::command(async)]
pub fn list_metrics() -> Vec<MetricDef> {
    METRICS.to_vec()
}

/// Day-by-day counts of an account (for charts outside a score).
#[tauri::command(async)]
pub fn habit_trends(
    state: State<'_, AppState>,
    account_id: i64,
    since: i64,
    until: i64,
) -> Result<Vec<DayTrend>, ApiError> {
    state.with_store(|s| Ok(s.habit_trends(account_id, since, until)?))
}
