//! Accounts and their contacts: list, get, create, update, all through the actor's
//! scope. Every write runs the record's own `validate` (rounds-core `values`), the same
//! check as `rounds import`.

use std::collections::{BTreeMap, BTreeSet};

use rounds_core::model::{
    AccessPolicy, Account, AccountId, AccountKind, AccountStatus, Address, Channel, Consent,
    Contact, ContactChannels, ContactId, ContactRole, Influence, Segment, Specialty, TimeRange,
    TzName, UserId, WeekHours,
};
use rounds_store::{IdKind, Store};

use crate::error::first_problem;
use crate::{Actor, AppError, Result};

/// An account as a caller gives it: everything but the id, which the store hands out.
#[derive(Debug, Clone, PartialEq)]
pub struct AccountInput {
    pub name: String,
    /// The rep whose territory holds it; must be within the actor's scope.
    pub rep: UserId,
    pub kind: AccountKind,
    pub segment: Segment,
    pub specialties: Vec<Specialty>,
    pub address: Address,
    pub tz: TzName,
    pub office_hours: WeekHours,
    pub visit_windows: Vec<TimeRange>,
    pub front_desk_blocks: bool,
    pub access: AccessPolicy,
    pub status: AccountStatus,
    pub profile: BTreeMap<String, String>,
    pub pain_points: Vec<String>,
}

impl AccountInput {
    /// A new prospect with weekday office hours 08:00–12:00 and 13:00–17:00, the
    /// defaults of `rounds account add`.
    pub fn new(name: impl Into<String>, rep: UserId, tz: TzName) -> AccountInput {
        Account::prospect(AccountId(0), name, rep, tz).into()
    }

    pub fn into_account(self, id: AccountId) -> Account {
        Account {
            id,
            name: self.name.trim().to_string(),
            rep: self.rep,
            kind: self.kind,
            segment: self.segment,
            specialties: self.specialties,
            address: self.address,
            tz: self.tz,
            office_hours: self.office_hours,
            visit_windows: self.visit_windows,
            front_desk_blocks: self.front_desk_blocks,
            access: self.access,
            status: self.status,
            profile: self.profile,
            pain_points: self.pain_points,
        }
    }
}

impl From<Account> for AccountInput {
    fn from(a: Account) -> AccountInput {
        AccountInput {
            name: a.name,
            rep: a.rep,
            kind: a.kind,
            segment: a.segment,
            specialties: a.specialties,
            address: a.address,
            tz: a.tz,
            office_hours: a.office_hours,
            visit_windows: a.visit_windows,
            front_desk_blocks: a.front_desk_blocks,
            access: a.access,
            status: a.status,
            profile: a.profile,
            pain_points: a.pain_points,
        }
    }
}

/// Which accounts to list; every filter is optional.
#[derive(Debug, Clone, Default)]
pub struct AccountFilter {
    pub rep: Option<UserId>,
    pub status: Option<AccountStatus>,
    /// Part of the name, any case.
    pub search: Option<String>,
}

fn contains_ci(haystack: &str, needle: &str) -> bool {
    haystack.to_lowercase().contains(&needle.to_lowercase())
}

/// The accounts in the actor's territories, by id.
pub async fn list_accounts<S: Store + Sync>(
    store: &S,
    actor: &Actor,
    filter: &AccountFilter,
) -> Result<Vec<Account>> {
    let mut accounts = store.accounts(actor.org, filter.rep).await?;
    accounts.retain(|a| {
        actor.scope.sees_account(a)
            && filter.status.is_none_or(|s| a.status == s)
            && filter
                .search
                .as_deref()
                .is_none_or(|q| contains_ci(&a.name, q))
    });
    Ok(accounts)
}

/// One account, if it exists and the actor may see it. One scoped query either way,
/// so a missing account and another territory's cost the same and answer the same.
pub async fn get_account<S: Store + Sync>(
    store: &S,
    actor: &Actor,
    id: AccountId,
) -> Result<Account> {
    let reps = actor.scope.rep_list();
    store
        .scoped_account(actor.org, id, reps.as_deref())
        .await?
        .ok_or_else(|| AppError::not_found("account", id))
}

/// An account named in an input (not in the path): a missing one is that field's fault.
pub(crate) async fn account_field<S: Store + Sync>(
    store: &S,
    actor: &Actor,
    id: AccountId,
    field: &str,
) -> Result<Account> {
    get_account(store, actor, id).await.map_err(|e| match e {
        AppError::NotFound { .. } => {
            AppError::invalid(field, format!("no account {id} in your territories"))
        }
        other => other,
    })
}

/// The rules every account write follows, beyond the record's own validation.
fn check_account(actor: &Actor, account: &Account, before: Option<&Account>) -> Result<()> {
    first_problem(account.validate())?;
    if actor.scope.user(account.rep).is_none() {
        // Phrased as for an unknown user, so that it reveals nothing.
        return Err(AppError::invalid(
            "rep",
            format!("no user {} in your territories", account.rep),
        ));
    }
    let was = before.map(|b| b.status);
    if matches!(account.status, AccountStatus::Lost | AccountStatus::NoFit)
        && was != Some(account.status)
    {
        return Err(AppError::invalid(
            "status",
            format!(
                "an account becomes {} by recording why (P15, P31), not by setting its status",
                account.status
            ),
        ));
    }
    Ok(())
}

/// Adds an account to a territory in the actor's scope.
pub async fn create_account<S: Store + Sync>(
    store: &S,
    actor: &Actor,
    input: AccountInput,
) -> Result<Account> {
    // Checked with a placeholder id first, so that a refused account uses up no id.
    let draft = input.into_account(AccountId(0));
    check_account(actor, &draft, None)?;
    let account = Account {
        id: AccountId(store.next_id(actor.org, IdKind::Account).await?),
        ..draft
    };
    store.save_account(actor.org, &account).await?;
    Ok(account)
}

/// Replaces an account; moving it to another rep needs that rep in scope too.
pub async fn update_account<S: Store + Sync>(
    store: &S,
    actor: &Actor,
    id: AccountId,
    input: AccountInput,
) -> Result<Account> {
    let before = get_account(store, actor, id).await?;
    let account = input.into_account(id);
    check_account(actor, &account, Some(&before))?;
    store.save_account(actor.org, &account).await?;
    Ok(account)
}

/// A contact as a caller gives it: everything but the id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactInput {
    pub account: AccountId,
    pub name: String,
    pub role: ContactRole,
    pub influence: Influence,
    pub department: Option<String>,
    pub specialty: Option<Specialty>,
    pub channels: ContactChannels,
    pub preferred_channel: Option<Channel>,
    pub opt_outs: Vec<Channel>,
    /// Consent to text messages, as recorded (P43); without it no text is planned.
    pub text_consent: Option<Consent>,
}

impl ContactInput {
    /// A contact with role `other`, influence `user` and no channels: the defaults of
    /// `rounds contact add`.
    pub fn new(account: AccountId, name: impl Into<String>) -> ContactInput {
        ContactInput {
            account,
            name: name.into(),
            role: ContactRole::Other,
            influence: Influence::User,
            department: None,
            specialty: None,
            channels: ContactChannels::default(),
            preferred_channel: None,
            opt_outs: vec![],
            text_consent: None,
        }
    }

    pub fn into_contact(self, id: ContactId) -> Contact {
        let trim = |o: Option<String>| o.map(|s| s.trim().to_string());
        Contact {
            id,
            account: self.account,
            name: self.name.trim().to_string(),
            role: self.role,
            influence: self.influence,
            department: trim(self.department),
            specialty: self.specialty,
            channels: ContactChannels {
                cell: trim(self.channels.cell),
                email: trim(self.channels.email),
                office_phone: trim(self.channels.office_phone),
                extension: trim(self.channels.extension),
                linkedin: trim(self.channels.linkedin),
            },
            preferred_channel: self.preferred_channel,
            opt_outs: self.opt_outs,
            text_consent: self.text_consent.map(|c| Consent {
                on: c.on,
                source: c.source.trim().to_string(),
            }),
        }
    }
}

impl From<Contact> for ContactInput {
    fn from(c: Contact) -> ContactInput {
        ContactInput {
            account: c.account,
            name: c.name,
            role: c.role,
            influence: c.influence,
            department: c.department,
            specialty: c.specialty,
            channels: c.channels,
            preferred_channel: c.preferred_channel,
            opt_outs: c.opt_outs,
            text_consent: c.text_consent,
        }
    }
}

/// Which contacts to list.
#[derive(Debug, Clone, Default)]
pub struct ContactFilter {
    /// Only this account's (which must be in scope).
    pub account: Option<AccountId>,
    /// Part of the name, any case.
    pub search: Option<String>,
}

/// The contacts in the actor's territories, by id.
/// Every account in the actor's scope and every contact of those accounts, read once
/// each: for a form that offers both (the log form's contact choice).
pub async fn accounts_with_contacts<S: Store + Sync>(
    store: &S,
    actor: &Actor,
) -> Result<(Vec<Account>, Vec<Contact>)> {
    let accounts = list_accounts(store, actor, &AccountFilter::default()).await?;
    let visible: BTreeSet<AccountId> = accounts.iter().map(|a| a.id).collect();
    let mut contacts = store.contacts(actor.org, None).await?;
    contacts.retain(|c| visible.contains(&c.account));
    Ok((accounts, contacts))
}

pub async fn list_contacts<S: Store + Sync>(
    store: &S,
    actor: &Actor,
    filter: &ContactFilter,
) -> Result<Vec<Contact>> {
    let mut contacts = match filter.account {
        Some(id) => {
            get_account(store, actor, id).await?;
            store.contacts(actor.org, Some(id)).await?
        }
        None => accounts_with_contacts(store, actor).await?.1,
    };
    if let Some(q) = filter.search.as_deref() {
        contacts.retain(|c| contains_ci(&c.name, q));
    }
    Ok(contacts)
}

/// One contact and its account, if the actor may see the account: one scoped query,
/// like [`get_account`].
pub async fn get_contact<S: Store + Sync>(
    store: &S,
    actor: &Actor,
    id: ContactId,
) -> Result<(Contact, Account)> {
    let reps = actor.scope.rep_list();
    store
        .scoped_contact(actor.org, id, reps.as_deref())
        .await?
        .ok_or_else(|| AppError::not_found("contact", id))
}

/// A contact named in an input: a missing one is that field's fault.
pub(crate) async fn contact_field<S: Store + Sync>(
    store: &S,
    actor: &Actor,
    id: ContactId,
    field: &str,
) -> Result<(Contact, Account)> {
    get_contact(store, actor, id).await.map_err(|e| match e {
        AppError::NotFound { .. } => {
            AppError::invalid(field, format!("no contact {id} in your territories"))
        }
        other => other,
    })
}

/// Adds a contact to an account in the actor's territories.
pub async fn create_contact<S: Store + Sync>(
    store: &S,
    actor: &Actor,
    input: ContactInput,
) -> Result<Contact> {
    let draft = input.into_contact(ContactId(0));
    first_problem(draft.validate())?;
    account_field(store, actor, draft.account, "account").await?;
    let contact = Contact {
        id: ContactId(store.next_id(actor.org, IdKind::Contact).await?),
        ..draft
    };
    store.save_contact(actor.org, &contact).await?;
    Ok(contact)
}

/// Replaces a contact; moving it to another account needs that account in scope.
pub async fn update_contact<S: Store + Sync>(
    store: &S,
    actor: &Actor,
    id: ContactId,
    input: ContactInput,
) -> Result<Contact> {
    get_contact(store, actor, id).await?;
    let contact = input.into_contact(id);
    first_problem(contact.validate())?;
    account_field(store, actor, contact.account, "account").await?;
    store.save_contact(actor.org, &contact).await?;
    Ok(contact)
}
