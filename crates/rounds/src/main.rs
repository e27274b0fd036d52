//! The `rounds` binary: parses the command line, resolves the settings (reading the
//! clock once), opens the store chosen by the database URL, and hands each command to
//! its file in `commands/`, which turns flags into `rounds-app` inputs, calls the use
//! case and renders the answer. Everything that decides anything lives below, in
//! `rounds-app` and `rounds-core`.

mod cli;
mod commands;
mod render;
mod settings;

use std::io::Write;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::Parser;
use rounds_store::SqlStore;

use cli::{Cli, Command, PlaybookCommand, ReferralCommand, RouteCommand};
use settings::Settings;

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
    // The command line is the local operator: it sees the whole organisation.
    let actor = rounds_app::Actor::load(&store, settings.org, None).await?;
    let s = &settings;
    let cx = commands::Cx {
        store: &store,
        s,
        actor: &actor,
    };
    use commands::*;
    match cli.command {
        Command::Demo(a) => demo::run(&cx, a).await,
        Command::Today(a) => today::run(&cx, a).await,
        Command::Log(a) => log::run(&cx, a).await,
        Command::Step(c) => step::run(&cx, c).await,
        Command::Account(c) => account::run(&cx, c).await,
        Command::Contact(c) => contact::run(&cx, c).await,
        Command::Topic(c) => topic::run(&cx, c).await,
        Command::Referral(ReferralCommand::Add(a)) => referral::run(&cx, a).await,
        Command::Lost(a) => lost::run(&cx, a).await,
        Command::Nofit(a) => nofit::run(&cx, a).await,
        Command::Export(a) => export::run(&cx, a).await,
        Command::Import(a) => import::run(&cx, a).await,
        Command::User(c) => user::run(&cx, c).await,
        Command::Token(c) => token::run(&cx, c).await,
        Command::Simulate(a) => simulate::run(&cx, a).await,
        Command::Rep(c) => rep::run(&cx, c).await,
        Command::Timeoff(c) => timeoff::run(&cx, c).await,
        Command::Serve(a) => serve::run(store.clone(), s, cli.playbook.as_deref(), a).await,
        Command::Playbook(_) | Command::Route(_) => Ok(()),
    }
}

pub(crate) fn print_json<T: serde::Serialize>(value: &T) -> Result<()> {
    let mut out = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, value)?;
    writeln!(out)?;
    Ok(())
}
