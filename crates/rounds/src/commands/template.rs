//! `rounds template list|show|set|reset`: the organisation's message templates (P47).

use anyhow::{Context as _, Result, anyhow};
use rounds_core::outreach::{Template, TemplateKind};

use super::{Cx, cli_error};
use crate::cli::TemplateCommand;

fn kind_of(text: &str) -> Result<TemplateKind> {
    text.parse::<TemplateKind>()
        .map_err(|e| anyhow!("{}\nhint: `rounds template list` shows the kinds", e.0))
}

/// The TOML `set` reads: multi-line strings keep the layout a person edits.
fn to_toml(t: &Template) -> String {
    let multi = |s: &str| {
        format!(
            "\"\"\"\n{}\n\"\"\"",
            s.replace('\\', "\\\\").replace("\"\"\"", "\\\"\\\"\\\"")
        )
    };
    let line = |s: &str| toml::Value::String(s.to_string()).to_string();
    format!(
        "# Placeholders: contact.name, contact.first_name, contact.last_name, contact.role,\n\
         # account.name, account.city, topic.title, topic.pain_point, next_step.what,\n\
         # next_step.due (next_step may be none: {{% if next_step %}}…{{% endif %}}),\n\
         # rep.name, rep.first_name, rep.email.\n\
         kind = {}\nsubject = {}\nbody = {}\nshort = {}\n",
        line(t.kind.as_str()),
        line(&t.subject),
        multi(&t.body),
        line(&t.short)
    )
}

pub(crate) async fn run(cx: &Cx<'_>, c: TemplateCommand) -> Result<()> {
    match c {
        TemplateCommand::List => {
            let all = rounds_app::list_templates(cx.store, cx.actor)
                .await
                .map_err(cli_error)?;
            for v in all {
                outln!(
                    "{:<20} {:<9} {}",
                    v.template.kind.as_str(),
                    if v.custom { "own" } else { "built-in" },
                    v.template.subject
                )?;
            }
        }
        TemplateCommand::Show { kind, toml } => {
            let v = rounds_app::get_template(cx.store, cx.actor, kind_of(&kind)?)
                .await
                .map_err(cli_error)?;
            if toml {
                out!("{}", to_toml(&v.template))?;
            } else {
                let t = &v.template;
                outln!("{} ({})", t.kind, if v.custom { "own" } else { "built-in" })?;
                outln!(
                    "Subject: {}\n\n{}\n\nShort form (texts, LinkedIn):\n{}",
                    t.subject,
                    t.body.trim(),
                    t.short
                )?;
            }
        }
        TemplateCommand::Set { file } => {
            let name = file.display().to_string();
            let text =
                std::fs::read_to_string(&file).with_context(|| format!("cannot read {name}"))?;
            let template: Template = toml::from_str(&text).map_err(|e| {
                let at = e
                    .span()
                    .map(|s| format!(":{}", text[..s.start].matches('\n').count() + 1))
                    .unwrap_or_default();
                anyhow!("{name}{at}: {}", e.message())
            })?;
            let kind = template.kind;
            rounds_app::save_template(cx.store, cx.actor, template, cx.s.now)
                .await
                .map_err(|e| match e {
                    rounds_app::AppError::Invalid { field, message } => {
                        anyhow!("{name}: {field}: {message}")
                    }
                    e => cli_error(e),
                })?;
            outln!(
                "{kind}: your own template is in use; `rounds template reset {kind}` brings the built-in one back"
            )?;
        }
        TemplateCommand::Reset { kind } => {
            let kind = kind_of(&kind)?;
            let had = rounds_app::reset_template(cx.store, cx.actor, kind)
                .await
                .map_err(cli_error)?;
            if had {
                outln!("{kind}: the built-in template is in use again")?;
            } else {
                outln!("{kind}: already the built-in template; nothing changed")?;
            }
        }
    }
    Ok(())
}
