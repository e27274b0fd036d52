#!/usr/bin/env bash
# Installs what the web checks need and a fresh machine lacks; does nothing that is
# already done, so a second run takes about a second.
#
#   bash .ci/tools.sh        # or: source .ci/tools.sh (leaves the caller's shell options alone)
#
#  - Debian packages chromium, chromium-driver, wrk, faketime, dovecot-imapd (the IMAP
#    server of the capture tests, started by .ci/dovecot; apt-get update only when the
#    install needs it). Needs root, or sudo.
#  - e2e/node_modules from e2e/package-lock.json (npm ci), redone when the lock changes.
#  - .ci/venv with schemathesis, icalendar and aiosmtpd, every package pinned in
#    .ci/schemathesis-requirements.txt,
#    remade when that file changes. Its CLI is .ci/venv/bin/st.
#
# Prints one line per item; a failing step prints the tail of its log and exits non-zero.

rounds_ci_tools() (
  set -euo pipefail
  root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
  log="$(mktemp -t rounds-tools.XXXXXX)"
  trap 'rm -f "$log"' EXIT

  quiet() { # run a command with its output in $log; show the tail if it fails
    if ! "$@" >"$log" 2>&1; then
      echo "tools: failed: $*" >&2
      tail -n 25 "$log" >&2
      return 1
    fi
  }
  sha() { sha256sum "$1" | cut -d' ' -f1; }

  # --- Debian packages -------------------------------------------------------------
  local missing=()
  for pkg in chromium chromium-driver wrk faketime dovecot-imapd; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q '^install ok installed$' || missing+=("$pkg")
  done
  if ((${#missing[@]})); then
    local sudo=()
    if [[ $(id -u) -ne 0 ]]; then
      command -v sudo >/dev/null || { echo "tools: need root (or sudo) to install ${missing[*]}" >&2; return 1; }
      sudo=(sudo)
    fi
    local apt=("${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -y -qq -o Dpkg::Use-Pty=0)
    echo "tools: apt-get install ${missing[*]}"
    # Try with the package lists already on the machine; refresh them only if that fails.
    if ! "${apt[@]}" install --no-install-recommends "${missing[@]}" >"$log" 2>&1; then
      quiet "${sudo[@]}" apt-get update -qq
      quiet "${apt[@]}" install --no-install-recommends "${missing[@]}"
    fi
  else
    echo "tools: chromium chromium-driver wrk faketime dovecot-imapd: installed"
  fi

  # --- e2e/node_modules --------------------------------------------------------------
  local lock="$root/e2e/package-lock.json" stamp="$root/e2e/node_modules/.rounds-lock.sha256"
  if [[ -f "$stamp" && "$(cat "$stamp")" == "$(sha "$lock")" ]]; then
    echo "tools: e2e/node_modules: up to date"
  else
    echo "tools: npm ci --prefix e2e"
    quiet npm ci --prefix "$root/e2e" --no-audit --no-fund --loglevel=error
    sha "$lock" >"$stamp"
  fi

  # --- .ci/venv with schemathesis ----------------------------------------------------
  local venv="$root/.ci/venv" req="$root/.ci/schemathesis-requirements.txt"
  stamp="$venv/.rounds-requirements.sha256"
  if [[ -x "$venv/bin/st" && -f "$stamp" && "$(cat "$stamp")" == "$(sha "$req")" ]]; then
    echo "tools: .ci/venv: up to date ($("$venv/bin/st" --version))"
  else
    local python=python3.11
    command -v "$python" >/dev/null || python=python3
    echo "tools: creating .ci/venv ($("$python" --version 2>&1)) and installing $(grep -m1 '^schemathesis==' "$req")"
    rm -rf "$venv"
    quiet "$python" -m venv "$venv"
    quiet "$venv/bin/pip" install --disable-pip-version-check --no-input -q -r "$req"
    sha "$req" >"$stamp"
  fi
)

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
  rounds_ci_tools
else
  rounds_ci_tools || return $?
fi
