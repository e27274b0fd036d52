//! `rounds topic add|edit|list|show|pain-points`.

use anyhow::{Context, Result};
use rounds_app::TopicInput;
use rounds_core::model::TopicId;

use super::{Cx, cli_error, parse_all};
use crate::cli::{TopicCommand, TopicFields};
use crate::{print_json, render};

pub(crate) async fn run(cx: &Cx<'_>, c: TopicCommand) -> Result<()> {
    match c {
        TopicCommand::Add(f) => {
            let mut input = TopicInput {
                title: f.title.clone().context("--title is required")?,
                ..TopicInput::default()
            };
            apply(&mut input, f)?;
            let topic = rounds_app::create_topic(cx.store, cx.actor, input)
                .await
                .map_err(cli_error)?;
            outln!("Added topic {} {}", topic.id, topic.title)?;
            Ok(())
        }
        TopicCommand::Edit(e) => {
            let before = rounds_app::get_topic(cx.store, cx.actor, TopicId(e.id))
                .await
                .map_err(cli_error)?;
            let mut input = TopicInput::from(before);
            apply(&mut input, e.fields)?;
            let topic = rounds_app::update_topic(cx.store, cx.actor, TopicId(e.id), input)
                .await
                .map_err(cli_error)?;
            outln!("Updated topic {} {}", topic.id, topic.title)?;
            Ok(())
        }
        TopicCommand::List(l) => {
            let topics = rounds_app::list_topics(cx.store, cx.actor, l.search.as_deref())
                .await
                .map_err(cli_error)?;
            if l.json {
                return print_json(&topics);
            }
            let rows = topics
                .iter()
                .map(|t| {
                    vec![
                        t.id.to_string(),
                        t.title.clone(),
                        t.pain_points.join(", "),
                        t.segments
                            .iter()
                            .map(|x| x.to_string())
                            .collect::<Vec<_>>()
                            .join(", "),
                        t.roles
                            .iter()
                            .map(|x| x.to_string())
                            .collect::<Vec<_>>()
                            .join(", "),
                        t.available_from.map(|d| d.to_string()).unwrap_or_default(),
                    ]
                })
                .collect();
            outln!(
                "{}",
                render::table(
                    &["id", "title", "pain points", "segments", "roles", "from"],
                    rows
                )
            )?;
            eprintln!("{} topic(s)", topics.len());
            Ok(())
        }
        TopicCommand::PainPoints { json } => {
            let catalogue = rounds_core::catalogue::pain_points();
            if json {
                return print_json(&catalogue);
            }
            let rows = catalogue
                .iter()
                .map(|p| vec![p.key.clone(), p.segment.to_string(), p.title.clone()])
                .collect();
            outln!("{}", render::table(&["key", "segment", "pain point"], rows))?;
            Ok(())
        }
        TopicCommand::Show(sh) => {
            let topic = rounds_app::get_topic(cx.store, cx.actor, TopicId(sh.id))
                .await
                .map_err(cli_error)?;
            print_json(&topic)
        }
    }
}

fn apply(t: &mut TopicInput, f: TopicFields) -> Result<()> {
    if let Some(v) = f.title {
        t.title = v;
    }
    if !f.pain_point.is_empty() {
        t.pain_points = f.pain_point;
    }
    if !f.specialty.is_empty() {
        t.specialties = parse_all("--specialty", &f.specialty)?;
    }
    if !f.segment.is_empty() {
        t.segments = f.segment;
    }
    if !f.role.is_empty() {
        t.roles = f.role;
    }
    if !f.related.is_empty() {
        t.related = f.related.into_iter().map(TopicId).collect();
    }
    if let Some(d) = f.available_from {
        t.available_from = Some(d);
    }
    Ok(())
}
