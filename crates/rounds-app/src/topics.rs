//! The organisation's topic library: shared by every territory, kept by managers,
//! administrators and the operator.

use jiff::civil::Date;
use rounds_core::model::{ContactRole, Segment, Specialty, Topic, TopicId};
use rounds_store::{IdKind, Store};

use crate::error::first_problem;
use crate::{Actor, AppError, Result};

/// A topic as a caller gives it: everything but the id.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TopicInput {
    pub title: String,
    pub pain_points: Vec<String>,
    pub specialties: Vec<Specialty>,
    pub segments: Vec<Segment>,
    pub roles: Vec<ContactRole>,
    pub related: Vec<TopicId>,
    pub available_from: Option<Date>,
}

impl TopicInput {
    pub fn into_topic(self, id: TopicId) -> Topic {
        Topic {
            id,
            title: self.title.trim().to_string(),
            pain_points: self.pain_points,
            specialties: self.specialties,
            segments: self.segments,
            roles: self.roles,
            related: self.related,
            available_from: self.available_from,
        }
    }
}

impl From<Topic> for TopicInput {
    fn from(t: Topic) -> TopicInput {
        TopicInput {
            title: t.title,
            pain_points: t.pain_points,
            specialties: t.specialties,
            segments: t.segments,
            roles: t.roles,
            related: t.related,
            available_from: t.available_from,
        }
    }
}

fn leads_only(actor: &Actor) -> Result<()> {
    if actor.scope.is_lead() {
        Ok(())
    } else {
        Err(AppError::Forbidden(
            "only managers and administrators may change the topic library".into(),
        ))
    }
}

/// The library, by id; `search` keeps titles containing it (any case).
pub async fn list_topics<S: Store + Sync>(
    store: &S,
    actor: &Actor,
    search: Option<&str>,
) -> Result<Vec<Topic>> {
    let mut topics = store.topics(actor.org).await?;
    if let Some(q) = search {
        let q = q.to_lowercase();
        topics.retain(|t| t.title.to_lowercase().contains(&q));
    }
    Ok(topics)
}

pub async fn get_topic<S: Store + Sync>(store: &S, actor: &Actor, id: TopicId) -> Result<Topic> {
    store
        .topic(actor.org, id)
        .await?
        .ok_or_else(|| AppError::not_found("topic", id))
}

async fn check_topic<S: Store + Sync>(store: &S, actor: &Actor, topic: &Topic) -> Result<()> {
    first_problem(topic.validate())?;
    if !topic.related.is_empty() {
        let library = store.topics(actor.org).await?;
        for (i, id) in topic.related.iter().enumerate() {
            if *id != topic.id && !library.iter().any(|t| t.id == *id) {
                return Err(AppError::invalid(
                    format!("related[{i}]"),
                    format!("no topic {id} in the library"),
                ));
            }
        }
    }
    Ok(())
}

pub async fn create_topic<S: Store + Sync>(
    store: &S,
    actor: &Actor,
    input: TopicInput,
) -> Result<Topic> {
    leads_only(actor)?;
    let draft = input.into_topic(TopicId(0));
    check_topic(store, actor, &draft).await?;
    let topic = Topic {
        id: TopicId(store.next_id(actor.org, IdKind::Topic).await?),
        ..draft
    };
    store.save_topic(actor.org, &topic).await?;
    Ok(topic)
}

pub async fn update_topic<S: Store + Sync>(
    store: &S,
    actor: &Actor,
    id: TopicId,
    input: TopicInput,
) -> Result<Topic> {
    leads_only(actor)?;
    get_topic(store, actor, id).await?;
    let topic = input.into_topic(id);
    check_topic(store, actor, &topic).await?;
    store.save_topic(actor.org, &topic).await?;
    Ok(topic)
}
