//! P14, anti-kickback: no incentive may be tied to referral volume. Rounds has no field
//! that could hold one (no bonus, reward or fee per referral anywhere in the model), and
//! free text that offers value per referral ("a $50 gift card per referral") is refused
//! wherever it is written, with the rule named.
//!
//! The phrases are the playbook's `[compliance]` lists as shipped, compiled once. They
//! are fixed on purpose: the record validations that every way in shares (the command
//! line, the API, the forms and an import, which reads no playbook) must refuse the same
//! text, and no organisation's file may weaken the rule.

use std::sync::LazyLock;

use crate::model::InvalidValue;
use crate::outreach::coach::Phrases;
use crate::playbook::Playbook;

/// Words shown before the phrase found, so the excerpt says what was offered
/// ("gift card per referral", "$50 per referral").
const CONTEXT_WORDS: usize = 2;

/// The refusal's matcher: the phrases offering value per referral and, in the same
/// automaton, the longer phrases of ordinary talk that win over them.
#[derive(Debug)]
pub struct PerReferral {
    phrases: Phrases,
    /// Indices at or above this are ordinary phrases.
    first_ordinary: usize,
}

static SHIPPED: LazyLock<PerReferral> = LazyLock::new(|| PerReferral::new(&Playbook::default()));

impl PerReferral {
    pub fn new(playbook: &Playbook) -> PerReferral {
        let c = &playbook.compliance;
        let all: Vec<String> = c
            .per_referral_phrases
            .iter()
            .chain(&c.ordinary_referral_phrases)
            .cloned()
            .collect();
        PerReferral {
            phrases: Phrases::new(&all),
            first_ordinary: c.per_referral_phrases.len(),
        }
    }

    /// The matcher of the playbook as shipped: the one every validation uses.
    pub fn shipped() -> &'static PerReferral {
        &SHIPPED
    }

    /// The words of the first offer of value per referral in `text`, with a little of
    /// what comes before it; `None` when there is none.
    pub fn find(&self, text: &str) -> Option<String> {
        let (_, span) = self
            .phrases
            .find_indexed(text)
            .into_iter()
            .find(|(i, _)| *i < self.first_ordinary)?;
        let before = &text[..span.start];
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let words: Vec<&str> = before[line_start..].split_whitespace().collect();
        let context = &words[words.len().saturating_sub(CONTEXT_WORDS)..];
        let found = text[span.start..span.end].trim();
        let mut excerpt = context.join(" ");
        // "$50/referral": the phrase starts with punctuation and joins the word before.
        if !excerpt.is_empty() && !before.ends_with(char::is_whitespace) {
            excerpt.push_str(found);
        } else {
            if !excerpt.is_empty() {
                excerpt.push(' ');
            }
            excerpt.push_str(found);
        }
        Some(excerpt)
    }

    /// Refuses text that offers value per referral; the caller names the field.
    pub fn check(&self, text: &str) -> Result<(), InvalidValue> {
        match self.find(text) {
            None => Ok(()),
            Some(excerpt) => Err(refusal(&excerpt)),
        }
    }
}

/// The reason given for a refusal, after the field's name.
pub fn refusal(excerpt: &str) -> InvalidValue {
    InvalidValue(format!(
        "offers value per referral (\"{excerpt}\"): refused under P14 (anti-kickback)"
    ))
}

/// Refuses text that offers value per referral, with the shipped phrases (P14).
pub fn no_value_per_referral(text: &str) -> Result<(), InvalidValue> {
    PerReferral::shipped().check(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_excerpt_carries_the_words_before_the_phrase() {
        let p = PerReferral::shipped();
        assert_eq!(
            p.find("We offer a gift card per referral.").as_deref(),
            Some("gift card per referral")
        );
        assert_eq!(
            p.find("$50/referral, paid monthly").as_deref(),
            Some("$50/referral")
        );
        assert_eq!(p.find("Per referral: $20").as_deref(), Some("Per referral"));
        assert_eq!(
            p.find("Dinner\nfor every referral").as_deref(),
            Some("for every referral")
        );
    }

    #[test]
    fn ordinary_longer_phrases_win() {
        let p = PerReferral::shipped();
        assert_eq!(p.find("Counts per referral source, weekly"), None);
        assert!(p.find("per referral source and $5 per referral").is_some());
    }
}
