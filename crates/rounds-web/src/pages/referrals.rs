//! Referring contacts who went silent after a meeting (P8), whose referrals fell
//! against their own baseline (P9), or who gave no clear reason for not referring (P10),
//! with the figures, worst first.

use std::collections::BTreeMap;

use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use jiff::Span;
use jiff::civil::Date;
use maud::{Markup, html};
use rounds_core::model::{Account, AccountId, Contact, Territory, UserId};
use rounds_core::planner::ReferralFigures;
use rounds_core::playbook::Playbook;
use rounds_core::signals;

use super::layout::{Nav, page};
use crate::AppState;
use crate::charts::{self, DropBar};
use crate::extract::PageCtx;

pub fn routes() -> Router<AppState> {
    Router::new().route("/referrals", get(referrals))
}

/// The chart shows this many of the worst drops; the table lists them all.
const CHARTED: usize = 10;

/// One referring contact that needs a follow-up.
#[derive(Debug, Clone)]
pub(crate) struct Referrer {
    pub contact: Contact,
    pub account: String,
    pub rep: UserId,
    pub figures: Option<ReferralFigures>,
    pub last_referral: Option<Date>,
    /// The referral meeting after which nothing came, if silent (P8).
    pub silent_since: Option<Date>,
    pub dropping: bool,
    /// No clear reason given for not referring: when it was said, and their words (P10).
    pub competing: Option<signals::NotReferring>,
}

impl Referrer {
    fn drop_size(&self) -> f64 {
        self.figures
            .as_ref()
            .map(|f| f.baseline_per_recent - f64::from(f.recent))
            .unwrap_or(0.0)
    }
}

/// The contacts of one territory that P8 or P9 (`rounds_core::signals`) select.
pub(crate) fn referrers(t: &Territory, rep: UserId, pb: &Playbook, today: Date) -> Vec<Referrer> {
    let accounts: BTreeMap<AccountId, &Account> = t.accounts.iter().map(|a| (a.id, a)).collect();
    let rows = super::referral_rows(t);
    let touches = signals::touches_by_contact(t, today);
    let mut out = Vec::new();
    for c in &t.contacts {
        let Some(account) = accounts.get(&c.account) else {
            continue;
        };
        let mine = rows.get(&c.id).map(Vec::as_slice).unwrap_or(&[]);
        let theirs = touches.get(&c.id).map(Vec::as_slice).unwrap_or(&[]);
        let s = signals::referrer(theirs, mine, pb, today);
        let competing = s.not_referring.filter(|n| n.possible_competitor);
        if s.dropping || s.silent.is_some() || competing.is_some() {
            out.push(Referrer {
                contact: c.clone(),
                account: account.name.clone(),
                rep,
                figures: s.figures,
                last_referral: s.last_referral,
                silent_since: s.silent.map(|x| x.meeting),
                dropping: s.dropping,
                competing,
            });
        }
    }
    out
}

async fn referrals(State(state): State<AppState>, PageCtx(ctx): PageCtx) -> Response {
    let territories = match rounds_app::territories_in_scope(state.store(), &ctx.actor()).await {
        Ok(t) => t,
        Err(e) => return super::error_page(e.into()),
    };
    let pb = state.playbook();
    let today = state.today();
    let mut all: Vec<Referrer> = territories
        .iter()
        .flat_map(|(rep, t)| referrers(t, *rep, pb, today))
        .collect();
    all.sort_by(|a, b| {
        b.drop_size()
            .total_cmp(&a.drop_size())
            .then(a.contact.id.cmp(&b.contact.id))
    });
    let bars: Vec<DropBar> = all
        .iter()
        .filter(|r| r.dropping)
        .take(CHARTED)
        .filter_map(|r| {
            r.figures.as_ref().map(|f| DropBar {
                label: r.contact.name.clone(),
                recent: f64::from(f.recent),
                baseline: f.baseline_per_recent,
            })
        })
        .collect();
    let silent = all.iter().filter(|r| r.silent_since.is_some()).count();
    let dropping = all.iter().filter(|r| r.dropping).count();
    let competing = all.iter().filter(|r| r.competing.is_some()).count();
    let since = today
        .checked_sub(Span::new().days(pb.recent_days))
        .unwrap_or(today);
    let body = html! {
        h1 { "Referrals" }
        p.muted {
            (silent) " silent after a referral meeting (no referral within "
            (pb.records_check_after_days) " days, P8) · " (dropping) " dropping (at least "
            (format!("{:.0}%", pb.drop_threshold * 100.0)) " below their own " (pb.baseline_days)
            "-day baseline, P9) · " (competing) " gave no clear reason for not referring (a possible competing relationship, P10). Recent window: the " (pb.recent_days) " complete days since " (since)
            ", so a referral logged today counts from tomorrow; the planner acts on the same figures."
        }
        @if !bars.is_empty() {
            section #droppers {
                h2 { "Biggest drops " small { "[P9]" } }
                (super::chart_figure(
                    charts::referral_drops("Referrals: recent against baseline", pb.recent_days, &bars),
                    &format!("Referrals in the last {} days (blue) against each contact's baseline for as many days (grey)", pb.recent_days),
                    drops_table(&bars),
                ))
            }
        }
        @if all.is_empty() {
            p.empty { "No referring contact has gone silent or dropped. Nothing to follow up." }
        }
        ul.cards #referrers {
            @for r in &all { (referrer_card(&ctx, r)) }
        }
    };
    page("Referrals", Some(&ctx), Nav::Referrals, None, body).into_response()
}

fn referrer_card(ctx: &crate::extract::Ctx, r: &Referrer) -> Markup {
    html! {
        li.card {
            a href={"/contacts/" (r.contact.id.0)} { strong { (r.contact.name) } }
            " · " a href={"/accounts/" (r.contact.account.0)} { (r.account) }
            @if ctx.scope.is_lead() {
                " · " (ctx.scope.user(r.rep).map(|u| u.name.as_str()).unwrap_or("?"))
            }
            @if let Some(m) = r.silent_since {
                div { span.rules { "[P8] " } "Met on " (m) "; no referral since. Call to make sure our records are correct." }
            }
            @if r.dropping {
                @if let Some(f) = &r.figures {
                    div { span.rules { "[P9] " } (f.recent) " in the last " (f.recent_days) " days against a baseline of "
                        (format!("{:.1}", f.baseline_per_recent)) " (" (format!("{:+.0}%", f.change * 100.0)) ")" }
                }
            }
            @if let Some(n) = &r.competing {
                div { span.rules { "[P10] " } "Said on " (n.day) " they had not referred, with no clear reason"
                    @if !n.text.is_empty() { " (“" (n.text) "”)" }
                    ": possibly a competing relationship." }
            }
            div.small { "Last referral: " @match r.last_referral { Some(d) => (d), None => "none recorded" } }
        }
    }
}

fn drops_table(bars: &[DropBar]) -> Markup {
    html! {
        table {
            thead { tr { th { "Contact" } th { "Recent" } th { "Baseline" } } }
            tbody { @for b in bars { tr { td { (b.label) } td { (b.recent) } td { (format!("{:.1}", b.baseline)) } } } }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pages::fixture::{account, contact, referral, touch};
    use jiff::civil::date;
    use rounds_core::model::{AccountStatus, ContactId, NoReferral, NoReferralReason, TouchKind};

    const TODAY: Date = date(2026, 11, 24);

    fn every_week(
        contact: i64,
        from: Date,
        to: Date,
        count: u32,
    ) -> Vec<rounds_core::model::ReferralCount> {
        let mut out = Vec::new();
        let mut d = from;
        while d < to {
            out.push(referral(contact, d, count));
            d = d.checked_add(Span::new().days(7)).unwrap();
        }
        out
    }

    #[test]
    fn p8_a_provider_met_and_silent_for_the_records_check_period_is_listed() {
        let pb = Playbook::default();
        let days = pb.records_check_after_days;
        let met = TODAY.checked_sub(Span::new().days(days)).unwrap();
        let too_soon = TODAY.checked_sub(Span::new().days(days - 1)).unwrap();
        let t = Territory {
            accounts: vec![account(1, AccountStatus::Customer)],
            contacts: vec![contact(10, 1), contact(11, 1), contact(12, 1)],
            touches: vec![
                touch(1, 10, 1, met, TouchKind::ReferralMeeting),
                touch(2, 11, 1, too_soon, TouchKind::ReferralMeeting),
                touch(3, 12, 1, met, TouchKind::ReferralMeeting),
            ],
            // Contact 12 referred after the meeting: not silent.
            referrals: vec![referral(
                12,
                TODAY.checked_sub(Span::new().days(3)).unwrap(),
                1,
            )],
            ..Territory::default()
        };
        let found = referrers(&t, UserId(1), &pb, TODAY);
        let ids: Vec<ContactId> = found.iter().map(|r| r.contact.id).collect();
        assert_eq!(ids, [ContactId(10)]);
        assert_eq!(found[0].silent_since, Some(met));
        assert!(!found[0].dropping);
    }

    #[test]
    fn p9_a_drop_against_the_providers_own_baseline_is_listed_with_its_figures() {
        let pb = Playbook::default();
        let recent_from = TODAY.checked_sub(Span::new().days(pb.recent_days)).unwrap();
        let baseline_from = recent_from
            .checked_sub(Span::new().days(pb.baseline_days))
            .unwrap();
        let mut referrals = every_week(10, baseline_from, recent_from, 3);
        // Counts are of complete days: the recent window ends yesterday.
        let yesterday = TODAY.yesterday().unwrap();
        referrals.push(referral(10, yesterday, 1));
        // Contact 11 keeps its pace; contact 12 fell but from a baseline too small to judge.
        referrals.extend(every_week(11, baseline_from, TODAY, 3));
        referrals.push(referral(12, baseline_from, 1));
        referrals.sort_by_key(|r| (r.contact, r.day));
        let t = Territory {
            accounts: vec![account(1, AccountStatus::Customer)],
            contacts: vec![contact(10, 1), contact(11, 1), contact(12, 1)],
            referrals,
            ..Territory::default()
        };
        let found = referrers(&t, UserId(1), &pb, TODAY);
        assert_eq!(found.len(), 1, "{found:?}");
        let r = &found[0];
        assert_eq!(r.contact.id, ContactId(10));
        assert!(r.dropping && r.silent_since.is_none());
        let f = r.figures.as_ref().unwrap();
        assert_eq!(f.recent, 1);
        assert!(f.baseline_per_recent > 10.0 && f.change < -0.9, "{f:?}");
        assert_eq!(r.last_referral, Some(yesterday));
    }

    #[test]
    fn p10_a_provider_who_gave_no_clear_reason_is_listed_until_they_refer() {
        let pb = Playbook::default();
        let asked = TODAY.checked_sub(Span::new().days(5)).unwrap();
        let said = |id: i64, contact: i64, reason: NoReferralReason| {
            let mut t = touch(id, contact, 1, asked, TouchKind::RecordsCheck);
            t.no_referral = Some(NoReferral {
                reason,
                text: "we'll see".into(),
            });
            t
        };
        let mut t = Territory {
            accounts: vec![account(1, AccountStatus::Customer)],
            contacts: vec![contact(10, 1), contact(11, 1)],
            touches: vec![
                said(1, 10, NoReferralReason::Vague),
                said(2, 11, NoReferralReason::NoFittingPatients),
            ],
            ..Territory::default()
        };
        let found = referrers(&t, UserId(1), &pb, TODAY);
        let ids: Vec<ContactId> = found.iter().map(|r| r.contact.id).collect();
        assert_eq!(ids, [ContactId(10)], "only the vague answer is listed");
        let n = found[0].competing.as_ref().unwrap();
        assert_eq!((n.day, n.text.as_str()), (asked, "we'll see"));
        t.referrals.push(referral(
            10,
            TODAY.checked_sub(Span::new().days(2)).unwrap(),
            1,
        ));
        assert!(referrers(&t, UserId(1), &pb, TODAY).is_empty());
    }
}
