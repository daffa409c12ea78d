#!/usr/bin/env bash
# Makes sure the PostgreSQL the store tests use is up before `deno task test` (CI runs the
# PostgreSQL half of the suite; it is not optional there):
#
# - on a machine whose cluster is merely stopped (the development machines): starts it with
#   pg_ctlcluster, as the machine's own start-up does;
# - on a fresh Debian container without PostgreSQL (GitHub's node:20-bookworm job): installs the
#   Debian package, lets 127.0.0.1 in without a password (trust, as on the development machines;
#   the cluster lives and dies with the CI container) and creates the `test` database.
#
# TEST_DATABASE_URL (the tests' server) other than the local default is only checked for
# reachability; TEST_DATABASE_URL=off is refused: CI runs these tests.
#
# Usage: bash scripts/delivery/ci_postgres.sh
set -uo pipefail

url=${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test}
if [ "$url" = off ]; then
  echo "TEST_DATABASE_URL=off: CI runs the PostgreSQL tests; unset it"
  exit 1
fi

ready() { pg_isready -q -h 127.0.0.1 -p 5432; }

if [ "$url" != postgres://postgres@127.0.0.1:5432/test ]; then
  echo "tests use TEST_DATABASE_URL (not the local cluster): nothing to start here"
  exit 0
fi

if command -v pg_isready >/dev/null && ready; then
  echo "PostgreSQL is up on 127.0.0.1:5432"
  exit 0
fi

sudo=""
[ "$(id -u)" = 0 ] || sudo="sudo"

if [ ! -d /etc/postgresql ] || [ -z "$(ls /etc/postgresql)" ]; then
  if ! command -v apt-get >/dev/null; then
    echo "no PostgreSQL cluster and no apt-get: start a server and set TEST_DATABASE_URL"
    exit 1
  fi
  echo "installing PostgreSQL (Debian package)"
  $sudo apt-get update -qq && $sudo apt-get install -y -qq postgresql >/dev/null || exit 1
  version=$(find /etc/postgresql -mindepth 1 -maxdepth 1 -printf '%f\n' | sort -V | tail -n 1)
  # A fresh cluster of a throw-away container: loopback connections need no password.
  $sudo sed -i -E 's/^(host +all +all +(127\.0\.0\.1\/32|::1\/128) +)[a-z0-9-]+$/\1trust/' \
    "/etc/postgresql/$version/main/pg_hba.conf"
  fresh=1
fi

version=$(find /etc/postgresql -mindepth 1 -maxdepth 1 -printf '%f\n' | sort -V | tail -n 1)
echo "starting PostgreSQL $version (pg_ctlcluster)"
$sudo pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
for _ in $(seq 1 30); do
  ready && break
  sleep 1
done
ready || { echo "PostgreSQL did not come up on 127.0.0.1:5432"; exit 1; }

if [ "${fresh:-0}" = 1 ]; then
  psql -h 127.0.0.1 -U postgres -qc "CREATE DATABASE test" || exit 1
fi
echo "PostgreSQL $version is up on 127.0.0.1:5432"
