//! Counts, never patients (P9): what looks like a patient identifier, and the referral
//! CSV's columns, rows and refusals.

use jiff::civil::date;
use rounds_core::referrals::read_referral_csv;
use rounds_core::values::patient_identifier;

#[test]
fn p9_dates_of_birth_record_numbers_and_ssns_look_like_patient_identifiers() {
    for (text, what) in [
        ("Referred Jane Doe, DOB 03/14/1962", "a date of birth"),
        ("d.o.b.: 1962-03-14", "a date of birth"),
        ("date of birth 14.03.1962", "a date of birth"),
        ("born 3/14/62 in Peoria", "a date of birth"),
        ("MRN 00482913", "a medical record number"),
        ("medical record #482913", "a medical record number"),
        ("chart 99812 pulled", "a medical record number"),
        ("Patient ID: A-20931", "a medical record number"),
        ("ssn 123-45-6789", "a social security number"),
    ] {
        assert_eq!(patient_identifier(text), Some(what), "{text}");
    }
}

#[test]
fn p9_ordinary_business_text_is_not_a_patient_identifier() {
    for text in [
        "Met on 2026-11-20 about the formulary",
        "Call (312) 555-0101 ext. 4412",
        "2 referrals this week, 14 in November",
        "Stubborn chart-review backlog at the front desk",
        "Dr. Osborne was born to teach: great in-service",
        "Order 1234-56-78901 shipped",
        "Suite 1200, 123-45 Main Street",
    ] {
        assert_eq!(patient_identifier(text), None, "{text}");
    }
}

#[test]
fn p9_a_referral_csv_reads_counts_in_any_column_order() {
    let rows = read_referral_csv(
        "Day,Count,Contact\n2026-11-20,2,12\n2026-11-21, 1 ,dr.reyes@lakeside.example\n",
    )
    .unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(
        (
            rows[0].line,
            rows[0].contact.as_str(),
            rows[0].day,
            rows[0].count
        ),
        (2, "12", date(2026, 11, 20), 2)
    );
    assert_eq!(rows[1].contact, "dr.reyes@lakeside.example");
}

#[test]
fn p9_a_referral_csv_with_patient_columns_or_cells_is_refused_by_line_and_column() {
    let problems = read_referral_csv(
        "contact,day,count,patient_name,dob\n12,2026-11-20,2,Jane Doe,1962-03-14\n",
    )
    .unwrap_err();
    let named: Vec<(usize, &str)> = problems
        .iter()
        .map(|p| (p.line, p.field.as_str()))
        .collect();
    assert_eq!(named, [(1, "patient_name"), (1, "dob")]);
    assert!(problems[0].message.contains("never patient data (P9)"));

    let problems = read_referral_csv(
        "contact,day,count\n12,2026-11-20,MRN 4829133\n12,yesterday,1\n12,2026-11-20,1\n13,2026-11-20,1001\n",
    )
    .unwrap_err();
    let named: Vec<(usize, &str)> = problems
        .iter()
        .map(|p| (p.line, p.field.as_str()))
        .collect();
    assert_eq!(
        named,
        [(2, "count"), (2, "count"), (3, "day"), (5, "count")]
    );
    assert!(
        problems[0].message.contains("a medical record number"),
        "{problems:?}"
    );
    assert!(
        problems[3].message.contains("not plausible"),
        "{problems:?}"
    );

    let twice =
        read_referral_csv("contact,day,count\n12,2026-11-20,1\n12,2026-11-20,3\n").unwrap_err();
    assert_eq!((twice[0].line, twice[0].field.as_str()), (3, "contact"));
    assert!(twice[0].message.contains("already on line 2"), "{twice:?}");

    let missing = read_referral_csv("contact,count\n12,1\n").unwrap_err();
    assert_eq!((missing[0].line, missing[0].field.as_str()), (1, "day"));
}
