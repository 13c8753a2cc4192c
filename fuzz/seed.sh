#!/usr/bin/env bash
# Fills fuzz/corpus/<target>/ with seeds: the project's own test data, fuzz/seeds/, and the
# small files of ../shared/peers (peer data is copied at run time, never committed).
# Run from anywhere; existing corpus files are kept. Usage: fuzz/seed.sh
set -euo pipefail
fuzz="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$fuzz")"
shared="$root/../shared"
corpus="$fuzz/corpus"
max=16384 # seeds larger than this are left out (the targets run with -max_len 8192)

# copy TARGET FILE...: each file no larger than $max, named by its content's hash.
copy() {
  local target="$1"; shift
  mkdir -p "$corpus/$target"
  for f in "$@"; do
    [ -f "$f" ] || continue
    [ "$(wc -c < "$f")" -le "$max" ] || continue
    cp "$f" "$corpus/$target/$(sha1sum < "$f" | cut -c1-16)"
  done
}

# genius DIR...: each folder's .xml files joined by lines `=====` (see src/lib.rs).
genius() {
  mkdir -p "$corpus/genius_xml"
  local tmp; tmp="$(mktemp)"
  for d in "$@"; do
    [ -d "$d" ] || continue
    : > "$tmp"
    local first=1
    for f in "$d"/*.xml; do
      [ $first = 1 ] || printf '\n=====\n' >> "$tmp"
      first=0
      cat "$f" >> "$tmp"
    done
    copy genius_xml "$tmp"
  done
  rm -f "$tmp"
}

shopt -s nullglob
copy scenario_toml "$root"/scenarios/*.toml "$root"/crates/cli/tests/data/*.toml "$fuzz"/seeds/scenario_toml/*
copy scenario_json "$root"/crates/scenario/test_data/*.json "$root"/crates/cli/tests/data/bad.json \
  "$root"/crates/cli/tests/data/truncated.json "$fuzz"/seeds/scenario_json/*
copy negmas_json "$root"/crates/cli/tests/data/fishing.json "$fuzz"/seeds/negmas_json/*
genius "$root"/crates/cli/tests/data/genius-fishing
copy ktab_csv "$root"/crates/cli/tests/data/ktab-*.csv "$fuzz"/seeds/ktab_csv/*
copy ktab_xml "$fuzz"/seeds/ktab_xml/*
copy points_csv "$root"/crates/cli/tests/data/points*.csv "$fuzz"/seeds/points_csv/*
copy tournament_part "$fuzz"/seeds/tournament_part/*

for d in "$fuzz"/regressions/*/; do
  copy "$(basename "$d")" "$d"*
done

if [ -d "$shared/peers" ]; then
  for f in "$shared"/peers/negmas/domains/*.json "$shared"/peers/negmas/extra/*.json; do
    case "$f" in *_answer.json) ;; *) copy negmas_json "$f" ;; esac
  done
  genius "$shared"/peers/negmas/domains/*/ "$shared"/peers/negmas/extra/*/
  copy ktab_csv "$shared"/peers/ktab/scenarios/*.csv
  copy ktab_xml "$shared"/peers/ktab/scenarios/*.xml
else
  echo "seed.sh: no ../shared/peers beside the project; seeding from the project's data only" >&2
fi
for d in "$corpus"/*/; do echo "$(basename "$d"): $(ls "$d" | wc -l) seeds"; done
copy article "$root"/crates/cli/tests/data/article*.txt "$shared"/data/ukraine-2025/seed-article.txt "$fuzz"/seeds/article/*
