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
        completes_step: a.done,
        referrals: a.count,
        no_referral_reason: a.no_referral_reason,
        no_referral_text: a.reason_text.clone(),
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
    let rounds_app::NextForContact { next, flags } = rounds_app::next_for_contact(
        &territory,
        &cx.s.playbook,
        touch.rep,
        contact.id,
        local_day,
        touch.at,
    );
    if a.json {
        return print_json(&serde_json::json!({
            "touch": touch,
            "next": next.as_ref().map(|n| &n.item),
            "next_date": next.as_ref().map(|n| n.date),
            "next_is_planned": next.as_ref().map(|n| n.planned),
        }));
    }
    outln!(
        "Logged touch {} with {} ({}) at {}: {} {}",
        touch.id,
        contact.name,
        account.name,
        local_day,
        touch.channel,
        touch.outcome
    )?;
    if touch.outcome == rounds_core::model::Outcome::Referral {
        let day_total = rounds_app::list_referrals(cx.store, cx.actor, contact.id)
            .await
            .map_err(cli_error)?
            .into_iter()
            .find(|r| r.day == local_day)
            .map_or(0, |r| r.count);
        outln!(
            "Added {} referral{} to {}: {day_total} on {local_day} (P9).",
            a.count.unwrap_or(1),
            if a.count.unwrap_or(1) == 1 { "" } else { "s" },
            contact.name
        )?;
    }
    if a.done {
        outln!("Completed the open next step (P33).")?;
    }
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
        Some(n) => {
            // A day beyond the planned one is the first day the rules make the contact
            // due; a full day may still push it, and the answer says so.
            let when = if n.planned {
                n.date.to_string()
            } else {
                format!(
                    "{} (the first day it is due; a full day may move it)",
                    n.date
                )
            };
            outln!("\nNext for {} — {when}:", contact.name)?;
            out!("{}", render::item(1, &n.item))?;
        }
        None => outln!(
            "\nNothing planned for {} in the next {} days.",
            contact.name,
            planner::NEXT_TOUCH_HORIZON_DAYS
        )?,
    }
    for f in &flags {
        outln!("  [{}] {}", f.rules.join(" "), f.text)?;
    }
    Ok(())
}
