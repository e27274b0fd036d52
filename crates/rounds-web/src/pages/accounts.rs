//! Accounts: the list of the caller's accounts (search, status filter) and one account's
//! page — its touches, contacts, topics covered and still to cover, referrals, what its
//! providers said about not referring (P10) and profile completeness.

use std::collections::{BTreeMap, BTreeSet};

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use jiff::civil::Date;
use maud::{Markup, html};
use rounds_app::AccountFilter;
use rounds_core::model::{
    Account, AccountId, AccountStatus, Contact, ContactId, Territory, Topic, TopicId, Touch,
};
use rounds_core::planner;
use rounds_core::signals;
use serde::Deserialize;

use super::layout::{Nav, page};
use crate::AppState;
use crate::charts;
use crate::error::ApiError;
use crate::extract::{Ctx, PageCtx};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/accounts", get(list))
        .route("/accounts/{id}", get(detail))
}

/// Accounts per page: a phone page of thousands of cards helps nobody; the pages and
/// the search reach the rest.
const SHOWN: usize = 200;

#[derive(Debug, Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    status: String,
    page: Option<usize>,
}

async fn list(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    Query(query): Query<ListQuery>,
) -> Response {
    let status: Option<AccountStatus> = match query.status.trim() {
        "" => None,
        s => match s.parse() {
            Ok(s) => Some(s),
            Err(e) => {
                return super::error_page(ApiError::field("status", format!("status: {e}")));
            }
        },
    };
    let filter = AccountFilter {
        status,
        ..AccountFilter::default()
    };
    let accounts = match rounds_app::list_accounts(state.store(), &ctx.actor(), &filter).await {
        Ok(a) => a,
        Err(e) => return super::error_page(e.into()),
    };
    let needle = query.q.trim().to_lowercase();
    let page_link = |n: usize| {
        format!(
            "/accounts?q={}&status={}&page={n}",
            super::urlencode(&query.q),
            super::urlencode(&query.status)
        )
    };
    let matching: Vec<&Account> = accounts
        .iter()
        .filter(|a| {
            needle.is_empty()
                || a.name.to_lowercase().contains(&needle)
                || a.address.city.to_lowercase().contains(&needle)
        })
        .collect();
    let pages = matching.len().div_ceil(SHOWN).max(1);
    let page_no = query.page.unwrap_or(1).clamp(1, pages);
    let body = html! {
        h1 { "Accounts" }
        form.pick method="get" action="/accounts" {
            label { "Search" input type="text" name="q" value=(query.q) placeholder="name or city"; }
            label { "Status"
                select name="status" {
                    option value="" { "any" }
                    @for s in AccountStatus::ALL { option value=(s.as_str()) selected[Some(*s) == status] { (s.as_str()) } }
                }
            }
            button type="submit" { "Show" }
        }
        p.muted { (matching.len()) " accounts"
            @if pages > 1 { " · page " (page_no) " of " (pages) } }
        ul.cards {
            @for a in matching.iter().skip((page_no - 1) * SHOWN).take(SHOWN) {
                li.card {
                    a href={"/accounts/" (a.id.0)} { strong { (a.name) } }
                    " " span.badge { (a.status) }
                    div.small { (a.kind) " · " (a.address.city)
                        @if !a.specialties.is_empty() { " · " (join(a.specialties.iter().map(|s| s.as_str()))) }
                        @if ctx.scope.is_lead() { " · " (rep_name(&ctx, a)) }
                    }
                }
            }
        }
        @if pages > 1 {
            nav.pager {
                @if page_no > 1 { a rel="prev" href=(page_link(page_no - 1)) { "← Previous" } " " }
                @if page_no < pages { a rel="next" href=(page_link(page_no + 1)) { "Next →" } }
            }
        }
    };
    page("Accounts", Some(&ctx), Nav::Accounts, None, body).into_response()
}

fn rep_name(ctx: &Ctx, a: &Account) -> String {
    ctx.scope
        .user(a.rep)
        .map(|u| u.name.clone())
        .unwrap_or_else(|| format!("user {}", a.rep))
}

pub(super) fn join<'a>(items: impl Iterator<Item = &'a str>) -> String {
    items.collect::<Vec<_>>().join(", ")
}

async fn detail(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    Path(id): Path<i64>,
) -> Response {
    let found = rounds_app::get_account(state.store(), &ctx.actor(), AccountId(id)).await;
    let account = match found.map_err(crate::ApiError::from) {
        Ok(a) => a,
        Err(e) if e.status == axum::http::StatusCode::NOT_FOUND => return super::not_found_page(),
        Err(e) => return super::error_page(e),
    };
    // The rep's territory holds everything this page shows (contacts, touches, topics,
    // referral counts, the loss record), read in one pass.
    let territory = match rounds_app::territory_for(state.store(), &ctx.actor(), account.rep).await
    {
        Ok(t) => t,
        Err(e) => return super::error_page(e.into()),
    };
    let today = state.today();
    let body = account_view(&state, &ctx, &account, &territory, today);
    page(&account.name, Some(&ctx), Nav::Accounts, None, body).into_response()
}

fn account_view(state: &AppState, ctx: &Ctx, a: &Account, t: &Territory, today: Date) -> Markup {
    let contacts: Vec<&Contact> = t.contacts.iter().filter(|c| c.account == a.id).collect();
    let names: BTreeMap<ContactId, &str> =
        contacts.iter().map(|c| (c.id, c.name.as_str())).collect();
    let topics: BTreeMap<TopicId, &Topic> = t.topics.iter().map(|t| (t.id, t)).collect();
    let mut touches: Vec<&Touch> = t.touches.iter().filter(|x| x.account == a.id).collect();
    touches.sort_by(|x, y| y.at.cmp(&x.at).then(y.id.cmp(&x.id)));
    let zone = a.tz.zone();
    let day_of = |x: &Touch| x.at.to_zoned(zone.clone()).date();

    // Covered as the planner counts it: the contact engaged, or it arrived in writing.
    // Touches run newest first, so the day kept is the latest mention.
    let mut covered: BTreeMap<TopicId, Date> = BTreeMap::new();
    for x in touches.iter().filter(|x| planner::delivered(x)) {
        for topic in &x.topics {
            covered.entry(*topic).or_insert_with(|| day_of(x));
        }
    }
    let to_cover = still_to_cover(a, &contacts, &t.topics, &covered, today);

    let lost = t.lost.iter().find(|l| l.account == a.id);
    let ids: BTreeSet<ContactId> = contacts.iter().map(|c| c.id).collect();
    let weeks = super::weekly_counts(
        t.referrals.iter().filter(|r| ids.contains(&r.contact)),
        today,
        26,
    );
    let referred: u32 = weeks.iter().map(|w| w.1).sum();
    // P10: what each provider last said about not referring, while it stands.
    let rows = super::referral_rows(t);
    let dated = signals::touches_by_contact(t, today);
    let not_referring: Vec<(&Contact, signals::NotReferring)> = contacts
        .iter()
        .filter_map(|c| {
            let theirs = dated.get(&c.id).map(Vec::as_slice).unwrap_or(&[]);
            let days = signals::referral_days(rows.get(&c.id).map_or(&[], Vec::as_slice), today);
            signals::not_referring(theirs, &days).map(|n| (*c, n))
        })
        .collect();

    let facts = &state.playbook().profile_facts;
    let known: Vec<&String> = facts
        .iter()
        .filter(|f| a.profile.contains_key(*f))
        .collect();
    let completeness = if facts.is_empty() {
        100
    } else {
        known.len() * 100 / facts.len()
    };

    html! {
        h1 { (a.name) " " span.badge { (a.status) } }
        p.muted {
            (a.kind) " · " (a.segment) " · " (a.address.street) ", " (a.address.city)
            " · access: " (a.access)
            @if ctx.scope.is_lead() { " · rep: " (rep_name(ctx, a)) }
        }
        @if !a.specialties.is_empty() { p.small { "Specialties: " (join(a.specialties.iter().map(|s| s.as_str()))) } }
        @if let Some(l) = lost {
            p.card { "Lost on " (l.lost_on) " (" (l.reason) ")"
                @if let Some(c) = &l.competitor { " to " (c) }
                " — see " a href="/lost" { "Lost accounts" } " for the win-back schedule." }
        }

        section #profile {
            h2 { "Profile " small { (completeness) "% known [P24]" } }
            meter min="0" max="100" value=(completeness) { (completeness) "%" }
            ul.facts {
                @for f in facts {
                    li { (f) ": "
                        @match a.profile.get(f) {
                            Some(v) => { (v) },
                            None => { span.muted { "unknown — ask on the next visit" } },
                        }
                    }
                }
            }
        }

        section #contacts {
            h2 { "Contacts" }
            @if contacts.is_empty() { p.empty { "No contacts yet." } }
            ul.cards {
                @for c in &contacts {
                    li.card {
                        a href={"/contacts/" (c.id.0)} { strong { (c.name) } }
                        div.small { (c.role) " · " (c.influence)
                            @if let Some(d) = &c.department { " · " (d) }
                            @if let Some(s) = &c.specialty { " · " (s) } }
                    }
                }
            }
        }

        section #topics {
            h2 { "Topics covered" }
            @if covered.is_empty() { p.empty { "None yet." } }
            ul {
                @for (id, day) in &covered {
                    li { (topics.get(id).map(|t| t.title.as_str()).unwrap_or("(removed topic)")) " " small { "last on " (day) } }
                }
            }
            h2 { "Still to cover " small { "[P2, P3]" } }
            @if to_cover.is_empty() {
                p.empty { "Every relevant topic is covered: the library needs new content for this account [P2]." }
            }
            ul { @for topic in &to_cover { li { (topic.title) } } }
        }

        section #referrals {
            h2 { "Referrals " small { "last 26 weeks [P9]" } }
            @if referred == 0 {
                p.empty { "No referrals from this account's contacts in the last 26 weeks." }
            } @else {
                (super::chart_figure(
                    charts::weekly_referrals(&format!("Referrals per week from {}", a.name), &weeks),
                    &format!("{referred} referrals in 26 weeks, per week"),
                    weeks_table(&weeks),
                ))
            }
        }

        @if !not_referring.is_empty() {
            section #not-referring {
                h2 { "Why they have not referred " small { "[P10]" } }
                ul {
                    @for (c, n) in &not_referring {
                        li {
                            a href={"/contacts/" (c.id.0)} { (c.name) } " on " (n.day) ": " (n.reason)
                            @if !n.text.is_empty() { " — “" (n.text) "”" }
                            @if n.possible_competitor { " " span.badge { "possible competing relationship" } }
                        }
                    }
                }
            }
        }

        section #timeline {
            h2 { "Touches " small { (touches.len()) ", newest first" } }
            @if touches.is_empty() { p.empty { "No touches yet." } }
            ol.timeline {
                @for x in &touches {
                    li.card {
                        div { strong { (day_of(x)) } " " span.channel { (x.channel) } " " (x.direction) " · " (x.outcome)
                            @if x.kind != rounds_core::model::TouchKind::Routine { " · " (x.kind) } }
                        div.small { "With " a href={"/contacts/" (x.contact.0)} { (names.get(&x.contact).copied().unwrap_or("a former contact")) } }
                        @if !x.topics.is_empty() {
                            div.small { "Topics: " (join(x.topics.iter().map(|id| topics.get(id).map(|t| t.title.as_str()).unwrap_or("(removed topic)")))) }
                        }
                        @if !x.note.is_empty() { p.note { (x.note) } }
                        @if let Some(s) = &x.next_step { div.small { "Next step: " (s.what) " by " (s.due) } }
                        @if let Some(n) = &x.no_referral {
                            div.small { "Not referred: " (n.reason) @if !n.text.is_empty() { " — “" (n.text) "”" } }
                        }
                    }
                }
            }
        }
    }
}

pub(super) fn weeks_table(weeks: &[(Date, u32)]) -> Markup {
    html! {
        table {
            thead { tr { th { "Week of" } th { "Referrals" } } }
            tbody { @for (d, n) in weeks { tr { td { (d) } td { (n) } } } }
        }
    }
}

/// Library topics that fit the account and were not yet covered with anyone there.
///
/// The rule is kept simpler than the planner's per-contact ranking on purpose: a topic
/// fits when it is available by today, names the account's segment (or none) and names
/// one of the account's or its contacts' specialties (or none). Role restrictions are
/// ignored here because the page is about the account, not one person.
fn still_to_cover<'t>(
    a: &Account,
    contacts: &[&Contact],
    library: &'t [Topic],
    covered: &BTreeMap<TopicId, Date>,
    today: Date,
) -> Vec<&'t Topic> {
    library
        .iter()
        .filter(|t| !covered.contains_key(&t.id))
        .filter(|t| t.available_from.is_none_or(|d| d <= today))
        .filter(|t| t.segments.is_empty() || t.segments.contains(&a.segment))
        .filter(|t| {
            t.specialties.is_empty()
                || t.specialties.iter().any(|s| {
                    a.specialties.contains(s)
                        || contacts.iter().any(|c| c.specialty.as_ref() == Some(s))
                })
        })
        .collect()
}
