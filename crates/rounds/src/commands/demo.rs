//! `rounds demo`: a generated territory written over a demo organisation, and its plan.

use anyhow::{Context, Result, anyhow};
use rounds_app::AppError;
use rounds_core::model::Role;
use rounds_demo::{self as demo, DemoSpec};

use super::{Cx, cli_error};
use crate::cli::DemoArgs;
use crate::{print_json, render};

pub(crate) async fn run(cx: &Cx<'_>, a: DemoArgs) -> Result<()> {
    let today = a.date.unwrap_or(cx.s.today);
    let mut spec = DemoSpec::new(a.seed, today);
    spec.reps = usize::from(a.reps);
    spec.accounts = a.accounts as usize;
    spec.validate()
        .map_err(|e| anyhow!("--accounts/--reps: {e}"))?;
    // Timing is reported to the user only; nothing depends on it.
    let started = std::time::Instant::now();
    let data = demo::generate(&spec);
    let data = rounds_app::write_demo(cx.store, cx.actor, data, a.replace)
        .await
        .map_err(|e| match e {
            AppError::Conflict { message, .. } => anyhow!(
                "{message}\nhint: use another database with --database-url sqlite://demo.db, or pass --replace"
            ),
            AppError::Store(e) => anyhow::Error::from(e).context("cannot write the demo territory"),
            other => cli_error(other),
        })?;
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
    // The actor was loaded before the demo existed; the demo's users are now the scope.
    let actor = rounds_app::Actor::operator(cx.s.org, data.users.clone());
    let plan = rounds_app::plan_for(cx.store, &actor, &cx.s.playbook, rep.id, today)
        .await
        .map_err(cli_error)?;
    if a.json {
        return print_json(&plan);
    }
    out!(
        "{}",
        render::plan(&plan, &format!("{} <{}>", rep.name, rep.email), false)
    )?;
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
