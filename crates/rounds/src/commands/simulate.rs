//! `rounds simulate`: follow the plan for N days on a temporary copy of the organisation
//! and print what it did to the playbook's rules.

use anyhow::{Context, Result};
use rounds_app::{AppError, SimulationInput, SimulationReport};
use rounds_core::simulate::OutcomeShares;
use rounds_store::{SqlStore, Store, WriteMode};

use super::{Cx, cli_error, resolve_rep};
use crate::cli::SimulateArgs;
use crate::{print_json, render};

pub(crate) async fn run(cx: &Cx<'_>, a: SimulateArgs) -> Result<()> {
    let started = std::time::Instant::now();
    let d = OutcomeShares::default();
    let shares = OutcomeShares {
        no_response: a.no_response.unwrap_or(d.no_response),
        conversation: a.conversation.unwrap_or(d.conversation),
        next_step: a.next_step.unwrap_or(d.next_step),
        positive: a.positive.unwrap_or(d.positive),
        callback: a.callback.unwrap_or(d.callback),
        referral: a.referral.unwrap_or(d.referral),
        loss: a.loss.unwrap_or(d.loss),
    };
    // Bad flags are refused before anything is copied.
    if let Err((field, message)) = shares.check() {
        return Err(cli_error(AppError::invalid(field, message)));
    }
    if a.days < 1 {
        return Err(cli_error(AppError::invalid(
            "days",
            "simulate at least one day",
        )));
    }
    let mut reps = Vec::new();
    for r in &a.rep {
        reps.push(resolve_rep(cx, Some(r))?.id);
    }
    if cx.actor.scope.users.is_empty() {
        resolve_rep(cx, None)?;
    }

    // The copy: the whole organisation into a temporary SQLite database.
    let data = rounds_app::export(cx.store, cx.actor)
        .await
        .map_err(cli_error)?;
    let dir = tempfile::tempdir().context("cannot create a temporary directory")?;
    let file = match &a.keep {
        Some(path) if path.exists() => {
            return Err(cli_error(AppError::invalid(
                "keep",
                format!("{} exists already; name a new file", path.display()),
            )));
        }
        Some(path) => path.clone(),
        None => dir.path().join("simulation.db"),
    };
    let url = format!("sqlite://{}?mode=rwc", file.display());
    let copy = SqlStore::connect(&url)
        .await
        .context("cannot open the temporary database")?;
    copy.write_org(&data, WriteMode::Replace)
        .await
        .context("cannot copy the organisation into the temporary database")?;
    let actor = rounds_app::Actor::load(&copy, cx.s.org, None)
        .await
        .map_err(cli_error)?;
    let report = rounds_app::simulate(
        &copy,
        &actor,
        &cx.s.playbook,
        SimulationInput {
            reps,
            from: a.from.unwrap_or(cx.s.today),
            days: a.days,
            shares,
            seed: a.seed,
        },
    )
    .await
    .map_err(cli_error)?;
    if a.json {
        print_json(&report)?;
    } else {
        out!("{}", text(&report))?;
    }
    eprintln!(
        "Simulated {} days in {:.1} s",
        report.days,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

fn text(r: &SimulationReport) -> String {
    let m = &r.measurements;
    let reps: Vec<String> = r.reps.iter().map(|id| id.to_string()).collect();
    let mut out = format!(
        "Followed the plan for {} days from {} (seed {}, reps {}): {} touches planned and logged, {} accounts lost.\n\n",
        r.days,
        r.from,
        r.seed,
        reps.join(", "),
        r.planned,
        r.losses
    );
    let rules = m
        .rules
        .iter()
        .map(|c| {
            vec![
                c.rule.clone(),
                c.what.clone(),
                c.violations.to_string(),
                c.checked.to_string(),
            ]
        })
        .collect();
    out.push_str(&render::table(
        &["rule", "violation", "count", "checked"],
        rules,
    ));
    out.push('\n');
    for c in m.rules.iter().filter(|c| !c.examples.is_empty()) {
        let first: Vec<&str> = c.examples.iter().take(3).map(String::as_str).collect();
        out.push_str(&format!("  {}: {}\n", c.rule, first.join("; ")));
    }
    out.push('\n');
    let p = &m.promises;
    let pct = |x: f64| format!("{:.1}%", x * 100.0);
    let share = |n: usize, of: usize| {
        if of == 0 {
            "–".to_string()
        } else {
            pct(n as f64 / of as f64)
        }
    };
    let figures: Vec<Vec<String>> = vec![
        vec!["touches logged".into(), m.touches.to_string()],
        vec![
            "coverage (contacts touched ÷ contacts)".into(),
            format!(
                "{} of {} = {}",
                m.contacts_touched,
                m.contacts,
                pct(m.coverage)
            ),
        ],
        vec!["next steps due".into(), p.due.to_string()],
        vec![
            "  touched on the due day".into(),
            format!("{} ({})", p.on_day, share(p.on_day, p.due)),
        ],
        vec![
            "  touched late".into(),
            format!(
                "{} ({}), days late p50 {}, p95 {}",
                p.late,
                share(p.late, p.due),
                p.late_days_p50,
                p.late_days_p95
            ),
        ],
        vec![
            "  rescheduled or skipped by the rep".into(),
            format!("{} ({})", p.handled, share(p.handled, p.due)),
        ],
        vec![
            "  never touched".into(),
            format!("{} ({})", p.never, share(p.never, p.due)),
        ],
        vec!["  kept on the day or explicitly moved".into(), pct(p.kept)],
        vec![
            "touches per contact touched".into(),
            format!("{:.2}", m.attempts_per_contact),
        ],
        vec![
            "attempts per prospecting cadence".into(),
            format!(
                "median {}, at most {}",
                m.cadence_attempts_p50, m.cadence_attempts_max
            ),
        ],
        vec![
            "customer silence p95 (days)".into(),
            m.customer_silence_p95.to_string(),
        ],
    ];
    let mut figures = figures;
    for (c, n) in &m.channels {
        figures.push(vec![
            format!("channel: {c}"),
            format!("{n} ({})", share(*n, m.touches)),
        ]);
    }
    out.push_str(&render::table(&["figure", "value"], figures));
    out.push('\n');
    out
}
