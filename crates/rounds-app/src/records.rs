//! Business signals recorded against contacts and accounts: daily referral counts,
//! lost accounts (P15) and accounts that are no fit (P31).

use jiff::civil::Date;
use rounds_core::model::{AccountId, ContactId, LossReason, LostAccount, NoFit, ReferralCount};
use rounds_core::values::{MAX_REFERRALS_PER_DAY, ReferralCountValue, ReferralDay};
use std::collections::{BTreeMap, BTreeSet};

use rounds_core::export::{OrgData, Problem};
use rounds_core::referrals::read_referral_csv;
use rounds_store::{Store, WriteMode};

use crate::accounts::{account_field, contact_field, get_contact};
use crate::error::first_problem;
use crate::{Actor, AppError, ContactFilter, Result};

/// Referrals from one contact on one day. `count` is wide so that any number typed or
/// sent is refused with the reason rather than wrapped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReferralInput {
    pub contact: ContactId,
    pub day: Date,
    pub count: u64,
}

/// Stores a day's referral count (replacing that day's earlier count). The day may not
/// be after `today`.
pub async fn add_referral<S: Store + Sync>(
    store: &S,
    actor: &Actor,
    input: ReferralInput,
    today: Date,
) -> Result<ReferralCount> {
    contact_field(store, actor, input.contact, "contact").await?;
    let day = ReferralDay::parse(input.day).map_err(|e| AppError::invalid("day", e.0))?;
    if day.get() > today {
        return Err(AppError::invalid(
            "day",
            format!("{} is in the future", input.day),
        ));
    }
    let count =
        ReferralCountValue::parse(input.count).map_err(|e| AppError::invalid("count", e.0))?;
    let record = ReferralCount {
        contact: input.contact,
        day: day.get(),
        count: count.get(),
    };
    store.add_referral(actor.org, &record).await?;
    Ok(record)
}

/// Adds referrals to a contact's count for a day, as a liaison enters them one by one
/// (the day's count grows; [`add_referral`] sets it). The day may not be after `today`.
pub async fn add_referrals<S: Store + Sync>(
    store: &S,
    actor: &Actor,
    input: ReferralInput,
    today: Date,
) -> Result<ReferralCount> {
    contact_field(store, actor, input.contact, "contact").await?;
    let day = ReferralDay::parse(input.day).map_err(|e| AppError::invalid("day", e.0))?;
    if day.get() > today {
        return Err(AppError::invalid(
            "day",
            format!("{} is in the future", input.day),
        ));
    }
    if input.count == 0 {
        return Err(AppError::invalid("count", "add at least one referral"));
    }
    let count =
        ReferralCountValue::parse(input.count).map_err(|e| AppError::invalid("count", e.0))?;
    add_to_day(store, actor, input.contact, day.get(), count.get()).await
}

/// The store's sum, its refusal said on `count` with the day's total.
pub(crate) async fn add_to_day<S: Store + Sync>(
    store: &S,
    actor: &Actor,
    contact: ContactId,
    day: Date,
    add: u32,
) -> Result<ReferralCount> {
    match store
        .add_to_referral(actor.org, contact, day, add, MAX_REFERRALS_PER_DAY)
        .await?
    {
        Ok(count) => Ok(count),
        Err(current) => Err(AppError::invalid(
            "count",
            format!(
                "{day} already has {current} referrals; {add} more would pass {MAX_REFERRALS_PER_DAY}, more than is plausible for a day"
            ),
        )),
    }
}

/// What a referral file did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReferralImport {
    /// Rows in the file.
    pub rows: usize,
    /// Counts new or different from what was stored.
    pub changed: usize,
}

/// Sets the counts of a referral CSV (`rounds_core::referrals`): contacts by id or
/// e-mail address within the actor's territories, no day after `today`. All or nothing
/// in one transaction, each problem by line; importing the same file again changes
/// nothing.
pub async fn import_referrals<S: Store + Sync>(
    store: &S,
    actor: &Actor,
    text: &str,
    today: Date,
) -> Result<ReferralImport> {
    let import_error = |mut problems: Vec<Problem>| {
        let total = problems.len();
        problems.truncate(50);
        AppError::Import { problems, total }
    };
    let rows = read_referral_csv(text).map_err(import_error)?;
    let contacts = crate::accounts::list_contacts(store, actor, &ContactFilter::default()).await?;
    let by_email: BTreeMap<String, Vec<ContactId>> =
        contacts.iter().fold(BTreeMap::new(), |mut m, c| {
            if let Some(e) = &c.channels.email {
                m.entry(e.to_lowercase()).or_default().push(c.id);
            }
            m
        });
    let ids: BTreeSet<ContactId> = contacts.iter().map(|c| c.id).collect();
    let mut problems = Vec::new();
    let mut counts = Vec::new();
    for row in rows {
        let problem = |field: &str, message: String| Problem {
            line: row.line,
            field: field.to_string(),
            message,
        };
        let contact = match row.contact.parse::<i64>() {
            Ok(id) if ids.contains(&ContactId(id)) => Some(ContactId(id)),
            Ok(id) => {
                problems.push(problem(
                    "contact",
                    format!("no contact {id} in your territories"),
                ));
                None
            }
            Err(_) => match by_email.get(&row.contact.to_lowercase()).map(Vec::as_slice) {
                Some([one]) => Some(*one),
                Some(_) => {
                    problems.push(problem(
                        "contact",
                        format!(
                            "several contacts have {}: give the contact's id",
                            row.contact
                        ),
                    ));
                    None
                }
                None => {
                    problems.push(problem(
                        "contact",
                        format!(
                            "no contact in your territories has the address {}",
                            row.contact
                        ),
                    ));
                    None
                }
            },
        };
        if row.day > today {
            problems.push(problem("day", format!("{} is in the future", row.day)));
            continue;
        }
        if let Some(contact) = contact {
            counts.push(ReferralCount {
                contact,
                day: row.day,
                count: row.count,
            });
        }
    }
    if !problems.is_empty() {
        return Err(import_error(problems));
    }
    let mut involved: Vec<ContactId> = counts.iter().map(|r| r.contact).collect();
    involved.sort();
    involved.dedup();
    let before: BTreeMap<(ContactId, Date), u32> = store
        .referral_counts(actor.org, &involved)
        .await?
        .into_iter()
        .map(|r| ((r.contact, r.day), r.count))
        .collect();
    let changed = counts
        .iter()
        .filter(|r| before.get(&(r.contact, r.day)) != Some(&r.count))
        .count();
    let rows = counts.len();
    if changed > 0 {
        let organisation = store
            .organisations()
            .await?
            .into_iter()
            .find(|o| o.id == actor.org)
            .ok_or_else(|| AppError::not_found("organisation", actor.org.0))?;
        let data = OrgData {
            organisation,
            users: vec![],
            accounts: vec![],
            contacts: vec![],
            topics: vec![],
            touches: vec![],
            referrals: counts,
            lost: vec![],
            no_fits: vec![],
            step_updates: vec![],
            work_weeks: vec![],
            time_off: vec![],
        };
        store.write_org(&data, WriteMode::Merge).await?;
    }
    Ok(ReferralImport { rows, changed })
}

/// A referring contact's daily counts, oldest first.
pub async fn list_referrals<S: Store + Sync>(
    store: &S,
    actor: &Actor,
    contact: ContactId,
) -> Result<Vec<ReferralCount>> {
    let (contact, account) = get_contact(store, actor, contact).await?;
    let territory = store.territory(actor.org, account.rep).await?;
    Ok(territory
        .referrals
        .into_iter()
        .filter(|r| r.contact == contact.id)
        .collect())
}

/// Why an account was lost.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LostInput {
    pub account: AccountId,
    pub lost_on: Date,
    pub reason: LossReason,
    pub competitor: Option<String>,
    /// Who was involved, to win back later (P15).
    pub stakeholders: Vec<String>,
    pub note: String,
    /// Replace a loss already recorded for the account; the earlier one is kept as
    /// history. Without it a second loss is refused, since it would overwrite the first.
    pub replace: bool,
}

/// Records why an account was lost; its status becomes lost and the win-back schedule
/// (feedback P16, nurture P17) starts. A second loss of the same account needs
/// `replace` (field `replace`, a conflict otherwise) and keeps the first as
/// `earlier`; the planner follows the latest.
pub async fn record_loss<S: Store + Sync>(
    store: &S,
    actor: &Actor,
    input: LostInput,
) -> Result<LostAccount> {
    account_field(store, actor, input.account, "account").await?;
    let lost = LostAccount {
        account: input.account,
        lost_on: input.lost_on,
        reason: input.reason,
        competitor: input
            .competitor
            .map(|c| c.trim().to_string())
            .filter(|c| !c.is_empty()),
        stakeholders: input
            .stakeholders
            .into_iter()
            .map(|s| s.trim().to_string())
            .collect(),
        note: input.note.replace("\r\n", "\n"),
        earlier: vec![],
    };
    first_problem(lost.validate())?;
    let lost = match store.lost(actor.org, input.account).await? {
        None => lost,
        Some(before) if input.replace => before.replaced_by(lost),
        Some(before) => {
            return Err(AppError::Conflict {
                field: "replace".into(),
                message: format!(
                    "account {} already has a loss recorded on {} ({}); replace it to record this one (the earlier loss is kept as history)",
                    input.account, before.lost_on, before.reason
                ),
            });
        }
    };
    store.record_lost(actor.org, &lost).await?;
    Ok(lost)
}

/// The lost accounts in the actor's territories, by account id.
pub async fn list_lost<S: Store + Sync>(
    store: &S,
    actor: &Actor,
    reason: Option<LossReason>,
) -> Result<Vec<LostAccount>> {
    let mut lost = Vec::new();
    for (rep, territory) in store.all_territories(actor.org).await? {
        if actor.scope.sees_rep(rep) {
            lost.extend(territory.lost);
        }
    }
    lost.retain(|l| reason.is_none_or(|r| l.reason == r));
    lost.sort_by_key(|l| l.account);
    Ok(lost)
}

/// Why an account is no fit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoFitInput {
    pub account: AccountId,
    pub decided_on: Date,
    pub reason: String,
}

/// Marks an account as no fit: every cadence on it stops (P31).
pub async fn record_no_fit<S: Store + Sync>(
    store: &S,
    actor: &Actor,
    input: NoFitInput,
) -> Result<NoFit> {
    account_field(store, actor, input.account, "account").await?;
    let no_fit = NoFit {
        account: input.account,
        decided_on: input.decided_on,
        reason: input.reason.trim().to_string(),
    };
    first_problem(no_fit.validate())?;
    store.record_no_fit(actor.org, &no_fit).await?;
    Ok(no_fit)
}
