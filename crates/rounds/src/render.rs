//! Text output for people: the day plan, tables for lists. Data goes to stdout; the
//! binary sends diagnostics to stderr. JSON output bypasses this module entirely.

use std::fmt::Write;

use comfy_table::{ContentArrangement, Table, presets::UTF8_BORDERS_ONLY};
use rounds_core::planner::{DayPlan, FlagKind, PlanItem};

pub fn table(header: &[&str], rows: Vec<Vec<String>>) -> String {
    let mut t = Table::new();
    t.load_style(UTF8_BORDERS_ONLY)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_header(header.to_vec());
    for r in rows {
        t.add_row(r);
    }
    t.to_string()
}

fn when(item: &PlanItem) -> String {
    let w = &item.window;
    let zone = w.tz.zone();
    let abbreviation = w
        .date
        .to_datetime(w.start)
        .to_zoned(zone)
        .map(|z| z.strftime("%Z").to_string())
        .unwrap_or_else(|_| w.tz.to_string());
    if w.exact {
        format!("{} {abbreviation} sharp", w.start.strftime("%H:%M"))
    } else {
        format!(
            "{}–{} {abbreviation}",
            w.start.strftime("%H:%M"),
            w.end.strftime("%H:%M")
        )
    }
}

pub fn item(n: usize, i: &PlanItem) -> String {
    let mut s = String::new();
    let urgent = if i.urgent { " (urgent)" } else { "" };
    let _ = writeln!(
        s,
        "{n:>2}. {:<20} {:<16} {} ({}) · {}  [contact {}]",
        when(i),
        format!("{}{urgent}", i.channel.as_str().to_uppercase()),
        i.contact_name,
        i.role,
        i.account_name,
        i.contact
    );
    if let Some(via) = &i.via {
        let _ = writeln!(s, "    Via:     {via}");
    }
    if let Some(step) = i.step {
        let _ = writeln!(
            s,
            "    Step:    {step} (done: rounds step complete {step}; or reschedule, skip)"
        );
    }
    let topic_id = i
        .primary_topic
        .topic
        .map(|t| format!(" [topic {t}]"))
        .unwrap_or_default();
    let _ = writeln!(s, "    Topic:   {}{topic_id}", i.primary_topic.title);
    if !i.backup_topics.is_empty() {
        let b: Vec<String> = i
            .backup_topics
            .iter()
            .map(|t| {
                format!(
                    "{}{}",
                    t.title,
                    t.topic.map(|id| format!(" [{id}]")).unwrap_or_default()
                )
            })
            .collect();
        let _ = writeln!(s, "    Back-up: {}", b.join("; "));
    }
    for (k, r) in i.reasons.iter().enumerate() {
        let label = if k == 0 { "Why:" } else { "" };
        let _ = writeln!(s, "    {label:<8} [{}] {}", r.rules.join(" "), r.text);
    }
    if let Some(a) = &i.prep.agenda {
        let _ = writeln!(
            s,
            "    Agenda:  {} · value to them: {} · ask: {}",
            a.topic.title, a.value, a.question
        );
    }
    let p = &i.prep;
    let mut prep = Vec::new();
    if let Some(t) = p.recent_touches.first() {
        prep.push(format!(
            "last touch {} {} {}{} ({} in history shown)",
            t.date,
            t.channel,
            t.outcome,
            if t.topics.is_empty() {
                String::new()
            } else {
                format!(" on {}", t.topics.join(", "))
            },
            p.recent_touches.len()
        ));
    } else {
        prep.push("no touches yet".into());
    }
    if !p.topics_covered.is_empty() {
        prep.push(format!("{} topics covered", p.topics_covered.len()));
    }
    for step in &p.open_next_steps {
        prep.push(format!("open step: {} (due {})", step.what, step.due));
    }
    if let Some(f) = &p.referrals {
        prep.push(format!(
            "referrals {} in {} days vs baseline {:.1} ({:+.0}%)",
            f.recent,
            f.recent_days,
            f.baseline_per_recent,
            f.change * 100.0
        ));
    }
    if let Some(ask) = &p.ask_about {
        prep.push(format!(
            "profile {}% known; ask about: {ask}",
            p.profile_completeness
        ));
    }
    let _ = writeln!(s, "    Prep:    {}", prep.join(" · "));
    s
}

pub fn plan(p: &DayPlan, rep_name: &str, all_flags: bool) -> String {
    plan_with_drafts(p, rep_name, all_flags, &[])
}

/// A written item's draft, indented under it, with the coach's findings.
fn draft(d: &rounds_core::outreach::ItemDraft) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "    Draft ({} template):", d.template);
    if let Some(subject) = &d.subject {
        let _ = writeln!(s, "      Subject: {subject}");
    }
    for line in d.body.lines() {
        let _ = writeln!(s, "      | {line}");
    }
    if d.verdict.passes() {
        let _ = writeln!(
            s,
            "    Coach:   nothing to add ({} of {} words)",
            d.verdict.words, d.verdict.max_words
        );
    }
    for f in &d.verdict.findings {
        let _ = writeln!(s, "    Coach:   {} {}: {}", f.rule, f.kind, f.why);
    }
    s
}

/// The plan, with each written item's draft under it when `drafts` has one (the same
/// order as the items).
pub fn plan_with_drafts(
    p: &DayPlan,
    rep_name: &str,
    all_flags: bool,
    drafts: &[Option<rounds_core::outreach::ItemDraft>],
) -> String {
    let mut s = String::new();
    let visits = p
        .items
        .iter()
        .filter(|i| i.channel == rounds_core::model::Channel::Visit)
        .count();
    let _ = writeln!(
        s,
        "Plan for {rep_name} — {} {} — {} touches ({visits} in person, {} remote)\n",
        p.date.strftime("%A"),
        p.date,
        p.items.len(),
        p.items.len() - visits
    );
    for (n, i) in p.items.iter().enumerate() {
        s.push_str(&item(n + 1, i));
        if let Some(Some(d)) = drafts.get(n) {
            s.push_str(&draft(d));
        }
        s.push('\n');
    }
    if let Some(r) = &p.route {
        let _ = writeln!(
            s,
            "Route: leave base at {} ({}), {} stops, {} min driving, {:.1} km, back by {}",
            r.leave_base.time.strftime("%H:%M"),
            r.leave_base.tz,
            r.stops.len(),
            r.drive_minutes,
            r.distance_km,
            r.back_at_base.time.strftime("%H:%M")
        );
        for stop in &r.stops {
            let wait = if stop.wait_minutes > 0 {
                format!(", wait {} min", stop.wait_minutes)
            } else {
                String::new()
            };
            let _ = writeln!(
                s,
                "  {}. arrive {} → visit {}, leave by {}  {} · {}  ({} min drive{wait})",
                stop.order,
                stop.arrive.strftime("%H:%M"),
                stop.start.strftime("%H:%M"),
                stop.leave_by.strftime("%H:%M"),
                stop.contact_name,
                stop.account_name,
                stop.drive_minutes_before
            );
        }
        for out in &r.left_out {
            let instead = out
                .instead
                .map(|c| format!("; {c} instead"))
                .unwrap_or_else(|| "; not planned today".into());
            let _ = writeln!(
                s,
                "  left out [{}] {} · {}: {}{instead}",
                out.rules.join(" "),
                out.contact_name,
                out.account_name,
                out.reason
            );
        }
        s.push('\n');
    }
    if p.items.is_empty() {
        let _ = writeln!(
            s,
            "Nothing is due today: no contact has a reason for a touch (P3).\n"
        );
    }
    if !p.triage.is_empty() {
        let _ = writeln!(
            s,
            "Triage ({}): next steps so late they are no longer planned; reschedule or drop each [P33]",
            p.triage.len()
        );
        let shown = if all_flags { p.triage.len() } else { 10 };
        for t in p.triage.iter().take(shown) {
            let _ = writeln!(
                s,
                "  step {} · due {} ({} days late) · {} · {}: {}",
                t.step, t.due, t.days_overdue, t.contact_name, t.account_name, t.what
            );
        }
        if p.triage.len() > shown {
            let _ = writeln!(
                s,
                "  … and {} more (rounds step list --overdue)",
                p.triage.len() - shown
            );
        }
        let _ = writeln!(
            s,
            "  rounds step reschedule ID --to DATE --reason TEXT · rounds step skip ID --reason TEXT\n"
        );
    }
    if !p.flags.is_empty() {
        let count = |k: FlagKind| p.flags.iter().filter(|f| f.kind == k).count();
        let competing = match count(FlagKind::PossibleCompetingRelationship) {
            0 => String::new(),
            n => format!(" · {n} possible competing relationship [P10]"),
        };
        let _ = writeln!(
            s,
            "Flags ({}): {} no reason to return [P2] · {} missing next step [P33] · {} referral meeting without next step [P12] · {} referring practice without staff contact [P11]{competing}",
            p.flags.len(),
            count(FlagKind::NoReasonToReturn),
            count(FlagKind::MissingNextStep),
            count(FlagKind::ReferralMeetingWithoutNextStep),
            count(FlagKind::NoStaffContact)
        );
        let shown = if all_flags { p.flags.len() } else { 10 };
        // The most actionable first: meetings without a next step, then missing steps.
        let mut flags: Vec<_> = p.flags.iter().collect();
        flags.sort_by_key(|f| match f.kind {
            FlagKind::ReferralMeetingWithoutNextStep => 0,
            FlagKind::MissingNextStep => 1,
            FlagKind::PossibleCompetingRelationship => 2,
            FlagKind::NoStaffContact => 3,
            FlagKind::NoReasonToReturn => 4,
        });
        for f in flags.iter().take(shown) {
            let _ = writeln!(s, "  [{}] {}", f.rules.join(" "), f.text);
        }
        if !all_flags && p.flags.len() > shown {
            let _ = writeln!(
                s,
                "  … and {} more (rounds today --all-flags)",
                p.flags.len() - shown
            );
        }
    }
    s
}
