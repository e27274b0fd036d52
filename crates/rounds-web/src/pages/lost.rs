//! Lost accounts: why (P15), the win-back schedule of the playbook's `[lost]` section —
//! feedback soon after the loss (P16), then a low-frequency nurture (P17) — and the loss
//! reasons over time (P18).

use std::collections::BTreeMap;

use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use jiff::civil::Date;
use maud::{Markup, html};
use rounds_app::AppError;
use rounds_core::model::{Account, AccountId, LossReason, LostAccount, UserId};
use rounds_core::signals::{self, WinBack};

use super::layout::{Nav, csrf, page};
use super::redirect::{Flash, with_flash};
use crate::AppState;
use crate::charts;
use crate::error::ApiError;
use crate::extract::{Ctx, FormBody, PageCtx};

pub fn routes() -> Router<AppState> {
    Router::new().route("/lost", get(lost).post(record))
}

/// Records a loss (P15). A second loss of an account is refused unless `replace` is
/// ticked; then the earlier one is kept as history.
async fn record(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    form: Result<FormBody<Vec<(String, String)>>, ApiError>,
) -> Response {
    let fields = match form {
        Ok(FormBody(pairs)) => super::Fields(pairs),
        Err(e) => return super::error_page(e),
    };
    if let Some(refused) = super::csrf_refusal(&ctx, fields.one("csrf").unwrap_or("")) {
        return refused;
    }
    let back = |flash: &str| with_flash(&state, "/lost", flash);
    let Some(account) = fields.one("account").and_then(|a| a.parse().ok()) else {
        return back("account: choose the account that was lost");
    };
    let Some(reason) = fields
        .one("reason")
        .and_then(|r| r.parse::<LossReason>().ok())
    else {
        return back("reason: choose one of the playbook's reasons");
    };
    let lost_on = match fields.one("lost_on") {
        None => state.today(),
        Some(d) => match d.parse() {
            Ok(d) => d,
            Err(_) => return back("lost_on: give the day as YYYY-MM-DD"),
        },
    };
    let input = rounds_app::LostInput {
        account: AccountId(account),
        lost_on,
        reason,
        competitor: fields.one("competitor").map(str::to_string),
        stakeholders: vec![],
        note: fields.text("note"),
        replace: fields.one("replace").is_some(),
    };
    match rounds_app::record_loss(&ctx.store, &ctx.actor(), input).await {
        Ok(l) if l.earlier.is_empty() => {
            back(&format!("Recorded the loss of account {}", l.account))
        }
        Ok(l) => back(&format!(
            "Recorded the loss of account {}; the earlier loss is kept as history",
            l.account
        )),
        Err(AppError::Invalid { field, message } | AppError::Conflict { field, message }) => {
            back(&format!("{field}: {message}"))
        }
        Err(e) => super::error_page(e.into()),
    }
}

/// The reasons chart covers this many quarters up to today's: older losses say little
/// about what to change now.
const QUARTERS: usize = 8;

async fn lost(State(state): State<AppState>, PageCtx(ctx): PageCtx, flash: Flash) -> Response {
    let territories = match rounds_app::territories_in_scope(state.store(), &ctx.actor()).await {
        Ok(t) => t,
        Err(e) => return super::error_page(e.into()),
    };
    let pb = state.playbook();
    let today = state.today();
    let mut rows: Vec<(UserId, &Account, &LostAccount, WinBack)> = Vec::new();
    for (rep, t) in &territories {
        let accounts: BTreeMap<AccountId, &Account> =
            t.accounts.iter().map(|a| (a.id, a)).collect();
        let touches = signals::touches_by_account(t, today);
        for l in &t.lost {
            if let Some(a) = accounts.get(&l.account) {
                let mine = touches.get(&a.id).map(Vec::as_slice).unwrap_or(&[]);
                rows.push((*rep, a, l, signals::win_back(l, mine, pb, today)));
            }
        }
    }
    rows.sort_by(|x, y| y.2.lost_on.cmp(&x.2.lost_on).then(x.1.id.cmp(&y.1.id)));

    let (quarters, series) = reasons_per_quarter(rows.iter().map(|r| r.2), today);
    let body = html! {
        h1 { "Lost accounts " small { (rows.len()) } }
        p.muted { "Win-back: ask for feedback within " (pb.feedback_within_days) " days of the loss (P16), then stay present every "
            (pb.nurture_min_days) "–" (pb.nurture_max_days) " days by " (super::accounts::join(pb.nurture_channels.iter().map(|c| c.as_str())))
            ", never more often (P17). The nurture clock counts from the account's last touch, before or after the loss, as the plan does." }
        @if !rows.is_empty() {
            section #reasons {
                h2 { "Why we lose " small { "[P18]" } }
                (legend(&series))
                (super::chart_figure(
                    charts::stacked_bars("Loss reasons per quarter", &quarters, &series),
                    &format!("Lost accounts per quarter by reason, last {} quarters", quarters.len()),
                    reasons_table(&quarters, &series),
                ))
                (patterns(&ctx, &rows, today))
            }
        } @else {
            p.empty { "No lost accounts. Keep it that way." }
        }
        ul.cards #lost {
            @for (rep, a, l, w) in &rows { (lost_card(&ctx, *rep, a, l, w)) }
        }
        section #record-loss {
            h2 { "Record a loss " small { "[P15]" } }
            form method="post" action="/lost" {
                input type="hidden" name="csrf" value=(csrf(&ctx));
                label { "Account"
                    select name="account" required {
                        @for (_, t) in &territories {
                            @for a in &t.accounts { option value=(a.id.0) { (a.name) } }
                        }
                    }
                }
                label { "Lost on" input type="date" name="lost_on" value=(today); }
                label { "Reason"
                    select name="reason" required {
                        @for r in LossReason::ALL { option value=(r.as_str()) { (r) } }
                    }
                }
                label { "Competitor" input type="text" name="competitor"; }
                label { "Note" textarea name="note" {} }
                label.check { input type="checkbox" name="replace" value="1"; " Replace the loss already recorded (it is kept as history)" }
                button type="submit" { "Record the loss" }
            }
        }
    };
    let shown = page(
        "Lost accounts",
        Some(&ctx),
        Nav::Lost,
        flash.message(),
        body,
    );
    flash.shown(&state, shown)
}

fn lost_card(ctx: &Ctx, rep: UserId, a: &Account, l: &LostAccount, w: &WinBack) -> Markup {
    html! {
        li.card {
            a href={"/accounts/" (a.id.0)} { strong { (a.name) } }
            @if ctx.scope.is_lead() { " · " (ctx.scope.user(rep).map(|u| u.name.as_str()).unwrap_or("?")) }
            div { "Lost on " (l.lost_on) " · " (l.reason)
                @if let Some(c) = &l.competitor { " · to " (c) } }
            @if !l.stakeholders.is_empty() { div.small { "Stakeholders: " (l.stakeholders.join(", ")) } }
            @if !l.note.is_empty() { p.note { (l.note) } }
            @if !l.earlier.is_empty() {
                details.earlier {
                    summary { "Earlier losses " small { (l.earlier.len()) } }
                    ul {
                        @for e in l.earlier.iter().rev() {
                            li { "Lost on " (e.lost_on) " · " (e.reason)
                                @if let Some(c) = &e.competitor { " · to " (c) }
                                @if !e.note.is_empty() { " — " (e.note) } }
                        }
                    }
                }
            }
            ul.schedule {
                li { span.rules { "[P16] " } "Feedback "
                    @match w.feedback_done {
                        Some(d) => { "asked on " (d) },
                        None if !w.feedback_now => { "was due by " (w.feedback_due) " " span.urgent { "missed" } },
                        None => { "due by " (w.feedback_due) },
                    }
                }
                li { span.rules { "[P17] " } "Next nurture between " (w.nurture_from) " and " (w.nurture_by)
                    @if w.nurture_overdue { " " span.urgent { "overdue" } }
                    @if let Some(d) = w.last_touch { " " small { "(last touch " (d) ")" } }
                }
            }
        }
    }
}

/// P18 (`rounds_core::signals::loss_reasons_per_quarter`) for the last `QUARTERS`
/// quarters, with labels for the chart.
fn reasons_per_quarter<'a>(
    lost: impl Iterator<Item = &'a LostAccount>,
    today: Date,
) -> (Vec<String>, Vec<(String, Vec<u32>)>) {
    let (keys, series) = signals::loss_reasons_per_quarter(lost, today, QUARTERS);
    let series = series
        .into_iter()
        .map(|(r, c)| (r.as_str().to_string(), c))
        .collect();
    // Short labels ("Q4’26"), so eight fit under the chart on a phone.
    let labels = keys
        .iter()
        .map(|(y, q)| format!("Q{q}’{:02}", y % 100))
        .collect();
    (labels, series)
}

pub(super) fn legend(series: &[(String, Vec<u32>)]) -> Markup {
    html! {
        ul.legend {
            @for (i, (name, _)) in series.iter().enumerate() {
                // A `fill` attribute, not a `style`: the content security policy
                // allows no inline styles, and the colour stays the chart's own.
                li {
                    svg.swatch viewBox="0 0 1 1" aria-hidden="true" {
                        rect width="1" height="1" fill=(charts::css(charts::PALETTE[i % charts::PALETTE.len()])) {}
                    }
                    " " (name)
                }
            }
        }
    }
}

fn reasons_table(quarters: &[String], series: &[(String, Vec<u32>)]) -> Markup {
    counts_table("Reason", quarters, series)
}

/// Losses per quarter by competitor and, for a manager, by rep (P18): where the losses
/// come from, beside why. Most losses first; "none named" for losses without a
/// competitor.
fn patterns(ctx: &Ctx, rows: &[(UserId, &Account, &LostAccount, WinBack)], today: Date) -> Markup {
    let labels = |keys: &[signals::Quarter]| -> Vec<String> {
        keys.iter()
            .map(|(y, q)| format!("Q{q}’{:02}", y % 100))
            .collect()
    };
    // The earliest loss's spelling names the group, its spacing tidied.
    let mut by_age: Vec<&LostAccount> = rows.iter().map(|r| r.2).collect();
    by_age.sort_by_key(|l| (l.lost_on, l.account));
    let mut spelling: BTreeMap<String, String> = BTreeMap::new();
    for l in by_age {
        if let (Some(key), Some(name)) = (signals::competitor_key(l), &l.competitor) {
            let tidy = name.split_whitespace().collect::<Vec<_>>().join(" ");
            spelling.entry(key).or_insert(tidy);
        }
    }
    let (keys, by_competitor) = signals::losses_per_quarter(
        rows.iter().map(|r| (signals::competitor_key(r.2), r.2)),
        today,
        QUARTERS,
    );
    let mut competitors: Vec<(String, Vec<u32>)> = by_competitor
        .into_iter()
        .map(|(k, c)| {
            let name = k.map_or_else(
                || "none named".to_string(),
                |k| spelling.get(&k).cloned().unwrap_or(k),
            );
            (name, c)
        })
        .collect();
    competitors.sort_by(|a, b| {
        b.1.iter()
            .sum::<u32>()
            .cmp(&a.1.iter().sum::<u32>())
            .then(a.0.cmp(&b.0))
    });
    let (_, by_rep) = signals::losses_per_quarter(rows.iter().map(|r| (r.0, r.2)), today, QUARTERS);
    let mut reps: Vec<(String, Vec<u32>)> = by_rep
        .into_iter()
        .map(|(rep, c)| {
            let name = ctx
                .scope
                .user(rep)
                .map_or_else(|| format!("user {rep}"), |u| u.name.clone());
            (name, c)
        })
        .collect();
    reps.sort_by(|a, b| {
        b.1.iter()
            .sum::<u32>()
            .cmp(&a.1.iter().sum::<u32>())
            .then(a.0.cmp(&b.0))
    });
    let quarters = labels(&keys);
    html! {
        section #by-competitor {
            h3 { "By competitor " small { "[P18]" } }
            (counts_table("Competitor", &quarters, &competitors))
        }
        @if ctx.scope.is_lead() {
            section #by-rep {
                h3 { "By rep " small { "[P18]" } }
                (counts_table("Rep", &quarters, &reps))
            }
        }
    }
}

pub(super) fn counts_table(
    first: &str,
    quarters: &[String],
    series: &[(String, Vec<u32>)],
) -> Markup {
    html! {
        table {
            thead { tr { th { (first) } @for q in quarters { th { (q) } } th { "Total" } } }
            tbody {
                @for (name, counts) in series {
                    tr { td { (name) } @for c in counts { td { (c) } } td { strong { (counts.iter().sum::<u32>()) } } }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;
    use rounds_core::model::LossReason;

    #[test]
    fn p18_reasons_are_counted_per_quarter_over_the_last_eight() {
        let l = |d: Date, reason| LostAccount {
            account: AccountId(1),
            lost_on: d,
            reason,
            competitor: None,
            stakeholders: vec![],
            note: String::new(),
            earlier: vec![],
        };
        let lost = [
            l(date(2026, 11, 2), LossReason::Pricing),
            l(date(2026, 10, 1), LossReason::Pricing),
            l(date(2026, 2, 1), LossReason::CustomerService),
            // Before the eight quarters shown.
            l(date(2024, 6, 1), LossReason::Other),
        ];
        let (quarters, series) = reasons_per_quarter(lost.iter(), date(2026, 11, 24));
        assert_eq!(quarters.len(), 8);
        assert_eq!(quarters.first().map(String::as_str), Some("Q1’25"));
        assert_eq!(quarters.last().map(String::as_str), Some("Q4’26"));
        assert_eq!(series.len(), 2);
        assert_eq!(series[0].0, "pricing");
        assert_eq!(series[0].1[7], 2);
        assert_eq!(series[1].1[4], 1);
    }
}

#[cfg(test)]
mod schedule_tests {
    use super::*;
    use crate::pages::fixture::{account, contact, touch};
    use jiff::Span;
    use jiff::civil::date;
    use rounds_core::model::{AccountStatus, LossReason, Territory, TouchKind};
    use rounds_core::playbook::Playbook;
    use rounds_core::signals::WinBack;

    fn lost_on(d: Date) -> LostAccount {
        LostAccount {
            account: AccountId(1),
            lost_on: d,
            reason: LossReason::Pricing,
            competitor: Some("Apex".into()),
            stakeholders: vec![],
            note: String::new(),
            earlier: vec![],
        }
    }

    /// What the page shows for the first lost account, as the handler computes it.
    fn win_back(l: &LostAccount, t: &Territory, pb: &Playbook, today: Date) -> WinBack {
        let touches = signals::touches_by_account(t, today);
        let mine = touches.get(&l.account).map(Vec::as_slice).unwrap_or(&[]);
        signals::win_back(l, mine, pb, today)
    }

    #[test]
    fn p16_feedback_is_due_within_the_playbook_days_of_the_loss() {
        let pb = Playbook::default();
        let today = date(2026, 11, 10);
        let l = lost_on(date(2026, 11, 1));
        let t = Territory {
            accounts: vec![account(1, AccountStatus::Lost)],
            contacts: vec![contact(10, 1)],
            ..Territory::default()
        };
        let w = win_back(&l, &t, &pb, today);
        assert_eq!(
            w.feedback_due,
            date(2026, 11, 1)
                .checked_add(Span::new().days(pb.feedback_within_days))
                .unwrap()
        );
        assert_eq!(w.feedback_done, None);
        assert!(w.feedback_now);
        let t = Territory {
            touches: vec![touch(1, 10, 1, date(2026, 11, 5), TouchKind::Feedback)],
            ..t
        };
        let w = win_back(&l, &t, &pb, today);
        assert_eq!(w.feedback_done, Some(date(2026, 11, 5)));
        assert!(!w.feedback_now);
    }

    #[test]
    fn p17_next_nurture_falls_between_the_min_and_max_days_after_the_last_touch() {
        let pb = Playbook::default();
        let today = date(2026, 11, 24);
        let l = lost_on(date(2026, 9, 1));
        let t = Territory {
            accounts: vec![account(1, AccountStatus::Lost)],
            contacts: vec![contact(10, 1)],
            touches: vec![
                touch(1, 10, 1, date(2026, 8, 20), TouchKind::Routine),
                touch(2, 10, 1, date(2026, 10, 10), TouchKind::Nurture),
            ],
            ..Territory::default()
        };
        let w = win_back(&l, &t, &pb, today);
        let after = |n: i64| date(2026, 10, 10).checked_add(Span::new().days(n)).unwrap();
        assert_eq!(w.last_touch, Some(date(2026, 10, 10)));
        assert_eq!(w.nurture_from, after(pb.nurture_min_days));
        assert_eq!(w.nurture_by, after(pb.nurture_max_days));
        // The clock counts from the last touch even when it came before the loss, as
        // the plan does, but never before min(feedback, nurture) days after the loss.
        let t = Territory {
            touches: vec![touch(1, 10, 1, date(2026, 8, 20), TouchKind::Routine)],
            ..t
        };
        let w = win_back(&l, &t, &pb, today);
        let loss_plus = |n: i64| date(2026, 9, 1).checked_add(Span::new().days(n)).unwrap();
        assert_eq!(
            w.nurture_from,
            date(2026, 8, 20)
                .checked_add(Span::new().days(pb.nurture_min_days))
                .unwrap()
                .max(loss_plus(pb.feedback_within_days.min(pb.nurture_min_days)))
        );
        assert!(w.nurture_overdue);
        // Never touched: due as soon as the feedback window allows, and overdue at once.
        let t = Territory {
            touches: vec![],
            ..t
        };
        let w = win_back(&l, &t, &pb, today);
        assert_eq!(
            w.nurture_from,
            loss_plus(pb.feedback_within_days.min(pb.nurture_min_days))
        );
        assert!(w.nurture_now && w.nurture_overdue);
    }
}
