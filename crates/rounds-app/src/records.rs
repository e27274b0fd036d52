//! Business signals recorded against contacts and accounts: daily referral counts,
//! lost accounts (P15) and accounts that are no fit (P31).

use jiff::civil::Date;
use rounds_core::model::{AccountId, ContactId, LossReason, LostAccount, NoFit, ReferralCount};
use rounds_core::values::{ReferralCountValue, ReferralDay};
use rounds_store::Store;

use crate::accounts::{account_field, contact_field, get_contact};
use crate::error::first_problem;
use crate::{Actor, AppError, Result};

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
