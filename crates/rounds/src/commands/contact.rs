//! `rounds contact add|edit|list|show`.

use anyhow::{Context, Result, anyhow};
use rounds_app::{ContactFilter, ContactInput, TouchFilter};
use rounds_core::model::{AccountId, ContactId};

use super::{Cx, cli_error};
use crate::cli::{ContactCommand, ContactFields};
use crate::{print_json, render};

pub(crate) async fn run(cx: &Cx<'_>, c: ContactCommand) -> Result<()> {
    match c {
        ContactCommand::Add(f) => {
            let account_id = f.account.context("--account is required")?;
            // Said first, as before: an unknown account is the first thing to fix.
            rounds_app::get_account(cx.store, cx.actor, AccountId(account_id))
                .await
                .map_err(cli_error)?;
            let name = f.name.clone().context("--name is required")?;
            let mut input = ContactInput::new(AccountId(account_id), name);
            apply(&mut input, f)?;
            let contact = rounds_app::create_contact(cx.store, cx.actor, input)
                .await
                .map_err(cli_error)?;
            outln!("Added contact {} {}", contact.id, contact.name)?;
            Ok(())
        }
        ContactCommand::Edit(e) => {
            let (before, _) = rounds_app::get_contact(cx.store, cx.actor, ContactId(e.id))
                .await
                .map_err(cli_error)?;
            let mut input = ContactInput::from(before);
            apply(&mut input, e.fields)?;
            let contact = rounds_app::update_contact(cx.store, cx.actor, ContactId(e.id), input)
                .await
                .map_err(cli_error)?;
            outln!("Updated contact {} {}", contact.id, contact.name)?;
            Ok(())
        }
        ContactCommand::List(l) => {
            let filter = ContactFilter {
                account: l.account.map(AccountId),
                search: l.search.clone(),
            };
            let contacts = rounds_app::list_contacts(cx.store, cx.actor, &filter)
                .await
                .map_err(cli_error)?;
            if l.json {
                return print_json(&contacts);
            }
            let rows = contacts
                .iter()
                .map(|c| {
                    vec![
                        c.id.to_string(),
                        c.name.clone(),
                        c.role.to_string(),
                        c.influence.to_string(),
                        c.account.to_string(),
                        c.preferred_channel
                            .map(|p| p.to_string())
                            .unwrap_or_default(),
                    ]
                })
                .collect();
            outln!(
                "{}",
                render::table(
                    &["id", "name", "role", "influence", "account", "prefers"],
                    rows
                )
            )?;
            eprintln!("{} contact(s)", contacts.len());
            Ok(())
        }
        ContactCommand::Show(sh) => {
            let (contact, _) = rounds_app::get_contact(cx.store, cx.actor, ContactId(sh.id))
                .await
                .map_err(cli_error)?;
            let touches =
                rounds_app::list_touches(cx.store, cx.actor, TouchFilter::Contact(contact.id))
                    .await
                    .map_err(cli_error)?;
            if sh.json {
                return print_json(&serde_json::json!({ "contact": contact, "touches": touches }));
            }
            let ch = &contact.channels;
            let rows = vec![
                vec!["name".into(), contact.name.clone()],
                vec!["account".into(), contact.account.to_string()],
                vec![
                    "role / influence".into(),
                    format!("{} / {}", contact.role, contact.influence),
                ],
                vec![
                    "cell / email".into(),
                    format!(
                        "{} / {}",
                        ch.cell.clone().unwrap_or_default(),
                        ch.email.clone().unwrap_or_default()
                    ),
                ],
                vec![
                    "phone / ext.".into(),
                    format!(
                        "{} / {}",
                        ch.office_phone.clone().unwrap_or_default(),
                        ch.extension.clone().unwrap_or_default()
                    ),
                ],
                vec![
                    "prefers".into(),
                    contact
                        .preferred_channel
                        .map(|c| c.to_string())
                        .unwrap_or_default(),
                ],
                vec![
                    "text consent".into(),
                    contact
                        .text_consent
                        .as_ref()
                        .map(|c| format!("{} ({})", c.on, c.source))
                        .unwrap_or_else(|| "none on record".into()),
                ],
                vec![
                    "opted out of".into(),
                    contact
                        .opt_outs
                        .iter()
                        .map(|c| c.to_string())
                        .collect::<Vec<_>>()
                        .join(", "),
                ],
            ];
            outln!(
                "Contact {}\n{}",
                contact.id,
                render::table(&["field", "value"], rows)
            )?;
            let rows = touches
                .iter()
                .rev()
                .take(20)
                .map(|t| {
                    vec![
                        t.at.strftime("%Y-%m-%d %H:%M UTC").to_string(),
                        t.channel.to_string(),
                        t.outcome.to_string(),
                        t.kind.to_string(),
                        t.topics
                            .iter()
                            .map(|x| x.to_string())
                            .collect::<Vec<_>>()
                            .join(","),
                        t.next_step
                            .as_ref()
                            .map(|n| format!("{} ({})", n.what, n.due))
                            .unwrap_or_default(),
                    ]
                })
                .collect();
            outln!(
                "Recent touches\n{}",
                render::table(
                    &["when", "channel", "outcome", "kind", "topics", "next step"],
                    rows
                )
            )?;
            Ok(())
        }
    }
}

/// Applies the flags given; the use case checks every value (e-mail, phones, names).
fn apply(c: &mut ContactInput, f: ContactFields) -> Result<()> {
    if let Some(a) = f.account {
        c.account = AccountId(a);
    }
    if let Some(v) = f.name {
        c.name = v;
    }
    if let Some(v) = f.role {
        c.role = v;
    }
    if let Some(v) = f.influence {
        c.influence = v;
    }
    if let Some(v) = f.department {
        c.department = Some(v);
    }
    if let Some(v) = f.specialty {
        c.specialty = Some(v.parse().map_err(|e| anyhow!("--specialty: {e}"))?);
    }
    if let Some(v) = f.email {
        c.channels.email = Some(v);
    }
    if let Some(v) = f.cell {
        c.channels.cell = Some(v);
    }
    if let Some(v) = f.phone {
        c.channels.office_phone = Some(v);
    }
    if let Some(v) = f.extension {
        c.channels.extension = Some(v);
    }
    if let Some(v) = f.linkedin {
        c.channels.linkedin = Some(v);
    }
    if let Some(v) = f.preferred {
        c.preferred_channel = Some(v);
    }
    for ch in f.opt_out {
        if !c.opt_outs.contains(&ch) {
            c.opt_outs.push(ch);
        }
    }
    c.opt_outs.retain(|ch| !f.opt_in.contains(ch));
    if let Some(v) = f.text_consent {
        c.text_consent = Some(v.parse().map_err(|e| anyhow!("--text-consent: {e}"))?);
    }
    if f.no_text_consent {
        c.text_consent = None;
    }
    Ok(())
}
