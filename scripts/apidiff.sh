#!/usr/bin/env bash
# Reports the root module's API changes since the last release tag (v*), with
# golang.org/x/exp's apidiff (pinned in internal/tools): the tag's API is written
# from a worktree of it, then compared with the working tree's. Incompatible
# changes are listed so that a release bumps its version accordingly (and says so in
# CHANGELOG.md); the report never fails the run before v1. Without a tag there is
# nothing to compare with.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
base=$(git describe --tags --abbrev=0 --match 'v[0-9]*' 2>/dev/null || true)
if [ -z "$base" ]; then
	echo "no release tag yet: no API to compare with"
	exit 0
fi
mkdir -p .bin
go build -modfile=internal/tools/go.mod -o .bin/apidiff golang.org/x/exp/cmd/apidiff
tmp=$(mktemp -d)
trap 'git worktree remove --force "$tmp/base" >/dev/null 2>&1 || true; rm -rf "$tmp"' EXIT
git worktree add --detach "$tmp/base" "$base" >/dev/null 2>&1
module=$(go list -m)
(cd "$tmp/base" && "$root/.bin/apidiff" -m -w "$tmp/base.api" "$module")
echo "API changes since $base:"
"$root/.bin/apidiff" -m "$tmp/base.api" "$module"
