#!/usr/bin/env bash
# Seeds corpus/{import_jsonl,playbook_toml,import_csv,vcard,busy_ics,capture_mail}: the import's CSV
# and vCard fixtures, the default playbook, slices of a demo export (header, users, topics, accounts, contacts, touches, step updates,
# calendars), and calendar files (the demo's plan as .ics, and hand-written busy times).
# usage: seed.sh [ROUNDS_BINARY]   (default: `rounds` on PATH)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
rounds="${1:-rounds}"
mkdir -p "$here/corpus/import_jsonl" "$here/corpus/playbook_toml" "$here/corpus/import_csv" "$here/corpus/vcard"
# The import's own fixtures: Salesforce, Veeva and mapped sheets, and a phone's cards.
book="$here/../../rounds/tests/fixtures/book"
for f in "$book"/*/*.csv; do cp "$f" "$here/corpus/import_csv/$(basename "$(dirname "$f")")-$(basename "$f")"; done
cp "$book"/*.vcf "$here/corpus/vcard/"
mkdir -p "$here/corpus/busy_ics" "$here/corpus/capture_mail"
# Captured mail: the capture tests' messages (BCC'd, forwarded attached and inline, a
# reply, a stranger's) and an mbox with a broken message.
cp "$here/../../rounds/tests/fixtures/mail/"* "$here/corpus/capture_mail/"
cp "$here/../assets/playbook.toml" "$here/corpus/playbook_toml/default.toml"
printf '[day]\nmax_visits = 3\n[email]\ndays = ["tue", "thu"]\n' > "$here/corpus/playbook_toml/small.toml"
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
db="sqlite://$scratch/seed.db"
ROUNDS_DATABASE_URL="$db" "$rounds" demo --seed 3 --date 2026-11-24 > /dev/null 2>&1
ROUNDS_DATABASE_URL="$db" "$rounds" export --output "$scratch/all.jsonl" 2> /dev/null
head -n 40 "$scratch/all.jsonl" > "$here/corpus/import_jsonl/head-40"
for kind in account contact touch step-update referral lost work-week time-off; do
    { head -n 1 "$scratch/all.jsonl"; grep -m 1 '"record":"user"' "$scratch/all.jsonl";
      grep -m 3 "\"record\":\"$kind\"" "$scratch/all.jsonl" || true; } > "$here/corpus/import_jsonl/$kind"
done
ROUNDS_DATABASE_URL="$db" "$rounds" calendar export --rep 1 --from 2026-11-24 --days 3 \
    > "$here/corpus/busy_ics/plan.ics" 2> /dev/null
printf 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:w\r\nDTSTART;TZID=Central Standard Time:20260302T090000\r\nDTEND;TZID=Central Standard Time:20260302T093000\r\nRRULE:FREQ=WEEKLY;BYDAY=MO,WE;UNTIL=20260601T000000Z\r\nEXDATE;TZID=Central Standard Time:20260304T090000\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nUID:w\r\nRECURRENCE-ID;TZID=Central Standard Time:20260309T090000\r\nDTSTART:20260310T170000Z\r\nDURATION:PT1H\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nUID:d\r\nDTSTART;VALUE=DATE:20260320\r\nTRANSP:OPAQUE\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n' \
    > "$here/corpus/busy_ics/busy.ics"
echo "seeded $(ls "$here/corpus/import_jsonl" | wc -l) import, $(ls "$here/corpus/playbook_toml" | wc -l) playbook and $(ls "$here/corpus/busy_ics" | wc -l) calendar inputs"
