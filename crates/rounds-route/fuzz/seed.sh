#!/usr/bin/env bash
# Seeds corpus/{solomon,tsptw} from the vendored benchmark files (bench/route/instances).
# usage: seed.sh [INSTANCE_DIR]   (default: ../../../bench/route/instances from here)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
src="${1:-$here/../../../bench/route/instances}"
mkdir -p "$here/corpus/solomon" "$here/corpus/tsptw"
for f in "$src"/solomon/*.txt; do
    name="$(basename "$f" .txt)"
    # First byte = N - 1 (the target reads N as byte % 100 + 1).
    for n in 3 10 25 100; do
        { printf "\\$(printf '%03o' $((n - 1)))"; cat "$f"; } > "$here/corpus/solomon/$name-$n"
    done
    # A short file too: header and the depot plus 12 customers.
    { printf '\013'; sed -n '1,/^ *12 /p' "$f"; } > "$here/corpus/solomon/$name-short"
done
for f in "$src"/tsptw/*.tsptw; do
    cp "$f" "$here/corpus/tsptw/$(basename "$f")"
done
echo "seeded $(ls "$here/corpus/solomon" | wc -l) solomon and $(ls "$here/corpus/tsptw" | wc -l) tsptw inputs"
