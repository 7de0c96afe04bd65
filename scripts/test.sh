#!/usr/bin/env bash
# Lint and test Emgek with every external dependency the tests need.
#
# Usage: ./scripts/test.sh [go test args...]   e.g. ./scripts/test.sh -run TestLogin
#        Arguments starting with ./ replace the default package pattern ./...
#
# It installs what is missing (Debian packages, Mailpit, axe-core), starts a
# throwaway PostgreSQL 15 and Mailpit on free loopback ports, exports their
# addresses as EMGEK_TEST_* and runs go vet and go test -tags browser.
# EMGEK_TEST_STRICT=1 makes the tests fail, not skip, when a dependency is
# missing, so a green run really exercised the database, mail and browser.
# Safe to run repeatedly: installs are skipped when present, services and
# temp dirs are removed on exit whatever the outcome.
#
# Environment: EMGEK_TEST_CACHE (default ~/.cache/emgek-test) holds the
# Mailpit binary and axe-core between runs.
set -euo pipefail

# Work from the repository root whatever the caller's directory.
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=scripts/lib/services.sh
source scripts/lib/services.sh

CACHE=${EMGEK_TEST_CACHE:-${HOME:-/tmp}/.cache/emgek-test}
T0=$SECONDS
STAGE= STAGE_T0=

# Hidden developer aid: `--services-only [CMD...]` starts the services, prints
# the exports, then runs CMD with them (or waits for Ctrl-C) and cleans up.
SERVICES_ONLY=
if [[ ${1:-} == --services-only ]]; then
	SERVICES_ONLY=1
	shift
fi

stage_begin() {
	STAGE=$1 STAGE_T0=$SECONDS
	log "stage: $STAGE"
}
stage_end() {
	echo "== stage: $STAGE done in $((SECONDS - STAGE_T0))s"
	STAGE=
}

# On any exit: name the stage that failed, stop services, keep the exit code.
on_exit() {
	local rc=$?
	set +e
	if [[ -n $STAGE ]]; then
		echo "== stage: $STAGE FAILED (exit $rc) after $((SECONDS - STAGE_T0))s" >&2
	fi
	[[ -z ${SLEEP_PID:-} ]] || kill "$SLEEP_PID" 2>/dev/null
	stop_services
	exit "$rc"
}
trap on_exit EXIT
# Turn signals into a normal exit so the EXIT trap cleans up.
trap 'exit 130' INT
trap 'exit 143' TERM

stage_begin deps
ensure_deps "$CACHE"
stage_end

lint() {
	# Tracked files, plus untracked non-ignored ones so local runs see new
	# files too (in a fresh clone this is exactly `git ls-files '*.go'`).
	local files=() f
	while IFS= read -r f; do
		[[ -f $f ]] && files+=("$f")
	done < <(git ls-files --cached --others --exclude-standard '*.go' | sort -u)
	# Skip gofmt with no files: it would read stdin instead.
	if ((${#files[@]})); then
		local bad
		bad=$(gofmt -l "${files[@]}")
		if [[ -n $bad ]]; then
			echo "gofmt needed on:" >&2
			echo "$bad" >&2
			return 1
		fi
	fi
	go vet ./...
	go vet -tags browser ./...
}

if [[ -z $SERVICES_ONLY ]]; then
	stage_begin lint
	lint
	stage_end
fi

stage_begin services
start_postgres
start_mailpit "$CACHE/bin/mailpit"
export EMGEK_TEST_POSTGRES_URL="postgres://postgres@127.0.0.1:$PG_PORT/postgres?sslmode=disable"
export EMGEK_TEST_SMTP_URL="smtp://127.0.0.1:$MAILPIT_SMTP_PORT"
export EMGEK_TEST_MAILPIT_URL="http://127.0.0.1:$MAILPIT_HTTP_PORT"
export EMGEK_TEST_MAILPIT_BIN="$CACHE/bin/mailpit"
EMGEK_TEST_CHROMIUM=$(command -v chromium)
export EMGEK_TEST_CHROMIUM
export EMGEK_TEST_AXE="$CACHE/axe/node_modules/axe-core/axe.min.js"
export EMGEK_TEST_STRICT=1
stage_end

if [[ -n $SERVICES_ONLY ]]; then
	env | grep '^EMGEK_TEST_' | sort | sed 's/^/export /'
	if (($#)); then
		"$@"
	else
		echo "Services running; press Ctrl-C to stop."
		sleep infinity &
		SLEEP_PID=$!
		wait "$SLEEP_PID"
	fi
	exit
fi

# Default package pattern unless the caller names packages (./something).
pkgs=(./...)
for a in "$@"; do
	if [[ $a == ./* ]]; then
		pkgs=()
		break
	fi
done

stage_begin test
go test -tags browser -count=1 -timeout 40m "${pkgs[@]}" "$@"
stage_end

echo "== total: $((SECONDS - T0))s"
