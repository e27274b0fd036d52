//! Imports from other systems: the links from their ids to Rounds' (`external_ids`),
//! and the write of an import, which decides per record — by the link and the digest of
//! what was imported — whether it is new, changed or unchanged, gives new records their
//! ids, and writes the changes, all in one transaction (rolled back when dry).

use std::collections::HashMap;

use rounds_core::audit::{BodyHasher, Change};
use rounds_core::book::{ExternalChunk, ExternalCounts, ExternalId, ExternalKind, Imported};
use rounds_core::model::{OrgId, Touch};
use sqlx::{Any, AnyConnection, AssertSqlSafe, Row, Transaction};

use crate::sql::{Backend, SQLITE_CACHE};
use crate::tables::{OnConflict, Stored, insert_rows_hashed};
use crate::{Rollback, SqlStore, StoreError, audit};

/// Links looked up per statement.
const LOOKUP_BATCH: usize = 500;

/// The page cache of the connection writing an import on SQLite: 32 MiB.
const IMPORT_CACHE: &str = "PRAGMA cache_size = -32768";

impl SqlStore {
    pub(crate) async fn q_external_ids(
        &self,
        org: OrgId,
        source: &str,
        kind: ExternalKind,
    ) -> Result<Vec<ExternalId>, StoreError> {
        let mut conn = self.conn().await?;
        let rows = sqlx::query(
            "SELECT external_id, local_id, digest FROM external_ids \
             WHERE org_id = $1 AND source = $2 AND kind = $3 ORDER BY external_id",
        )
        .bind(org.0)
        .bind(source.to_string())
        .bind(kind.as_str())
        .fetch_all(&mut *conn)
        .await
        .map_err(StoreError::db("reading the import links"))?;
        rows.iter()
            .map(|r| {
                Ok(ExternalId {
                    source: source.to_string(),
                    kind,
                    external_id: r.try_get(0)?,
                    local: r.try_get(1)?,
                    digest: r.try_get(2)?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(StoreError::db("reading the import links"))
    }

    pub(crate) async fn q_write_external<I>(
        &self,
        org: OrgId,
        source: &str,
        dry_run: bool,
        chunks: &mut I,
    ) -> Result<Option<ExternalCounts>, StoreError>
    where
        I: Iterator<Item = Result<ExternalChunk, Rollback>> + Send,
    {
        if self.backend() == Backend::Postgres {
            // Without fresh statistics (a table just loaded, autovacuum not yet round)
            // the planner serves the per-chunk lookups from `external_ids_local`,
            // reading every link of the kind for each chunk: a re-import of 20,000
            // touches took 12 s instead of 1. Sampling the table takes a fraction of
            // that, even when it holds millions of links.
            let mut conn = self.conn().await?;
            sqlx::raw_sql("ANALYZE external_ids")
                .execute(&mut *conn)
                .await
                .map_err(StoreError::db(
                    "refreshing the statistics of the import links",
                ))?;
        }
        let mut tx = self.write_tx().await?;
        if self.backend() == Backend::Sqlite {
            // The run's memory, not the speed, is what a large file puts at risk: a
            // 1 GB file filled the 64 MiB cache and peaked at 209 MiB with it. Pages
            // beyond the cache spill to the write-ahead log as SQLite goes.
            sqlx::raw_sql(IMPORT_CACHE)
                .execute(&mut *tx)
                .await
                .map_err(StoreError::db("sizing the page cache for the import"))?;
        }
        let mut linked = Vec::new();
        for kind in ExternalKind::ALL {
            if any_links(&mut tx, org, source, kind).await? {
                linked.push(kind);
            }
        }
        let mut run = Run {
            org,
            source,
            backend: self.backend(),
            counts: ExternalCounts::default(),
            provisional: HashMap::new(),
            digest: BodyHasher::default(),
            linked,
        };
        for chunk in chunks {
            let Ok(mut chunk) = chunk else {
                // Dropping the transaction rolls it back (the connection keeps the
                // smaller cache: slower reads at worst).
                return Ok(None);
            };
            run.chunk(&mut tx, &mut chunk).await?;
        }
        if self.backend() == Backend::Sqlite {
            sqlx::raw_sql(SQLITE_CACHE)
                .execute(&mut *tx)
                .await
                .map_err(StoreError::db("sizing the page cache after the import"))?;
        }
        if dry_run {
            tx.rollback()
                .await
                .map_err(StoreError::db("rolling back a dry run"))?;
            return Ok(Some(run.counts));
        }
        let total = run.counts.total();
        if total.added + total.changed > 0 {
            let c = &run.counts;
            let detail = format!(
                "source={source} added={} changed={} unchanged={} accounts=+{}~{} contacts=+{}~{} topics=+{}~{} touches=+{}~{}",
                total.added,
                total.changed,
                total.unchanged,
                c.accounts.added,
                c.accounts.changed,
                c.contacts.added,
                c.contacts.changed,
                c.topics.added,
                c.topics.changed,
                c.touches.added,
                c.touches.changed,
            );
            let summary = Change::write("organisation", org, None, Some(run.digest.finish()))
                .named("import")
                .with_detail(detail);
            audit::append(&mut tx, org, self.acting(), vec![summary]).await?;
        }
        tx.commit().await.map_err(StoreError::db(format!(
            "committing the import into organisation {org}"
        )))?;
        Ok(Some(run.counts))
    }
}

/// The state of one import's transaction.
struct Run<'a> {
    org: OrgId,
    source: &'a str,
    backend: Backend,
    counts: ExternalCounts,
    /// Ids handed out for records that arrived with a provisional (negative) id, which
    /// later records use to refer to them.
    provisional: HashMap<(ExternalKind, i64), i64>,
    digest: BodyHasher,
    /// The kinds with links from this source when the run began. A kind without any
    /// needs no lookups: a link written during the run belongs to an external id the
    /// run already had, and callers give each external id once.
    linked: Vec<ExternalKind>,
}

/// How a record's id and references are reached, per kind.
trait Linked: Stored + Clone + Send + Sync {
    const KIND: ExternalKind;
    /// The table whose ids the counter hands out.
    const COUNTER: &'static str;
    fn id_mut(&mut self) -> &mut i64;
    /// Replaces provisional ids of the records this one refers to.
    fn relink(&mut self, ids: &HashMap<(ExternalKind, i64), i64>) -> Result<(), StoreError>;
}

fn real(
    ids: &HashMap<(ExternalKind, i64), i64>,
    kind: ExternalKind,
    id: &mut i64,
) -> Result<(), StoreError> {
    if *id < 0 {
        *id = *ids
            .get(&(kind, *id))
            .ok_or(StoreError::UnknownProvisional {
                kind: kind.as_str(),
                id: *id,
            })?;
    }
    Ok(())
}

impl Linked for rounds_core::model::Topic {
    const KIND: ExternalKind = ExternalKind::Topic;
    const COUNTER: &'static str = "topics";
    fn id_mut(&mut self) -> &mut i64 {
        &mut self.id.0
    }
    fn relink(&mut self, _: &HashMap<(ExternalKind, i64), i64>) -> Result<(), StoreError> {
        Ok(())
    }
}

impl Linked for rounds_core::model::Account {
    const KIND: ExternalKind = ExternalKind::Account;
    const COUNTER: &'static str = "accounts";
    fn id_mut(&mut self) -> &mut i64 {
        &mut self.id.0
    }
    fn relink(&mut self, _: &HashMap<(ExternalKind, i64), i64>) -> Result<(), StoreError> {
        Ok(())
    }
}

impl Linked for rounds_core::model::Contact {
    const KIND: ExternalKind = ExternalKind::Contact;
    const COUNTER: &'static str = "contacts";
    fn id_mut(&mut self) -> &mut i64 {
        &mut self.id.0
    }
    fn relink(&mut self, ids: &HashMap<(ExternalKind, i64), i64>) -> Result<(), StoreError> {
        real(ids, ExternalKind::Account, &mut self.account.0)
    }
}

impl Linked for Touch {
    const KIND: ExternalKind = ExternalKind::Touch;
    const COUNTER: &'static str = "touches";
    fn id_mut(&mut self) -> &mut i64 {
        &mut self.id.0
    }
    fn relink(&mut self, ids: &HashMap<(ExternalKind, i64), i64>) -> Result<(), StoreError> {
        real(ids, ExternalKind::Account, &mut self.account.0)?;
        real(ids, ExternalKind::Contact, &mut self.contact.0)?;
        for t in self.topics.iter_mut().chain(self.primary_topic.as_mut()) {
            real(ids, ExternalKind::Topic, &mut t.0)?;
        }
        Ok(())
    }
}

impl Run<'_> {
    async fn chunk(
        &mut self,
        tx: &mut Transaction<'static, Any>,
        chunk: &mut ExternalChunk,
    ) -> Result<(), StoreError> {
        self.kind(tx, &mut chunk.topics).await?;
        self.kind(tx, &mut chunk.accounts).await?;
        self.kind(tx, &mut chunk.contacts).await?;
        // Grouped by account, as every bulk write stores touches (see `write_chunk`).
        chunk
            .touches
            .sort_unstable_by_key(|t| (t.record.account, t.record.id));
        self.kind(tx, &mut chunk.touches).await
    }

    /// Decides each record's fate, gives the new ones ids, and writes what changed with
    /// its link.
    async fn kind<T: Linked>(
        &mut self,
        tx: &mut Transaction<'static, Any>,
        items: &mut [Imported<T>],
    ) -> Result<(), StoreError> {
        if items.is_empty() {
            return Ok(());
        }
        let links = if self.linked.contains(&T::KIND) {
            self.links(tx, T::KIND, items).await?
        } else {
            HashMap::new()
        };
        let mut writes: Vec<usize> = Vec::new();
        let mut fresh: Vec<usize> = Vec::new();
        let tally = self.counts.of(T::KIND);
        for (i, item) in items.iter_mut().enumerate() {
            match links.get(item.external_id.as_str()) {
                Some((local, digest)) => {
                    let id = item.record.id_mut();
                    if *id < 0 {
                        self.provisional.insert((T::KIND, *id), *local);
                    }
                    *id = *local;
                    if *digest == item.digest {
                        tally.unchanged += 1;
                    } else {
                        tally.changed += 1;
                        writes.push(i);
                    }
                }
                // A record the importer matched to one already stored (a card of a
                // known contact): updated under its id, and linked from now on.
                None if *item.record.id_mut() > 0 => {
                    tally.changed += 1;
                    writes.push(i);
                }
                None => {
                    tally.added += 1;
                    fresh.push(i);
                    writes.push(i);
                }
            }
        }
        if !fresh.is_empty() {
            let last = take_ids(tx, self.org, T::COUNTER, fresh.len() as i64).await?;
            let first = last - fresh.len() as i64 + 1;
            for (n, &i) in fresh.iter().enumerate() {
                let id = items[i].record.id_mut();
                let real = first + n as i64;
                if *id < 0 {
                    self.provisional.insert((T::KIND, *id), real);
                }
                *id = real;
            }
        }
        let mut records = Vec::with_capacity(writes.len());
        let mut links_out = Vec::with_capacity(writes.len());
        for &i in &writes {
            items[i].record.relink(&self.provisional)?;
        }
        for &i in &writes {
            let item = &items[i];
            let mut record = item.record.clone();
            links_out.push((
                item.external_id.as_str(),
                *record.id_mut(),
                item.digest.as_str(),
            ));
            records.push(record);
        }
        insert_rows_hashed::<T, T>(
            tx,
            self.backend,
            self.org.0,
            &records,
            OnConflict::Update,
            Some(&mut self.digest),
        )
        .await?;
        write_links(tx, self.backend, self.org, self.source, T::KIND, &links_out).await
    }

    /// The stored links of these records: external id → (Rounds id, digest).
    async fn links<T>(
        &self,
        conn: &mut AnyConnection,
        kind: ExternalKind,
        items: &[Imported<T>],
    ) -> Result<HashMap<String, (i64, String)>, StoreError> {
        let mut found = HashMap::new();
        for batch in items.chunks(LOOKUP_BATCH) {
            let marks: Vec<String> = (0..batch.len())
                .map(|i| mark(self.backend, i + 4))
                .collect();
            let sql = format!(
                "SELECT external_id, local_id, digest FROM external_ids \
                 WHERE org_id = {} AND source = {} AND kind = {} AND external_id IN ({})",
                mark(self.backend, 1),
                mark(self.backend, 2),
                mark(self.backend, 3),
                marks.join(", ")
            );
            let mut q = sqlx::query(AssertSqlSafe(sql))
                .bind(self.org.0)
                .bind(self.source.to_string())
                .bind(kind.as_str());
            for item in batch {
                q = q.bind(item.external_id.clone());
            }
            for r in q
                .fetch_all(&mut *conn)
                .await
                .map_err(StoreError::db("looking up the import links"))?
            {
                let get = || -> Result<(String, i64, String), sqlx::Error> {
                    Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?))
                };
                let (ext, local, digest) =
                    get().map_err(StoreError::db("reading an import link"))?;
                found.insert(ext, (local, digest));
            }
        }
        Ok(found)
    }
}

/// Whether any link of this kind from `source` is stored.
async fn any_links(
    conn: &mut AnyConnection,
    org: OrgId,
    source: &str,
    kind: ExternalKind,
) -> Result<bool, StoreError> {
    let found = sqlx::query(
        "SELECT 1 FROM external_ids WHERE org_id = $1 AND source = $2 AND kind = $3 LIMIT 1",
    )
    .bind(org.0)
    .bind(source.to_string())
    .bind(kind.as_str())
    .fetch_optional(&mut *conn)
    .await
    .map_err(StoreError::db("looking up the import links"))?;
    Ok(found.is_some())
}

/// Takes `n` ids from the organisation's counter of `table` in the transaction, so a
/// record added meanwhile elsewhere never gets one of them; returns the last.
async fn take_ids(
    conn: &mut AnyConnection,
    org: OrgId,
    table: &'static str,
    n: i64,
) -> Result<i64, StoreError> {
    // MAX over both dialects: SQLite's two-argument MAX, PostgreSQL's GREATEST.
    let sql = format!(
        "INSERT INTO id_counters (org_id, kind, last_id) \
         VALUES ($1, $2, (SELECT COALESCE(MAX(id), 0) + $3 FROM {table} WHERE org_id = $1)) \
         ON CONFLICT (org_id, kind) DO UPDATE SET last_id = CASE \
         WHEN id_counters.last_id + $3 > excluded.last_id THEN id_counters.last_id + $3 \
         ELSE excluded.last_id END RETURNING last_id"
    );
    sqlx::query(AssertSqlSafe(sql))
        .bind(org.0)
        .bind(table)
        .bind(n)
        .fetch_one(&mut *conn)
        .await
        .and_then(|row| row.try_get(0))
        .map_err(StoreError::db(format!("taking {n} new ids for {table}")))
}

/// The `n`th bind parameter (from 1). SQLite gets anonymous ones, bound in order: sqlx
/// looks up the name of every parameter it binds, and SQLite finds a name by walking
/// the statement's list of them, so numbered ones cost time quadratic in their count
/// (a quarter of a first import's time with 1,503 per statement).
fn mark(backend: Backend, n: usize) -> String {
    match backend {
        Backend::Postgres => format!("${n}"),
        Backend::Sqlite => "?".to_string(),
    }
}

async fn write_links(
    conn: &mut AnyConnection,
    backend: Backend,
    org: OrgId,
    source: &str,
    kind: ExternalKind,
    links: &[(&str, i64, &str)],
) -> Result<(), StoreError> {
    for batch in links.chunks(LOOKUP_BATCH) {
        let rows: Vec<String> = (0..batch.len())
            .map(|i| match backend {
                Backend::Postgres => {
                    let b = 4 + i * 3;
                    format!("($1, $2, $3, ${b}, ${}, ${})", b + 1, b + 2)
                }
                // Anonymous parameters (see `mark`), so each row binds all six.
                Backend::Sqlite => "(?, ?, ?, ?, ?, ?)".to_string(),
            })
            .collect();
        let sql = format!(
            "INSERT INTO external_ids (org_id, source, kind, external_id, local_id, digest) VALUES {} \
             ON CONFLICT (org_id, source, kind, external_id) DO UPDATE SET \
             local_id = excluded.local_id, digest = excluded.digest",
            rows.join(", ")
        );
        let mut q = sqlx::query(AssertSqlSafe(sql));
        if backend == Backend::Postgres {
            q = q.bind(org.0).bind(source.to_string()).bind(kind.as_str());
        }
        for (ext, local, digest) in batch {
            if backend == Backend::Sqlite {
                q = q.bind(org.0).bind(source.to_string()).bind(kind.as_str());
            }
            q = q
                .bind(ext.to_string())
                .bind(*local)
                .bind(digest.to_string());
        }
        q.execute(&mut *conn)
            .await
            .map_err(StoreError::db("writing the import links"))?;
    }
    Ok(())
}
