#!/usr/bin/env bash
# Runs every fuzz target of the root module for FUZZTIME each: by default 20000
# executions (a count, not a duration: go1.26's fuzz coordinator can fail a run at a
# -fuzztime deadline with "context deadline exceeded" and no failing input,
# golang/go#75804, fixed in go1.27). The bar for a target is a clean run of 5m:
# FUZZTIME=5m ./scripts/fuzz.sh.
# A failing input is written under the package's testdata/fuzz and fails the run.
# FUZZ_ONLY=regexp limits the run to matching "package target" lines.
set -euo pipefail
cd "$(dirname "$0")/.."
time=${FUZZTIME:-20000x}
status=0
log=$(mktemp)
stamp=$(mktemp)
trap 'rm -f "$log" "$stamp"' EXIT
while read -r pkg; do
	# a package whose tests do not build fails the run, not skips its targets (a
	# TestMain may fail a listing that runs no test: that is not a build failure)
	targets=$(go test -list '^Fuzz' "$pkg" 2>&1 || true)
	if echo "$targets" | grep -Eq '\[(build|setup) failed\]'; then
		echo "=== $pkg: the tests do not build"; echo "$targets" | tail -20; status=1; continue
	fi
	for target in $(echo "$targets" | grep '^Fuzz' || true); do
		if [ -n "${FUZZ_ONLY:-}" ] && ! echo "$pkg $target" | grep -Eq "$FUZZ_ONLY"; then
			continue
		fi
		echo "=== $pkg $target ($time)"
		# The whole output goes to a log: on success its last lines are enough, on
		# failure the reason (the panic, the failing input's file) is printed whole.
		touch "$stamp"
		fuzz() { go test "$pkg" -run '^$' -fuzz "^${target}\$" -fuzztime "$time" -fuzzminimizetime 5s -parallel "${FUZZ_WORKERS:-2}" >"$log" 2>&1; }
		if fuzz; then
			tail -3 "$log"
		elif dir=$(go list -f '{{.Dir}}' "$pkg") && [ -z "$(find "$dir/testdata/fuzz/$target" -type f -newer "$stamp" 2>/dev/null)" ] &&
			{ grep -v '^fuzz: elapsed' "$log" | tail -5; fuzz; }; then
			# A failure that wrote no failing input is the fuzz engine's own (a failing
			# input is always written; a failing seed fails again): one more run, and
			# only a second failure counts.
			echo "(that run failed with no failing input written; ran it again)"
			tail -3 "$log"
		else
			grep -v '^fuzz: elapsed' "$log" | tail -60
			# CI's clone is thrown away: print the failing input so it can be replayed.
			dir=$(go list -f '{{.Dir}}' "$pkg")
			find "$dir/testdata/fuzz/$target" -type f -newer "$stamp" -exec sh -c 'echo "--- $1"; cat "$1"' _ {} \; 2>/dev/null || true
			status=1
		fi
	done
done < <(go list ./... | grep -v /internal/benchmarks)
exit $status
