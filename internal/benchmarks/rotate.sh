#!/usr/bin/env bash
# Runs each sub-benchmark matching the given patterns in its own process, in a new
# random order every round, and prints the results for benchstat. On a small, shared
# machine the later sub-benchmarks of one process run measurably slower (the first
# ones get the CPU's boost and a fresh heap), which biases a comparison by its order;
# this cancels that bias.
#
#	./rotate.sh 10 'GET1KiB/bare-net-http$' 'GET1KiB/connectors-full-stack$' > get.txt
#	benchstat get.txt
set -euo pipefail
cd "$(dirname "$0")"
rounds=$1
shift
bin=$(mktemp -d)/benchmarks.test
trap 'rm -rf "$(dirname "$bin")"' EXIT
go test -c -o "$bin" .
for _ in $(seq "$rounds"); do
	for pattern in $(printf '%s\n' "$@" | shuf); do
		"$bin" -test.run '^$' -test.bench "$pattern" -test.benchmem | grep '^Benchmark'
	done
done
