//! `rounds referral add`: a day's referral count from one contact.

use anyhow::Result;
use rounds_app::ReferralInput;

use super::{Cx, cli_error, find_contact};
use crate::cli::ReferralArgs;

pub(crate) async fn run(cx: &Cx<'_>, a: ReferralArgs) -> Result<()> {
    let contact = find_contact(cx, &a.contact).await?;
    let input = ReferralInput {
        contact: contact.id,
        day: a.date.unwrap_or(cx.s.today),
        count: a.count,
    };
    let recorded = rounds_app::add_referral(cx.store, cx.actor, input, cx.s.today)
        .await
        .map_err(cli_error)?;
    outln!(
        "Recorded {} referral(s) from {} on {}",
        recorded.count,
        contact.name,
        recorded.day
    )?;
    Ok(())
}
