#!/usr/bin/env bash
# Makes sure the real peers the interop tests talk to are on this machine:
# Debian's openssl, curl, gzip, tftp-hpa and atftp clients, a C compiler, wrk (benches),
# systemd-analyze (checks deploy/provisio.service), and a
# running PostgreSQL at 127.0.0.1:5432. Runs before `npm test` (pretest), so the
# README's test command works on a fresh machine.
set -euo pipefail

need=()
# cc builds the TFTP fast path (scripts/build_native.mjs runs after this script).
for pair in tftp:tftp-hpa atftp:atftp curl:curl openssl:openssl gzip:gzip cc:gcc in.tftpd:tftpd-hpa sipp:sip-tester systemd-analyze:systemd chromium:chromium; do
  command -v "${pair%%:*}" >/dev/null 2>&1 || need+=("${pair##*:}")
done
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "test peers: installing ${need[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq "${need[@]}" >/dev/null
  else
    echo "test peers missing: ${need[*]}; run: sudo apt-get install -y ${need[*]}" >&2
    exit 1
  fi
fi

if command -v pg_isready >/dev/null && ! pg_isready -h 127.0.0.1 -p 5432 -q; then
  if command -v pg_ctlcluster >/dev/null && [ "$(id -u)" = 0 ]; then
    echo "test peers: starting PostgreSQL" >&2
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start || true
  fi
fi
