//! Lost accounts: why (P15), the win-back schedule of the playbook's `[lost]` section —
//! feedback soon after the loss (P16), then a low-frequency nurture (P17) — and the loss
//! reasons over time (P18).

use std::collections::BTreeMap;

use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use jiff::Span;
use jiff::civil::Date;
use maud::{Markup, html};
use rounds_core::model::{
    Account, AccountId, LossReason, LostAccount, Territory, TouchKind, UserId,
};
use rounds_core::playbook::Playbook;

use super::layout::{Nav, page};
use crate::AppState;
use crate::charts;
use crate::extract::{Ctx, PageCtx};

pub fn routes() -> Router<AppState> {
    Router::new().route("/lost", get(lost))
}

/// The reasons chart covers this many quarters up to today's: older losses say little
/// about what to change now.
const QUARTERS: usize = 8;

/// Where a lost account stands in its win-back schedule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct WinBack {
    /// P16: ask for feedback by this day…
    pub feedback_due: Date,
    /// …and the day it was asked, if it was.
    pub feedback_done: Option<Date>,
    /// The last touch on the account since the loss.
    pub last_touch: Option<Date>,
    /// P17: the next nurture touch, not before the first day nor after the second.
    pub nurture_from: Date,
    pub nurture_by: Date,
}

/// The schedule of one lost account, from its touches since the loss.
pub(crate) fn win_back(
    lost: &LostAccount,
    account: &Account,
    t: &Territory,
    pb: &Playbook,
) -> WinBack {
    let zone = account.tz.zone();
    let since_loss: Vec<(Date, TouchKind)> = t
        .touches
        .iter()
        .filter(|x| x.account == account.id)
        .map(|x| (x.at.to_zoned(zone.clone()).date(), x.kind))
        .filter(|(d, _)| *d >= lost.lost_on)
        .collect();
    let add = |d: Date, days: i64| d.checked_add(Span::new().days(days)).unwrap_or(d);
    let last_touch = since_loss.iter().map(|(d, _)| *d).max();
    let from = last_touch.unwrap_or(lost.lost_on);
    WinBack {
        feedback_due: add(lost.lost_on, pb.feedback_within_days),
        feedback_done: since_loss
            .iter()
            .filter(|(_, k)| *k == TouchKind::Feedback)
            .map(|(d, _)| *d)
            .min(),
        last_touch,
        nurture_from: add(from, pb.nurture_min_days),
        nurture_by: add(from, pb.nurture_max_days),
    }
}

/// "2026 Q3".
pub(crate) fn quarter(d: Date) -> (i16, i8) {
    (d.year(), (d.month() - 1) / 3 + 1)
}

async fn lost(State(state): State<AppState>, PageCtx(ctx): PageCtx) -> Response {
    let territories = match super::territories_in_scope(&state, &ctx).await {
        Ok(t) => t,
        Err(e) => return super::error_page(e),
    };
    let pb = state.playbook();
    let today = state.today();
    let mut rows: Vec<(UserId, &Account, &LostAccount, WinBack)> = Vec::new();
    for (rep, t) in &territories {
        let accounts: BTreeMap<AccountId, &Account> =
            t.accounts.iter().map(|a| (a.id, a)).collect();
        for l in &t.lost {
            if let Some(a) = accounts.get(&l.account) {
                rows.push((*rep, a, l, win_back(l, a, t, pb)));
            }
        }
    }
    rows.sort_by(|x, y| y.2.lost_on.cmp(&x.2.lost_on).then(x.1.id.cmp(&y.1.id)));

    let (quarters, series) = reasons_per_quarter(rows.iter().map(|r| r.2), today);
    let body = html! {
        h1 { "Lost accounts " small { (rows.len()) } }
        p.muted { "Win-back: ask for feedback within " (pb.feedback_within_days) " days of the loss (P16), then stay present every "
            (pb.nurture_min_days) "–" (pb.nurture_max_days) " days by " (super::accounts::join(pb.nurture_channels.iter().map(|c| c.as_str())))
            ", never more often (P17)." }
        @if !rows.is_empty() {
            section #reasons {
                h2 { "Why we lose " small { "[P18]" } }
                (legend(&series))
                (super::chart_figure(
                    charts::loss_reasons("Loss reasons per quarter", &quarters, &series),
                    &format!("Lost accounts per quarter by reason, last {} quarters", quarters.len()),
                    reasons_table(&quarters, &series),
                ))
            }
        } @else {
            p.empty { "No lost accounts. Keep it that way." }
        }
        ul.cards #lost {
            @for (rep, a, l, w) in &rows { (lost_card(&ctx, *rep, a, l, w, today)) }
        }
    };
    page("Lost accounts", Some(&ctx), Nav::Lost, None, body).into_response()
}

fn lost_card(
    ctx: &Ctx,
    rep: UserId,
    a: &Account,
    l: &LostAccount,
    w: &WinBack,
    today: Date,
) -> Markup {
    html! {
        li.card {
            a href={"/accounts/" (a.id.0)} { strong { (a.name) } }
            @if ctx.scope.is_lead() { " · " (ctx.scope.user(rep).map(|u| u.name.as_str()).unwrap_or("?")) }
            div { "Lost on " (l.lost_on) " · " (l.reason)
                @if let Some(c) = &l.competitor { " · to " (c) } }
            @if !l.stakeholders.is_empty() { div.small { "Stakeholders: " (l.stakeholders.join(", ")) } }
            @if !l.note.is_empty() { p.note { (l.note) } }
            ul.schedule {
                li { span.rules { "[P16] " } "Feedback "
                    @match w.feedback_done {
                        Some(d) => { "asked on " (d) },
                        None if today > w.feedback_due => { "was due by " (w.feedback_due) " " span.urgent { "missed" } },
                        None => { "due by " (w.feedback_due) },
                    }
                }
                li { span.rules { "[P17] " } "Next nurture between " (w.nurture_from) " and " (w.nurture_by)
                    @if today > w.nurture_by { " " span.urgent { "overdue" } }
                    @if let Some(d) = w.last_touch { " " small { "(last touch " (d) ")" } }
                }
            }
        }
    }
}

/// Counts per reason per quarter, for the last `QUARTERS` quarters up to today's; only
/// reasons that occur get a series, in `LossReason::ALL` order.
fn reasons_per_quarter<'a>(
    lost: impl Iterator<Item = &'a LostAccount>,
    today: Date,
) -> (Vec<String>, Vec<(String, Vec<u32>)>) {
    let mut keys: Vec<(i16, i8)> = Vec::new();
    let (mut y, mut q) = quarter(today);
    for _ in 0..QUARTERS {
        keys.push((y, q));
        (y, q) = if q == 1 { (y - 1, 4) } else { (y, q - 1) };
    }
    keys.reverse();
    let mut counts: BTreeMap<LossReason, Vec<u32>> = BTreeMap::new();
    for l in lost {
        if let Some(i) = keys.iter().position(|k| *k == quarter(l.lost_on)) {
            counts
                .entry(l.reason)
                .or_insert_with(|| vec![0; keys.len()])[i] += 1;
        }
    }
    let series = LossReason::ALL
        .iter()
        .filter_map(|r| counts.remove(r).map(|c| (r.as_str().to_string(), c)))
        .collect();
    // Short labels ("Q4’26"), so eight fit under the chart on a phone.
    let labels = keys
        .iter()
        .map(|(y, q)| format!("Q{q}’{:02}", y % 100))
        .collect();
    (labels, series)
}

fn legend(series: &[(String, Vec<u32>)]) -> Markup {
    html! {
        ul.legend {
            @for (i, (name, _)) in series.iter().enumerate() {
                li { span.swatch style={"background:" (charts::css(charts::PALETTE[i % charts::PALETTE.len()]))} {} " " (name) }
            }
        }
    }
}

fn reasons_table(quarters: &[String], series: &[(String, Vec<u32>)]) -> Markup {
    html! {
        table {
            thead { tr { th { "Reason" } @for q in quarters { th { (q) } } } }
            tbody {
                @for (name, counts) in series {
                    tr { td { (name) } @for c in counts { td { (c) } } }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn p18_reasons_are_counted_per_quarter_over_the_last_eight() {
        let l = |d: Date, reason| LostAccount {
            account: AccountId(1),
            lost_on: d,
            reason,
            competitor: None,
            stakeholders: vec![],
            note: String::new(),
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
    use jiff::civil::date;
    use rounds_core::model::AccountStatus;

    fn lost_on(d: Date) -> LostAccount {
        LostAccount {
            account: AccountId(1),
            lost_on: d,
            reason: LossReason::Pricing,
            competitor: Some("Apex".into()),
            stakeholders: vec![],
            note: String::new(),
        }
    }

    #[test]
    fn p16_feedback_is_due_within_the_playbook_days_of_the_loss() {
        let pb = Playbook::default();
        let l = lost_on(date(2026, 11, 1));
        let t = Territory {
            accounts: vec![account(1, AccountStatus::Lost)],
            contacts: vec![contact(10, 1)],
            ..Territory::default()
        };
        let w = win_back(&l, &t.accounts[0], &t, &pb);
        assert_eq!(
            w.feedback_due,
            date(2026, 11, 1)
                .checked_add(Span::new().days(pb.feedback_within_days))
                .unwrap()
        );
        assert_eq!(w.feedback_done, None);
        let t = Territory {
            touches: vec![touch(1, 10, 1, date(2026, 11, 5), TouchKind::Feedback)],
            ..t
        };
        let w = win_back(&l, &t.accounts[0], &t, &pb);
        assert_eq!(w.feedback_done, Some(date(2026, 11, 5)));
    }

    #[test]
    fn p17_next_nurture_falls_between_the_min_and_max_days_after_the_last_touch() {
        let pb = Playbook::default();
        let l = lost_on(date(2026, 9, 1));
        let t = Territory {
            accounts: vec![account(1, AccountStatus::Lost)],
            contacts: vec![contact(10, 1)],
            touches: vec![
                // Before the loss: not part of the win-back.
                touch(1, 10, 1, date(2026, 8, 20), TouchKind::Routine),
                touch(2, 10, 1, date(2026, 10, 10), TouchKind::Nurture),
            ],
            ..Territory::default()
        };
        let w = win_back(&l, &t.accounts[0], &t, &pb);
        let after = |n: i64| date(2026, 10, 10).checked_add(Span::new().days(n)).unwrap();
        assert_eq!(w.last_touch, Some(date(2026, 10, 10)));
        assert_eq!(w.nurture_from, after(pb.nurture_min_days));
        assert_eq!(w.nurture_by, after(pb.nurture_max_days));
        // Without a touch since the loss, the clock starts at the loss.
        let t = Territory {
            touches: vec![],
            ..t
        };
        let w = win_back(&l, &t.accounts[0], &t, &pb);
        assert_eq!(
            w.nurture_from,
            date(2026, 9, 1)
                .checked_add(Span::new().days(pb.nurture_min_days))
                .unwrap()
        );
    }
}
