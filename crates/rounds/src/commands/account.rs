//! `rounds account add|edit|list|show`.

use anyhow::{Context, Result, anyhow, bail};
use rounds_app::{AccountFilter, AccountInput, ContactFilter};
use rounds_core::model::{AccountId, AccountKind, AccountStatus, Segment};

use super::{Cx, cli_error, parse_all, resolve_rep};
use crate::cli::{AccountCommand, AccountFields};
use crate::{print_json, render};

pub(crate) async fn run(cx: &Cx<'_>, c: AccountCommand) -> Result<()> {
    match c {
        AccountCommand::Add(f) => {
            let name = f.name.clone().context("--name is required")?;
            let tz =
                f.tz.clone()
                    .context("--tz is required, e.g. --tz America/Chicago")?;
            let rep = resolve_rep(cx, f.rep.as_deref())?;
            let tz = tz.parse().map_err(|e| anyhow!("--tz: {e}"))?;
            let mut input = AccountInput::new(name, rep.id, tz);
            apply(cx, &mut input, f)?;
            let account = rounds_app::create_account(cx.store, cx.actor, input)
                .await
                .map_err(cli_error)?;
            outln!("Added account {} {}", account.id, account.name)?;
            Ok(())
        }
        AccountCommand::Edit(e) => {
            let before = rounds_app::get_account(cx.store, cx.actor, AccountId(e.id))
                .await
                .map_err(cli_error)?;
            let mut input = AccountInput::from(before);
            apply(cx, &mut input, e.fields)?;
            let account = rounds_app::update_account(cx.store, cx.actor, AccountId(e.id), input)
                .await
                .map_err(cli_error)?;
            outln!("Updated account {} {}", account.id, account.name)?;
            Ok(())
        }
        AccountCommand::List(l) => {
            let rep = match &l.rep {
                Some(r) => Some(resolve_rep(cx, Some(r))?.id),
                None => None,
            };
            let filter = AccountFilter {
                rep,
                status: l.status,
                search: l.search.clone(),
            };
            let accounts = rounds_app::list_accounts(cx.store, cx.actor, &filter)
                .await
                .map_err(cli_error)?;
            if l.json {
                return print_json(&accounts);
            }
            let rows = accounts
                .iter()
                .map(|a| {
                    vec![
                        a.id.to_string(),
                        a.name.clone(),
                        a.status.to_string(),
                        a.access.to_string(),
                        a.specialties
                            .iter()
                            .map(|s| s.to_string())
                            .collect::<Vec<_>>()
                            .join(", "),
                        a.address.city.clone(),
                        a.rep.to_string(),
                    ]
                })
                .collect();
            outln!(
                "{}",
                render::table(
                    &[
                        "id",
                        "name",
                        "status",
                        "access",
                        "specialties",
                        "city",
                        "rep"
                    ],
                    rows
                )
            )?;
            eprintln!("{} account(s)", accounts.len());
            Ok(())
        }
        AccountCommand::Show(sh) => {
            let account = rounds_app::get_account(cx.store, cx.actor, AccountId(sh.id))
                .await
                .map_err(cli_error)?;
            let contacts = rounds_app::list_contacts(
                cx.store,
                cx.actor,
                &ContactFilter {
                    account: Some(account.id),
                    search: None,
                },
            )
            .await
            .map_err(cli_error)?;
            if sh.json {
                return print_json(
                    &serde_json::json!({ "account": account, "contacts": contacts }),
                );
            }
            let rows = vec![
                vec!["name".into(), account.name.clone()],
                vec![
                    "kind / segment".into(),
                    format!("{} / {}", account.kind, account.segment),
                ],
                vec![
                    "status / access".into(),
                    format!("{} / {}", account.status, account.access),
                ],
                vec![
                    "specialties".into(),
                    account
                        .specialties
                        .iter()
                        .map(|s| s.to_string())
                        .collect::<Vec<_>>()
                        .join(", "),
                ],
                vec![
                    "address".into(),
                    format!(
                        "{}, {} {} {}",
                        account.address.street,
                        account.address.city,
                        account.address.region,
                        account.address.postal_code
                    ),
                ],
                vec!["time zone".into(), account.tz.to_string()],
                vec!["office hours".into(), account.office_hours.to_string()],
                vec![
                    "visit windows".into(),
                    account
                        .visit_windows
                        .iter()
                        .map(|w| w.to_string())
                        .collect::<Vec<_>>()
                        .join(", "),
                ],
                vec![
                    "front desk blocks".into(),
                    account.front_desk_blocks.to_string(),
                ],
                vec!["pain points".into(), account.pain_points.join(", ")],
                vec![
                    "profile".into(),
                    account
                        .profile
                        .iter()
                        .map(|(k, v)| format!("{k}: {v}"))
                        .collect::<Vec<_>>()
                        .join("; "),
                ],
            ];
            outln!(
                "Account {}\n{}",
                account.id,
                render::table(&["field", "value"], rows)
            )?;
            let rows = contacts
                .iter()
                .map(|c| {
                    vec![
                        c.id.to_string(),
                        c.name.clone(),
                        c.role.to_string(),
                        c.influence.to_string(),
                    ]
                })
                .collect();
            outln!(
                "Contacts\n{}",
                render::table(&["id", "name", "role", "influence"], rows)
            )?;
            Ok(())
        }
    }
}

/// Applies the flags given to an account input; what they say is checked by the use
/// case, except what only the command line can say better (formats of its own flags).
fn apply(cx: &Cx<'_>, a: &mut AccountInput, f: AccountFields) -> Result<()> {
    if let Some(v) = f.name {
        a.name = v;
    }
    if let Some(r) = f.rep {
        a.rep = resolve_rep(cx, Some(&r))?.id;
    }
    if let Some(v) = f.kind {
        a.kind = v;
        if v == AccountKind::LawFirm && f.segment.is_none() {
            a.segment = Segment::LawFirm;
        }
    }
    if let Some(v) = f.segment {
        a.segment = v;
    }
    if !f.specialty.is_empty() {
        a.specialties = parse_all("--specialty", &f.specialty)?;
    }
    if let Some(v) = f.street {
        a.address.street = v;
    }
    if let Some(v) = f.city {
        a.address.city = v;
    }
    if let Some(v) = f.region {
        a.address.region = v;
    }
    if let Some(v) = f.postal_code {
        a.address.postal_code = v;
    }
    if let Some(v) = f.lat {
        a.address.lat = v;
    }
    if let Some(v) = f.lon {
        a.address.lon = v;
    }
    if let Some(v) = f.tz {
        a.tz = v.parse().map_err(|e| anyhow!("--tz: {e}"))?;
    }
    if let Some(v) = f.hours {
        a.office_hours = v.parse().map_err(|e| anyhow!("--hours: {e}"))?;
    }
    if !f.visit_window.is_empty() {
        a.visit_windows = parse_all("--visit-window", &f.visit_window)?;
    }
    if let Some(v) = f.front_desk_blocks {
        a.front_desk_blocks = v;
    }
    if let Some(v) = f.access {
        a.access = v;
    }
    if let Some(v) = f.status {
        if matches!(v, AccountStatus::Lost | AccountStatus::NoFit) {
            bail!(
                "--status {v}: use `rounds {}` so the reason is recorded (P15, P31)",
                if v == AccountStatus::Lost {
                    "lost"
                } else {
                    "nofit"
                }
            );
        }
        a.status = v;
    }
    for fact in f.fact {
        let (k, v) = fact
            .split_once('=')
            .ok_or_else(|| anyhow!("--fact: `{fact}` is not key=value"))?;
        if v.trim().is_empty() {
            a.profile.remove(k.trim());
        } else {
            a.profile.insert(k.trim().to_string(), v.trim().to_string());
        }
    }
    if !f.pain_point.is_empty() {
        a.pain_points = f.pain_point;
    }
    Ok(())
}
