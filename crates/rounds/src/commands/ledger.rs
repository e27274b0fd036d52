//! `rounds ledger add|list|export|void`: the transfer-of-value ledger (P14). Data on
//! stdout (the confirmation, the table, the CSV); the cap's warnings on stderr, so a
//! CSV piped to a file stays clean.

use std::io::Write;

use anyhow::{Context, Result, anyhow, bail};
use rounds_app::{AttendeeInput, LedgerFilter, TransferInput};
use rounds_core::ledger::{CapWarning, Dollars, Transfer, parse_dollars, write_open_payments};
use rounds_core::model::{AccountId, TransferId};

use super::{Cx, cli_error, find_contact};
use crate::cli::{LedgerAddArgs, LedgerCommand, LedgerExportArgs, LedgerListArgs};
use crate::print_json;
use crate::render::table;

pub(crate) async fn run(cx: &Cx<'_>, c: LedgerCommand) -> Result<()> {
    match c {
        LedgerCommand::Add(a) => add(cx, a).await,
        LedgerCommand::List(a) => list(cx, a).await,
        LedgerCommand::Export(a) => export(cx, a).await,
        LedgerCommand::Void(a) => {
            let t = rounds_app::void_transfer(
                cx.store,
                cx.actor,
                TransferId(a.id),
                &a.reason,
                cx.s.today,
            )
            .await
            .map_err(cli_error)?;
            outln!(
                "Voided transfer {} ({} on {}); it stays in the ledger and counts nowhere.",
                t.id,
                Dollars(t.total_cents),
                t.date
            )?;
            Ok(())
        }
    }
}

async fn add(cx: &Cx<'_>, a: LedgerAddArgs) -> Result<()> {
    let total_cents = parse_dollars(&a.amount).map_err(|e| anyhow!("--amount: {e}"))?;
    let mut attendees = Vec::with_capacity(a.attendee.len());
    for given in &a.attendee {
        let (who, covered) = match given.rsplit_once(':') {
            Some((who, "covered")) => (who, Some(true)),
            Some((who, "not-covered")) => (who, Some(false)),
            Some((_, other)) => bail!(
                "--attendee: `{given}`: `{other}` is neither `covered` nor `not-covered`; write e.g. 31:covered"
            ),
            None => (given.as_str(), None),
        };
        let contact = find_contact(cx, who).await?;
        attendees.push(AttendeeInput {
            contact: contact.id,
            covered,
        });
    }
    let input = TransferInput {
        account: AccountId(a.account),
        date: a.date.unwrap_or(cx.s.today),
        nature: a.nature,
        description: a.description,
        total_cents,
        attendees,
        others: a.others,
    };
    let recorded =
        rounds_app::record_transfer(cx.store, cx.actor, &cx.s.playbook, input, cx.s.today)
            .await
            .map_err(cli_error)?;
    warn(&recorded.warnings);
    let t = &recorded.transfer;
    if a.json {
        return print_json(t);
    }
    outln!(
        "Recorded transfer {}: {} {} at account {} on {}, {} present.",
        t.id,
        Dollars(t.total_cents),
        t.nature,
        t.account,
        t.date,
        t.present()
    )?;
    if recorded.shares.is_empty() {
        outln!("No covered recipient was present: nothing to report.")?;
    }
    for s in &recorded.shares {
        if let Some(c) = s.contact {
            outln!("  {} to covered recipient {c}", Dollars(s.cents))?;
        }
    }
    Ok(())
}

async fn list(cx: &Cx<'_>, a: LedgerListArgs) -> Result<()> {
    let filter = LedgerFilter {
        year: a.year,
        account: a.account.map(AccountId),
        include_void: a.void,
    };
    let rows = rounds_app::list_transfers(cx.store, cx.actor, filter)
        .await
        .map_err(cli_error)?;
    if a.json {
        return print_json(&rows);
    }
    if rows.is_empty() {
        outln!("No transfers of value recorded.")?;
        eprintln!(
            "hint: `rounds ledger add --account 12 --nature meal --amount 200 --description \"Lunch\" --attendee 31`"
        );
        return Ok(());
    }
    outln!("{}", transfers_table(&rows))?;
    Ok(())
}

fn transfers_table(rows: &[Transfer]) -> String {
    let body = rows
        .iter()
        .map(|t| {
            let shares = t.covered_shares();
            let reported: Vec<String> = shares
                .iter()
                .filter_map(|s| s.contact.map(|c| format!("{c}: {}", Dollars(s.cents))))
                .collect();
            vec![
                t.id.to_string(),
                t.date.to_string(),
                t.account.to_string(),
                t.nature.to_string(),
                Dollars(t.total_cents).to_string(),
                t.present().to_string(),
                if reported.is_empty() {
                    "—".to_string()
                } else {
                    reported.join(", ")
                },
                match &t.void {
                    Some(v) => format!("VOID {} ({}): {}", v.on, v.reason, t.description),
                    None => t.description.clone(),
                },
            ]
        })
        .collect();
    table(
        &[
            "id",
            "date",
            "account",
            "nature",
            "total",
            "present",
            "covered recipients",
            "description",
        ],
        body,
    )
}

async fn export(cx: &Cx<'_>, a: LedgerExportArgs) -> Result<()> {
    let report = rounds_app::ledger_year(cx.store, cx.actor, &cx.s.playbook, a.year)
        .await
        .map_err(cli_error)?;
    let mut text = Vec::new();
    write_open_payments(&report, &mut text)?;
    match &a.out {
        None => std::io::stdout().lock().write_all(&text)?,
        Some(path) => {
            // Written beside the target and renamed, so a crash never leaves half a file.
            let mut tmp = path.clone().into_os_string();
            tmp.push(".partial");
            let tmp = std::path::PathBuf::from(tmp);
            std::fs::write(&tmp, &text)
                .with_context(|| format!("cannot write {}", tmp.display()))?;
            std::fs::rename(&tmp, path)
                .with_context(|| format!("cannot write {}", path.display()))?;
        }
    }
    let total: i64 = report.totals.iter().map(|t| t.cents).sum();
    eprintln!(
        "{} row(s) for {} covered recipient(s) in {}, {} in all{}",
        report.rows.len(),
        report.totals.len(),
        report.year,
        Dollars(total),
        a.out
            .as_ref()
            .map(|p| format!(", written to {}", p.display()))
            .unwrap_or_default()
    );
    warn(&report.warnings);
    Ok(())
}

fn warn(warnings: &[CapWarning]) {
    for w in warnings {
        eprintln!("warning: {w}");
    }
}
