# shellcheck shell=bash
# Helpers for scripts/test.sh: install the test tool chain and run throwaway
# PostgreSQL and Mailpit instances. Meant to be sourced, not executed.
# Functions set globals (PG_*, MAILPIT_*) that stop_services reads.

PG_BIN=/usr/lib/postgresql/15/bin
MAILPIT_VERSION=v1.33.1

log() { printf '== [%s] %s\n' "$(date '+%Y-%m-%d %H:%M:%S')" "$*"; }

# Run a command as root: directly, or through passwordless sudo when we are not.
as_root() {
	if [[ $(id -u) -eq 0 ]]; then "$@"; else sudo -n "$@"; fi
}

# ensure_deps CACHE: install only what is missing, so a second run costs
# nothing but a few checks. apt-get update is slow; run it only when needed.
ensure_deps() {
	local cache=$1 pkgs=()
	command -v chromium >/dev/null || pkgs+=(chromium)
	command -v pdftoppm >/dev/null || pkgs+=(poppler-utils)
	command -v zbarimg >/dev/null || pkgs+=(zbar-tools)
	[[ -d /usr/share/fonts/truetype/noto ]] || pkgs+=(fonts-noto-core)
	[[ -x $PG_BIN/initdb ]] || pkgs+=(postgresql)
	# The script itself needs these; normally present, cheap to guarantee.
	command -v curl >/dev/null || pkgs+=(curl ca-certificates)
	command -v npm >/dev/null || pkgs+=(npm)
	if ((${#pkgs[@]})); then
		log "apt-get install: ${pkgs[*]}"
		as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
		as_root env DEBIAN_FRONTEND=noninteractive \
			apt-get install -y -qq --no-install-recommends "${pkgs[@]}"
	fi

	# Mailpit is built from source with the Go toolchain we already have; the
	# binary is cached so only the first run pays for the build.
	if [[ ! -x $cache/bin/mailpit ]]; then
		log "go install mailpit@$MAILPIT_VERSION"
		GOBIN=$cache/bin go install "github.com/axllent/mailpit@$MAILPIT_VERSION"
	fi

	# axe-core is plain JavaScript that the browser tests inject into pages.
	if [[ ! -f $cache/axe/node_modules/axe-core/axe.min.js ]]; then
		log "npm install axe-core@4"
		mkdir -p "$cache/axe"
		NPM_CONFIG_UPDATE_NOTIFIER=false \
			npm install --no-audit --no-fund --prefix "$cache/axe" axe-core@4
	fi
}

# free_port START: print the first loopback TCP port from START up that
# nothing answers on. Uses bash's /dev/tcp so no extra tool is needed.
free_port() {
	local p=$1
	while (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; do
		((p++))
	done
	echo "$p"
}

# Run a PostgreSQL binary as the postgres user when we are root (the server
# refuses to run as root), or as ourselves otherwise. cd / first so that su
# does not complain about a working directory postgres cannot read.
as_pg() {
	if [[ $(id -u) -eq 0 ]]; then
		(cd / && su -s /bin/sh postgres -c "$*")
	else
		(cd / && sh -c "$*")
	fi
}

# start_postgres: throwaway cluster with trust auth on 127.0.0.1:$PG_PORT.
# fsync=off: the data is thrown away, durability buys nothing but time.
# max_connections=300: parallel test packages each open their own pools.
start_postgres() {
	# Under /tmp on purpose: the postgres user must be able to reach it and the
	# socket path (inside it) must stay under the 107-byte limit. It holds the
	# socket and logs; initdb wants the data directory itself empty.
	PG_DIR=$(mktemp -d /tmp/emgek-pg.XXXXXX)
	[[ $(id -u) -ne 0 ]] || chown postgres:postgres "$PG_DIR"
	PG_PORT=$(free_port "${EMGEK_TEST_PG_PORT:-55433}")
	local d=$PG_DIR
	local opts="-c listen_addresses=127.0.0.1 -p $PG_PORT -c unix_socket_directories=$d -c fsync=off -c max_connections=300"
	if ! as_pg "$PG_BIN/initdb -D $d/data -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >$d/initdb.log 2>&1 &&
		$PG_BIN/pg_ctl -D $d/data -o '$opts' -l $d/log -w start >/dev/null"; then
		echo "PostgreSQL failed to start; logs:" >&2
		cat "$d/initdb.log" "$d/log" >&2 2>/dev/null || true
		return 1
	fi
	log "PostgreSQL 15 listening on 127.0.0.1:$PG_PORT (data $PG_DIR)"
}

stop_postgres() {
	[[ -n ${PG_DIR:-} ]] || return 0
	if [[ -f $PG_DIR/data/postmaster.pid ]]; then
		as_pg "$PG_BIN/pg_ctl -D $PG_DIR/data -m fast -w stop >/dev/null" ||
			echo "warning: pg_ctl stop failed" >&2
	fi
	rm -rf "$PG_DIR"
	PG_DIR=
}

# start_mailpit BIN: SMTP sink with an HTTP API the tests read mail back from.
# --max 0 keeps every message (tests may send many); the version check would
# try to reach the internet. Its database lives in our temp dir.
start_mailpit() {
	local bin=$1 i
	MAILPIT_DIR=$(mktemp -d "${TMPDIR:-/tmp}/emgek-mailpit.XXXXXX")
	MAILPIT_SMTP_PORT=$(free_port "${EMGEK_TEST_SMTP_PORT:-51025}")
	MAILPIT_HTTP_PORT=$(free_port "${EMGEK_TEST_MAILPIT_PORT:-58025}")
	"$bin" --smtp "127.0.0.1:$MAILPIT_SMTP_PORT" --listen "127.0.0.1:$MAILPIT_HTTP_PORT" \
		--disable-version-check --max 0 --database "$MAILPIT_DIR/mailpit.db" \
		</dev/null >"$MAILPIT_DIR/log" 2>&1 &
	MAILPIT_PID=$!
	for ((i = 0; i < 100; i++)); do # 100 x 0.2 s = 20 s
		if curl -sf -o /dev/null "http://127.0.0.1:$MAILPIT_HTTP_PORT/api/v1/messages"; then
			log "Mailpit SMTP 127.0.0.1:$MAILPIT_SMTP_PORT, HTTP 127.0.0.1:$MAILPIT_HTTP_PORT"
			return 0
		fi
		kill -0 "$MAILPIT_PID" 2>/dev/null || break
		sleep 0.2
	done
	echo "Mailpit did not come up; log:" >&2
	cat "$MAILPIT_DIR/log" >&2
	return 1
}

stop_mailpit() {
	local i
	if [[ -n ${MAILPIT_PID:-} ]] && kill "$MAILPIT_PID" 2>/dev/null; then
		# Give it 5 s to exit cleanly, then force it.
		for ((i = 0; i < 25; i++)); do
			kill -0 "$MAILPIT_PID" 2>/dev/null || break
			sleep 0.2
		done
		kill -9 "$MAILPIT_PID" 2>/dev/null || true
		wait "$MAILPIT_PID" 2>/dev/null || true
	fi
	MAILPIT_PID=
	[[ -z ${MAILPIT_DIR:-} ]] || rm -rf "$MAILPIT_DIR"
	MAILPIT_DIR=
}

stop_services() {
	stop_mailpit
	stop_postgres
}
