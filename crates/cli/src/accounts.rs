//! `inboxlens accounts list|add|show|edit|rm`.

use inboxlens_core::account::AccountInput;
use inboxlens_store::Account;

use crate::Outcome;
use crate::args::{AccountsCmd, Cli, Format};
use crate::output::{input, open_store, print_json, print_json_list};

pub fn run(cli: &Cli, cmd: &AccountsCmd) -> anyhow::Result<Outcome> {
    let mut store = open_store(cli)?;
    match cmd {
        AccountsCmd::List => {
            let accounts = store.list_accounts().map_err(input)?;
            if cli.format == Format::Text {
                if accounts.is_empty() {
                    outln!(
                        "No accounts yet. Add one with: inboxlens accounts add NAME --domain example.com"
                    )?;
                }
                for a in &accounts {
                    outln!(
                        "{}\t{}\t{} IPs\t{} selectors",
                        a.name,
                        if a.domains.is_empty() {
                            "-".into()
                        } else {
                            a.domains.join(",")
                        },
                        a.sending_ips.len(),
                        a.dkim_selectors.len()
                    )?;
                }
            } else {
                print_json_list(cli.format, &accounts)?;
            }
        }
        AccountsCmd::Add(f) => {
            let a = store
                .create_account(&AccountInput {
                    name: f.name.clone(),
                    domains: f.domains.clone(),
                    sending_ips: f.ips.clone(),
                    dkim_selectors: f.selectors.clone(),
                    notes: f.notes.clone(),
                })
                .map_err(input)?;
            show(cli.format, &a, "Created")?;
        }
        AccountsCmd::Show { name } => {
            let a = store.account_by_name(name).map_err(input)?;
            show(cli.format, &a, "")?;
        }
        AccountsCmd::Edit {
            name,
            rename,
            domains,
            ips,
            selectors,
            notes,
        } => {
            let a = store.account_by_name(name).map_err(input)?;
            let edited = AccountInput {
                name: rename.clone().unwrap_or(a.name),
                domains: domains.clone().unwrap_or(a.domains),
                sending_ips: ips.clone().unwrap_or(a.sending_ips),
                dkim_selectors: selectors.clone().unwrap_or(a.dkim_selectors),
                notes: notes.clone().unwrap_or(a.notes),
            };
            let a = store.update_account(a.id, &edited).map_err(input)?;
            show(cli.format, &a, "Updated")?;
        }
        AccountsCmd::Rm { name } => {
            let a = store.account_by_name(name).map_err(input)?;
            store.delete_account(a.id).map_err(input)?;
            if cli.format == Format::Text {
                outln!("Deleted account '{}'", a.name)?;
            } else {
                print_json(
                    cli.format,
                    &serde_json::json!({ "deleted": a.name, "id": a.id }),
                )?;
            }
        }
    }
    Ok(Outcome::Clean)
}

fn show(format: Format, a: &Account, verb: &str) -> anyhow::Result<()> {
    if format != Format::Text {
        return print_json(format, a);
    }
    if !verb.is_empty() {
        outln!("{verb} account '{}'", a.name)?;
    }
    let list = |v: &[String]| {
        if v.is_empty() {
            "-".to_string()
        } else {
            v.join(", ")
        }
    };
    outln!("name:       {}", a.name)?;
    outln!("domains:    {}", list(&a.domains))?;
    outln!("ips:        {}", list(&a.sending_ips))?;
    outln!("selectors:  {}", list(&a.dkim_selectors))?;
    outln!(
        "notes:      {}",
        if a.notes.is_empty() { "-" } else { &a.notes }
    )?;
    outln!("created:    {}", a.created_at)?;
    outln!("updated:    {}", a.updated_at)?;
    Ok(())
}
