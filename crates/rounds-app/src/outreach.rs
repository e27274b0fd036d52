//! What a rep writes: the organisation's templates (P47), a draft for each written item
//! of a plan, and the message coach (P5, P41, P42) for any draft.

use rounds_core::model::{Territory, User};
use rounds_core::outreach::{
    Coach, Draft, ItemDraft, Known, Template, TemplateKind, Verdict, builtin, draft_item,
    placeholders_for, template_for,
};
use rounds_core::planner::DayPlan;
use rounds_core::playbook::Playbook;
use rounds_store::Store;

use crate::{Actor, AppError, Result};

/// A template as the organisation uses it: its own, or the built-in one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateView {
    pub template: Template,
    /// The organisation replaced the built-in template.
    pub custom: bool,
    /// Epoch seconds of the last change, for the organisation's own.
    pub updated_at: Option<i64>,
    pub updated_by: Option<rounds_core::model::UserId>,
}

/// Every kind's template in use, in the order of [`TemplateKind::ALL`]. Anyone in the
/// organisation may read them: reps write with them.
pub async fn list_templates<S: Store + Sync>(
    store: &S,
    actor: &Actor,
) -> Result<Vec<TemplateView>> {
    let own = store.templates(actor.org).await?;
    Ok(builtin()
        .iter()
        .map(|b| match own.iter().find(|o| o.template.kind == b.kind) {
            Some(o) => TemplateView {
                template: o.template.clone(),
                custom: true,
                updated_at: Some(o.updated_at),
                updated_by: o.updated_by,
            },
            None => TemplateView {
                template: b.clone(),
                custom: false,
                updated_at: None,
                updated_by: None,
            },
        })
        .collect())
}

pub async fn get_template<S: Store + Sync>(
    store: &S,
    actor: &Actor,
    kind: TemplateKind,
) -> Result<TemplateView> {
    let all = list_templates(store, actor).await?;
    Ok(all
        .into_iter()
        .find(|t| t.template.kind == kind)
        .expect("every kind has a template"))
}

/// The templates a plan's drafts are written from.
pub async fn templates_in_use<S: Store + Sync>(store: &S, actor: &Actor) -> Result<Vec<Template>> {
    Ok(list_templates(store, actor)
        .await?
        .into_iter()
        .map(|v| v.template)
        .collect())
}

fn may_edit_templates(actor: &Actor) -> Result<()> {
    if actor.scope.is_lead() {
        Ok(())
    } else {
        Err(AppError::Forbidden(
            "templates are the organisation's: a manager or an administrator changes them".into(),
        ))
    }
}

/// Replaces the kind's template with the organisation's own, after checking every part
/// (lengths, syntax, placeholders) against sample values. Managers and administrators
/// only, since every rep's drafts change with it.
pub async fn save_template<S: Store + Sync>(
    store: &S,
    actor: &Actor,
    template: Template,
    now: jiff::Timestamp,
) -> Result<TemplateView> {
    may_edit_templates(actor)?;
    if let Err(problems) = template.check() {
        let first = &problems[0];
        let more = match problems.len() {
            1 => String::new(),
            n => format!(" (and {} more problem(s))", n - 1),
        };
        return Err(AppError::Invalid {
            field: first.part.to_string(),
            message: format!(
                "{}{}{more}",
                first
                    .line
                    .map(|l| format!("line {l}: "))
                    .unwrap_or_default(),
                first.message
            ),
        });
    }
    let by = actor.user.as_ref().map(|u| u.id);
    store
        .save_template(actor.org, &template, now.as_second(), by)
        .await?;
    Ok(TemplateView {
        template,
        custom: true,
        updated_at: Some(now.as_second()),
        updated_by: by,
    })
}

/// Brings the built-in template of `kind` back; false if the organisation had none of
/// its own.
pub async fn reset_template<S: Store + Sync>(
    store: &S,
    actor: &Actor,
    kind: TemplateKind,
) -> Result<bool> {
    may_edit_templates(actor)?;
    Ok(store.delete_template(actor.org, kind).await?)
}

/// The coach's reading of a draft. `topics` are the organisation's topic titles (to tell
/// one topic from several), `value_terms` what the touch is meant to bring (empty when
/// unknown).
pub fn coach_draft(
    playbook: &Playbook,
    subject: Option<&str>,
    body: &str,
    topics: &[String],
    value_terms: &[String],
) -> Verdict {
    Coach::new(playbook).check(
        Draft { subject, body },
        Known {
            topics,
            value_terms,
        },
    )
}

/// The coach on a draft written anywhere (a file, a form, the API), against the
/// organisation's topic library.
pub async fn coach_text<S: Store + Sync>(
    store: &S,
    actor: &Actor,
    playbook: &Playbook,
    subject: Option<&str>,
    body: &str,
) -> Result<Verdict> {
    const MAX_DRAFT_CHARS: usize = 20_000;
    for (field, text) in [("subject", subject.unwrap_or_default()), ("body", body)] {
        let chars = text.chars().count();
        if chars > MAX_DRAFT_CHARS {
            return Err(AppError::Invalid {
                field: field.into(),
                message: format!("{chars} characters; the coach reads at most {MAX_DRAFT_CHARS}"),
            });
        }
    }
    let topics: Vec<String> = store
        .topics(actor.org)
        .await?
        .into_iter()
        .map(|t| t.title)
        .collect();
    Ok(coach_draft(playbook, subject, body, &topics, &[]))
}

/// A draft for each item of the plan: `None` for a visit or a call, else the item's
/// template filled from the territory and read by the coach. Pure, given the
/// templates; a template that fails to render (stored before a placeholder was
/// renamed) yields the built-in one's draft rather than none.
pub fn drafts_for_plan(
    territory: &Territory,
    plan: &DayPlan,
    playbook: &Playbook,
    rep: &User,
    templates: &[Template],
) -> Vec<Option<ItemDraft>> {
    let coach = Coach::new(playbook);
    let titles: Vec<String> = territory.topics.iter().map(|t| t.title.clone()).collect();
    plan.items
        .iter()
        .map(|item| {
            let kind = template_for(item)?;
            let account = territory.accounts.iter().find(|a| a.id == item.account);
            let topic = item
                .primary_topic
                .topic
                .and_then(|id| territory.topics.iter().find(|t| t.id == id));
            let values = placeholders_for(item, account, topic, rep);
            // What makes this touch worth reading: its topic, the pain point the draft
            // names, and the account's own pain points.
            let mut value_terms = vec![
                item.primary_topic.title.clone(),
                values.topic.pain_point.clone(),
            ];
            if let Some(a) = account {
                value_terms.extend(
                    a.pain_points
                        .iter()
                        .filter_map(|k| rounds_core::catalogue::pain_point(k).map(|p| p.title)),
                );
            }
            let known = Known {
                topics: &titles,
                value_terms: &value_terms,
            };
            let chosen = templates
                .iter()
                .find(|t| t.kind == kind)
                .unwrap_or_else(|| rounds_core::outreach::builtin_of(kind));
            draft_item(item, chosen, &values, &coach, known)
                .or_else(|_| {
                    draft_item(
                        item,
                        rounds_core::outreach::builtin_of(kind),
                        &values,
                        &coach,
                        known,
                    )
                })
                .ok()
        })
        .collect()
}
