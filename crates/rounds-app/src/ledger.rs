//! The transfer-of-value ledger (P14): recording a meal or an item given at an account,
//! listing, voiding, and the yearly Open Payments report.
//!
//! The rules, the same whoever records: the account must be in the actor's scope (a rep
//! records for their own accounts, a manager for the team's; `account` otherwise), its
//! rep owns the transfer, every attendee must be a contact of that account, and a
//! contact counts as a covered recipient by its role or specialty
//! ([`rounds_core::ledger::covered_by_default`]) unless the input says otherwise. The
//! record goes through `Transfer::validate` (amount, people present, date not after
//! today, the description's P14 refusal). Lists and the report show what the actor's
//! scope sees; the cap's warning on recording counts the organisation's whole year for
//! the recipients, since the cap is on what the organisation gives.

use jiff::civil::Date;
use rounds_core::ledger::{
    Attendee, CapWarning, Nature, Share, Transfer, Void, YearReport, cap_warnings,
    covered_by_default, year_report,
};
use rounds_core::model::{AccountId, ContactId, TransferId};
use rounds_core::playbook::Playbook;
use rounds_store::{IdKind, Ledger, Store, TransferQuery};

use crate::accounts::{account_field, get_account};
use crate::error::first_problem;
use crate::{Actor, AppError, Result};

/// A contact present, and whether they are a covered recipient (`None`: decided by
/// their role and specialty).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AttendeeInput {
    pub contact: ContactId,
    pub covered: Option<bool>,
}

/// A transfer to record. The use case fills in the id and the rep (the account's).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransferInput {
    pub account: AccountId,
    pub date: Date,
    pub nature: Nature,
    pub description: String,
    pub total_cents: i64,
    pub attendees: Vec<AttendeeInput>,
    /// People present who are not contacts.
    pub others: u32,
}

/// A transfer as recorded, the covered recipients' shares and the cap's warnings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recorded {
    pub transfer: Transfer,
    pub shares: Vec<Share>,
    pub warnings: Vec<CapWarning>,
}

/// Records a transfer of value given on `input.date`; `today` is the recording user's
/// day.
pub async fn record_transfer<S: Store + Ledger + Sync>(
    store: &S,
    actor: &Actor,
    playbook: &Playbook,
    input: TransferInput,
    today: Date,
) -> Result<Recorded> {
    let account = account_field(store, actor, input.account, "account").await?;
    let contacts = store.contacts(actor.org, Some(account.id)).await?;
    let attendees = input
        .attendees
        .iter()
        .map(|a| Attendee {
            contact: a.contact,
            covered: a.covered.unwrap_or_else(|| {
                contacts
                    .iter()
                    .find(|c| c.id == a.contact)
                    .is_some_and(covered_by_default)
            }),
        })
        .collect();
    let mut transfer = Transfer {
        id: TransferId(0),
        account: account.id,
        // The account's owner, whoever records it: the transfer belongs to the territory.
        rep: account.rep,
        date: input.date,
        nature: input.nature,
        description: input.description.trim().to_string(),
        total_cents: input.total_cents,
        attendees,
        others: input.others,
        void: None,
    };
    // Checked with a placeholder id first, so that a refused transfer uses up no id.
    first_problem(transfer.validate(&contacts, today))?;
    transfer.id = TransferId(store.next_id(actor.org, IdKind::Transfer).await?);
    store.add_transfer(actor.org, &transfer).await?;
    let year = transfer.date.year();
    let whole_year = store
        .transfers(
            actor.org,
            &TransferQuery {
                year: Some(year),
                ..TransferQuery::default()
            },
        )
        .await?;
    let shares = transfer.covered_shares();
    let recipients: Vec<ContactId> = shares.iter().filter_map(|s| s.contact).collect();
    let warnings = cap_warnings(
        year,
        &whole_year,
        &contacts,
        playbook.compliance.yearly_cap_cents,
        Some(&recipients),
    );
    Ok(Recorded {
        transfer,
        shares,
        warnings,
    })
}

/// Which transfers to list.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LedgerFilter {
    pub year: Option<i16>,
    pub account: Option<AccountId>,
    /// Voided transfers too.
    pub include_void: bool,
}

/// The transfers the actor's scope sees, by date then id.
pub async fn list_transfers<S: Store + Ledger + Sync>(
    store: &S,
    actor: &Actor,
    filter: LedgerFilter,
) -> Result<Vec<Transfer>> {
    if let Some(year) = filter.year {
        check_year(year)?;
    }
    if let Some(id) = filter.account {
        get_account(store, actor, id).await?;
    }
    let reps = actor.scope.rep_list();
    Ok(store
        .transfers(
            actor.org,
            &TransferQuery {
                reps: reps.as_deref(),
                account: filter.account,
                year: filter.year,
                include_void: filter.include_void,
            },
        )
        .await?)
}

/// One transfer, if the actor's scope sees its account: one scoped query.
pub async fn get_transfer<S: Store + Ledger + Sync>(
    store: &S,
    actor: &Actor,
    id: TransferId,
) -> Result<Transfer> {
    let reps = actor.scope.rep_list();
    store
        .transfer(actor.org, id, reps.as_deref())
        .await?
        .ok_or_else(|| AppError::not_found("transfer", id))
}

/// Voids a transfer recorded in error, saying why; it stays in the ledger and counts
/// nowhere. A transfer is voided once (`Conflict` on `void` after that).
pub async fn void_transfer<S: Store + Ledger + Sync>(
    store: &S,
    actor: &Actor,
    id: TransferId,
    reason: &str,
    today: Date,
) -> Result<Transfer> {
    let stored = get_transfer(store, actor, id).await?;
    if let Some(v) = &stored.void {
        return Err(already_void(id, v));
    }
    let voided = Transfer {
        void: Some(Void {
            on: today,
            reason: reason.trim().to_string(),
        }),
        ..stored
    };
    if let Some(p) = voided
        .validate(&[], today)
        .into_iter()
        .find(|p| p.field == "void.reason")
    {
        return Err(AppError::invalid("reason", p.message));
    }
    if store.void_transfer(actor.org, &voided).await? {
        Ok(voided)
    } else {
        let now = get_transfer(store, actor, id).await?;
        Err(match &now.void {
            Some(v) => already_void(id, v),
            None => AppError::not_found("transfer", id),
        })
    }
}

fn already_void(id: TransferId, v: &Void) -> AppError {
    AppError::Conflict {
        field: "void".into(),
        message: format!("transfer {id} was voided on {} ({})", v.on, v.reason),
    }
}

/// The year's Open Payments report over the transfers the actor's scope sees, with
/// the playbook's cap.
pub async fn ledger_year<S: Store + Ledger + Sync>(
    store: &S,
    actor: &Actor,
    playbook: &Playbook,
    year: i16,
) -> Result<YearReport> {
    check_year(year)?;
    let transfers = list_transfers(
        store,
        actor,
        LedgerFilter {
            year: Some(year),
            ..LedgerFilter::default()
        },
    )
    .await?;
    let mut ids: Vec<AccountId> = transfers.iter().map(|t| t.account).collect();
    ids.sort();
    ids.dedup();
    let mut accounts = Vec::with_capacity(ids.len());
    let mut contacts = Vec::new();
    for id in ids {
        if let Some(a) = store.account(actor.org, id).await? {
            accounts.push(a);
        }
        contacts.extend(store.contacts(actor.org, Some(id)).await?);
    }
    Ok(year_report(
        year,
        &transfers,
        &contacts,
        &accounts,
        playbook.compliance.yearly_cap_cents,
    ))
}

/// The years the ledger answers for: a typo of a year is a mistake to say, not an empty
/// report.
fn check_year(year: i16) -> Result<()> {
    if (2000..=2100).contains(&year) {
        Ok(())
    } else {
        Err(AppError::invalid(
            "year",
            format!("{year} is not a year from 2000 to 2100"),
        ))
    }
}
