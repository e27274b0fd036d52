//! `rounds lost`: why an account was lost (P15); the win-back schedule starts.

use anyhow::Result;
use rounds_app::LostInput;
use rounds_core::model::AccountId;

use super::{Cx, cli_error};
use crate::cli::LostArgs;

pub(crate) async fn run(cx: &Cx<'_>, a: LostArgs) -> Result<()> {
    let account = rounds_app::get_account(cx.store, cx.actor, AccountId(a.account))
        .await
        .map_err(cli_error)?;
    let input = LostInput {
        account: account.id,
        lost_on: a.date.unwrap_or(cx.s.today),
        reason: a.reason,
        competitor: a.competitor,
        stakeholders: a.stakeholder,
        note: a.note,
        replace: a.replace,
    };
    let lost = rounds_app::record_loss(cx.store, cx.actor, input)
        .await
        .map_err(cli_error)?;
    let pb = &cx.s.playbook;
    if let Some(before) = lost.earlier.last() {
        outln!(
            "The earlier loss ({}, {}) is kept as history.",
            before.lost_on,
            before.reason
        )?;
    }
    outln!(
        "Recorded {} as lost ({}). The plan asks for feedback within {} days (P16), then nurtures every {}–{} days (P17).",
        account.name,
        lost.reason,
        pb.feedback_within_days,
        pb.nurture_min_days,
        pb.nurture_max_days
    )?;
    Ok(())
}
