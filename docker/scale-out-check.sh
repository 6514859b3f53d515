#!/bin/sh
# Checks a running `docker compose up` (docker-compose.yml) through its proxy:
#   1. at least two app replicas are running and the proxy answers;
#   2. a session started through the proxy is valid on every replica (requests tagged with
#      X-Request-ID are looked up in each replica's log);
#   3. the login rate limit counts across replicas: with per-replica counters the refusal
#      would come only after (limit x replicas) attempts;
#   4. a mail queued through a replica is delivered (or kept) by the worker exactly once:
#      one outbox row, status done, no attempts left over.
# The same checks run without Docker in tests/ops/test_scale_out.py.
#
# Usage (from the repository, with .env filled in):
#   docker compose up -d --build && docker/scale-out-check.sh
# Environment: LOKET_URL (default http://localhost:${LOKET_PORT:-8000}),
#              LOKET_RATE_LIMIT_LOGIN as configured (default 10/300),
#              CHECK_EMAIL (default scalecheck<time>@example.invalid; must have no account).
# It creates an admin with that address and a random password it never shows, and
# deactivates it at the end.
set -eu

BASE="${LOKET_URL:-http://localhost:${LOKET_PORT:-8000}}"
LIMIT="${LOKET_RATE_LIMIT_LOGIN:-10/300}"
LIMIT="${LIMIT%%/*}"
RUN="scalecheck$(date +%s)"
# With LOKET_SMTP_URL set, the login-link mail really goes out: give an address that accepts
# mail and has no account yet (e.g. you+scalecheck@example.nl).
EMAIL="${CHECK_EMAIL:-$RUN@example.invalid}"
PASSWORD="$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')"
JAR="$(mktemp)"
trap 'rm -f "$JAR" "$JAR.html"' EXIT

say() { printf '%s\n' "$*"; }
fail() { printf 'FAIL: %s\n' "$*" >&2; exit 1; }
psql_q() { docker compose exec -T db psql -U loket -d loket -tAc "$1"; }
# Replicas that served requests tagged with a request id starting with $1 ("app-1", "app-2").
served_by() {
  docker compose logs --no-color app 2>/dev/null | grep -F "$1" | sed -n 's/^\(app[-_][0-9]*\).*/\1/p' | sort -u
}
csrf() {  # fetch a page into the cookie jar, print its CSRF token
  curl -fsS -b "$JAR" -c "$JAR" -o "$JAR.html" "$BASE$1"
  sed -n 's/.*name="csrf_token" value="\([^"]*\)".*/\1/p' "$JAR.html" | head -n 1
}

# 1. replicas and proxy
replicas=$(docker compose ps --status running -q app | wc -l)
[ "$replicas" -ge 2 ] || fail "expected at least 2 running app replicas, found $replicas"
curl -fsS "$BASE/healthz" >/dev/null || fail "the proxy at $BASE does not answer /healthz"
say "ok   $replicas app replicas behind $BASE"

# 2. one session, every replica
existing=$(psql_q "select count(*) from user_account where lower(email) = lower('$EMAIL')")
[ "$existing" = 0 ] || fail "$EMAIL already has an account; give CHECK_EMAIL an unused address"
docker compose exec -T app loket create-admin "$EMAIL" --name "Scale-out check" \
  --password "$PASSWORD" >/dev/null
token=$(csrf /inloggen/beheer)
status=$(curl -sS -o /dev/null -w '%{http_code}' -b "$JAR" -c "$JAR" \
  -H "X-Request-ID: $RUN-login" --data-urlencode "email=$EMAIL" \
  --data-urlencode "password=$PASSWORD" --data-urlencode "csrf_token=$token" \
  "$BASE/inloggen/beheer")
[ "$status" = 303 ] || fail "login answered $status"
i=0
while [ "$i" -lt $((replicas * 4)) ]; do
  i=$((i + 1))
  status=$(curl -sS -o /dev/null -w '%{http_code}' -b "$JAR" -H "X-Request-ID: $RUN-page-$i" \
    "$BASE/beheer")
  [ "$status" = 200 ] || fail "/beheer with the session answered $status (request $RUN-page-$i)"
done
sleep 1  # logs are flushed per line; give docker a moment
n=$(served_by "$RUN-page-" | wc -l)
[ "$n" -ge 2 ] || fail "the session was only tried on $n replica(s); is the proxy balancing?"
say "ok   a session from one login is valid on $n replicas"

# 3. the rate limit counts across replicas (the login above counted once for this address)
attempt=0
refused=0
while [ "$attempt" -lt $((LIMIT * replicas + 1)) ]; do
  attempt=$((attempt + 1))
  status=$(curl -sS -o /dev/null -w '%{http_code}' -b "$JAR" -H "X-Request-ID: $RUN-rate-$attempt" \
    --data-urlencode "email=nobody-$RUN@example.invalid" --data-urlencode "password=wrong" \
    --data-urlencode "csrf_token=$token" "$BASE/inloggen/beheer")
  if [ "$status" = 429 ]; then refused=$attempt; break; fi
  [ "$status" = 400 ] || fail "a wrong password answered $status"
done
[ "$refused" -gt 0 ] || fail "no 429 after $attempt attempts: counters are not shared"
[ "$refused" -le $((LIMIT + 1)) ] || fail "429 only at attempt $refused (limit $LIMIT)"
sleep 1
n=$(served_by "$RUN-rate-" | wc -l)
[ "$n" -ge 2 ] || fail "the attempts reached only $n replica(s)"
say "ok   refused at attempt $refused of a $LIMIT limit, attempts spread over $n replicas"

# 4. a mail queued through a replica leaves once
token=$(csrf /inloggen)
curl -fsS -o /dev/null -b "$JAR" -c "$JAR" --data-urlencode "email=$EMAIL" \
  --data-urlencode "csrf_token=$token" "$BASE/inloggen" || fail "asking for a login link failed"
i=0
while :; do
  rows=$(psql_q "select status || ':' || attempts || ':' || coalesce(payload->>'delivery', '')
                 from outbox_message where kind = 'mail.send' and payload->>'to' = '$EMAIL'")
  case "$rows" in
    done:*) break ;;
  esac
  i=$((i + 1))
  [ "$i" -lt 60 ] || fail "the login-link mail was not delivered within 60 s: $rows"
  sleep 1
done
count=$(printf '%s\n' "$rows" | grep -c .)
[ "$count" = 1 ] || fail "expected one mail row, found $count: $rows"
say "ok   the mail was delivered once ($rows; status:attempts:delivery)"

psql_q "update user_account set is_active = false where email = '$EMAIL'" >/dev/null
say "all checks passed; the check's admin $EMAIL is deactivated"
