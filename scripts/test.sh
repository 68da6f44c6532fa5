#!/usr/bin/env bash
# Runs the tests of every module in the repository with the race detector: the library
# at the root and each nested module (benchmarks, examples, shared-state backends).
# The benchmarks are run once each, so they are known to work. The output is summed up
# by scripts/testsummary: each package's result, failing tests in full, and every
# skipped test with its reason.
set -euo pipefail
cd "$(dirname "$0")/.."
go build -o .bin/testsummary ./scripts/testsummary
summary=$PWD/.bin/testsummary

status=0
while IFS= read -r modfile; do
	dir=$(dirname "$modfile")
	case "$dir" in
	./internal/tools) continue ;; # pinned tools only, no code of ours
	esac
	echo "=== go test -race ./... in $dir"
	if ! (cd "$dir" && go test -race -count=1 -timeout 5m -json ./... | "$summary"); then
		status=1
	fi
	if [ "$dir" = ./internal/benchmarks ]; then
		echo "=== benchmarks, one iteration each, in $dir"
		(cd "$dir" && go test -run '^$' -bench . -benchtime=1x ./...) || status=1
	fi
done < <(find . -name go.mod -not -path '*/testdata/*' -not -path './.bin/*' | sort)
exit $status
