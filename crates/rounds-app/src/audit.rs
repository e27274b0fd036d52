//! The audit log, for administrators (and the local operator): its rows, newest first,
//! and the verdict on its chain. Writing the log is the store's: every write method
//! appends its own rows, so no use case can forget to.

use jiff::Timestamp;
use rounds_core::audit::ENTITIES;
use rounds_store::{AuditPage, AuditQuery, AuditReport, Store};

use crate::{Actor, AppError, Result};

/// Which rows to list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditFilter {
    /// A kind of record (`account`, `touch`, …), optionally with one record's key:
    /// `account` or `account/12`.
    pub entity: Option<String>,
    /// Only changes at or after this instant.
    pub since: Option<Timestamp>,
    /// At most this many rows (all if `None`).
    pub limit: Option<u64>,
    /// Rows to skip, newest first.
    pub offset: u64,
}

fn admins_only(actor: &Actor) -> Result<()> {
    if actor.scope.is_admin() {
        Ok(())
    } else {
        Err(AppError::Forbidden(
            "only administrators may read the audit log".into(),
        ))
    }
}

/// The organisation's audit rows, newest first, with how many match.
pub async fn audit_log<S: Store + Sync>(
    store: &S,
    actor: &Actor,
    filter: AuditFilter,
) -> Result<AuditPage> {
    admins_only(actor)?;
    let (entity, entity_id) = match filter.entity.as_deref().map(str::trim) {
        None | Some("") => (None, None),
        Some(wanted) => {
            // The kind is everything before the first `/`; a referral's or a step
            // update's key holds one of its own (`contact/day`, `touch/seq`).
            let (kind, id) = match wanted.split_once('/') {
                Some((kind, id)) => (kind, Some(id.to_string())),
                None => (wanted, None),
            };
            if !ENTITIES.contains(&kind) {
                return Err(AppError::invalid(
                    "entity",
                    format!(
                        "`{kind}` is not a kind of record; use one of {}",
                        ENTITIES.join(", ")
                    ),
                ));
            }
            (Some(kind.to_string()), id)
        }
    };
    let query = AuditQuery {
        entity,
        entity_id,
        since: filter.since.map(|t| t.as_second()),
        limit: filter.limit,
        offset: filter.offset,
    };
    Ok(store.audit_log(actor.org, &query).await?)
}

/// Walks the organisation's audit chain: whole, or every break found.
pub async fn verify_audit<S: Store + Sync>(store: &S, actor: &Actor) -> Result<AuditReport> {
    admins_only(actor)?;
    Ok(store.audit_verify(actor.org).await?)
}
