//! `rounds referral add`: a day's referral count from one contact; `rounds referral
//! import`: many counts from a CSV, all or nothing.

use std::io::Read;

use anyhow::{Context, Result, anyhow};
use rounds_app::{AppError, ReferralInput};

use super::{Cx, cli_error, find_contact};
use crate::cli::{ReferralArgs, ReferralImportArgs};

/// Problems listed before "… and N more".
const MAX_LISTED: usize = 20;

pub(crate) async fn import(cx: &Cx<'_>, a: ReferralImportArgs) -> Result<()> {
    let (name, text) = if a.file == "-" {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .context("cannot read standard input")?;
        ("-".to_string(), text)
    } else {
        let text =
            std::fs::read_to_string(&a.file).with_context(|| format!("cannot read {}", a.file))?;
        (a.file.clone(), text)
    };
    match rounds_app::import_referrals(cx.store, cx.actor, &text, cx.s.today).await {
        Ok(done) => {
            outln!(
                "{name}: {} count(s) read, {} new or changed, {} already so",
                done.rows,
                done.changed,
                done.rows - done.changed
            )?;
            Ok(())
        }
        Err(AppError::Import { problems, total }) => {
            for p in problems.iter().take(MAX_LISTED) {
                eprintln!("{name}:{}: {}: {}", p.line, p.field, p.message);
            }
            if total > MAX_LISTED {
                eprintln!("… and {} more", total - MAX_LISTED);
            }
            Err(anyhow!("{name}: {total} problem(s); nothing was imported"))
        }
        Err(e) => Err(cli_error(e)),
    }
}

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
