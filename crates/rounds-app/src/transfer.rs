//! Whole organisations in and out: the export file, its import (every problem reported,
//! nothing written unless the whole file is good), and the demo territory.

use rounds_core::export::OrgData;
use rounds_store::{Store, WriteMode};

use crate::{Actor, AppError, Result};

/// What an import wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ImportSummary {
    pub users: usize,
    pub accounts: usize,
    pub contacts: usize,
    pub topics: usize,
    pub touches: usize,
    pub referrals: usize,
    pub lost: usize,
    pub no_fits: usize,
}

fn operators_only(actor: &Actor, what: &str) -> Result<()> {
    if actor.scope.is_admin() {
        Ok(())
    } else {
        Err(AppError::Forbidden(format!(
            "only administrators may {what}"
        )))
    }
}

/// Reads an export file: every record through its own validation and the references
/// between records. Touches no storage.
pub fn parse_import(text: &str) -> Result<OrgData> {
    OrgData::from_jsonl(text).map_err(|problems| AppError::Import { problems })
}

/// Imports an export file into the actor's organisation, in one transaction, as
/// upserts: a repeated import changes nothing, and on any problem nothing is written.
pub async fn import<S: Store + Sync>(
    store: &S,
    actor: &Actor,
    text: &str,
) -> Result<ImportSummary> {
    operators_only(actor, "import")?;
    let mut data = parse_import(text)?;
    data.organisation.id = actor.org;
    store.write_org(&data, WriteMode::Merge).await?;
    Ok(ImportSummary {
        users: data.users.len(),
        accounts: data.accounts.len(),
        contacts: data.contacts.len(),
        topics: data.topics.len(),
        touches: data.touches.len(),
        referrals: data.referrals.len(),
        lost: data.lost.len(),
        no_fits: data.no_fits.len(),
    })
}

/// The whole organisation, as the export file holds it.
pub async fn export<S: Store + Sync>(store: &S, actor: &Actor) -> Result<OrgData> {
    operators_only(actor, "export")?;
    Ok(store.export(actor.org).await?)
}

/// Replaces the actor's organisation with a generated demo territory. An organisation
/// that is not a demo is only replaced when `replace` says so.
pub async fn write_demo<S: Store + Sync>(
    store: &S,
    actor: &Actor,
    mut data: OrgData,
    replace: bool,
) -> Result<OrgData> {
    operators_only(actor, "write a demo territory")?;
    let existing = store.organisations().await?;
    if let Some(org) = existing.iter().find(|o| o.id == actor.org)
        && !org.demo
        && !replace
    {
        return Err(AppError::Conflict {
            field: "organisation".into(),
            message: format!(
                "organisation {} ({}) in this database is not a demo; refusing to replace it",
                org.id, org.name
            ),
        });
    }
    data.organisation.id = actor.org;
    store.write_org(&data, WriteMode::Replace).await?;
    Ok(data)
}
