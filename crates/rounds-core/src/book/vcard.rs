//! Contacts from a phone: a `.vcf` file of vCards (3.0 or 4.0), parsed by the `ical`
//! crate. Each card becomes a contact draft naming its account by the card's
//! organisation (`ORG`), unless the importer puts every card under one account.

use std::sync::Arc;

use super::{BookProblem, Draft, Origin, Refs, role_from_title};
use crate::model::ContactRole;

/// The card's fields by validation path, shown in problems as the vCard property.
fn columns() -> super::Columns {
    Arc::new(vec![
        ("name", "FN".to_string()),
        ("department", "TITLE".to_string()),
        ("channels.email", "EMAIL".to_string()),
        ("channels.office_phone", "TEL".to_string()),
        ("channels.cell", "TEL;TYPE=CELL".to_string()),
    ])
}

/// The text of a property value: vCard's backslash escapes undone.
fn unescape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut chars = value.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('n' | 'N') => out.push(' '),
                Some(other) => out.push(other),
                None => {}
            }
        } else {
            out.push(c);
        }
    }
    out.trim().to_string()
}

fn has_type(p: &ical::property::Property, wanted: &str) -> bool {
    p.params.as_ref().is_some_and(|params| {
        params.iter().any(|(name, values)| {
            (name.eq_ignore_ascii_case("TYPE")
                && values
                    .iter()
                    .flat_map(|v| v.split(','))
                    .any(|v| v.eq_ignore_ascii_case(wanted)))
                // vCard 2.1 writes the type bare: `TEL;CELL:…`
                || name.eq_ignore_ascii_case(wanted)
        })
    })
}

/// The line each card starts on, in order.
fn card_lines(text: &str) -> Vec<usize> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| l.trim().eq_ignore_ascii_case("BEGIN:VCARD"))
        .map(|(i, _)| i + 1)
        .collect()
}

/// Every card of a `.vcf` file as a contact draft: its external id is the card's `UID`
/// (else its name and first address or number), its account reference the card's
/// organisation (`refs.account`, `None` when the card has none).
pub fn read(file: &str, text: &str) -> Result<Vec<Draft<crate::model::Contact>>, Vec<BookProblem>> {
    let file_name: Arc<str> = Arc::from(file);
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let lines = card_lines(text);
    if lines.is_empty() {
        return Err(vec![BookProblem::file(
            file,
            "holds no vCard (no BEGIN:VCARD line); export the contacts from the phone as .vcf",
        )]);
    }
    let columns = columns();
    let mut drafts = Vec::new();
    let mut problems = Vec::new();
    let parser = ical::VcardParser::new(std::io::BufReader::new(text.as_bytes()));
    for (n, card) in parser.enumerate() {
        // A card the scan above did not see (its BEGIN line folded over two lines) is
        // placed at the last card seen, still a line of the file.
        let line = lines.get(n).or(lines.last()).copied().unwrap_or(1);
        let card = match card {
            Ok(card) => card,
            Err(e) => {
                // The parser cannot go on past a broken card.
                problems.push(BookProblem::at(
                    file,
                    line,
                    "",
                    format!("this vCard cannot be read: {e}"),
                ));
                break;
            }
        };
        let origin = Origin {
            file: file_name.clone(),
            line,
            columns: columns.clone(),
        };
        let value = |name: &str| {
            card.properties
                .iter()
                .find(|p| p.name.eq_ignore_ascii_case(name))
                .and_then(|p| p.value.as_deref())
                .map(unescape)
                .filter(|v| !v.is_empty())
        };
        let name = value("FN").or_else(|| {
            value("N").map(|n| {
                let parts: Vec<&str> = n.split(';').map(str::trim).collect();
                // N: family; given; additional; prefix; suffix
                [parts.get(3), parts.get(1), parts.first()]
                    .into_iter()
                    .flatten()
                    .filter(|p| !p.is_empty())
                    .copied()
                    .collect::<Vec<_>>()
                    .join(" ")
            })
        });
        let Some(name) = name.filter(|n| !n.is_empty()) else {
            problems.push(BookProblem::at(
                file,
                line,
                "FN",
                "the card has no name (FN or N)",
            ));
            continue;
        };
        let title = value("TITLE").or_else(|| value("ROLE"));
        let role = title.as_deref().map_or(ContactRole::Other, role_from_title);
        let mut contact = super::salesforce::blank_contact(name.clone(), role);
        contact.department = title;
        let emails: Vec<&ical::property::Property> = card
            .properties
            .iter()
            .filter(|p| p.name.eq_ignore_ascii_case("EMAIL") && p.value.is_some())
            .collect();
        let email = emails
            .iter()
            .find(|p| has_type(p, "work"))
            .or(emails.first())
            .and_then(|p| p.value.as_deref())
            .map(unescape);
        contact.channels.email = email
            .clone()
            .map(|e| e.trim_start_matches("mailto:").to_string());
        for p in card
            .properties
            .iter()
            .filter(|p| p.name.eq_ignore_ascii_case("TEL"))
        {
            let Some(number) = p.value.as_deref().map(unescape) else {
                continue;
            };
            let number = number.trim_start_matches("tel:").to_string();
            if has_type(p, "cell") {
                contact.channels.cell.get_or_insert(number);
            } else if !has_type(p, "home") && !has_type(p, "fax") {
                contact.channels.office_phone.get_or_insert(number);
            }
        }
        let organisation =
            value("ORG").map(|o| o.split(';').next().unwrap_or("").trim().to_string());
        let external_id = value("UID").unwrap_or_else(|| {
            let key = [
                Some(name.to_lowercase()),
                contact.channels.email.clone(),
                contact.channels.cell.clone(),
                contact.channels.office_phone.clone(),
            ]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join("|");
            format!("card:{}", super::digest(&key, &Refs::default()))
        });
        drafts.push(Draft {
            origin,
            external_id,
            refs: Refs {
                account: organisation.filter(|o| !o.is_empty()),
                ..Refs::default()
            },
            record: contact,
        });
    }
    if problems.is_empty() {
        Ok(drafts)
    } else {
        Err(problems)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cards_of_a_phone_become_contacts_with_their_organisation() {
        let text = "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Lopez;Maria;;Dr.;\r\nFN:Dr. Maria Lopez\r\nORG:Lakeside Orthopaedics;Surgery\r\nTITLE:Orthopaedic Surgeon\r\nEMAIL;TYPE=INTERNET,HOME:maria@home.example\r\nEMAIL;TYPE=INTERNET,WORK:maria.lopez@lakeside.example\r\nTEL;TYPE=CELL:+1 847 555 0199\r\nTEL;TYPE=WORK,VOICE:(847) 555-0101\r\nUID:abc-1\r\nEND:VCARD\r\nBEGIN:VCARD\r\nVERSION:4.0\r\nN:Baker;Tom;;;\r\nTITLE:Office Manager\r\nEND:VCARD\r\n";
        let drafts = read("phone.vcf", text).unwrap();
        assert_eq!(drafts.len(), 2);
        let maria = &drafts[0];
        assert_eq!(maria.external_id, "abc-1");
        assert_eq!(maria.refs.account.as_deref(), Some("Lakeside Orthopaedics"));
        assert_eq!(maria.record.role, ContactRole::Physician);
        assert_eq!(
            maria.record.channels.email.as_deref(),
            Some("maria.lopez@lakeside.example")
        );
        assert_eq!(
            maria.record.channels.cell.as_deref(),
            Some("+1 847 555 0199")
        );
        assert_eq!(
            maria.record.channels.office_phone.as_deref(),
            Some("(847) 555-0101")
        );
        let tom = &drafts[1];
        assert_eq!(tom.record.name, "Tom Baker");
        assert_eq!(tom.origin.line, 13);
        assert!(tom.external_id.starts_with("card:"));
        assert_eq!(tom.refs.account, None);
    }

    #[test]
    fn a_card_whose_begin_line_is_folded_is_still_placed_on_a_line() {
        let text = "BEGIN:VCARD\nFN:A\nEND:VCARD\nBEGIN:VC\n ARD\nFN:B\nEND:VCARD\n";
        let drafts = read("x.vcf", text).unwrap();
        assert!(
            drafts
                .iter()
                .all(|d| d.origin.line >= 1 && d.origin.line <= 7),
            "{drafts:?}"
        );
    }

    #[test]
    fn a_file_without_cards_or_a_card_without_a_name_is_named() {
        assert!(
            read("x.vcf", "hello").unwrap_err()[0]
                .message
                .contains("no vCard")
        );
        let e = read(
            "x.vcf",
            "BEGIN:VCARD\nVERSION:3.0\nEMAIL:a@b.example\nEND:VCARD\n",
        )
        .unwrap_err();
        assert_eq!(
            e[0].to_string(),
            "x.vcf:1: FN: the card has no name (FN or N)"
        );
    }
}
