//! The day's route (P26, P27): the visits in driving order with arrival, visit and
//! leave-by times, the visits the day could not hold with the remote touch planned
//! instead, a map drawn from the coordinates (no tile server), and a link that opens the
//! day in a maps app. On Today under the plan, and on its own page (`/route`).

use axum::Router;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use maud::{Markup, PreEscaped, html};
use rounds_core::day_route::DayRoute;
use rounds_core::model::UserId;

use super::layout::{Nav, page};
use super::today::TodayQuery;
use crate::AppState;
use crate::app::plan_with_drafts;
use crate::charts;
use crate::extract::PageCtx;

pub fn routes() -> Router<AppState> {
    Router::new().route("/route", get(route_page))
}

/// At most this many stops go into the maps link: phone maps apps take about ten
/// points (origin, destination and the stops between).
const MAPS_LINK_STOPS: usize = 9;

fn point((lat, lon): (f64, f64)) -> String {
    format!("{lat:.5},{lon:.5}")
}

/// The day in a maps app: from the base through the stops and back, driving. The
/// public Maps URL form, which phones hand to the installed maps app.
pub fn maps_link(route: &DayRoute) -> String {
    let waypoints: Vec<String> = route
        .stops
        .iter()
        .take(MAPS_LINK_STOPS)
        .map(|s| point(s.at))
        .collect();
    let waypoints = waypoints.join("|");
    let mut url = String::from("https://www.google.com/maps/dir/?api=1&travelmode=driving");
    url.push_str(&format!(
        "&origin={}&destination={}",
        point(route.base),
        point(route.base)
    ));
    if !waypoints.is_empty() {
        url.push_str("&waypoints=");
        url.extend(form_urlencoded::byte_serialize(waypoints.as_bytes()));
    }
    url
}

/// The route's section; `map_open` shows the map at once (the route page) rather than
/// behind a tap (Today, where the plan comes first).
pub fn route_section(
    route: &DayRoute,
    rep: UserId,
    date: jiff::civil::Date,
    map_open: bool,
) -> Markup {
    let coords: Vec<(f64, f64)> = route.stops.iter().map(|s| s.at).collect();
    let map = charts::route_map("The day's route", route.base, &coords);
    html! {
        section #route .route {
            h2 { "Route" }
            p {
                "Leave at " (route.leave_base.time.strftime("%H:%M")) " · "
                (route.stops.len()) " stop" @if route.stops.len() != 1 { "s" } " · "
                (route.drive_minutes) " min driving · " (format!("{:.1}", route.distance_km)) " km · back by "
                (route.back_at_base.time.strftime("%H:%M")) " " small { (route.leave_base.tz) }
            }
            ol.stops {
                @for s in &route.stops {
                    li.stop data-order=(s.order) data-contact-id=(s.contact.0) {
                        strong { (s.start.strftime("%H:%M")) } " "
                        a href={"/contacts/" (s.contact.0)} { (s.contact_name) } " · "
                        a href={"/accounts/" (s.account.0)} { (s.account_name) }
                        br;
                        span.small.muted {
                            (s.drive_minutes_before) " min drive, arrive " (s.arrive.strftime("%H:%M"))
                            @if s.wait_minutes > 0 { ", wait " (s.wait_minutes) " min" }
                            ", leave by " (s.leave_by.strftime("%H:%M"))
                        }
                    }
                }
            }
            @if !route.left_out.is_empty() {
                h3 { "Left out today" }
                ul.left-out {
                    @for out in &route.left_out {
                        li data-contact-id=(out.contact.0) {
                            span.rules { "[" (out.rules.join(" ")) "] " }
                            a href={"/contacts/" (out.contact.0)} { (out.contact_name) } " · " (out.account_name) ": "
                            @match out.instead {
                                Some(channel) => { strong { (channel) " instead" } " (in the plan above)" }
                                None => "no remote touch fits today either; it stays due and comes back on a later day",
                            }
                            span.small.muted { " — " (out.reason) }
                        }
                    }
                }
            }
            @match map {
                Ok(svg) => {
                    details.map open[map_open] {
                        summary { "Map" }
                        figure.chart { (PreEscaped(svg)) }
                    }
                }
                Err(e) => { p.muted { (e.to_string()) } }
            }
            p {
                a href=(maps_link(route)) rel="noopener noreferrer" { "Open the day in a maps app" }
                @if !map_open {
                    " · " a href={"/route?rep=" (rep.0) "&date=" (date)} { "Route page" }
                }
            }
        }
    }
}

async fn route_page(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    Query(q): Query<TodayQuery>,
) -> Response {
    let rep = q.rep.map(UserId).unwrap_or(ctx.caller.user.id);
    let date = q.date.unwrap_or_else(|| state.today());
    let (plan, _) = match plan_with_drafts(&state, &ctx, rep, date).await {
        Ok(p) => p,
        Err(e) if e.status == StatusCode::NOT_FOUND => return super::not_found_page(),
        Err(e) => return super::error_page(e),
    };
    let title = format!("Route · {}", date.strftime("%A %-d %B %Y"));
    let rep_name = ctx.scope.user(rep).map(|u| u.name.as_str()).unwrap_or("?");
    let body = html! {
        h1 { "Route" small { " " (date.strftime("%a %-d %b")) } }
        p.muted { (rep_name) " · " a href={"/today?rep=" (rep.0) "&date=" (date)} { "Back to the plan" } }
        @match &plan.route {
            Some(route) => (route_section(route, rep, date, true)),
            None => p.empty { "No visits in person are planned on this day." },
        }
    };
    axum::response::IntoResponse::into_response(page(&title, Some(&ctx), Nav::Today, None, body))
}
