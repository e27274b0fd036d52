//! Planning benchmarks on SQLite. Each scenario builds its database once (kept under
//! `--dir` and reused when its row counts match), then times, over several runs:
//! reading the rows alone, planning alone, and reading plus planning, and prints the
//! medians and the ratio of the whole job to the read. Figures, never assertions.
//!
//! Run: `cargo run --release -p rounds-bench -- --scenario rep` (or `org`, `all`).
//! `--scenario log-next` needs no database: it times, on the demo territory in memory,
//! how `rounds log` finds the contact's next touch. `--scenario slowloris` loads a
//! running server with slow clients (`bench/slowloris/run` sets it up).
//! `--scenario import` times the import of a Salesforce book against the raw write of
//! the same records on SQLite and PostgreSQL; `--scenario write-book` only writes such a
//! book into `--dir` (`bench/import/run` imports a 1 GB one under `/usr/bin/time`).

#![allow(clippy::disallowed_methods)] // A benchmark reads the clock by nature.

mod import;
mod pages;
mod slowloris;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use clap::{Parser, ValueEnum};
use jiff::civil::date;
use rounds_core::model::{ContactId, Territory, UserId};
use rounds_core::planner::{self, PlanItem, plan};
use rounds_core::playbook::Playbook;
use rounds_demo::{self as demo, DemoSpec};
use rounds_store::{SqlStore, Store, Summaries, WriteMode};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Scenario {
    Rep,
    Org,
    All,
    /// One touch per transaction, straight into the store: the ceiling the API's
    /// log-a-touch rate is measured against.
    RawInsert,
    /// The next touch of a just-logged contact: the day-by-day search (a full plan per
    /// day until one includes the contact, up to 45) against
    /// `planner::next_for_contact` (one plan, then that account's rules), on the demo.
    LogNext,
    /// Looking up another rep's contact against an id nobody has, as a rep: the scoped
    /// read (one query that filters by rep) against the two reads it replaced (the
    /// contact, then its account to check the rep), on the demo.
    ScopeMiss,
    /// Slow clients against a running `rounds serve` (`--target`): idle and half-sent
    /// sockets from one address while a second client's latency is measured.
    Slowloris,
    /// A Salesforce book through `rounds_app::import_book` (first import, re-import,
    /// dry re-import) against `Store::write_org` of the same records, rows/s and ratios,
    /// on each of `--backends`.
    Import,
    /// Writes a Salesforce book of `--book-*` rows into `--dir`, and nothing else.
    WriteBook,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum BackendName {
    Sqlite,
    Postgres,
}

#[derive(Debug, Parser)]
#[command(
    about = "Time planning one rep and a whole organisation against the time to read the rows"
)]
struct Args {
    #[arg(long, value_enum, default_value = "rep")]
    scenario: Scenario,
    /// Where the benchmark databases are kept between runs
    #[arg(long, default_value = "bench-out")]
    dir: PathBuf,
    /// Timed runs per measurement (the median is reported; the import scenario makes
    /// 3 to 5)
    #[arg(long, default_value_t = 15)]
    runs: usize,
    /// Reps in the organisation scenario
    #[arg(long, default_value_t = 200)]
    org_reps: usize,
    /// org: the database to use instead of the SQLite file under --dir (e.g. a PostgreSQL
    /// database; the organisation is written there unless it is there already)
    #[arg(long, value_name = "URL")]
    org_database: Option<String>,
    /// Touches per contact in both scenarios (25 gives 50,000 per rep)
    #[arg(long, default_value_t = 25.0)]
    touches_per_contact: f64,
    /// raw-insert: the database to write to (a copy you can spare; touches are added)
    #[arg(long, value_name = "URL")]
    database: Option<String>,
    /// raw-insert: touches to insert per measurement
    #[arg(long, default_value_t = 5000)]
    inserts: usize,
    /// raw-insert: concurrent writers in the concurrent measurement
    #[arg(long, default_value_t = 16)]
    writers: usize,
    /// log-next: contacts to look up (spread evenly over the first rep's contacts)
    #[arg(long, default_value_t = 20)]
    contacts: usize,
    /// scope-miss: lookups timed per case
    #[arg(long, default_value_t = 1500)]
    samples: usize,
    /// slowloris: the server's address (host:port)
    #[arg(long)]
    target: Option<std::net::SocketAddr>,
    /// slowloris: idle and half-sent sockets held open against it
    #[arg(long, default_value_t = 2000)]
    idle_sockets: usize,
    /// slowloris: requests the second client sends, one after another
    #[arg(long, default_value_t = 1000)]
    requests: usize,
    /// slowloris: the local address the slow sockets come from
    #[arg(long, default_value = "127.0.0.2")]
    attacker_address: std::net::IpAddr,
    /// slowloris: milliseconds before a socket the server closed is opened again
    #[arg(long, default_value_t = 1000)]
    reopen_ms: u64,
    /// slowloris: milliseconds between the second client's requests, at least
    #[arg(long, default_value_t = 25)]
    interval_ms: u64,
    /// import, write-book: reps owning the book (its users file)
    #[arg(long, default_value_t = 4)]
    book_reps: usize,
    /// import, write-book: accounts in the book
    #[arg(long, default_value_t = 1_000)]
    book_accounts: usize,
    /// import, write-book: contacts in the book
    #[arg(long, default_value_t = 4_000)]
    book_contacts: usize,
    /// import, write-book: tasks in the book (about 150 bytes each)
    #[arg(long, default_value_t = 200_000)]
    book_activities: usize,
    /// import: the backends measured, e.g. `--backends sqlite`
    #[arg(
        long,
        value_enum,
        value_delimiter = ',',
        default_value = "sqlite,postgres"
    )]
    backends: Vec<BackendName>,
    /// import: the PostgreSQL server's administrative URL (a database is made and dropped
    /// for each measurement)
    #[arg(
        long,
        value_name = "URL",
        default_value = "postgres://postgres@127.0.0.1:5432/postgres"
    )]
    postgres_admin: String,
}

fn median(mut xs: Vec<Duration>) -> Duration {
    xs.sort();
    xs[xs.len() / 2]
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

async fn build(path: &std::path::Path, spec: &DemoSpec) -> Result<SqlStore> {
    build_at(&format!("sqlite://{}?mode=rwc", path.display()), spec).await
}

/// The scenario's organisation at `url`, written unless it is there already.
async fn build_at(url: &str, spec: &DemoSpec) -> Result<SqlStore> {
    let path = url.split('?').next().unwrap_or(url);
    let store = SqlStore::connect(url).await?;
    let org = demo::ORG_ID;
    let counts = store.row_counts(org).await?;
    let expected_accounts = spec.accounts as u64;
    if counts.accounts == expected_accounts && counts.touches > 0 {
        eprintln!("reusing {path} ({} touches)", counts.touches);
        return Ok(store);
    }
    let started = Instant::now();
    let (organisation, users, topics) = demo::generate_shared(spec);
    let empty = rounds_core::export::OrgData {
        users,
        topics,
        ..rounds_core::export::OrgData::empty(organisation)
    };
    store.write_org(&empty, WriteMode::Replace).await?;
    let mut touches = 0;
    for rep in 0..spec.reps {
        let part = demo::generate_rep(spec, rep);
        touches += part.touches.len();
        store.write_org(&part, WriteMode::Merge).await?;
        if rep % 20 == 19 {
            eprintln!(
                "  … {} of {} reps written ({touches} touches, {:.0} s)",
                rep + 1,
                spec.reps,
                started.elapsed().as_secs_f64()
            );
        }
    }
    let secs = started.elapsed().as_secs_f64();
    eprintln!(
        "built {path} in {secs:.1} s: {touches} touches ({:.0} touches/s written)",
        touches as f64 / secs
    );
    Ok(store)
}

async fn rep_scenario(a: &Args, pb: &Playbook) -> Result<()> {
    let today = date(2026, 11, 24);
    let spec = DemoSpec {
        touches_per_contact: a.touches_per_contact,
        ..DemoSpec::benchmark_rep(1, today)
    };
    let store = build(&a.dir.join("rep.db"), &spec).await?;
    let rep = demo::rep_user_id(0);
    let t = store.territory(demo::ORG_ID, rep).await?;
    println!(
        "\nOne rep: {} accounts, {} contacts, {} touches, {} referral days, {} topics",
        t.accounts.len(),
        t.contacts.len(),
        t.touches.len(),
        t.referrals.len(),
        t.topics.len()
    );
    let (mut read, mut planned, mut whole) = (vec![], vec![], vec![]);
    let mut items = 0;
    for _ in 0..a.runs {
        let s = Instant::now();
        let t = store.territory(demo::ORG_ID, rep).await?;
        read.push(s.elapsed());
        let s = Instant::now();
        items = plan(&t, pb, rep, today).items.len();
        planned.push(s.elapsed());
        let s = Instant::now();
        let t = store.territory(demo::ORG_ID, rep).await?;
        let _ = plan(&t, pb, rep, today);
        whole.push(s.elapsed());
    }
    let (r, p, w) = (median(read), median(planned), median(whole));
    println!("  read rows only      median {}", ms(r));
    println!("  plan only (memory)  median {}  ({items} items)", ms(p));
    println!("  read + plan         median {}   goal ≤ 20 ms", ms(w));
    println!(
        "  ratio (read + plan) / read = {:.2}×   goal ≤ 1.5×",
        w.as_secs_f64() / r.as_secs_f64()
    );
    warm_rep(a, pb, &store, rep).await
}

/// One rep planned from the territory the store keeps warm (`Store::shared_territory`),
/// as a server plans: with nothing written since the last plan, and right after a touch
/// is logged (the kept territory is brought up to date with it). The touches logged are
/// deleted again, so the benchmark database stays as built.
async fn warm_rep(a: &Args, pb: &Playbook, store: &SqlStore, rep: UserId) -> Result<()> {
    let today = date(2026, 11, 24);
    drop(store.shared_territory(demo::ORG_ID, rep).await?);
    let sample = store.territory(demo::ORG_ID, rep).await?;
    let template = sample
        .touches
        .last()
        .cloned()
        .context("the benchmark rep has no touch")?;
    drop(sample);
    let (mut unchanged, mut unchanged_whole, mut logged, mut logged_whole) =
        (vec![], vec![], vec![], vec![]);
    let mut added = vec![];
    let before = store.warm_counts();
    for _ in 0..a.runs {
        let s = Instant::now();
        let t = store.shared_territory(demo::ORG_ID, rep).await?;
        unchanged.push(s.elapsed());
        drop(t);
        let s = Instant::now();
        let t = store.shared_territory(demo::ORG_ID, rep).await?;
        let _ = plan(&t, pb, rep, today);
        unchanged_whole.push(s.elapsed());
        drop(t);
        for and_plan in [false, true] {
            added.push(store.add_new_touch(demo::ORG_ID, &template).await?);
            let s = Instant::now();
            let t = store.shared_territory(demo::ORG_ID, rep).await?;
            if and_plan {
                let _ = plan(&t, pb, rep, today);
                logged_whole.push(s.elapsed());
            } else {
                logged.push(s.elapsed());
            }
        }
    }
    let after = store.warm_counts();
    for id in added {
        store.delete_touch(demo::ORG_ID, id).await?;
    }
    println!("  kept warm between plans (audit head checked on every read):");
    println!(
        "    read, nothing written since          median {}",
        ms(median(unchanged))
    );
    println!(
        "    read + plan, nothing written since   median {}   goal ≤ 20 ms",
        ms(median(unchanged_whole))
    );
    println!(
        "    read, one touch logged since         median {}",
        ms(median(logged))
    );
    println!(
        "    read + plan, one touch logged since  median {}   goal ≤ 20 ms",
        ms(median(logged_whole))
    );
    println!(
        "    reads answered: {} current, {} caught up, {} read whole",
        after.current - before.current,
        after.caught_up - before.caught_up,
        after.read_whole - before.read_whole
    );
    Ok(())
}

async fn org_scenario(a: &Args, pb: &Playbook) -> Result<()> {
    let today = date(2026, 11, 24);
    let mut spec = DemoSpec::new(2, today);
    spec.reps = a.org_reps;
    spec.accounts = a.org_reps * 500;
    spec.contacts_per_account = 4.0;
    spec.touches_per_contact = a.touches_per_contact;
    let url = match &a.org_database {
        Some(url) => url.clone(),
        None => format!(
            "sqlite://{}?mode=rwc",
            a.dir.join(format!("org-{}.db", a.org_reps)).display()
        ),
    };
    let store = build_at(&url, &spec).await?;
    let counts = store.row_counts(demo::ORG_ID).await?;
    println!(
        "\nOrganisation on {}: {} reps, {} accounts, {} contacts, {} touches, {} referral days",
        store.backend(),
        a.org_reps,
        counts.accounts,
        counts.contacts,
        counts.touches,
        counts.referrals
    );
    let runs = a.runs.clamp(1, 3);
    let mut scan = vec![];
    for _ in 0..runs {
        let s = Instant::now();
        let all = store.all_territories(demo::ORG_ID).await?;
        scan.push(s.elapsed());
        drop(all);
    }
    let sc = median(scan);
    println!(
        "  full scan (read every row)            median {:.2} s",
        sc.as_secs_f64()
    );
    // Before: one rep after another on one core, as the organisation was planned until
    // the summaries (one run: it is the slow figure).
    let s = Instant::now();
    let all = store.all_territories(demo::ORG_ID).await?;
    let items: usize = all
        .iter()
        .map(|(rep, t)| plan(t, pb, *rep, today).items.len())
        .sum();
    let sequential = s.elapsed();
    drop(all);
    println!(
        "  scan + plan, one rep after another    {:.2} s  ({items} items; one run)  ratio to scan {:.2}×",
        sequential.as_secs_f64(),
        sequential.as_secs_f64() / sc.as_secs_f64()
    );
    // After: the worker's pass, batches read while the previous batch is planned on
    // every core, summaries stored.
    let mut parallel = vec![];
    let now = today
        .at(6, 0, 0, 0)
        .to_zoned(jiff::tz::TimeZone::UTC)?
        .timestamp();
    for _ in 0..runs {
        store
            .prune_summaries(demo::ORG_ID, today.tomorrow()?)
            .await?;
        let s = Instant::now();
        let n = rounds_app::reports::refresh_org(&store, demo::ORG_ID, pb, today, now)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        parallel.push(s.elapsed());
        anyhow::ensure!(n == a.org_reps, "summarised {n} reps of {}", a.org_reps);
    }
    let par = median(parallel);
    println!(
        "  worker pass (read, plan on {} cores, store)  median {:.2} s   ratio to scan {:.2}×   goal ≤ 2×",
        std::thread::available_parallelism().map_or(1, usize::from),
        par.as_secs_f64(),
        par.as_secs_f64() / sc.as_secs_f64()
    );
    pages::org_pages(a, pb, &store, today).await
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<()> {
    let a = Args::parse();
    std::fs::create_dir_all(&a.dir)
        .with_context(|| format!("cannot create {}", a.dir.display()))?;
    let book = import::BookSize {
        reps: a.book_reps.max(1),
        accounts: a.book_accounts.max(1),
        contacts: a.book_contacts.max(1),
        activities: a.book_activities,
    };
    if a.scenario == Scenario::WriteBook {
        let (bytes, rows) = import::write_book(&a.dir, book)?;
        println!(
            "wrote a Salesforce book of {rows} rows, {bytes} bytes, into {}",
            a.dir.display()
        );
        return Ok(());
    }
    let pb = Playbook::default();
    println!(
        "rounds-bench on {} cores; SQLite, WAL, synchronous=NORMAL",
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
    );
    if matches!(a.scenario, Scenario::Rep | Scenario::All) {
        rep_scenario(&a, &pb).await?;
    }
    if matches!(a.scenario, Scenario::Org | Scenario::All) {
        org_scenario(&a, &pb).await?;
    }
    if a.scenario == Scenario::RawInsert {
        raw_insert(&a).await?;
    }
    if a.scenario == Scenario::LogNext {
        log_next(&a, &pb);
    }
    if a.scenario == Scenario::ScopeMiss {
        scope_miss(&a).await?;
    }
    if a.scenario == Scenario::Import {
        let work = tempfile::tempdir_in(&a.dir)
            .with_context(|| format!("cannot make a directory in {}", a.dir.display()))?;
        let servers: Vec<import::Server> = a
            .backends
            .iter()
            .map(|b| match b {
                BackendName::Sqlite => import::Server::Sqlite(work.path().to_path_buf()),
                BackendName::Postgres => import::Server::Postgres(a.postgres_admin.clone()),
            })
            .collect();
        import::run(&servers, work.path(), book, a.runs.clamp(3, 5)).await?;
    }
    if a.scenario == Scenario::Slowloris {
        slowloris::run(slowloris::Options {
            target: a
                .target
                .context("--scenario slowloris needs --target HOST:PORT")?,
            idle_sockets: a.idle_sockets,
            requests: a.requests,
            attacker: a.attacker_address,
            reopen: Duration::from_millis(a.reopen_ms),
            interval: Duration::from_millis(a.interval_ms),
        })
        .await?;
    }
    Ok(())
}

/// Times, as the demo's first rep, a lookup of the second rep's contact and of an id
/// nobody has, interleaved `--samples` times each: the scoped read rounds-app makes
/// now, and the two reads it made before (contact, then account), whose second query
/// ran only when the contact existed. Prints the medians and the difference.
async fn scope_miss(a: &Args) -> Result<()> {
    let spec = DemoSpec::new(7, date(2026, 11, 24));
    let store = build(&a.dir.join("scope-miss.db"), &spec).await?;
    let org = demo::ORG_ID;
    let me = [demo::rep_user_id(0)];
    let theirs = store.accounts(org, Some(demo::rep_user_id(1))).await?[0].id;
    let outside = store.contacts(org, Some(theirs)).await?[0].id;
    let missing = ContactId(i64::from(i32::MAX));
    let mut times: [Vec<Duration>; 4] = Default::default();
    for _ in 0..a.samples.max(1) {
        for (i, id) in [outside, missing].into_iter().enumerate() {
            let s = Instant::now();
            let found = store.scoped_contact(org, id, Some(&me)).await?;
            times[i].push(s.elapsed());
            anyhow::ensure!(found.is_none(), "contact {id} is in scope");
            let s = Instant::now();
            if let Some(c) = store.contact(org, id).await? {
                let account = store.account(org, c.account).await?;
                anyhow::ensure!(account.is_some_and(|x| x.rep != me[0]), "in scope");
            }
            times[2 + i].push(s.elapsed());
        }
    }
    let us = |d: Duration| d.as_secs_f64() * 1e6;
    let [new_out, new_missing, old_out, old_missing] = times.map(median);
    println!(
        "\nA rep looks up another rep's contact vs. an id nobody has (demo seed 7, {} samples each, median):",
        a.samples
    );
    for (what, out, miss) in [
        ("scoped read (now)", new_out, new_missing),
        ("contact, then account (before)", old_out, old_missing),
    ] {
        println!(
            "  {what:<32} outside {:>7.1} µs   missing {:>7.1} µs   difference {:>+7.1} µs",
            us(out),
            us(miss),
            us(out) - us(miss)
        );
    }
    Ok(())
}

/// The search `rounds log` did before `next_for_contact`: plan each day from the touch's
/// day until a plan includes the contact.
fn next_day_by_day(
    t: &Territory,
    pb: &Playbook,
    rep: UserId,
    from: jiff::civil::Date,
    contact: ContactId,
) -> Option<(jiff::civil::Date, PlanItem)> {
    let mut day = from;
    for _ in 0..planner::NEXT_TOUCH_HORIZON_DAYS {
        let p = plan(t, pb, rep, day);
        if let Some(item) = p.items.into_iter().find(|i| i.contact == contact) {
            return Some((day, item));
        }
        day = day.tomorrow().ok()?;
    }
    None
}

/// One rep's part of the demo, as the store would load it.
fn demo_territory(spec: &DemoSpec, rep: UserId) -> Territory {
    demo::generate(spec).territory_of(rep)
}

/// Times both ways of finding the next touch for `--contacts` contacts of the demo's
/// first rep (seed 7, 2026-11-24), each `--runs` times (the day-by-day search at most 3
/// times: it is the slow one), and prints the median per contact and the ratio.
fn log_next(a: &Args, pb: &Playbook) {
    let today = date(2026, 11, 24);
    let spec = DemoSpec::new(7, today);
    let rep = demo::rep_user_id(0);
    let t = demo_territory(&spec, rep);
    let mut ids: Vec<ContactId> = t.contacts.iter().map(|c| c.id).collect();
    ids.sort();
    let step = (ids.len() / a.contacts.max(1)).max(1);
    let chosen: Vec<ContactId> = ids.iter().copied().step_by(step).take(a.contacts).collect();
    println!(
        "\nNext touch after logging (demo seed 7, {today}, rep {rep}): {} accounts, {} contacts, {} touches; {} contacts looked up",
        t.accounts.len(),
        t.contacts.len(),
        t.touches.len(),
        chosen.len()
    );
    let (mut before, mut after) = (vec![], vec![]);
    let (mut same, mut earlier, mut only_new) = (0, 0, 0);
    for &c in &chosen {
        let mut old = None;
        for _ in 0..a.runs.clamp(1, 3) {
            let s = Instant::now();
            old = next_day_by_day(&t, pb, rep, today, c);
            before.push(s.elapsed());
        }
        let mut new = None;
        for _ in 0..a.runs.max(1) {
            let s = Instant::now();
            new = planner::next_for_contact(&t, pb, rep, c, today, jiff::Timestamp::MIN);
            after.push(s.elapsed());
        }
        match (old.map(|(d, _)| d), new.map(|n| n.date)) {
            (x, y) if x == y => same += 1,
            (None, Some(_)) => only_new += 1,
            _ => earlier += 1,
        }
    }
    let (b, n) = (median(before), median(after));
    println!("  before: plan day by day   median {} per contact", ms(b));
    println!("  after:  next_for_contact  median {} per contact", ms(n));
    println!(
        "  ratio before / after = {:.1}×",
        b.as_secs_f64() / n.as_secs_f64()
    );
    println!(
        "  answers: {same} the same day, {earlier} earlier, {only_new} due by the rules but in none of the 45 plans"
    );
}

/// Logs touches through `Store::add_new_touch` exactly as the API does after parsing (one
/// transaction: the contact and rep checks, an id from the counter, the insert and its
/// audit row), first from one writer, then from `--writers` at once; then the same
/// through the two calls the API made before (`next_id`, then `add_touch`). Each insert
/// commits on its own: PostgreSQL with its default synchronous commit, SQLite in WAL
/// with synchronous=NORMAL (durable across a crash of the process).
async fn raw_insert(a: &Args) -> Result<()> {
    let url = a
        .database
        .clone()
        .context("--scenario raw-insert needs --database URL")?;
    let store = SqlStore::connect(&url).await?;
    let org = demo::ORG_ID;
    let accounts = store.accounts(org, None).await?;
    let account = accounts
        .first()
        .context("the database holds no accounts; write the demo first (`rounds demo`)")?;
    let contact = store.contacts(org, Some(account.id)).await?[0].clone();
    let template = rounds_core::model::Touch {
        id: rounds_core::model::TouchId(0),
        at: jiff::Timestamp::now(),
        rep: account.rep,
        contact: contact.id,
        account: account.id,
        channel: rounds_core::model::Channel::Call,
        direction: rounds_core::model::Direction::Outbound,
        outcome: rounds_core::model::Outcome::Conversation,
        kind: rounds_core::model::TouchKind::Routine,
        primary_topic: None,
        topics: vec![],
        explain_better: vec![],
        next_step: None,
        callback_at: None,
        note: "raw insert benchmark".into(),
        no_referral: None,
    };
    async fn insert_one(
        store: &SqlStore,
        org: rounds_core::model::OrgId,
        template: &rounds_core::model::Touch,
        two_calls: bool,
    ) -> Result<()> {
        if two_calls {
            let id = store.next_id(org, rounds_store::IdKind::Touch).await?;
            let touch = rounds_core::model::Touch {
                id: rounds_core::model::TouchId(id),
                ..template.clone()
            };
            store.add_touch(org, &touch).await?;
        } else {
            store.add_new_touch(org, template).await?;
        }
        Ok(())
    }
    println!("{}: touches logged one per transaction", store.backend());
    let mut best = [0.0f64; 2];
    for (path, two_calls) in [("add_new_touch", false), ("next_id, then add_touch", true)] {
        let started = Instant::now();
        for _ in 0..a.inserts {
            insert_one(&store, org, &template, two_calls).await?;
        }
        let one = a.inserts as f64 / started.elapsed().as_secs_f64();
        println!(
            "{path}: one writer: {one:.0} touches/s ({} inserts)",
            a.inserts
        );
        let started = Instant::now();
        let mut tasks = tokio::task::JoinSet::new();
        for w in 0..a.writers {
            let store = store.clone();
            let template = template.clone();
            let share = a.inserts / a.writers + usize::from(w < a.inserts % a.writers);
            tasks.spawn(async move {
                for _ in 0..share {
                    insert_one(&store, org, &template, two_calls).await?;
                }
                anyhow::Ok(())
            });
        }
        while let Some(done) = tasks.join_next().await {
            done??;
        }
        let many = a.inserts as f64 / started.elapsed().as_secs_f64();
        println!("{path}: {} writers: {many:.0} touches/s", a.writers);
        best[usize::from(two_calls)] = one.max(many);
    }
    println!(
        "raw durable single-transaction inserts: {:.0} touches/s (add_new_touch, the better of the two)",
        best[0]
    );
    println!(
        "before: next_id, then add_touch: {:.0} touches/s (the better of the two)",
        best[1]
    );
    store.close().await;
    Ok(())
}
