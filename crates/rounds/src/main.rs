//! The `rounds` binary: parses the command line, resolves the settings (reading the
//! clock once), opens the store chosen by the database URL, and hands each command to
//! its file in `commands/`, which turns flags into `rounds-app` inputs, calls the use
//! case and renders the answer. Everything that decides anything lives below, in
//! `rounds-app` and `rounds-core`.

// Standard output goes through `out!`/`outln!`, which return the write error instead of
// panicking, so that `rounds … | head` ends quietly when the reader goes away.
#![deny(clippy::print_stdout)]

/// `print!` that returns the write error (a closed pipe) instead of panicking.
macro_rules! out {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        write!(std::io::stdout().lock(), $($arg)*)
    }};
}

/// `println!` that returns the write error (a closed pipe) instead of panicking.
macro_rules! outln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        writeln!(std::io::stdout().lock(), $($arg)*)
    }};
}

mod cli;
mod commands;
mod imap;
mod progress;
mod render;
mod settings;
mod smtp;

use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::Parser;
use rounds_store::SqlStore;

use cli::{Cli, Command, PlaybookCommand, ReferralCommand, RouteCommand};
use settings::Settings;

fn main() -> ExitCode {
    let cli = Cli::parse();
    // The server uses every core; the other commands are one request each.
    let mut builder = if matches!(cli.command, Command::Serve(_) | Command::Worker(_)) {
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
        // The reader of our output has gone (`rounds … | head`): nothing left to say.
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            for cause in e.chain().skip(1) {
                eprintln!("  caused by: {cause}");
            }
            ExitCode::FAILURE
        }
    }
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

async fn run(cli: Cli) -> Result<()> {
    // Commands that need no database.
    match &cli.command {
        Command::Playbook(PlaybookCommand::Show) => return commands::playbook::show(),
        Command::Playbook(PlaybookCommand::Check { file }) => {
            return commands::playbook::check(file);
        }
        Command::Route(RouteCommand::Solve(a)) => return commands::route::solve(a),
        _ => {}
    }
    let settings = Settings::resolve(&cli)?;
    let store = SqlStore::connect(&settings.database_url)
        .await
        .with_context(|| {
            format!(
                "cannot open the database {}",
                settings::redact(&settings.database_url)
            )
        })?;
    // The command line is the local operator: it sees the whole organisation, and the
    // audit log names it, at the clock reading of this run, for every change it makes.
    let server_store = store.clone();
    let store = store.acting_as(rounds_store::AuditActor::Operator, settings.now);
    let actor = rounds_app::Actor::load(&store, settings.org, None).await?;
    let s = &settings;
    let cx = commands::Cx {
        store: &store,
        s,
        actor: &actor,
    };
    use commands::*;
    let result = match cli.command {
        Command::Demo(a) => demo::run(&cx, a).await,
        Command::Today(a) => today::run(&cx, a).await,
        Command::Log(a) => log::run(&cx, a).await,
        Command::Step(c) => step::run(&cx, c).await,
        Command::Account(c) => account::run(&cx, c).await,
        Command::Contact(c) => contact::run(&cx, c).await,
        Command::Topic(c) => topic::run(&cx, c).await,
        Command::Referral(ReferralCommand::Add(a)) => referral::run(&cx, a).await,
        Command::Referral(ReferralCommand::Import(a)) => referral::import(&cx, a).await,
        Command::Lost(a) => lost::run(&cx, a).await,
        Command::Nofit(a) => nofit::run(&cx, a).await,
        Command::Ledger(c) => ledger::run(&cx, c).await,
        Command::Report(c) => report::run(&cx, c).await,
        Command::Export(a) => export::run(&cx, a).await,
        Command::Import(a) => import::run(&cx, a).await,
        Command::Backup(a) => backup::run(&cx, a).await,
        Command::User(c) => user::run(&cx, c).await,
        Command::Token(c) => token::run(&cx, c).await,
        Command::Simulate(a) => simulate::run(&cx, a).await,
        Command::Rep(c) => rep::run(&cx, c).await,
        Command::Timeoff(c) => timeoff::run(&cx, c).await,
        Command::Audit(c) => audit::run(&cx, c).await,
        Command::Calendar(c) => calendar::run(&cx, c).await,
        Command::Coach(a) => coach::run(&cx, a).await,
        Command::Template(c) => template::run(&cx, c).await,
        Command::Mail(c) => mail::run(&cx, c).await,
        // The worker binds its handle to itself at each pass's clock reading.
        Command::Worker(a) => worker::run(server_store, s, a).await,
        Command::Capture(a) => capture::run(&cx, a).await,
        // The server binds each request's handle to its caller and its clock reading.
        Command::Serve(a) => serve::run(server_store, s, cli.playbook.as_deref(), a).await,
        Command::Playbook(_) | Command::Route(_) => Ok(()),
    };
    // Whatever happened, the database file is left whole on its own: SQLite's
    // write-ahead log is folded into it, so a plain copy of the `.db` is a backup.
    store.close().await;
    result
}

pub(crate) fn print_json<T: serde::Serialize>(value: &T) -> Result<()> {
    // Rendered first, so that a closed pipe surfaces as the plain I/O error it is.
    let text = serde_json::to_string_pretty(value)?;
    outln!("{text}")?;
    Ok(())
}
