//! The import of a Salesforce book through `rounds_app::import_book` against the raw
//! write of the same records through `Store::write_org`, on SQLite and PostgreSQL.
//!
//! Each run starts from fresh databases: the organisation and its reps are written
//! first (not timed), then the first import, the re-import (nothing changes) and a dry
//! re-import are timed on one database, and `write_org` (merge) of the records that
//! import stored — read back with `export` — on a second one. Rates are rows per
//! second: for an import, over every row of every file read; for the raw write, over
//! the records written. Figures are printed, never asserted.

use std::fs::File;
use std::io::{BufReader, BufWriter};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, ensure};
use jiff::civil::Date;
use rounds_app::{Actor, BookImport, BookSummary, import_book};
use rounds_core::book::Sheet;
use rounds_core::export::OrgData;
use rounds_core::model::{OrgId, Organisation, Role, User, UserId};
use rounds_demo::crm::{CrmSpec, SalesforceFiles, write_salesforce};
use rounds_store::{AuditActor, SqlStore, Store, WriteMode};
use sqlx::{AnyConnection, AssertSqlSafe, Connection};

const ORG: OrgId = OrgId(1);

/// The day the book is imported on: its activities fall in the year before.
pub const AS_OF: Date = jiff::civil::date(2026, 12, 1);

/// The files of the book, as Salesforce names them.
const FILES: [&str; 4] = ["User.csv", "Account.csv", "Contact.csv", "Task.csv"];

/// How large a book, and how many reps own it.
#[derive(Debug, Clone, Copy)]
pub struct BookSize {
    pub reps: usize,
    pub accounts: usize,
    pub contacts: usize,
    pub activities: usize,
}

fn rep_email(i: usize) -> String {
    format!("rep{}@clinic.example", i + 1)
}

fn spec(size: BookSize) -> CrmSpec {
    CrmSpec {
        seed: 11,
        owners: (0..size.reps).map(rep_email).collect(),
        accounts: size.accounts,
        contacts: size.contacts,
        activities: size.activities,
        today: AS_OF,
    }
}

/// Writes the Salesforce book into `dir` (created if need be); answers its size in
/// bytes and the rows of every file (headers left out).
pub fn write_book(dir: &Path, size: BookSize) -> Result<(u64, u64)> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let file = |name: &str| -> Result<BufWriter<File>> {
        let path = dir.join(name);
        let f = File::create(&path).with_context(|| format!("cannot create {}", path.display()))?;
        Ok(BufWriter::with_capacity(1 << 20, f))
    };
    write_salesforce(
        &spec(size),
        SalesforceFiles {
            users: file(FILES[0])?,
            accounts: file(FILES[1])?,
            contacts: file(FILES[2])?,
            tasks: file(FILES[3])?,
        },
    )
    .context("writing the book")?;
    let mut bytes = 0;
    for name in FILES {
        bytes += std::fs::metadata(dir.join(name))?.len();
    }
    let rows = (size.reps + size.accounts + size.contacts + size.activities) as u64;
    Ok((bytes, rows))
}

/// The organisation and its reps, whose e-mail addresses the book's users carry.
fn seed(size: BookSize) -> OrgData {
    let users = (0..size.reps)
        .map(|i| User {
            id: UserId(i as i64 + 1),
            name: format!("Rep {}", i + 1),
            email: rep_email(i),
            role: Role::Rep,
            team: None,
        })
        .collect();
    OrgData {
        users,
        ..OrgData::empty(Organisation {
            id: ORG,
            name: "Import bench".into(),
            demo: false,
        })
    }
}

/// The book's files opened as the command line opens them.
fn sheets(dir: &Path) -> Result<Vec<Sheet>> {
    FILES
        .iter()
        .map(|name| {
            let path = dir.join(name);
            let f = File::open(&path).with_context(|| format!("cannot read {}", path.display()))?;
            Sheet::from_csv(
                &path.display().to_string(),
                BufReader::with_capacity(1 << 20, f),
            )
            .map_err(|p| anyhow::anyhow!("{p}"))
        })
        .collect()
}

/// Where the benchmark's databases are made.
#[derive(Debug, Clone)]
pub enum Server {
    /// A file per database in this directory.
    Sqlite(PathBuf),
    /// A database per run on the server behind this administrative URL.
    Postgres(String),
}

impl Server {
    fn name(&self) -> &'static str {
        match self {
            Server::Sqlite(_) => "SQLite (file, WAL, synchronous=NORMAL)",
            Server::Postgres(_) => "PostgreSQL",
        }
    }
}

/// One database made for a measurement, dropped by [`Db::drop`].
struct Db {
    store: SqlStore,
    cleanup: Cleanup,
}

enum Cleanup {
    File(PathBuf),
    Database { admin: String, name: String },
}

async fn fresh(server: &Server, name: &str) -> Result<Db> {
    let (url, cleanup) = match server {
        Server::Sqlite(dir) => {
            let path = dir.join(format!("{name}.db"));
            remove_sqlite(&path);
            (
                format!("sqlite://{}?mode=rwc", path.display()),
                Cleanup::File(path),
            )
        }
        Server::Postgres(admin) => {
            // The store installs them on connecting; this connection comes first.
            sqlx::any::install_default_drivers();
            let name = format!("rounds_bench_{name}_{}", std::process::id());
            let mut conn = AnyConnection::connect(admin)
                .await
                .with_context(|| format!("PostgreSQL not reachable at {admin}"))?;
            sqlx::raw_sql(AssertSqlSafe(format!(
                "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
            )))
            .execute(&mut conn)
            .await?;
            sqlx::raw_sql(AssertSqlSafe(format!("CREATE DATABASE {name}")))
                .execute(&mut conn)
                .await
                .with_context(|| format!("CREATE DATABASE {name}"))?;
            conn.close().await?;
            let base = admin.split('?').next().unwrap_or(admin);
            let server = base.rsplit_once('/').map_or(base, |(s, _)| s);
            (
                format!("{server}/{name}"),
                Cleanup::Database {
                    admin: admin.clone(),
                    name,
                },
            )
        }
    };
    let store = SqlStore::connect(&url)
        .await
        .with_context(|| format!("cannot open {url}"))?
        .acting_as(AuditActor::Operator, jiff::Timestamp::now());
    Ok(Db { store, cleanup })
}

fn remove_sqlite(path: &Path) {
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let mut p = path.as_os_str().to_owned();
        p.push(suffix);
        let _ = std::fs::remove_file(PathBuf::from(p));
    }
}

impl Db {
    async fn drop(self) -> Result<()> {
        self.store.close().await;
        match self.cleanup {
            Cleanup::File(path) => remove_sqlite(&path),
            Cleanup::Database { admin, name } => {
                let mut conn = AnyConnection::connect(&admin).await?;
                sqlx::raw_sql(AssertSqlSafe(format!(
                    "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                )))
                .execute(&mut conn)
                .await?;
                conn.close().await?;
            }
        }
        Ok(())
    }
}

async fn import(store: &SqlStore, book: &Path, dry_run: bool) -> Result<BookSummary> {
    let actor = Actor::load(store, ORG, None).await?;
    let input = BookImport {
        sheets: sheets(book)?,
        mapping: None,
        owner_map: vec![],
        rep: None,
        zone: None,
        dry_run,
        today: AS_OF,
    };
    import_book(store, &actor, input, &|_| {})
        .await
        .map_err(|e| anyhow::anyhow!("the import failed: {e:?}"))
}

/// The durations of one run.
struct Run {
    first: Duration,
    again: Duration,
    dry: Duration,
    raw: Duration,
    /// Records the raw write wrote.
    records: u64,
}

async fn one_run(server: &Server, book: &Path, size: BookSize) -> Result<Run> {
    let db = fresh(server, "import").await?;
    db.store.write_org(&seed(size), WriteMode::Replace).await?;
    let s = Instant::now();
    let summary = import(&db.store, book, false).await?;
    let first = s.elapsed();
    let c = summary.counts;
    ensure!(
        c.touches.added as usize == size.activities && c.accounts.added as usize == size.accounts,
        "the first import added {c:?}"
    );
    let s = Instant::now();
    let summary = import(&db.store, book, false).await?;
    let again = s.elapsed();
    let t = summary.counts.total();
    ensure!(
        t.added + t.changed == 0,
        "the re-import changed something: {:?}",
        summary.counts
    );
    let s = Instant::now();
    let summary = import(&db.store, book, true).await?;
    let dry = s.elapsed();
    ensure!(summary.counts.total().unchanged == t.unchanged);
    let stored = db.store.export(ORG).await?;
    db.drop().await?;

    let records = OrgData {
        accounts: stored.accounts,
        contacts: stored.contacts,
        topics: stored.topics,
        touches: stored.touches,
        ..OrgData::empty(stored.organisation)
    };
    let n = (records.accounts.len()
        + records.contacts.len()
        + records.topics.len()
        + records.touches.len()) as u64;
    let db = fresh(server, "raw").await?;
    db.store.write_org(&seed(size), WriteMode::Replace).await?;
    let s = Instant::now();
    db.store.write_org(&records, WriteMode::Merge).await?;
    let raw = s.elapsed();
    db.drop().await?;
    Ok(Run {
        first,
        again,
        dry,
        raw,
        records: n,
    })
}

/// Median, fastest and slowest rate of `rows` over each duration.
fn rates(rows: u64, ds: impl Iterator<Item = Duration>) -> (f64, f64, f64) {
    let mut r: Vec<f64> = ds.map(|d| rows as f64 / d.as_secs_f64()).collect();
    r.sort_by(f64::total_cmp);
    (r[r.len() / 2], r[0], r[r.len() - 1])
}

/// Times `runs` runs on each server and prints the medians and ratios.
pub async fn run(servers: &[Server], work: &Path, size: BookSize, runs: usize) -> Result<()> {
    let book = work.join("salesforce-book");
    let (bytes, rows) = write_book(&book, size)?;
    println!(
        "\nImport of a Salesforce book ({} reps, {} accounts, {} contacts, {} tasks: {rows} rows, {:.1} MB) against write_org of the same records; {runs} runs, a fresh database each",
        size.reps,
        size.accounts,
        size.contacts,
        size.activities,
        bytes as f64 / 1e6
    );
    for server in servers {
        println!("{}", server.name());
        let mut all = Vec::new();
        for i in 0..runs {
            let r = one_run(server, &book, size).await?;
            eprintln!(
                "  run {}: import {:.2} s, re-import {:.2} s, dry {:.2} s, raw {:.2} s",
                i + 1,
                r.first.as_secs_f64(),
                r.again.as_secs_f64(),
                r.dry.as_secs_f64(),
                r.raw.as_secs_f64()
            );
            all.push(r);
        }
        let records = all[0].records;
        let raw = rates(records, all.iter().map(|r| r.raw));
        let lines = [
            (
                "import (first, empty org)",
                rows,
                rates(rows, all.iter().map(|r| r.first)),
            ),
            (
                "re-import (nothing changes)",
                rows,
                rates(rows, all.iter().map(|r| r.again)),
            ),
            (
                "dry-run re-import",
                rows,
                rates(rows, all.iter().map(|r| r.dry)),
            ),
            ("raw write_org (merge)", records, raw),
        ];
        for (what, n, (median, min, max)) in lines {
            println!(
                "  {what:<28} {n:>8} rows  median {median:>9.0} rows/s  (min {min:.0}, max {max:.0})"
            );
        }
        for (what, (median, _, _)) in [
            ("import", lines[0].2),
            ("re-import", lines[1].2),
            ("dry re-import", lines[2].2),
        ] {
            println!("  ratio {what} / raw = {:.2}   goal ≥ 0.30", median / raw.0);
        }
    }
    Ok(())
}
