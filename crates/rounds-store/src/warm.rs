//! Territories kept warm between plans. Reading one rep's rows decodes every touch
//! (tens of milliseconds for a rep with 50,000); a server plans the same rep again and
//! again while only a touch or a step update changed. Every write appends to the audit
//! chain in its own transaction, so the chain's head (sequence and hash) tells whether a
//! kept territory is still current, and the rows appended since it name what changed:
//! touches and step updates are read again one by one and put in place; any other
//! change that can touch a territory (an account, a contact, an import…) reads the
//! territory again whole. Another process writing to the same database is seen the
//! same way, since the head is read from the database on every call.
//!
//! Reads are not in one snapshot with the head (PostgreSQL reads committed rows per
//! statement), so the head is read first: a territory may then hold a write newer than
//! its head, and applying that write again later must change nothing. Putting a touch
//! or a step update in place is therefore an upsert by id, and a row that is gone is
//! removed.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use rounds_core::audit::Head;
use rounds_core::model::{OrgId, Territory, Touch, TouchId, UserId};
use sqlx::Row;

use crate::Store;
use crate::error::StoreError;
use crate::sql::{SqlStore, time_order};

/// How many territories a store keeps: a benchmark-sized rep takes about 15 MB.
const KEPT: usize = 16;

/// Past this many audit rows since a territory was read, reading it whole is cheaper
/// than catching up row by row.
const MAX_CATCH_UP: i64 = 256;

/// Entities whose writes never change what a territory holds.
const OUTSIDE_TERRITORIES: &[&str] = &[
    "user",
    "sign-in",
    "api-token",
    "calendar-feed",
    "template",
    "capture-review",
    "outbox",
    "transfer",
];

/// How a warm read was answered, counted since the store was opened (for benchmarks
/// and tests: which path a read took is otherwise invisible).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WarmCounts {
    /// Kept and still current: no row read but the head.
    pub current: u64,
    /// Kept, brought up to date with the touches and step updates written since.
    pub caught_up: u64,
    /// Read whole: not kept, or a change that needs the whole territory.
    pub read_whole: u64,
}

#[derive(Default)]
pub(crate) struct WarmTerritories {
    kept: Mutex<HashMap<(OrgId, UserId), Kept>>,
    clock: AtomicU64,
    current: AtomicU64,
    caught_up: AtomicU64,
    read_whole: AtomicU64,
}

impl std::fmt::Debug for WarmTerritories {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WarmTerritories")
            .field("counts", &self.counts())
            .finish()
    }
}

struct Kept {
    head: Head,
    territory: Arc<Territory>,
    last_used: u64,
}

impl WarmTerritories {
    pub(crate) fn counts(&self) -> WarmCounts {
        WarmCounts {
            current: self.current.load(Ordering::Relaxed),
            caught_up: self.caught_up.load(Ordering::Relaxed),
            read_whole: self.read_whole.load(Ordering::Relaxed),
        }
    }

    fn take(&self, key: (OrgId, UserId)) -> Option<Kept> {
        self.kept.lock().ok()?.remove(&key)
    }

    /// Hands out the kept territory if its head is `head`, leaving it kept.
    fn current(&self, key: (OrgId, UserId), head: &Head) -> Option<Arc<Territory>> {
        let mut kept = self.kept.lock().ok()?;
        let k = kept.get_mut(&key).filter(|k| k.head == *head)?;
        k.last_used = self.clock.fetch_add(1, Ordering::Relaxed);
        Some(k.territory.clone())
    }

    fn keep(&self, key: (OrgId, UserId), head: Head, territory: Arc<Territory>) {
        let Ok(mut kept) = self.kept.lock() else {
            return;
        };
        if kept.len() >= KEPT && !kept.contains_key(&key) {
            let oldest = kept
                .iter()
                .min_by_key(|(_, k)| k.last_used)
                .map(|(k, _)| *k);
            if let Some(oldest) = oldest {
                kept.remove(&oldest);
            }
        }
        let last_used = self.clock.fetch_add(1, Ordering::Relaxed);
        kept.insert(
            key,
            Kept {
                head,
                territory,
                last_used,
            },
        );
    }
}

/// One audit row as the catch-up needs it.
struct Written {
    entity: String,
    entity_id: String,
}

impl SqlStore {
    /// The organisation's audit head; one that never wrote has seq 0 and no hash.
    async fn audit_head(&self, org: OrgId) -> Result<Head, StoreError> {
        let mut conn = self.conn().await?;
        Ok(crate::audit::head_of(&mut conn, org)
            .await?
            .unwrap_or(Head {
                seq: 0,
                hash: String::new(),
            }))
    }

    /// The rows appended after `from` up to `to`, if `from` is still a row of the same
    /// chain (an organisation written anew starts another) and they are few.
    async fn written_since(
        &self,
        org: OrgId,
        from: &Head,
        to: &Head,
    ) -> Result<Option<Vec<Written>>, StoreError> {
        if to.seq <= from.seq || to.seq - from.seq > MAX_CATCH_UP {
            return Ok(None);
        }
        let fault = StoreError::db("reading the audit log");
        let mut conn = self.conn().await?;
        let rows = sqlx::query(
            "SELECT seq, hash, entity, entity_id FROM audit_log \
             WHERE org_id = $1 AND seq >= $2 AND seq <= $3 ORDER BY seq",
        )
        .bind(org.0)
        .bind(from.seq)
        .bind(to.seq)
        .fetch_all(&mut *conn)
        .await
        .map_err(fault)?;
        let mut written = Vec::with_capacity(rows.len());
        for (i, row) in rows.iter().enumerate() {
            let seq: i64 = row
                .try_get(0)
                .map_err(StoreError::db("reading the audit log"))?;
            let hash: String = row
                .try_get(1)
                .map_err(StoreError::db("reading the audit log"))?;
            if i == 0 {
                // The kept head must be the first row read, unchanged; an organisation
                // that never wrote (seq 0) has no row to compare.
                let same_chain = if from.seq == 0 {
                    seq > 0
                } else {
                    seq == from.seq && hash == from.hash
                };
                if !same_chain {
                    return Ok(None);
                }
                if from.seq != 0 {
                    continue;
                }
            }
            written.push(Written {
                entity: row
                    .try_get(2)
                    .map_err(StoreError::db("reading the audit log"))?,
                entity_id: row
                    .try_get(3)
                    .map_err(StoreError::db("reading the audit log"))?,
            });
        }
        let expected = (to.seq - from.seq) as usize;
        Ok((written.len() == expected).then_some(written))
    }

    /// [`Store::territory`], shared, from the territories this store keeps when the
    /// audit chain shows it is current or can be brought up to date row by row.
    pub(crate) async fn warm_territory(
        &self,
        org: OrgId,
        rep: UserId,
    ) -> Result<Arc<Territory>, StoreError> {
        let key = (org, rep);
        let warm = self.warm();
        let head = self.audit_head(org).await?;
        if let Some(t) = warm.current(key, &head) {
            warm.current.fetch_add(1, Ordering::Relaxed);
            return Ok(t);
        }
        if let Some(kept) = warm.take(key)
            && let Some(written) = self.written_since(org, &kept.head, &head).await?
            && let Some(territory) = self.catch_up(org, kept.territory, &written).await?
        {
            warm.caught_up.fetch_add(1, Ordering::Relaxed);
            warm.keep(key, head, territory.clone());
            return Ok(territory);
        }
        let territory = Arc::new(self.territory(org, rep).await?);
        warm.read_whole.fetch_add(1, Ordering::Relaxed);
        warm.keep(key, head, territory.clone());
        Ok(territory)
    }

    /// Applies `written` to `territory`; `None` when a change needs the whole territory
    /// read again.
    async fn catch_up(
        &self,
        org: OrgId,
        mut territory: Arc<Territory>,
        written: &[Written],
    ) -> Result<Option<Arc<Territory>>, StoreError> {
        let mut touches: Vec<TouchId> = Vec::new();
        let mut steps: Vec<TouchId> = Vec::new();
        for w in written {
            match w.entity.as_str() {
                "touch" => match w.entity_id.parse() {
                    Ok(id) => touches.push(TouchId(id)),
                    Err(_) => return Ok(None),
                },
                // A step update's id is "touch/seq".
                "step-update" => match w.entity_id.split('/').next().and_then(|t| t.parse().ok()) {
                    Some(id) => steps.push(TouchId(id)),
                    None => return Ok(None),
                },
                e if OUTSIDE_TERRITORIES.contains(&e) => {}
                _ => return Ok(None),
            }
        }
        touches.dedup();
        steps.dedup();
        let t = Arc::make_mut(&mut territory);
        for id in touches {
            let touch = self.touch(org, id).await?;
            put_touch(t, id, touch);
        }
        for id in steps {
            if !t.touches.iter().any(|x| x.id == id) {
                continue;
            }
            let updates = self.step_updates(org, id).await?;
            t.step_updates.retain(|u| u.touch != id);
            let at = t.step_updates.partition_point(|u| u.touch < id);
            t.step_updates.splice(at..at, updates);
        }
        Ok(Some(territory))
    }

    /// How this store's warm reads were answered so far.
    pub fn warm_counts(&self) -> WarmCounts {
        self.warm().counts()
    }
}

/// Puts the touch `id` as it now is (`None`: deleted) in its place in `t`, kept in
/// (at, id) order; a touch on an account outside the territory is not its.
fn put_touch(t: &mut Territory, id: TouchId, now: Option<Touch>) {
    // From the end: a touch just logged or edited is most often among the latest.
    if let Some(i) = t.touches.iter().rposition(|x| x.id == id) {
        t.touches.remove(i);
    }
    let Some(touch) = now else {
        return;
    };
    if t.accounts
        .binary_search_by_key(&touch.account, |a| a.id)
        .is_err()
    {
        return;
    }
    let key = time_order(&touch);
    let at = t.touches.partition_point(|x| time_order(x) < key);
    t.touches.insert(at, touch);
}
