//! The starter pain-point catalogue (P25): the top pain points of medical providers and
//! of law firms that the field playbook lists. Topics are tied to these keys.

use crate::model::{PainPoint, Segment};

const MEDICAL: &[(&str, &str)] = &[
    ("patient-phone-calls", "Phone calls from patients"),
    (
        "prior-auths",
        "Dealing with prior authorisations (often unnecessary ones)",
    ),
    (
        "non-compliance-outcomes",
        "Poorer patient outcomes due to non-compliance",
    ),
    ("need-more-staff", "Need more staff"),
    ("consistency-of-care", "Consistency of medical care"),
    (
        "insurance-carrier-calls",
        "Phone calls with insurance carriers",
    ),
    ("need-new-patients", "Needing more new patients"),
    ("payer-contracts", "Negotiating contracts with payers"),
    ("staff-morale", "Employee morale and staff frustration"),
    ("staff-turnover", "Employee turnover"),
    ("staff-education", "Staff education"),
    (
        "patient-funds-for-meds",
        "Patients not having funds to fill medications",
    ),
    (
        "wc-knowledge",
        "Lack of knowledge of workers' compensation in general",
    ),
    ("pharmacy-phone-calls", "Pharmacy phone calls"),
    (
        "regulatory-requirements",
        "Keeping up with regulatory requirements",
    ),
    (
        "prior-auth-when",
        "Understanding when a prior authorisation is necessary",
    ),
    (
        "wc-meds-knowledge",
        "Lack of knowledge of workers' compensation medications",
    ),
    ("medication-adherence", "Patient medication adherence"),
    ("doctor-shopping", "Doctor hopping and shopping"),
    ("drug-shortages", "Drug shortages"),
    ("patient-demand", "Meeting patient demand for services"),
];

const LAW: &[(&str, &str)] = &[
    ("client-phone-calls", "Client phone calls"),
    ("high-case-loads", "High case loads"),
    ("medication-invoices", "Chasing down medication invoices"),
    ("staff-switching-jobs", "Employees' tendency to switch jobs"),
    (
        "non-billable-time",
        "Spending time on non-billable activities",
    ),
    (
        "client-care-visibility",
        "Knowing what is happening with a client's medical care and medications",
    ),
    (
        "multi-pharmacy-invoices",
        "Chasing invoices from multiple pharmacies",
    ),
    ("need-new-clients", "Need more new clients"),
    ("employee-satisfaction", "Employee satisfaction"),
    ("attorney-work-life", "Attorney work-life balance"),
];

/// Every pain point of the starter catalogue, medical providers first.
pub fn pain_points() -> Vec<PainPoint> {
    entries().map(to_pain_point).collect()
}

/// The catalogue's pain point under `key`. Found in the static tables before anything is
/// built: the planner asks for one for every prospect's touch that offers a reference.
pub fn pain_point(key: &str) -> Option<PainPoint> {
    entries().find(|(_, k, _)| *k == key).map(to_pain_point)
}

/// The position of `key` in the catalogue ([`pain_points`]' order), below 64: a set of
/// catalogue pain points fits in one `u64`.
pub(crate) fn position(key: &str) -> Option<usize> {
    entries().position(|(_, k, _)| k == key)
}

fn entries() -> impl Iterator<Item = (Segment, &'static str, &'static str)> {
    let medical = MEDICAL
        .iter()
        .map(|(k, t)| (Segment::MedicalProvider, *k, *t));
    let law = LAW.iter().map(|(k, t)| (Segment::LawFirm, *k, *t));
    medical.chain(law)
}

fn to_pain_point((segment, key, title): (Segment, &str, &str)) -> PainPoint {
    PainPoint {
        key: key.into(),
        segment,
        title: title.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn p25_catalogue_ships_both_segments_with_unique_keys() {
        let all = pain_points();
        assert!(
            all.iter()
                .filter(|p| p.segment == Segment::MedicalProvider)
                .count()
                >= 20
        );
        assert!(all.iter().filter(|p| p.segment == Segment::LawFirm).count() >= 10);
        let mut keys: Vec<_> = all.iter().map(|p| p.key.clone()).collect();
        keys.sort();
        keys.dedup();
        assert_eq!(keys.len(), all.len());
    }
}
