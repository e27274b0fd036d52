//! The `rounds` binary: parses the command line, opens the store chosen by the
//! database URL, reads the clock once, and hands validated values to the core.
//! Everything that decides anything lives in `rounds-core`.

mod cli;
mod people;
mod render;

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, anyhow, bail};
use clap::Parser;
use jiff::civil::{Date, DateTime};
use jiff::{Timestamp, Zoned};
use rounds_core::export::OrgData;
use rounds_core::model::*;
use rounds_core::planner::{self, DayPlan};
use rounds_core::playbook::{DEFAULT_TOML, Playbook};
use rounds_demo::{self as demo, DemoSpec};
use rounds_store::{IdKind, SqlStore, Store, WriteMode};

use cli::*;

fn main() -> ExitCode {
    let cli = Cli::parse();
    // The server uses every core; the other commands are one request each.
    let mut builder = if matches!(cli.command, Command::Serve(_)) {
        tokio::runtime::Builder::new_multi_thread()
    } else {
        tokio::runtime::Builder::new_current_thread()
    };
    let runtime = match builder.enable_all().build() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            for cause in e.chain().skip(1) {
                eprintln!("  caused by: {cause}");
            }
            ExitCode::FAILURE
        }
    }
}

/// The only places Rounds reads the clock; everything below takes the date as input.
#[allow(clippy::disallowed_methods)]
fn clock_today() -> Date {
    Zoned::now().date()
}

#[allow(clippy::disallowed_methods)]
pub(crate) fn clock_now() -> Timestamp {
    Timestamp::now()
}

/// Settings resolved from flags, environment and defaults, in that order of precedence.
pub(crate) struct Settings {
    database_url: String,
    pub(crate) playbook: Playbook,
    pub(crate) org: OrgId,
    today: Date,
}

fn default_database_url() -> Result<String> {
    let dir = dirs::data_dir()
        .or_else(|| std::env::current_dir().ok())
        .context("cannot find a data directory; pass --database-url")?
        .join("rounds");
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    Ok(format!(
        "sqlite://{}?mode=rwc",
        dir.join("rounds.db").display()
    ))
}

fn load_playbook(path: Option<&Path>) -> Result<Playbook> {
    let Some(path) = path else {
        return Ok(Playbook::default());
    };
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the playbook {}", path.display()))?;
    Playbook::from_toml(&text).map_err(|e| {
        anyhow!(
            "{}: {e}\nhint: `rounds playbook check {}` lists every problem",
            path.display(),
            path.display()
        )
    })
}

async fn run(cli: Cli) -> Result<()> {
    // Commands that need no database.
    match &cli.command {
        Command::Playbook(PlaybookCommand::Show) => {
            print!("{DEFAULT_TOML}");
            return Ok(());
        }
        Command::Playbook(PlaybookCommand::Check { file }) => return playbook_check(file),
        Command::Route(RouteCommand::Solve(a)) => return route_solve(a),
        _ => {}
    }
    let settings = Settings {
        database_url: match cli.database_url.clone() {
            Some(url) => url,
            None => default_database_url()?,
        },
        playbook: load_playbook(cli.playbook.as_deref())?,
        org: OrgId(cli.org),
        today: clock_today(),
    };
    let store = SqlStore::connect(&settings.database_url)
        .await
        .with_context(|| {
            format!(
                "cannot open the database {}",
                redact(&settings.database_url)
            )
        })?;
    let s = &settings;
    match cli.command {
        Command::Demo(a) => demo_cmd(&store, s, a).await,
        Command::Today(a) => today_cmd(&store, s, a).await,
        Command::Log(a) => log_cmd(&store, s, a).await,
        Command::Account(c) => account_cmd(&store, s, c).await,
        Command::Contact(c) => contact_cmd(&store, s, c).await,
        Command::Topic(c) => topic_cmd(&store, s, c).await,
        Command::Referral(ReferralCommand::Add(a)) => referral_cmd(&store, s, a).await,
        Command::Lost(a) => lost_cmd(&store, s, a).await,
        Command::Nofit(a) => nofit_cmd(&store, s, a).await,
        Command::Export(a) => export_cmd(&store, s, a).await,
        Command::Import(a) => import_cmd(&store, s, a).await,
        Command::User(c) => people::user_cmd(&store, s, c).await,
        Command::Token(TokenCommand::Add(a)) => people::token_add(&store, s, a).await,
        Command::Serve(a) => {
            let toml = match cli.playbook.as_deref() {
                Some(path) => std::fs::read_to_string(path)
                    .with_context(|| format!("cannot read the playbook {}", path.display()))?,
                None => DEFAULT_TOML.to_string(),
            };
            people::serve_cmd(store.clone(), s, toml, a).await
        }
        Command::Playbook(_) | Command::Route(_) => Ok(()),
    }
}

/// Database URLs may carry passwords; they never reach the terminal or a log.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            format!("{}://…@{}", &url[..scheme], &url[at + 1..])
        }
        _ => url.to_string(),
    }
}

fn playbook_check(file: &Path) -> Result<()> {
    let text =
        std::fs::read_to_string(file).with_context(|| format!("cannot read {}", file.display()))?;
    match Playbook::from_toml(&text) {
        Ok(_) => {
            println!("{}: the playbook is valid", file.display());
            Ok(())
        }
        Err(e) => {
            for p in &e.0 {
                println!("{}: {} = {}: {}", file.display(), p.key, p.value, p.why);
            }
            bail!(
                "{}: {} problem(s) in the playbook",
                file.display(),
                e.0.len()
            )
        }
    }
}

/// Solves a published instance; the clock is read only to report the solve time.
#[allow(clippy::disallowed_methods)]
fn route_solve(a: &RouteSolveArgs) -> Result<()> {
    use rounds_route::{SolveOptions, check, instances, solve_best_of};
    let text = std::fs::read_to_string(&a.file)
        .with_context(|| format!("cannot read {}", a.file.display()))?;
    let problem = match a.format {
        RouteFormat::Solomon => instances::solomon_optw(&text, a.customers),
        RouteFormat::Tsptw => instances::lkh_tsptw(&text),
    }
    .map_err(|e| anyhow!("{}:{e}", a.file.display()))?;
    let options = SolveOptions {
        seed: a.seed,
        max_iterations: a.iterations,
    };
    let started = std::time::Instant::now();
    let solution = solve_best_of(&problem, &options, a.starts)
        .map_err(|e| anyhow!("{}: {e}", a.file.display()))?;
    let seconds = started.elapsed().as_secs_f64();
    let order = solution.order();
    // Every answer is re-verified from scratch before it is printed.
    let checked = check(&problem, &order)
        .map_err(|v| anyhow!("internal error: the route failed its check: {v:?}"))?;
    let scale = if a.format == RouteFormat::Solomon {
        10.0
    } else {
        1.0
    };
    print_json(&serde_json::json!({
        "file": a.file.display().to_string(),
        "format": format!("{:?}", a.format).to_lowercase(),
        "customers": problem.candidates.len(),
        "prize": checked.prize,
        "distance": checked.distance as f64 / scale,
        "distance_units": checked.distance,
        "visits": order.len(),
        "order": order.iter().map(|&i| problem.candidates[i].id).collect::<Vec<_>>(),
        "missing_required": checked.missing_required.len(),
        "solve_seconds": seconds,
        "seed": a.seed,
        "iterations": a.iterations,
        "starts": a.starts,
    }))
}

pub(crate) fn print_json<T: serde::Serialize>(value: &T) -> Result<()> {
    let mut out = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, value)?;
    writeln!(out)?;
    Ok(())
}

async fn demo_cmd(store: &SqlStore, s: &Settings, a: DemoArgs) -> Result<()> {
    let today = a.date.unwrap_or(s.today);
    let existing = store.organisations().await?;
    if let Some(org) = existing.iter().find(|o| o.id == s.org)
        && !org.demo
        && !a.replace
    {
        bail!(
            "organisation {} ({}) in this database is not a demo; refusing to replace it\nhint: use another database with --database-url sqlite://demo.db, or pass --replace",
            org.id,
            org.name
        );
    }
    let mut spec = DemoSpec::new(a.seed, today);
    spec.reps = usize::from(a.reps);
    spec.accounts = a.accounts as usize;
    spec.validate()
        .map_err(|e| anyhow!("--accounts/--reps: {e}"))?;
    let started = std::time::Instant::now();
    let mut data = demo::generate(&spec);
    data.organisation.id = s.org;
    store
        .write_org(&data, WriteMode::Replace)
        .await
        .context("cannot write the demo territory")?;
    let rep = data
        .users
        .iter()
        .find(|u| u.role == Role::Rep)
        .context("the demo has no rep")?;
    eprintln!(
        "Demo territory written in {:.1} s: {} reps, {} accounts, {} contacts, {} topics, {} touches, {} referral days.",
        started.elapsed().as_secs_f64(),
        data.users.iter().filter(|u| u.role == Role::Rep).count(),
        data.accounts.len(),
        data.contacts.len(),
        data.topics.len(),
        data.touches.len(),
        data.referrals.len()
    );
    let territory = store.territory(s.org, rep.id).await?;
    let plan = planner::plan(&territory, &s.playbook, rep.id, today);
    if a.json {
        return print_json(&plan);
    }
    print!(
        "{}",
        render::plan(&plan, &format!("{} <{}>", rep.name, rep.email), false)
    );
    let first = plan.items.first();
    eprintln!("\nNext, try:");
    eprintln!("  rounds today --date {today}                 # this plan again");
    eprintln!(
        "  rounds today --rep {} --date {today}",
        data.users
            .iter()
            .filter(|u| u.role == Role::Rep)
            .nth(1)
            .map(|u| u.id.0)
            .unwrap_or(rep.id.0)
    );
    if let Some(i) = first {
        eprintln!(
            "  rounds log --contact {} --channel {} --outcome positive{} --next \"send the summary\" --next-date {}",
            i.contact,
            i.channel,
            i.primary_topic
                .topic
                .map(|t| format!(" --topics {t}"))
                .unwrap_or_default(),
            today.tomorrow().unwrap_or(today)
        );
        eprintln!("  rounds account show {}", i.account);
    }
    eprintln!("  rounds export --output territory.jsonl");
    Ok(())
}

async fn resolve_rep(store: &SqlStore, org: OrgId, wanted: Option<&str>) -> Result<User> {
    let users = store.users(org).await?;
    if users.is_empty() {
        bail!(
            "organisation {org} has no users yet\nhint: run `rounds demo`, or `rounds import FILE`"
        );
    }
    match wanted {
        None => users
            .into_iter()
            .filter(|u| u.role == Role::Rep)
            .min_by_key(|u| u.id)
            .context("the organisation has no rep; pass --rep"),
        Some(w) => {
            let found = users
                .iter()
                .find(|u| u.id.0.to_string() == w.trim() || u.email.eq_ignore_ascii_case(w.trim()));
            found.cloned().ok_or_else(|| {
                let known: Vec<String> = users
                    .iter()
                    .filter(|u| u.role == Role::Rep)
                    .take(8)
                    .map(|u| format!("{} ({})", u.id, u.email))
                    .collect();
                anyhow!(
                    "no user `{w}` in organisation {org}\nhint: reps include {}",
                    known.join(", ")
                )
            })
        }
    }
}

async fn today_cmd(store: &SqlStore, s: &Settings, a: TodayArgs) -> Result<()> {
    let rep = resolve_rep(store, s.org, a.rep.as_deref()).await?;
    let today = a.date.unwrap_or(s.today);
    let territory = store.territory(s.org, rep.id).await?;
    let plan = planner::plan(&territory, &s.playbook, rep.id, today);
    if a.json {
        return print_json(&plan);
    }
    print!(
        "{}",
        render::plan(&plan, &format!("{} <{}>", rep.name, rep.email), a.all_flags)
    );
    Ok(())
}

async fn find_contact(store: &SqlStore, org: OrgId, wanted: &str) -> Result<Contact> {
    if let Ok(id) = wanted.parse::<ContactId>() {
        return store.contact(org, id).await?.ok_or_else(|| {
            anyhow!(
                "no contact with id {id}\nhint: `rounds contact list --search NAME` finds contacts"
            )
        });
    }
    let needle = wanted.to_lowercase();
    let matches: Vec<Contact> = store
        .contacts(org, None)
        .await?
        .into_iter()
        .filter(|c| c.name.to_lowercase().contains(&needle))
        .collect();
    match matches.len() {
        1 => Ok(matches.into_iter().next().unwrap_or_else(|| unreachable!())),
        0 => bail!(
            "no contact matches `{wanted}`\nhint: `rounds contact list --search {wanted}` lists contacts by name"
        ),
        n => {
            let some: Vec<String> = matches
                .iter()
                .take(5)
                .map(|c| format!("{} {}", c.id, c.name))
                .collect();
            bail!(
                "`{wanted}` matches {n} contacts ({}…); pass the id",
                some.join(", ")
            )
        }
    }
}

/// Reads "YYYY-MM-DD HH:MM" as a local time in the account's zone.
fn local_instant(text: &str, tz: &TzName, flag: &str) -> Result<Timestamp> {
    let dt: DateTime = text.trim().replace('T', " ").parse().map_err(|_| {
        anyhow!("{flag}: `{text}` is not a local date and time; write \"YYYY-MM-DD HH:MM\"")
    })?;
    Ok(dt
        .to_zoned(tz.zone())
        .with_context(|| format!("{flag}: `{text}` does not exist in {tz}"))?
        .timestamp())
}

async fn log_cmd(store: &SqlStore, s: &Settings, a: LogArgs) -> Result<()> {
    let contact = find_contact(store, s.org, &a.contact).await?;
    let account = store
        .account(s.org, contact.account)
        .await?
        .context("the contact's account is missing")?;
    let topics: BTreeMap<TopicId, Topic> = store
        .topics(s.org)
        .await?
        .into_iter()
        .map(|t| (t.id, t))
        .collect();
    for (flag, ids) in [
        ("--topics", &a.topics),
        ("--explain-better", &a.explain_better),
    ] {
        for id in ids {
            if !topics.contains_key(&TopicId(*id)) {
                bail!("{flag}: no topic with id {id}\nhint: `rounds topic list` shows the library");
            }
        }
    }
    if a.next.is_some() != a.next_date.is_some() {
        bail!("--next and --next-date go together: say what the next step is and when (P33)");
    }
    let at = match &a.at {
        Some(text) => local_instant(text, &account.tz, "--at")?,
        None => clock_now(),
    };
    let callback_at = a
        .callback
        .as_deref()
        .map(|c| local_instant(c, &account.tz, "--callback"))
        .transpose()?;
    let id = TouchId(store.next_id(s.org, IdKind::Touch).await?);
    let topic_ids: Vec<TopicId> = a.topics.iter().map(|t| TopicId(*t)).collect();
    let touch = Touch {
        id,
        at,
        rep: account.rep,
        contact: contact.id,
        account: account.id,
        channel: a.channel,
        direction: a.direction,
        outcome: a.outcome,
        kind: a.kind,
        primary_topic: topic_ids.first().copied(),
        topics: topic_ids,
        explain_better: a.explain_better.iter().map(|t| TopicId(*t)).collect(),
        next_step: a
            .next
            .clone()
            .zip(a.next_date)
            .map(|(what, due)| NextStep { what, due }),
        callback_at,
        note: a.note.clone(),
    };
    store
        .add_touch(s.org, &touch)
        .await
        .context("cannot record the touch")?;
    let local_day = at.to_zoned(account.tz.zone()).date();
    let territory = store.territory(s.org, account.rep).await?;
    let next = next_proposal(&territory, &s.playbook, account.rep, local_day, contact.id);
    if a.json {
        return print_json(
            &serde_json::json!({ "touch": touch, "next": next.as_ref().map(|(_, p)| &p.items[0]), "next_date": next.as_ref().map(|(d, _)| d) }),
        );
    }
    println!(
        "Logged touch {} with {} ({}) at {}: {} {}",
        touch.id, contact.name, account.name, local_day, touch.channel, touch.outcome
    );
    if touch.outcome.answered() && touch.next_step.is_none() && touch.callback_at.is_none() {
        eprintln!(
            "warning: no next step recorded; the plan flags it until one is set (P33{})",
            if touch.kind == TouchKind::ReferralMeeting {
                ", P12"
            } else {
                ""
            }
        );
    }
    match next {
        Some((day, p)) => {
            println!("\nNext for {} — {}:", contact.name, day);
            print!("{}", render::item(1, &p.items[0]));
        }
        None => println!(
            "\nNothing planned for {} in the next 45 days.",
            contact.name
        ),
    }
    let plan = planner::plan(&territory, &s.playbook, account.rep, local_day);
    for f in plan.flags.iter().filter(|f| f.contact == Some(contact.id)) {
        println!("  [{}] {}", f.rules.join(" "), f.text);
    }
    Ok(())
}

/// The next plan (from the touch's day on) that includes the contact.
fn next_proposal(
    t: &Territory,
    pb: &Playbook,
    rep: UserId,
    from: Date,
    contact: ContactId,
) -> Option<(Date, DayPlan)> {
    let mut day = from;
    for _ in 0..45 {
        let mut p = planner::plan(t, pb, rep, day);
        if let Some(pos) = p.items.iter().position(|i| i.contact == contact) {
            let item = p.items.remove(pos);
            p.items = vec![item];
            return Some((day, p));
        }
        day = day.tomorrow().ok()?;
    }
    None
}

fn parse_all<T: std::str::FromStr<Err = InvalidValue>>(
    flag: &str,
    values: &[String],
) -> Result<Vec<T>> {
    values
        .iter()
        .map(|v| v.parse::<T>().map_err(|e| anyhow!("{flag}: {e}")))
        .collect()
}

async fn account_cmd(store: &SqlStore, s: &Settings, c: AccountCommand) -> Result<()> {
    match c {
        AccountCommand::Add(f) => {
            let name = f.name.clone().context("--name is required")?;
            let tz =
                f.tz.clone()
                    .context("--tz is required, e.g. --tz America/Chicago")?;
            let rep = resolve_rep(store, s.org, f.rep.as_deref()).await?;
            let id = AccountId(store.next_id(s.org, IdKind::Account).await?);
            let mut account = Account {
                id,
                name,
                rep: rep.id,
                kind: AccountKind::Practice,
                segment: Segment::MedicalProvider,
                specialties: vec![],
                address: Address {
                    street: String::new(),
                    city: String::new(),
                    region: String::new(),
                    postal_code: String::new(),
                    lat: 0.0,
                    lon: 0.0,
                },
                tz: tz.parse().map_err(|e| anyhow!("--tz: {e}"))?,
                office_hours: WeekHours::weekdays(&[
                    TimeRange::hm(8, 0, 12, 0),
                    TimeRange::hm(13, 0, 17, 0),
                ]),
                visit_windows: vec![],
                front_desk_blocks: false,
                access: AccessPolicy::Open,
                status: AccountStatus::Prospect,
                profile: BTreeMap::new(),
                pain_points: vec![],
            };
            apply_account(store, s, &mut account, f).await?;
            store.save_account(s.org, &account).await?;
            println!("Added account {} {}", account.id, account.name);
            Ok(())
        }
        AccountCommand::Edit(e) => {
            let mut account = store
                .account(s.org, AccountId(e.id))
                .await?
                .ok_or_else(|| no_such("account", e.id))?;
            apply_account(store, s, &mut account, e.fields).await?;
            store.save_account(s.org, &account).await?;
            println!("Updated account {} {}", account.id, account.name);
            Ok(())
        }
        AccountCommand::List(l) => {
            let rep = match &l.rep {
                Some(r) => Some(resolve_rep(store, s.org, Some(r)).await?.id),
                None => None,
            };
            let needle = l.search.as_deref().map(str::to_lowercase);
            let accounts: Vec<Account> = store
                .accounts(s.org, rep)
                .await?
                .into_iter()
                .filter(|a| l.status.is_none_or(|st| a.status == st))
                .filter(|a| {
                    needle
                        .as_ref()
                        .is_none_or(|n| a.name.to_lowercase().contains(n))
                })
                .collect();
            if l.json {
                return print_json(&accounts);
            }
            let rows = accounts
                .iter()
                .map(|a| {
                    vec![
                        a.id.to_string(),
                        a.name.clone(),
                        a.status.to_string(),
                        a.access.to_string(),
                        a.specialties
                            .iter()
                            .map(|s| s.to_string())
                            .collect::<Vec<_>>()
                            .join(", "),
                        a.address.city.clone(),
                        a.rep.to_string(),
                    ]
                })
                .collect();
            println!(
                "{}",
                render::table(
                    &[
                        "id",
                        "name",
                        "status",
                        "access",
                        "specialties",
                        "city",
                        "rep"
                    ],
                    rows
                )
            );
            eprintln!("{} account(s)", accounts.len());
            Ok(())
        }
        AccountCommand::Show(sh) => {
            let account = store
                .account(s.org, AccountId(sh.id))
                .await?
                .ok_or_else(|| no_such("account", sh.id))?;
            let contacts = store.contacts(s.org, Some(account.id)).await?;
            if sh.json {
                return print_json(
                    &serde_json::json!({ "account": account, "contacts": contacts }),
                );
            }
            let rows = vec![
                vec!["name".into(), account.name.clone()],
                vec![
                    "kind / segment".into(),
                    format!("{} / {}", account.kind, account.segment),
                ],
                vec![
                    "status / access".into(),
                    format!("{} / {}", account.status, account.access),
                ],
                vec![
                    "specialties".into(),
                    account
                        .specialties
                        .iter()
                        .map(|s| s.to_string())
                        .collect::<Vec<_>>()
                        .join(", "),
                ],
                vec![
                    "address".into(),
                    format!(
                        "{}, {} {} {}",
                        account.address.street,
                        account.address.city,
                        account.address.region,
                        account.address.postal_code
                    ),
                ],
                vec!["time zone".into(), account.tz.to_string()],
                vec!["office hours".into(), account.office_hours.to_string()],
                vec![
                    "visit windows".into(),
                    account
                        .visit_windows
                        .iter()
                        .map(|w| w.to_string())
                        .collect::<Vec<_>>()
                        .join(", "),
                ],
                vec![
                    "front desk blocks".into(),
                    account.front_desk_blocks.to_string(),
                ],
                vec!["pain points".into(), account.pain_points.join(", ")],
                vec![
                    "profile".into(),
                    account
                        .profile
                        .iter()
                        .map(|(k, v)| format!("{k}: {v}"))
                        .collect::<Vec<_>>()
                        .join("; "),
                ],
            ];
            println!(
                "Account {}\n{}",
                account.id,
                render::table(&["field", "value"], rows)
            );
            let rows = contacts
                .iter()
                .map(|c| {
                    vec![
                        c.id.to_string(),
                        c.name.clone(),
                        c.role.to_string(),
                        c.influence.to_string(),
                    ]
                })
                .collect();
            println!(
                "Contacts\n{}",
                render::table(&["id", "name", "role", "influence"], rows)
            );
            Ok(())
        }
    }
}

fn no_such(what: &str, id: i64) -> anyhow::Error {
    anyhow!("no {what} with id {id}\nhint: `rounds {what} list` shows the ids")
}

async fn apply_account(
    store: &SqlStore,
    s: &Settings,
    a: &mut Account,
    f: AccountFields,
) -> Result<()> {
    if let Some(v) = f.name {
        a.name = v;
    }
    if let Some(r) = f.rep {
        a.rep = resolve_rep(store, s.org, Some(&r)).await?.id;
    }
    if let Some(v) = f.kind {
        a.kind = v;
        if v == AccountKind::LawFirm && f.segment.is_none() {
            a.segment = Segment::LawFirm;
        }
    }
    if let Some(v) = f.segment {
        a.segment = v;
    }
    if !f.specialty.is_empty() {
        a.specialties = parse_all("--specialty", &f.specialty)?;
    }
    if let Some(v) = f.street {
        a.address.street = v;
    }
    if let Some(v) = f.city {
        a.address.city = v;
    }
    if let Some(v) = f.region {
        a.address.region = v;
    }
    if let Some(v) = f.postal_code {
        a.address.postal_code = v;
    }
    if let Some(v) = f.lat {
        if !(-90.0..=90.0).contains(&v) {
            bail!("--lat: {v} is not a latitude (−90 to 90)");
        }
        a.address.lat = v;
    }
    if let Some(v) = f.lon {
        if !(-180.0..=180.0).contains(&v) {
            bail!("--lon: {v} is not a longitude (−180 to 180)");
        }
        a.address.lon = v;
    }
    if let Some(v) = f.tz {
        a.tz = v.parse().map_err(|e| anyhow!("--tz: {e}"))?;
    }
    if let Some(v) = f.hours {
        a.office_hours = v.parse().map_err(|e| anyhow!("--hours: {e}"))?;
    }
    if !f.visit_window.is_empty() {
        a.visit_windows = parse_all("--visit-window", &f.visit_window)?;
    }
    if let Some(v) = f.front_desk_blocks {
        a.front_desk_blocks = v;
    }
    if let Some(v) = f.access {
        a.access = v;
    }
    if let Some(v) = f.status {
        if matches!(v, AccountStatus::Lost | AccountStatus::NoFit) {
            bail!(
                "--status {v}: use `rounds {}` so the reason is recorded (P15, P31)",
                if v == AccountStatus::Lost {
                    "lost"
                } else {
                    "nofit"
                }
            );
        }
        a.status = v;
    }
    for fact in f.fact {
        let (k, v) = fact
            .split_once('=')
            .ok_or_else(|| anyhow!("--fact: `{fact}` is not key=value"))?;
        if v.trim().is_empty() {
            a.profile.remove(k.trim());
        } else {
            a.profile.insert(k.trim().to_string(), v.trim().to_string());
        }
    }
    if !f.pain_point.is_empty() {
        for p in &f.pain_point {
            if rounds_core::catalogue::pain_point(p).is_none() {
                bail!(
                    "--pain-point: `{p}` is not in the catalogue\nhint: `rounds topic pain-points` lists the keys"
                );
            }
        }
        a.pain_points = f.pain_point;
    }
    Ok(())
}

async fn contact_cmd(store: &SqlStore, s: &Settings, c: ContactCommand) -> Result<()> {
    match c {
        ContactCommand::Add(f) => {
            let account_id = f.account.context("--account is required")?;
            store
                .account(s.org, AccountId(account_id))
                .await?
                .ok_or_else(|| no_such("account", account_id))?;
            let mut contact = Contact {
                id: ContactId(store.next_id(s.org, IdKind::Contact).await?),
                account: AccountId(account_id),
                name: f.name.clone().context("--name is required")?,
                role: ContactRole::Other,
                influence: Influence::User,
                department: None,
                specialty: None,
                channels: ContactChannels::default(),
                preferred_channel: None,
                opt_outs: vec![],
            };
            apply_contact(store, s, &mut contact, f).await?;
            store.save_contact(s.org, &contact).await?;
            println!("Added contact {} {}", contact.id, contact.name);
            Ok(())
        }
        ContactCommand::Edit(e) => {
            let mut contact = store
                .contact(s.org, ContactId(e.id))
                .await?
                .ok_or_else(|| no_such("contact", e.id))?;
            apply_contact(store, s, &mut contact, e.fields).await?;
            store.save_contact(s.org, &contact).await?;
            println!("Updated contact {} {}", contact.id, contact.name);
            Ok(())
        }
        ContactCommand::List(l) => {
            let needle = l.search.as_deref().map(str::to_lowercase);
            let contacts: Vec<Contact> = store
                .contacts(s.org, l.account.map(AccountId))
                .await?
                .into_iter()
                .filter(|c| {
                    needle
                        .as_ref()
                        .is_none_or(|n| c.name.to_lowercase().contains(n))
                })
                .collect();
            if l.json {
                return print_json(&contacts);
            }
            let rows = contacts
                .iter()
                .map(|c| {
                    vec![
                        c.id.to_string(),
                        c.name.clone(),
                        c.role.to_string(),
                        c.influence.to_string(),
                        c.account.to_string(),
                        c.preferred_channel
                            .map(|p| p.to_string())
                            .unwrap_or_default(),
                    ]
                })
                .collect();
            println!(
                "{}",
                render::table(
                    &["id", "name", "role", "influence", "account", "prefers"],
                    rows
                )
            );
            eprintln!("{} contact(s)", contacts.len());
            Ok(())
        }
        ContactCommand::Show(sh) => {
            let contact = store
                .contact(s.org, ContactId(sh.id))
                .await?
                .ok_or_else(|| no_such("contact", sh.id))?;
            let touches = store.touches_for_contact(s.org, contact.id).await?;
            if sh.json {
                return print_json(&serde_json::json!({ "contact": contact, "touches": touches }));
            }
            let ch = &contact.channels;
            let rows = vec![
                vec!["name".into(), contact.name.clone()],
                vec!["account".into(), contact.account.to_string()],
                vec![
                    "role / influence".into(),
                    format!("{} / {}", contact.role, contact.influence),
                ],
                vec![
                    "cell / email".into(),
                    format!(
                        "{} / {}",
                        ch.cell.clone().unwrap_or_default(),
                        ch.email.clone().unwrap_or_default()
                    ),
                ],
                vec![
                    "phone / ext.".into(),
                    format!(
                        "{} / {}",
                        ch.office_phone.clone().unwrap_or_default(),
                        ch.extension.clone().unwrap_or_default()
                    ),
                ],
                vec![
                    "prefers".into(),
                    contact
                        .preferred_channel
                        .map(|c| c.to_string())
                        .unwrap_or_default(),
                ],
                vec![
                    "opted out of".into(),
                    contact
                        .opt_outs
                        .iter()
                        .map(|c| c.to_string())
                        .collect::<Vec<_>>()
                        .join(", "),
                ],
            ];
            println!(
                "Contact {}\n{}",
                contact.id,
                render::table(&["field", "value"], rows)
            );
            let rows = touches
                .iter()
                .rev()
                .take(20)
                .map(|t| {
                    vec![
                        t.at.strftime("%Y-%m-%d %H:%M UTC").to_string(),
                        t.channel.to_string(),
                        t.outcome.to_string(),
                        t.kind.to_string(),
                        t.topics
                            .iter()
                            .map(|x| x.to_string())
                            .collect::<Vec<_>>()
                            .join(","),
                        t.next_step
                            .as_ref()
                            .map(|n| format!("{} ({})", n.what, n.due))
                            .unwrap_or_default(),
                    ]
                })
                .collect();
            println!(
                "Recent touches\n{}",
                render::table(
                    &["when", "channel", "outcome", "kind", "topics", "next step"],
                    rows
                )
            );
            Ok(())
        }
    }
}

async fn apply_contact(
    store: &SqlStore,
    s: &Settings,
    c: &mut Contact,
    f: ContactFields,
) -> Result<()> {
    if let Some(a) = f.account {
        store
            .account(s.org, AccountId(a))
            .await?
            .ok_or_else(|| no_such("account", a))?;
        c.account = AccountId(a);
    }
    if let Some(v) = f.name {
        c.name = v;
    }
    if let Some(v) = f.role {
        c.role = v;
    }
    if let Some(v) = f.influence {
        c.influence = v;
    }
    if let Some(v) = f.department {
        c.department = Some(v);
    }
    if let Some(v) = f.specialty {
        c.specialty = Some(v.parse().map_err(|e| anyhow!("--specialty: {e}"))?);
    }
    if let Some(v) = f.email {
        if !v.contains('@') {
            bail!("--email: `{v}` is not an email address");
        }
        c.channels.email = Some(v);
    }
    for (flag, value, slot) in [
        ("--cell", f.cell, &mut c.channels.cell),
        ("--phone", f.phone, &mut c.channels.office_phone),
        ("--extension", f.extension, &mut c.channels.extension),
    ] {
        if let Some(v) = value {
            if !v.chars().any(|ch| ch.is_ascii_digit()) {
                bail!("{flag}: `{v}` has no digits");
            }
            *slot = Some(v);
        }
    }
    if let Some(v) = f.linkedin {
        c.channels.linkedin = Some(v);
    }
    if let Some(v) = f.preferred {
        c.preferred_channel = Some(v);
    }
    for ch in f.opt_out {
        if !c.opt_outs.contains(&ch) {
            c.opt_outs.push(ch);
        }
    }
    c.opt_outs.retain(|ch| !f.opt_in.contains(ch));
    if c.preferred_channel.is_some_and(|p| c.opt_outs.contains(&p)) {
        bail!(
            "--preferred: the contact opted out of {}",
            c.preferred_channel
                .map(|p| p.to_string())
                .unwrap_or_default()
        );
    }
    Ok(())
}

async fn topic_cmd(store: &SqlStore, s: &Settings, c: TopicCommand) -> Result<()> {
    match c {
        TopicCommand::Add(f) => {
            let mut topic = Topic {
                id: TopicId(store.next_id(s.org, IdKind::Topic).await?),
                title: f.title.clone().context("--title is required")?,
                pain_points: vec![],
                specialties: vec![],
                segments: vec![],
                roles: vec![],
                related: vec![],
                available_from: None,
            };
            apply_topic(store, s, &mut topic, f).await?;
            store.save_topic(s.org, &topic).await?;
            println!("Added topic {} {}", topic.id, topic.title);
            Ok(())
        }
        TopicCommand::Edit(e) => {
            let mut topic = store
                .topic(s.org, TopicId(e.id))
                .await?
                .ok_or_else(|| no_such("topic", e.id))?;
            apply_topic(store, s, &mut topic, e.fields).await?;
            store.save_topic(s.org, &topic).await?;
            println!("Updated topic {} {}", topic.id, topic.title);
            Ok(())
        }
        TopicCommand::List(l) => {
            let needle = l.search.as_deref().map(str::to_lowercase);
            let topics: Vec<Topic> = store
                .topics(s.org)
                .await?
                .into_iter()
                .filter(|t| {
                    needle
                        .as_ref()
                        .is_none_or(|n| t.title.to_lowercase().contains(n))
                })
                .collect();
            if l.json {
                return print_json(&topics);
            }
            let rows = topics
                .iter()
                .map(|t| {
                    vec![
                        t.id.to_string(),
                        t.title.clone(),
                        t.pain_points.join(", "),
                        t.segments
                            .iter()
                            .map(|x| x.to_string())
                            .collect::<Vec<_>>()
                            .join(", "),
                        t.roles
                            .iter()
                            .map(|x| x.to_string())
                            .collect::<Vec<_>>()
                            .join(", "),
                        t.available_from.map(|d| d.to_string()).unwrap_or_default(),
                    ]
                })
                .collect();
            println!(
                "{}",
                render::table(
                    &["id", "title", "pain points", "segments", "roles", "from"],
                    rows
                )
            );
            eprintln!("{} topic(s)", topics.len());
            Ok(())
        }
        TopicCommand::PainPoints { json } => {
            let catalogue = rounds_core::catalogue::pain_points();
            if json {
                return print_json(&catalogue);
            }
            let rows = catalogue
                .iter()
                .map(|p| vec![p.key.clone(), p.segment.to_string(), p.title.clone()])
                .collect();
            println!("{}", render::table(&["key", "segment", "pain point"], rows));
            Ok(())
        }
        TopicCommand::Show(sh) => {
            let topic = store
                .topic(s.org, TopicId(sh.id))
                .await?
                .ok_or_else(|| no_such("topic", sh.id))?;
            print_json(&topic)
        }
    }
}

async fn apply_topic(store: &SqlStore, s: &Settings, t: &mut Topic, f: TopicFields) -> Result<()> {
    if let Some(v) = f.title {
        t.title = v;
    }
    if !f.pain_point.is_empty() {
        for p in &f.pain_point {
            if rounds_core::catalogue::pain_point(p).is_none() {
                bail!(
                    "--pain-point: `{p}` is not in the pain-point catalogue\nhint: `rounds topic pain-points` lists the keys"
                );
            }
        }
        t.pain_points = f.pain_point;
    }
    if !f.specialty.is_empty() {
        t.specialties = parse_all("--specialty", &f.specialty)?;
    }
    if !f.segment.is_empty() {
        t.segments = f.segment;
    }
    if !f.role.is_empty() {
        t.roles = f.role;
    }
    if !f.related.is_empty() {
        for id in &f.related {
            store
                .topic(s.org, TopicId(*id))
                .await?
                .ok_or_else(|| anyhow!("--related: no topic with id {id}"))?;
        }
        t.related = f.related.into_iter().map(TopicId).collect();
    }
    if let Some(d) = f.available_from {
        t.available_from = Some(d);
    }
    Ok(())
}

async fn referral_cmd(store: &SqlStore, s: &Settings, a: ReferralArgs) -> Result<()> {
    let contact = find_contact(store, s.org, &a.contact).await?;
    let day = a.date.unwrap_or(s.today);
    if day > s.today {
        bail!("--date: {day} is in the future");
    }
    store
        .add_referral(
            s.org,
            &ReferralCount {
                contact: contact.id,
                day,
                count: a.count,
            },
        )
        .await?;
    println!(
        "Recorded {} referral(s) from {} on {day}",
        a.count, contact.name
    );
    Ok(())
}

async fn lost_cmd(store: &SqlStore, s: &Settings, a: LostArgs) -> Result<()> {
    let account = store
        .account(s.org, AccountId(a.account))
        .await?
        .ok_or_else(|| no_such("account", a.account))?;
    let lost = LostAccount {
        account: account.id,
        lost_on: a.date.unwrap_or(s.today),
        reason: a.reason,
        competitor: a.competitor,
        stakeholders: a.stakeholder,
        note: a.note,
    };
    store.record_lost(s.org, &lost).await?;
    println!(
        "Recorded {} as lost ({}). The plan asks for feedback within {} days (P16), then nurtures every {}–{} days (P17).",
        account.name,
        lost.reason,
        s.playbook.feedback_within_days,
        s.playbook.nurture_min_days,
        s.playbook.nurture_max_days
    );
    Ok(())
}

async fn nofit_cmd(store: &SqlStore, s: &Settings, a: NoFitArgs) -> Result<()> {
    let account = store
        .account(s.org, AccountId(a.account))
        .await?
        .ok_or_else(|| no_such("account", a.account))?;
    if a.reason.trim().is_empty() {
        bail!("--reason: say why the account is no fit");
    }
    store
        .record_no_fit(
            s.org,
            &NoFit {
                account: account.id,
                decided_on: a.date.unwrap_or(s.today),
                reason: a.reason,
            },
        )
        .await?;
    println!(
        "Marked {} as no fit: every cadence on it stops (P31).",
        account.name
    );
    Ok(())
}

async fn export_cmd(store: &SqlStore, s: &Settings, a: ExportArgs) -> Result<()> {
    let data = store.export(s.org).await?;
    let text = data.to_jsonl();
    match a.output {
        None => std::io::stdout().lock().write_all(text.as_bytes())?,
        Some(path) => {
            // Write beside the target and rename, so a crash never leaves half a file.
            let tmp = PathBuf::from(format!("{}.partial", path.display()));
            std::fs::write(&tmp, &text)
                .with_context(|| format!("cannot write {}", tmp.display()))?;
            std::fs::rename(&tmp, &path)
                .with_context(|| format!("cannot write {}", path.display()))?;
            eprintln!(
                "Exported {} records to {}",
                text.lines().count(),
                path.display()
            );
        }
    }
    Ok(())
}

async fn import_cmd(store: &SqlStore, s: &Settings, a: ImportArgs) -> Result<()> {
    let text = std::fs::read_to_string(&a.file)
        .with_context(|| format!("cannot read {}", a.file.display()))?;
    let mut data = match OrgData::from_jsonl(&text) {
        Ok(d) => d,
        Err(problems) => {
            for p in problems.iter().take(50) {
                eprintln!(
                    "{}:{}: {}: {}",
                    a.file.display(),
                    p.line,
                    p.field,
                    p.message
                );
            }
            if problems.len() > 50 {
                eprintln!("… and {} more", problems.len() - 50);
            }
            bail!(
                "{}: {} problem(s); nothing was imported",
                a.file.display(),
                problems.len()
            );
        }
    };
    data.organisation.id = s.org;
    store
        .write_org(&data, WriteMode::Merge)
        .await
        .context("the import was rolled back; nothing was written")?;
    println!(
        "Imported {}: {} users, {} accounts, {} contacts, {} topics, {} touches, {} referral days, {} lost, {} no-fit",
        a.file.display(),
        data.users.len(),
        data.accounts.len(),
        data.contacts.len(),
        data.topics.len(),
        data.touches.len(),
        data.referrals.len(),
        data.lost.len(),
        data.no_fits.len()
    );
    Ok(())
}
