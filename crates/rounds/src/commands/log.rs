//! `rounds log`: records a touch through `rounds_app::log_touch` (the same rules as the
//! API and the form) and prints what the plan now proposes for that contact.

use anyhow::{Context, Result};
use rounds_app::TouchInput;
use rounds_core::model::{TopicId, TouchKind};
use rounds_core::planner;

use super::{Cx, cli_error, find_contact, local_instant};
use crate::cli::LogArgs;
use crate::{print_json, render};

pub(crate) async fn run(cx: &Cx<'_>, a: LogArgs) -> Result<()> {
    let contact = find_contact(cx, &a.contact).await?;
    let account = rounds_app::get_account(cx.store, cx.actor, contact.account)
        .await
        .context("the contact's account is missing")?;
    let at =
        a.at.as_deref()
            .map(|text| local_instant(text, &account.tz, "--at"))
            .transpose()?;
    let callback_at = a
        .callback
        .as_deref()
        .map(|c| local_instant(c, &account.tz, "--callback"))
        .transpose()?;
    let input = TouchInput {
        contact: contact.id,
        channel: a.channel,
        direction: a.direction,
        outcome: a.outcome,
        kind: a.kind,
        at,
        topics: a.topics.iter().map(|t| TopicId(*t)).collect(),
        explain_better: a.explain_better.iter().map(|t| TopicId(*t)).collect(),
        next_what: a.next.clone(),
        next_due: a.next_date,
        callback_at,
        note: a.note.clone(),
    };
    let touch = rounds_app::log_touch(cx.store, cx.actor, input, cx.s.now)
        .await
        .map_err(|e| match e {
            rounds_app::AppError::Store(e) => {
                anyhow::Error::from(e).context("cannot record the touch")
            }
            other => cli_error(other),
        })?;
    let local_day = touch.at.to_zoned(account.tz.zone()).date();
    let territory = rounds_app::territory_for(cx.store, cx.actor, touch.rep)
        .await
        .map_err(cli_error)?;
    let next = rounds_app::next_for_contact(
        &territory,
        &cx.s.playbook,
        touch.rep,
        contact.id,
        local_day,
        touch.at,
    );
    if a.json {
        return print_json(
            &serde_json::json!({ "touch": touch, "next": next.as_ref().map(|(_, p)| &p.items[0]), "next_date": next.as_ref().map(|(d, _)| d) }),
        );
    }
    println!(
        "Logged touch {} with {} ({}) at {}: {} {}",
        touch.id, contact.name, account.name, local_day, touch.channel, touch.outcome
    );
    if touch.outcome.answered() && touch.next_step.is_none() && touch.callback_at.is_none() {
        eprintln!(
            "warning: no next step recorded; the plan flags it until one is set (P33{})",
            if touch.kind == TouchKind::ReferralMeeting {
                ", P12"
            } else {
                ""
            }
        );
    }
    match next {
        Some((day, p)) => {
            println!("\nNext for {} — {}:", contact.name, day);
            print!("{}", render::item(1, &p.items[0]));
        }
        None => println!(
            "\nNothing planned for {} in the next {} days.",
            contact.name,
            rounds_app::plan::NEXT_PROPOSAL_DAYS
        ),
    }
    let plan = planner::plan(&territory, &cx.s.playbook, touch.rep, local_day);
    for f in plan.flags.iter().filter(|f| f.contact == Some(contact.id)) {
        println!("  [{}] {}", f.rules.join(" "), f.text);
    }
    Ok(())
}
