#!/usr/bin/env bash
# Runs one fuzz target for N executions (default 1,000,000) with the memory bound of
# README.md, writing libFuzzer's log to fuzz/logs/TARGET.log. Usage: fuzz/run.sh TARGET [N]
set -euo pipefail
cd "$(dirname "$0")"
target="$1"
runs="${2:-1000000}"
case "$target" in
  scenario_*) dict=scenario ;;
  genius_xml) dict=genius ;;
  negmas_json) dict=negmas ;;
  *) dict="$target" ;;
esac
dict_flag=()
[ -f "dict/$dict.dict" ] && dict_flag=("-dict=dict/$dict.dict")
mkdir -p logs "corpus/$target"
cargo +nightly fuzz run -s none "$target" -- \
  -rss_limit_mb=2048 -max_len=8192 -timeout=10 "${dict_flag[@]}" -runs="$runs" \
  -print_final_stats=1 > "logs/$target.log" 2>&1
grep -E "^(stat::number_of_executed_units|#[0-9]+.*DONE)" "logs/$target.log"
