//! `inboxlens settings get|set`.

use inboxlens_store::SETTING_KEYS;

use crate::Outcome;
use crate::args::{Cli, Format, SettingsCmd};
use crate::output::{input, open_store, print_json};

pub fn run(cli: &Cli, cmd: &SettingsCmd) -> anyhow::Result<Outcome> {
    let mut store = open_store(cli)?;
    let settings = match cmd {
        SettingsCmd::Get { key: Some(key) } => {
            let s = store.settings().map_err(input)?;
            let value = s.get_text(key).map_err(input)?;
            if cli.format == Format::Text {
                outln!("{value}")?;
            } else {
                print_json(
                    cli.format,
                    &serde_json::json!({ "key": key, "value": value }),
                )?;
            }
            return Ok(Outcome::Clean);
        }
        SettingsCmd::Get { key: None } => store.settings().map_err(input)?,
        SettingsCmd::Set { key, value } => store.set_setting(key, value).map_err(input)?,
    };
    if cli.format == Format::Text {
        for (key, about) in SETTING_KEYS {
            let v = settings.get_text(key).map_err(input)?;
            let shown = match (*key, v.is_empty()) {
                ("nameservers", true) => "(system resolver)".to_string(),
                ("dqs_key", true) => "(none)".to_string(),
                _ => v,
            };
            outln!("{key:<12} {shown:<30} # {about}")?;
        }
    } else {
        print_json(cli.format, &settings)?;
    }
    Ok(Outcome::Clean)
}
