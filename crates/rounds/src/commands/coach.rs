//! `rounds coach FILE|-`: the message coach on a draft, printed like a compiler's
//! diagnostics so an editor can jump to each finding.

use std::io::Read as _;

use anyhow::{Context as _, Result, bail};
use rounds_core::outreach::{Part, Verdict};

use super::{Cx, cli_error};
use crate::cli::CoachArgs;
use crate::print_json;

/// A draft's text split into its subject line (when the first line is `Subject: …`) and
/// its body, with where each starts in the file (line numbers count from 1).
struct DraftText {
    subject: Option<String>,
    /// Byte offset of the subject's text within the first line.
    subject_column: usize,
    body: String,
    /// The file line the body starts on.
    body_line: usize,
}

fn split_draft(text: &str) -> DraftText {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let first_end = text.find('\n').unwrap_or(text.len());
    let first = text[..first_end].trim_end_matches('\r');
    let Some(rest) = first
        .get(..8)
        .filter(|p| p.eq_ignore_ascii_case("subject:"))
        .map(|_| &first[8..])
    else {
        return DraftText {
            subject: None,
            subject_column: 0,
            body: text.replace("\r\n", "\n"),
            body_line: 1,
        };
    };
    let lead = rest.len() - rest.trim_start().len();
    let after = text
        .get(first_end + 1..)
        .unwrap_or("")
        .replace("\r\n", "\n");
    // The blank line that separates a header from a body is not part of the body.
    let (body, skipped) = match after.strip_prefix('\n') {
        Some(b) => (b.to_string(), 1),
        None => (after, 0),
    };
    DraftText {
        subject: Some(rest.trim().to_string()),
        subject_column: 8 + lead,
        body,
        body_line: 2 + skipped,
    }
}

/// Line and column (both from 1, columns in characters) of byte `offset` in `text`.
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset];
    let line = before.matches('\n').count();
    let col = before.rsplit('\n').next().unwrap_or("").chars().count();
    (line, col + 1)
}

pub(crate) async fn run(cx: &Cx<'_>, a: CoachArgs) -> Result<()> {
    let name = a.file.display().to_string();
    let mut bytes = Vec::new();
    if name == "-" {
        std::io::stdin()
            .read_to_end(&mut bytes)
            .context("cannot read the draft from the standard input")?;
    } else {
        bytes = std::fs::read(&a.file).with_context(|| format!("cannot read the draft {name}"))?;
    }
    let text = String::from_utf8(bytes).map_err(|e| {
        let (line, _) = line_col(
            &String::from_utf8_lossy(&e.as_bytes()[..e.utf8_error().valid_up_to()]),
            e.utf8_error().valid_up_to(),
        );
        anyhow::anyhow!(
            "{name}:{}: not UTF-8 text; save the draft as UTF-8",
            line + 1
        )
    })?;
    let draft = split_draft(&text);
    let verdict = rounds_app::coach_text(
        cx.store,
        cx.actor,
        &cx.s.playbook,
        draft.subject.as_deref(),
        &draft.body,
    )
    .await
    .map_err(cli_error)
    .with_context(|| name.clone())?;
    if a.json {
        print_json(&verdict)?;
    } else {
        print_verdict(&name, &draft, &verdict)?;
    }
    if verdict.passes() {
        Ok(())
    } else {
        bail!("{name}: {} finding(s)", verdict.findings.len())
    }
}

fn print_verdict(name: &str, draft: &DraftText, verdict: &Verdict) -> Result<()> {
    // In reading order, as an editor lists diagnostics; those about the whole text last.
    let mut in_order: Vec<_> = verdict.findings.iter().collect();
    in_order.sort_by_key(|f| {
        (
            f.span.is_none(),
            f.part == Part::Body,
            f.span.map(|s| s.start),
        )
    });
    for f in in_order {
        let (text, first_line, column_shift) = match f.part {
            Part::Subject => (
                draft.subject.as_deref().unwrap_or(""),
                1,
                draft.subject_column,
            ),
            Part::Body => (draft.body.as_str(), draft.body_line, 0),
        };
        let Some(span) = f.span else {
            outln!("{name}: {} {}: {}", f.rule, f.kind, f.why)?;
            continue;
        };
        let (line, col) = line_col(text, span.start);
        let col = if line == 0 { col + column_shift } else { col };
        outln!(
            "{name}:{}:{col}: {} {}: {}",
            first_line + line,
            f.rule,
            f.kind,
            f.why
        )?;
        // The line, with the finding's words underlined (on their first line).
        let line_text = text[..span.start]
            .rsplit('\n')
            .next()
            .unwrap_or("")
            .to_string()
            + text[span.start..].split('\n').next().unwrap_or("");
        let start = text[..span.start]
            .rsplit('\n')
            .next()
            .unwrap_or("")
            .chars()
            .count();
        let width = text[span.start..span.end]
            .split('\n')
            .next()
            .unwrap_or("")
            .chars()
            .count()
            .max(1);
        outln!("    {line_text}")?;
        outln!("    {}{}", " ".repeat(start), "^".repeat(width))?;
    }
    if verdict.passes() {
        outln!(
            "{name}: the coach has nothing to add ({} of {} words)",
            verdict.words,
            verdict.max_words
        )?;
    } else {
        outln!(
            "{name}: {} finding(s); {} of {} words",
            verdict.findings.len(),
            verdict.words,
            verdict.max_words
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_subject_line_and_the_blank_line_after_it_are_not_body() {
        let d = split_draft("Subject:  Hello\r\n\r\nHi Ana,\r\nWould Tuesday suit?\r\n");
        assert_eq!(d.subject.as_deref(), Some("Hello"));
        assert_eq!(d.subject_column, 10);
        assert_eq!(d.body, "Hi Ana,\nWould Tuesday suit?\n");
        assert_eq!(d.body_line, 3);
        let plain = split_draft("Hi Ana");
        assert_eq!((plain.subject, plain.body_line), (None, 1));
    }
}
