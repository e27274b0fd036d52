//! `rounds nofit`: an account that is no fit; every cadence on it stops (P31).

use anyhow::Result;
use rounds_app::NoFitInput;
use rounds_core::model::AccountId;

use super::{Cx, cli_error};
use crate::cli::NoFitArgs;

pub(crate) async fn run(cx: &Cx<'_>, a: NoFitArgs) -> Result<()> {
    let account = rounds_app::get_account(cx.store, cx.actor, AccountId(a.account))
        .await
        .map_err(cli_error)?;
    let input = NoFitInput {
        account: account.id,
        decided_on: a.date.unwrap_or(cx.s.today),
        reason: a.reason,
    };
    rounds_app::record_no_fit(cx.store, cx.actor, input)
        .await
        .map_err(cli_error)?;
    outln!(
        "Marked {} as no fit: every cadence on it stops (P31).",
        account.name
    )?;
    Ok(())
}
