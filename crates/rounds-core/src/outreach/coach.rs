//! The message coach (P5, P41, P42): reads a draft and says what a customer would
//! mind, rule by rule, with the words that caused it.
//!
//! It advises; it never rewrites and never blocks a send on its own. Every phrase list
//! is playbook data (`[coach]`), matched on whole words ignoring ASCII case, so an
//! organisation tunes what its reps hear without a release.

use std::fmt;
use std::str::FromStr;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use serde::{Deserialize, Serialize};

use crate::model::{InvalidValue, vocabulary};
use crate::playbook::Playbook;

vocabulary!(
    /// One thing the coach checks. Each names the playbook rule behind it.
    CheckKind {
        OverWordLimit => "over-word-limit",
        SeveralTopics => "several-topics",
        NoValue => "no-value",
        NoCallToAction => "no-call-to-action",
        NoClosingQuestion => "no-closing-question",
        NoSubject => "no-subject",
        BannedSubject => "banned-subject",
        ReadyQuestion => "ready-question",
        Guilt => "guilt",
        Anger => "anger",
        HotButton => "hot-button",
        Disparaging => "disparaging",
        Pressure => "pressure",
    }
);

impl CheckKind {
    /// The playbook rule a finding of this kind enforces.
    pub fn rule(self) -> &'static str {
        match self {
            CheckKind::BannedSubject | CheckKind::NoSubject => "P41",
            CheckKind::ReadyQuestion => "P5",
            _ => "P42",
        }
    }
}

vocabulary!(
    /// Which part of the message a finding is in.
    Part { Subject => "subject", Body => "body" }
);

/// Byte offsets into the part, end exclusive: what a page underlines.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

/// One reason a draft could be better.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    pub kind: CheckKind,
    pub rule: String,
    pub part: Part,
    /// Where in the part, when the finding is about particular words.
    pub span: Option<Span>,
    /// Those words, as written.
    pub excerpt: String,
    pub why: String,
}

/// The coach's answer for one draft.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Verdict {
    pub words: usize,
    pub max_words: usize,
    pub findings: Vec<Finding>,
}

impl Verdict {
    pub fn passes(&self) -> bool {
        self.findings.is_empty()
    }
    pub fn has(&self, kind: CheckKind) -> bool {
        self.findings.iter().any(|f| f.kind == kind)
    }
}

/// A draft as the coach reads it. Texts and LinkedIn messages have no subject.
#[derive(Debug, Clone, Copy)]
pub struct Draft<'a> {
    pub subject: Option<&'a str>,
    pub body: &'a str,
}

/// What the coach knows around a draft: the organisation's topic titles, to tell one
/// topic from several (P1), and, when the draft serves a planned touch, what would make
/// it worth reading (its topic and the account's pain points). Without `value_terms`
/// the coach cannot tell value from chatter and does not try.
#[derive(Debug, Clone, Copy, Default)]
pub struct Known<'a> {
    pub topics: &'a [String],
    pub value_terms: &'a [String],
}

/// A phrase list compiled once: leftmost-longest, ASCII case ignored. Shared with the
/// P14 refusal (`compliance`), so both lists match words the same way.
#[derive(Debug)]
pub(crate) struct Phrases(Option<AhoCorasick>);

impl Phrases {
    pub(crate) fn new(list: &[String]) -> Phrases {
        if list.is_empty() {
            return Phrases(None);
        }
        let built = AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::LeftmostLongest)
            .build(list)
            .ok();
        Phrases(built)
    }

    /// Every whole-word occurrence, as byte spans.
    pub(crate) fn find(&self, text: &str) -> Vec<Span> {
        self.find_indexed(text)
            .into_iter()
            .map(|(_, s)| s)
            .collect()
    }

    /// Every whole-word occurrence with the index of the phrase found.
    pub(crate) fn find_indexed(&self, text: &str) -> Vec<(usize, Span)> {
        let Some(ac) = &self.0 else { return vec![] };
        ac.find_iter(text)
            .map(|m| {
                let span = Span {
                    start: m.start(),
                    end: m.end(),
                };
                (m.pattern().as_usize(), span)
            })
            .filter(|(_, s)| whole_word(text, *s))
            .collect()
    }
}

/// The match does not start or end inside a word ("ignored" is not in "unignored").
/// A phrase that itself starts or ends with punctuation ("!!") needs no boundary there.
fn whole_word(text: &str, s: Span) -> bool {
    let inner_first = text[s.start..].chars().next();
    let inner_last = text[..s.end].chars().next_back();
    let before = text[..s.start].chars().next_back();
    let after = text[s.end..].chars().next();
    let word = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '\'');
    let starts_inside = word(inner_first) && word(before);
    let ends_inside = word(inner_last) && word(after);
    !(starts_inside || ends_inside)
}

/// The coach for one playbook: phrase lists compiled once, reused for every draft.
#[derive(Debug)]
pub struct Coach {
    max_words: usize,
    banned_subject: Phrases,
    ready: Phrases,
    guilt: Phrases,
    anger: Phrases,
    hot_button: Phrases,
    competitor: Phrases,
    disparaging: Phrases,
    pressure: Phrases,
    call_to_action: Phrases,
}

impl Coach {
    pub fn new(playbook: &Playbook) -> Coach {
        let w = &playbook.coach;
        Coach {
            max_words: playbook.max_words,
            banned_subject: Phrases::new(&w.banned_subject_phrases),
            ready: Phrases::new(&w.ready_questions),
            guilt: Phrases::new(&w.guilt_phrases),
            anger: Phrases::new(&w.anger_phrases),
            hot_button: Phrases::new(&w.hot_button_words),
            competitor: Phrases::new(&w.competitor_terms),
            disparaging: Phrases::new(&w.disparaging_words),
            pressure: Phrases::new(&w.pressure_phrases),
            call_to_action: Phrases::new(&w.call_to_action_phrases),
        }
    }

    /// Reads a draft and lists every finding, subject first, then the body in reading
    /// order within each check.
    pub fn check(&self, draft: Draft<'_>, known: Known<'_>) -> Verdict {
        let mut findings = Vec::new();
        let body = draft.body;

        if let Some(subject) = draft.subject {
            if subject.trim().is_empty() {
                findings.push(Finding {
                    kind: CheckKind::NoSubject,
                    rule: "P41".into(),
                    part: Part::Subject,
                    span: None,
                    excerpt: String::new(),
                    why: "an e-mail needs a subject: name the pain point or a light hook".into(),
                });
            }
            for span in self.banned_subject.find(subject) {
                findings.push(found(
                    CheckKind::BannedSubject,
                    Part::Subject,
                    subject,
                    span,
                    "says nothing new; name the pain point or a light hook instead",
                ));
            }
        }

        let words = word_spans(body);
        if words.len() > self.max_words {
            let start = words[self.max_words].start;
            let end = words[words.len() - 1].end;
            findings.push(Finding {
                kind: CheckKind::OverWordLimit,
                rule: "P42".into(),
                part: Part::Body,
                span: Some(Span { start, end }),
                excerpt: excerpt(&body[start..end]),
                why: format!(
                    "{} words; keep it to {} (the words past the limit are marked)",
                    words.len(),
                    self.max_words
                ),
            });
        }

        let named = topics_named(body, known.topics);
        if named.len() > 1 {
            let titles: Vec<&str> = named.iter().map(|(t, _)| t.as_str()).collect();
            let second = named[1].1;
            findings.push(Finding {
                kind: CheckKind::SeveralTopics,
                rule: "P42".into(),
                part: Part::Body,
                span: Some(second),
                excerpt: body[second.start..second.end].to_string(),
                why: format!(
                    "names {} topics ({}); one topic per message, keep the rest for the next touch",
                    named.len(),
                    titles.join(", ")
                ),
            });
        }
        if !known.value_terms.is_empty() && topics_named(body, known.value_terms).is_empty() {
            findings.push(Finding {
                kind: CheckKind::NoValue,
                rule: "P42".into(),
                part: Part::Body,
                span: None,
                excerpt: String::new(),
                why: format!(
                    "names neither the topic nor a pain point ({}): what does the reader get from it?",
                    known.value_terms.join(", ")
                ),
            });
        }

        let sentences = sentence_spans(body);
        let questions = sentences
            .iter()
            .any(|s| body[s.start..s.end].ends_with('?'));
        if !questions && self.call_to_action.find(body).is_empty() {
            findings.push(Finding {
                kind: CheckKind::NoCallToAction,
                rule: "P42".into(),
                part: Part::Body,
                span: None,
                excerpt: String::new(),
                why: "asks for nothing: say what you would like them to do next".into(),
            });
        }
        match closing_sentence(body, &sentences) {
            Some(last) if !body[last.start..last.end].ends_with('?') => {
                findings.push(found(
                    CheckKind::NoClosingQuestion,
                    Part::Body,
                    body,
                    last,
                    "close with a question they can answer in a line",
                ));
            }
            None if !body.trim().is_empty() => {}
            None => findings.push(Finding {
                kind: CheckKind::NoClosingQuestion,
                rule: "P42".into(),
                part: Part::Body,
                span: None,
                excerpt: String::new(),
                why: "the message is empty".into(),
            }),
            _ => {}
        }

        let phrase_checks: [(&Phrases, CheckKind, &str); 5] = [
            (
                &self.ready,
                CheckKind::ReadyQuestion,
                "asks whether they have decided; offer something of value and let them lead",
            ),
            (
                &self.guilt,
                CheckKind::Guilt,
                "sounds like a reproach; a customer owes no reply",
            ),
            (
                &self.anger,
                CheckKind::Anger,
                "sounds annoyed; keep the tone even",
            ),
            (
                &self.hot_button,
                CheckKind::HotButton,
                "a hot-button topic; leave religion and politics out",
            ),
            (
                &self.pressure,
                CheckKind::Pressure,
                "puts on pressure; give them a reason instead",
            ),
        ];
        for (phrases, kind, why) in phrase_checks {
            if let Some(subject) = draft.subject {
                for span in phrases.find(subject) {
                    findings.push(found(kind, Part::Subject, subject, span, why));
                }
            }
            for span in phrases.find(body) {
                findings.push(found(kind, Part::Body, body, span, why));
            }
        }

        // Disparaging a competitor is a sentence that names one and runs it down; either
        // word alone is fine ("unlike other vendors, we visit weekly").
        for s in &sentences {
            let text = &body[s.start..s.end];
            if self.competitor.find(text).is_empty() {
                continue;
            }
            for d in self.disparaging.find(text) {
                let span = Span {
                    start: s.start + d.start,
                    end: s.start + d.end,
                };
                findings.push(found(
                    CheckKind::Disparaging,
                    Part::Body,
                    body,
                    span,
                    "runs down a competitor; say what you do well instead",
                ));
            }
        }

        Verdict {
            words: words.len(),
            max_words: self.max_words,
            findings,
        }
    }
}

fn found(kind: CheckKind, part: Part, text: &str, span: Span, why: &str) -> Finding {
    Finding {
        kind,
        rule: kind.rule().into(),
        part,
        span: Some(span),
        excerpt: excerpt(&text[span.start..span.end]),
        why: format!("\"{}\" {why}", excerpt(&text[span.start..span.end])),
    }
}

/// Long spans are shown by their start and end, so a finding stays one line.
fn excerpt(text: &str) -> String {
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() <= 60 {
        return flat;
    }
    let head: String = flat.chars().take(28).collect();
    let tail: String = {
        let mut t: Vec<char> = flat.chars().rev().take(28).collect();
        t.reverse();
        t.into_iter().collect()
    };
    format!("{head} … {tail}")
}

/// Words as a reader counts them: runs of characters with at least one letter or digit
/// ("—" and "-" alone are not words).
fn word_spans(text: &str) -> Vec<Span> {
    let mut out = Vec::new();
    let mut start = None;
    let mut alnum = false;
    for (i, c) in text.char_indices() {
        if c.is_whitespace() {
            if let Some(s) = start.take()
                && alnum
            {
                out.push(Span { start: s, end: i });
            }
            alnum = false;
        } else {
            start.get_or_insert(i);
            alnum |= c.is_alphanumeric();
        }
    }
    if let Some(s) = start
        && alnum
    {
        out.push(Span {
            start: s,
            end: text.len(),
        });
    }
    out
}

/// Sentences: each line on its own (greetings, paragraphs and sign-offs sit on lines of
/// their own), split further after `.`, `?` or `!` followed by white space; trimmed.
fn sentence_spans(text: &str) -> Vec<Span> {
    let mut out = Vec::new();
    let mut line_start = 0;
    for line in text.split_inclusive('\n') {
        let bytes = line.as_bytes();
        let mut start = 0;
        for i in 0..bytes.len() {
            let ends_here = matches!(bytes[i], b'.' | b'?' | b'!')
                && bytes.get(i + 1).is_none_or(|n| n.is_ascii_whitespace());
            if ends_here {
                push_trimmed(&mut out, text, line_start + start, line_start + i + 1);
                start = i + 1;
            }
        }
        push_trimmed(&mut out, text, line_start + start, line_start + line.len());
        line_start += line.len();
    }
    out
}

fn push_trimmed(out: &mut Vec<Span>, text: &str, start: usize, end: usize) {
    let piece = &text[start..end];
    let lead = piece.len() - piece.trim_start().len();
    let trimmed = piece.trim();
    if !trimmed.is_empty() && trimmed.chars().any(char::is_alphanumeric) {
        out.push(Span {
            start: start + lead,
            end: start + lead + trimmed.len(),
        });
    }
}

/// The last sentence before the sign-off. A sign-off is the trailing run of short
/// sentences with no question in them ("Best regards," / "Jane Doe" / "Acme Medical").
fn closing_sentence(text: &str, sentences: &[Span]) -> Option<Span> {
    let mut rest = sentences;
    while let Some((last, before)) = rest.split_last() {
        let s = &text[last.start..last.end];
        let short = s.split_whitespace().count() <= 4;
        if short && !s.ends_with('?') && !before.is_empty() {
            rest = before;
        } else {
            return Some(*last);
        }
    }
    None
}

/// Which of `titles` the text names (whole words, ASCII case ignored), in the order of
/// their first mention, with that mention's span.
fn topics_named(text: &str, titles: &[String]) -> Vec<(String, Span)> {
    let mut named: Vec<(String, Span)> = Vec::new();
    let wanted: Vec<&String> = titles.iter().filter(|t| !t.trim().is_empty()).collect();
    if wanted.is_empty() {
        return named;
    }
    let Ok(ac) = AhoCorasickBuilder::new()
        .ascii_case_insensitive(true)
        .match_kind(MatchKind::LeftmostLongest)
        .build(wanted.iter().map(|t| t.trim()))
    else {
        return named;
    };
    for m in ac.find_iter(text) {
        let span = Span {
            start: m.start(),
            end: m.end(),
        };
        let title = wanted[m.pattern().as_usize()];
        if whole_word(text, span) && !named.iter().any(|(t, _)| t == title) {
            named.push((title.clone(), span));
        }
    }
    named
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_ignore_lone_punctuation() {
        assert_eq!(word_spans("Hi — there, Dr. Lee.  ").len(), 4);
    }

    #[test]
    fn sentences_split_on_ends_and_lines() {
        let text = "Hi Ana,\n\nWe cut prior-auth time. Would a call help?\n\nBest,\nSam";
        let got: Vec<&str> = sentence_spans(text)
            .iter()
            .map(|s| &text[s.start..s.end])
            .collect();
        assert_eq!(
            got,
            [
                "Hi Ana,",
                "We cut prior-auth time.",
                "Would a call help?",
                "Best,",
                "Sam"
            ]
        );
        let last = closing_sentence(text, &sentence_spans(text)).unwrap();
        assert_eq!(&text[last.start..last.end], "Would a call help?");
    }

    #[test]
    fn phrases_match_whole_words_only() {
        let p = Phrases::new(&["ignored".to_string(), "!!".to_string()]);
        assert_eq!(p.find("unignored").len(), 0);
        assert_eq!(p.find("You IGNORED it!!").len(), 2);
    }
}
