//! The message coach on the pages (P5, P41, P42): each written item of Today carries its
//! draft and the coach's verdict; "Check with the coach" posts the edited draft here
//! and the answer shows the findings with the words marked. Pages run no script, so
//! the check is a form round trip. An e-mail's form also sends it (it waits for its
//! window) or hands it to the rep's manager (P42): `outbox.rs` takes those buttons.

use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use maud::{Markup, html};
use rounds_core::model::{Channel, ContactId, Role, TopicId, TouchKind};
use rounds_core::outreach::{CheckKind, Finding, ItemDraft, Part, Verdict};
use rounds_core::planner::PlanItem;
use rounds_core::sending::OutboxId;

use super::Fields;
use super::layout::{Nav, csrf, page};
use crate::AppState;
use crate::error::ApiError;
use crate::extract::{Ctx, FormBody, PageCtx};

pub fn routes() -> Router<AppState> {
    Router::new().route("/coach", post(check))
}

/// A one-line summary of a verdict, for a draft's heading.
pub fn badge(v: &Verdict) -> Markup {
    html! {
        @if v.passes() {
            span.coach-ok { "coach: nothing to add" }
        } @else {
            span.coach-notes { "coach: " (v.findings.len()) " note" @if v.findings.len() > 1 { "s" } }
        }
    }
}

pub fn findings_list(v: &Verdict) -> Markup {
    html! {
        @if !v.findings.is_empty() {
            ul.coach-findings {
                @for f in &v.findings {
                    li data-kind=(f.kind) data-rule=(f.rule) {
                        span.rules { "[" (f.rule) "] " } strong { (f.kind) } ": " (f.why)
                    }
                }
            }
        }
        p.muted.small { (v.words) " of " (v.max_words) " words" }
    }
}

/// What an e-mail draft becomes when sent from Rounds: the touch it will be logged as,
/// and the saved message it rewrites, if any. Only e-mail leaves from Rounds; a text, a
/// note or a letter is sent by the rep and logged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sendable {
    pub contact: ContactId,
    pub topic: Option<TopicId>,
    pub kind: TouchKind,
    pub urgent: bool,
    pub id: Option<OutboxId>,
}

impl Sendable {
    pub fn of_item(item: &PlanItem) -> Option<Sendable> {
        (item.channel == Channel::Email).then_some(Sendable {
            contact: item.contact,
            topic: item.primary_topic.topic,
            kind: item.kind,
            urgent: item.urgent,
            id: None,
        })
    }

    /// The hidden fields a form of this page carries back (`None` when the form holds
    /// no contact: a draft checked on its own).
    pub(super) fn from_form(f: &Fields) -> Result<Option<Sendable>, ApiError> {
        let Some(contact) = f.parse_opt::<i64>("contact")? else {
            return Ok(None);
        };
        let Some(kind) = f.parse_opt::<TouchKind>("kind")? else {
            return Ok(None);
        };
        Ok(Some(Sendable {
            contact: ContactId(contact),
            topic: f.parse_opt::<i64>("topic")?.map(TopicId),
            kind,
            urgent: f.one("urgent") == Some("on"),
            id: f.parse_opt::<i64>("id")?.map(OutboxId),
        }))
    }
}

/// The form a draft is edited and re-checked in; for an e-mail, also sent or handed to
/// the manager.
pub fn draft_form(
    ctx: &Ctx,
    contact: Option<ContactId>,
    send: Option<&Sendable>,
    subject: Option<&str>,
    body: &str,
) -> Markup {
    let contact = send.map(|s| s.contact).or(contact);
    html! {
        form.coach method="post" action="/coach" {
            input type="hidden" name="csrf" value=(csrf(ctx));
            @if let Some(c) = contact { input type="hidden" name="contact" value=(c.0); }
            @if let Some(s) = send {
                input type="hidden" name="kind" value=(s.kind.as_str());
                @if let Some(t) = s.topic { input type="hidden" name="topic" value=(t.0); }
                @if s.urgent { input type="hidden" name="urgent" value="on"; }
                @if let Some(id) = s.id {
                    input type="hidden" name="id" value=(id.0);
                    input type="hidden" name="back" value="/outbox";
                }
            }
            @if let Some(s) = subject {
                label { "Subject" input type="text" name="subject" maxlength="300" value=(s); }
            }
            label { "Message" textarea name="body" rows="8" maxlength="20000" { (body) } }
            div.actions {
                button type="submit" { "Check with the coach" }
                @if send.is_some() {
                    button.send type="submit" formaction="/outbox/send" { "Send in its window" }
                    @if ctx.caller.user.role == Role::Rep {
                        button.review type="submit" formaction="/outbox/review" { "Ask my manager" }
                    }
                }
            }
        }
    }
}

/// A plan item's draft on Today: the template it came from, the coach's verdict, and
/// the text to edit and check again (and, for an e-mail, to send).
pub fn draft_view(ctx: &Ctx, item: &PlanItem, d: &ItemDraft) -> Markup {
    let send = Sendable::of_item(item);
    html! {
        details.draft open[!d.verdict.passes()] data-template=(d.template) {
            summary { "Draft · " (d.template) " · " (badge(&d.verdict)) }
            (findings_list(&d.verdict))
            (draft_form(ctx, Some(item.contact), send.as_ref(), d.subject.as_deref(), &d.body))
            p.small { a href={"/templates#" (d.template)} { "The " (d.template) " template" } }
        }
    }
}

/// `text` with the words of `findings` in `part` wrapped in `mark`; overlapping spans
/// are merged so every character is marked at most once. Findings about a whole
/// sentence or the tail past the word limit are listed, not marked: a marked sentence
/// would hide the words inside it that another finding is about.
fn marked(text: &str, findings: &[Finding], part: Part) -> Markup {
    let mut spans: Vec<(usize, usize)> = findings
        .iter()
        .filter(|f| f.part == part)
        .filter(|f| {
            !matches!(
                f.kind,
                CheckKind::NoClosingQuestion | CheckKind::OverWordLimit
            )
        })
        .filter_map(|f| f.span)
        .filter(|s| s.start < s.end && s.end <= text.len())
        .filter(|s| text.is_char_boundary(s.start) && text.is_char_boundary(s.end))
        .map(|s| (s.start, s.end))
        .collect();
    spans.sort();
    let mut merged: Vec<(usize, usize)> = Vec::new();
    for (s, e) in spans {
        match merged.last_mut() {
            Some(last) if s <= last.1 => last.1 = last.1.max(e),
            _ => merged.push((s, e)),
        }
    }
    let mut at = 0;
    html! {
        @for (s, e) in merged {
            (text[at..s])
            mark { (text[s..e]) }
            ({ at = e; "" })
        }
        (text[at..])
    }
}

async fn check(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    form: Result<FormBody<Vec<(String, String)>>, ApiError>,
) -> Response {
    let f = match form {
        Ok(FormBody(pairs)) => Fields(pairs),
        Err(e) => return super::error_page(e),
    };
    if let Some(refused) = super::csrf_refusal(&ctx, f.one("csrf").unwrap_or("")) {
        return refused;
    }
    let subject = f.one("subject").map(str::to_string);
    // Browsers send a textarea's line breaks as CR LF.
    let body = f.text("body").replace("\r\n", "\n");
    let contact = match f.parse_opt::<i64>("contact") {
        Ok(c) => c.map(ContactId),
        Err(e) => return super::error_page(e),
    };
    let send = match Sendable::from_form(&f) {
        Ok(s) => s,
        Err(e) => return super::error_page(e),
    };
    let verdict = match rounds_app::coach_text(
        state.store(),
        &ctx.actor(),
        state.playbook(),
        subject.as_deref(),
        &body,
    )
    .await
    {
        Ok(v) => v,
        Err(e) => return super::error_page(e.into()),
    };
    let body_view = html! {
        h1 { "Coach" }
        p { (badge(&verdict)) }
        section.coach-read {
            @if let Some(s) = &subject {
                p.subject { "Subject: " (marked(s, &verdict.findings, Part::Subject)) }
            }
            pre.message { (marked(&body, &verdict.findings, Part::Body)) }
        }
        (findings_list(&verdict))
        (draft_form(&ctx, contact, send.as_ref(), subject.as_deref(), &body))
        p { a href="/today" { "Back to today" } }
    };
    page("Coach", Some(&ctx), Nav::Today, None, body_view).into_response()
}
