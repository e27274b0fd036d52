//! `rounds import`: an export file, all or nothing. Every problem is listed as
//! `file:line: field: why` (the first 50), and nothing is written.

use std::io::BufRead;

use anyhow::{Context, Result, bail};
use rounds_app::AppError;

use super::{Cx, cli_error};
use crate::cli::ImportArgs;

/// Problems listed before "… and N more".
const MAX_LISTED: usize = 50;

pub(crate) async fn run(cx: &Cx<'_>, a: ImportArgs) -> Result<()> {
    let file = std::fs::File::open(&a.file)
        .with_context(|| format!("cannot read {}", a.file.display()))?;
    // Read line by line while it is written: memory stays flat however large the file.
    let lines = std::io::BufReader::with_capacity(1 << 20, file).lines();
    let summary = match rounds_app::import_lines(cx.store, cx.actor, lines).await {
        Ok(s) => s,
        Err(AppError::Import { problems, total }) => {
            for p in problems.iter().take(MAX_LISTED) {
                eprintln!(
                    "{}:{}: {}: {}",
                    a.file.display(),
                    p.line,
                    p.field,
                    p.message
                );
            }
            if total > MAX_LISTED {
                eprintln!("… and {} more", total - MAX_LISTED);
            }
            bail!(
                "{}: {} problem(s); nothing was imported",
                a.file.display(),
                total
            );
        }
        Err(AppError::Store(e)) => {
            return Err(
                anyhow::Error::from(e).context("the import was rolled back; nothing was written")
            );
        }
        Err(other) => return Err(cli_error(other)),
    };
    outln!(
        "Imported {}: {} users, {} accounts, {} contacts, {} topics, {} touches, {} referral days, {} lost, {} no-fit",
        a.file.display(),
        summary.users,
        summary.accounts,
        summary.contacts,
        summary.topics,
        summary.touches,
        summary.referrals,
        summary.lost,
        summary.no_fits
    )?;
    Ok(())
}
