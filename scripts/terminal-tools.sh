#!/usr/bin/env bash
# The terminal tests drive real terminals: tmux for the REPL (tests/repl.test.ts) and util-linux's
# `script` for the ingest progress line (tests/progress.test.ts). Installs whichever is missing
# from Debian's packages when it can (as root, or with sudo without a password); otherwise says
# what to install, and the tests that need it fail saying the same.
set -u
missing=()
command -v tmux >/dev/null 2>&1 || missing+=(tmux)
command -v script >/dev/null 2>&1 || missing+=(bsdutils)
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -eq 0 ]; then run=(); elif sudo -n true 2>/dev/null; then run=(sudo -n); else
  echo "terminal tests need: ${missing[*]} (apt-get install ${missing[*]})" >&2
  exit 0
fi
echo "installing ${missing[*]} for the terminal tests" >&2
export DEBIAN_FRONTEND=noninteractive
"${run[@]}" apt-get install -y -q "${missing[@]}" >/dev/null 2>&1 ||
  { "${run[@]}" apt-get update -q >/dev/null 2>&1 && "${run[@]}" apt-get install -y -q "${missing[@]}" >/dev/null 2>&1; } ||
  echo "could not install ${missing[*]}; the terminal tests will fail" >&2
exit 0
