//! Reading the cells other systems write: dates and times in their several spellings,
//! yes/no flags, and the time zone of a US state.

use jiff::Timestamp;
use jiff::civil::{Date, DateTime, Time};
use jiff::tz::TimeZone;

/// `2026-03-04`, `2026-03-04T15:00:00.000Z` (the date part), `3/4/2026` (US order).
pub fn date(cell: &str) -> Result<Date, String> {
    let t = cell.trim();
    let head = t.split(['T', ' ']).next().unwrap_or(t);
    if let Ok(d) = head.parse::<Date>() {
        return Ok(d);
    }
    let parts: Vec<&str> = head.split('/').collect();
    if let [m, d, y] = parts.as_slice()
        && let (Ok(m), Ok(d), Ok(y)) = (m.parse::<i8>(), d.parse::<i8>(), y.parse::<i16>())
        && y >= 1000
        && let Ok(date) = Date::new(y, m, d)
    {
        return Ok(date);
    }
    Err(format!(
        "`{t}` is not a date (write 2026-03-04, or 3/4/2026 month first)"
    ))
}

/// An instant: with `Z` or an offset (`+0000`, `+00:00`) as an export writes it, or a
/// local date and time (`2026-03-04 14:30`) in `zone`; a date alone is noon there.
pub fn instant(cell: &str, zone: &TimeZone) -> Result<Timestamp, String> {
    let t = cell.trim();
    if let Ok(ts) = t.parse::<Timestamp>() {
        return Ok(ts);
    }
    // Salesforce writes offsets without a colon: `2026-03-04T15:00:00.000+0000`.
    if t.len() > 5 && t.is_char_boundary(t.len() - 5) {
        let (head, tail) = t.split_at(t.len() - 5);
        if (tail.starts_with('+') || tail.starts_with('-'))
            && tail[1..].bytes().all(|b| b.is_ascii_digit())
            && let Ok(ts) = format!("{head}{}:{}", &tail[..3], &tail[3..]).parse::<Timestamp>()
        {
            return Ok(ts);
        }
    }
    let local = t.replace(' ', "T");
    if let Some(dt) = local
        .contains('T')
        .then(|| local.parse::<DateTime>().ok())
        .flatten()
    {
        return dt
            .to_zoned(zone.clone())
            .map(|z| z.timestamp())
            .map_err(|e| format!("`{t}` cannot be placed in time: {e}"));
    }
    if t.contains(['T', ' ', ':']) {
        // A US date with a time: `3/4/2026 14:30`.
        let mut parts = t.splitn(2, [' ', 'T']);
        let (d, tm) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
        if let (Ok(d), Ok(tm)) = (date(d), tm.trim().parse::<Time>()) {
            return d
                .to_datetime(tm)
                .to_zoned(zone.clone())
                .map(|z| z.timestamp())
                .map_err(|e| format!("`{t}` cannot be placed in time: {e}"));
        }
        return Err(format!(
            "`{t}` is not a date and time (write 2026-03-04T15:00:00Z, or 2026-03-04 15:00 local)"
        ));
    }
    let d = date(t)?;
    d.to_datetime(Time::constant(12, 0, 0, 0))
        .to_zoned(zone.clone())
        .map(|z| z.timestamp())
        .map_err(|e| format!("`{t}` cannot be placed in time: {e}"))
}

/// `true`/`false`, `1`/`0`, `yes`/`no`, `y`/`n`, `x` for a ticked box; empty is no.
pub fn flag(cell: Option<&str>) -> Result<bool, String> {
    match cell.map(|c| c.trim().to_ascii_lowercase()).as_deref() {
        None | Some("") => Ok(false),
        Some("true" | "1" | "yes" | "y" | "x") => Ok(true),
        Some("false" | "0" | "no" | "n") => Ok(false),
        Some(other) => Err(format!("`{other}` is not yes or no (true/false, 1/0)")),
    }
}

/// The zone most of a US state (or DC, or a territory) lives in, by its postal code or
/// its name; `None` for anything else.
pub fn us_state_zone(state: &str) -> Option<&'static str> {
    let s = state.trim().to_ascii_uppercase();
    let code = STATE_NAMES
        .iter()
        .find(|(_, name)| name.eq_ignore_ascii_case(&s))
        .map(|(code, _)| *code)
        .unwrap_or(s.as_str())
        .to_string();
    STATE_ZONES
        .iter()
        .find(|(c, _)| *c == code)
        .map(|(_, zone)| *zone)
}

const STATE_ZONES: &[(&str, &str)] = &[
    ("AL", "America/Chicago"),
    ("AK", "America/Anchorage"),
    ("AZ", "America/Phoenix"),
    ("AR", "America/Chicago"),
    ("CA", "America/Los_Angeles"),
    ("CO", "America/Denver"),
    ("CT", "America/New_York"),
    ("DE", "America/New_York"),
    ("DC", "America/New_York"),
    ("FL", "America/New_York"),
    ("GA", "America/New_York"),
    ("HI", "Pacific/Honolulu"),
    ("ID", "America/Boise"),
    ("IL", "America/Chicago"),
    ("IN", "America/Indiana/Indianapolis"),
    ("IA", "America/Chicago"),
    ("KS", "America/Chicago"),
    ("KY", "America/New_York"),
    ("LA", "America/Chicago"),
    ("ME", "America/New_York"),
    ("MD", "America/New_York"),
    ("MA", "America/New_York"),
    ("MI", "America/Detroit"),
    ("MN", "America/Chicago"),
    ("MS", "America/Chicago"),
    ("MO", "America/Chicago"),
    ("MT", "America/Denver"),
    ("NE", "America/Chicago"),
    ("NV", "America/Los_Angeles"),
    ("NH", "America/New_York"),
    ("NJ", "America/New_York"),
    ("NM", "America/Denver"),
    ("NY", "America/New_York"),
    ("NC", "America/New_York"),
    ("ND", "America/Chicago"),
    ("OH", "America/New_York"),
    ("OK", "America/Chicago"),
    ("OR", "America/Los_Angeles"),
    ("PA", "America/New_York"),
    ("RI", "America/New_York"),
    ("SC", "America/New_York"),
    ("SD", "America/Chicago"),
    ("TN", "America/Chicago"),
    ("TX", "America/Chicago"),
    ("UT", "America/Denver"),
    ("VT", "America/New_York"),
    ("VA", "America/New_York"),
    ("WA", "America/Los_Angeles"),
    ("WV", "America/New_York"),
    ("WI", "America/Chicago"),
    ("WY", "America/Denver"),
    ("PR", "America/Puerto_Rico"),
    ("GU", "Pacific/Guam"),
    ("VI", "America/St_Thomas"),
];

const STATE_NAMES: &[(&str, &str)] = &[
    ("AL", "Alabama"),
    ("AK", "Alaska"),
    ("AZ", "Arizona"),
    ("AR", "Arkansas"),
    ("CA", "California"),
    ("CO", "Colorado"),
    ("CT", "Connecticut"),
    ("DE", "Delaware"),
    ("DC", "District of Columbia"),
    ("FL", "Florida"),
    ("GA", "Georgia"),
    ("HI", "Hawaii"),
    ("ID", "Idaho"),
    ("IL", "Illinois"),
    ("IN", "Indiana"),
    ("IA", "Iowa"),
    ("KS", "Kansas"),
    ("KY", "Kentucky"),
    ("LA", "Louisiana"),
    ("ME", "Maine"),
    ("MD", "Maryland"),
    ("MA", "Massachusetts"),
    ("MI", "Michigan"),
    ("MN", "Minnesota"),
    ("MS", "Mississippi"),
    ("MO", "Missouri"),
    ("MT", "Montana"),
    ("NE", "Nebraska"),
    ("NV", "Nevada"),
    ("NH", "New Hampshire"),
    ("NJ", "New Jersey"),
    ("NM", "New Mexico"),
    ("NY", "New York"),
    ("NC", "North Carolina"),
    ("ND", "North Dakota"),
    ("OH", "Ohio"),
    ("OK", "Oklahoma"),
    ("OR", "Oregon"),
    ("PA", "Pennsylvania"),
    ("RI", "Rhode Island"),
    ("SC", "South Carolina"),
    ("SD", "South Dakota"),
    ("TN", "Tennessee"),
    ("TX", "Texas"),
    ("UT", "Utah"),
    ("VT", "Vermont"),
    ("VA", "Virginia"),
    ("WA", "Washington"),
    ("WV", "West Virginia"),
    ("WI", "Wisconsin"),
    ("WY", "Wyoming"),
    ("PR", "Puerto Rico"),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_in_the_spellings_exports_use() {
        let d = Date::constant(2026, 3, 4);
        for s in [
            "2026-03-04",
            "3/4/2026",
            "03/04/2026",
            "2026-03-04T15:00:00.000Z",
        ] {
            assert_eq!(date(s), Ok(d), "{s}");
        }
        assert!(date("31/02/2026").is_err());
        assert!(date("2026-02-30").is_err());
    }

    #[test]
    fn instants_with_offsets_or_local() {
        let z = TimeZone::get("America/Chicago").unwrap();
        let at: Timestamp = "2026-03-04T15:00:00Z".parse().unwrap();
        assert_eq!(instant("2026-03-04T15:00:00.000Z", &z), Ok(at));
        assert_eq!(instant("2026-03-04T15:00:00.000+0000", &z), Ok(at));
        assert_eq!(instant("2026-03-04 09:00", &z), Ok(at));
        assert_eq!(instant("3/4/2026 09:00", &z), Ok(at));
        assert_eq!(
            instant("2026-03-04", &z),
            Ok("2026-03-04T18:00:00Z".parse().unwrap())
        );
        assert!(instant("yesterday", &z).is_err());
        // A cell ending inside a multi-byte character (found by fuzzing).
        assert!(instant("Detail 00000c\u{fff9}$  ", &z).is_err());
    }

    #[test]
    fn states_by_code_or_name() {
        assert_eq!(us_state_zone("tx"), Some("America/Chicago"));
        assert_eq!(us_state_zone("New York"), Some("America/New_York"));
        assert_eq!(us_state_zone("Ontario"), None);
        for (_, zone) in STATE_ZONES {
            assert!(TimeZone::get(zone).is_ok(), "{zone}");
        }
    }
}
