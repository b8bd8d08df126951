#!/usr/bin/env bash
# The system packages Anxin needs: the one list, used by the Makefile
# (`make test`, `make run`, `make run-prod` check first; `make deps` installs),
# by .ci/run, and quoted in the README's "Prerequisites".
#
#   scripts/prereqs.sh list    [GOAL]   the packages GOAL needs, on one line
#   scripts/prereqs.sh check   [GOAL]   exit 1 with the apt-get line when any is missing
#   scripts/prereqs.sh install [GOAL]   apt-get install the missing ones (sudo unless root)
#
# GOAL is test (the default: everything), run or run-prod.
set -euo pipefail

# Every package, in the README's order:
#   make git          the two commands themselves
#   espeak-ng libespeak-ng1 sox libportaudio2   the speaker's voice (TTS, audio in and out)
#   chromium fonts-noto-cjk                     the console's browser tests (CJK, not boxes)
#   nginx             the proxy in front of several replicas (`make run-prod`)
#   ffmpeg            WeChat and Telegram voice notes (AMR, OGG/Opus)
ALL=(make git espeak-ng libespeak-ng1 sox libportaudio2 chromium fonts-noto-cjk nginx ffmpeg)
# `make run`'s text chat needs none of the voice packages: it warns and goes on.
VOICE=(espeak-ng libespeak-ng1 sox libportaudio2 ffmpeg)

required() {
  case "${1:-test}" in
    test) echo "${ALL[*]}" ;;
    run) echo "make git" ;;
    run-prod) echo "make git nginx" ;;
    *) echo "unknown goal: $1 (test, run, run-prod)" >&2; exit 2 ;;
  esac
}

# Installed as a Debian package, or (elsewhere) the file it provides is there.
installed() {
  if command -v dpkg-query >/dev/null 2>&1 &&
    dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; then
    return 0
  fi
  case "$1" in
    libespeak-ng1) ldconfig -p 2>/dev/null | grep -q 'libespeak-ng\.so\.1' ;;
    libportaudio2) ldconfig -p 2>/dev/null | grep -q 'libportaudio\.so\.2' ;;
    fonts-noto-cjk) fc-list 2>/dev/null | grep -qi 'Noto Sans CJK' ;;
    chromium) [ -x /usr/bin/chromium ] ;;
    nginx) command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] ;;
    *) command -v "$1" >/dev/null 2>&1 ;;
  esac
}

missing() {
  local pkg out=()
  for pkg in "$@"; do installed "$pkg" || out+=("$pkg"); done
  echo "${out[*]}"
}

goal="${2:-test}"
required "$goal" >/dev/null
case "${1:-check}" in
  list)
    required "$goal"
    ;;
  check)
    # shellcheck disable=SC2046
    gone=$(missing $(required "$goal"))
    if [ -n "$gone" ]; then
      echo "✗ \`make $goal\` needs system packages that are missing: $gone"
      echo "  sudo apt-get install $gone"
      echo "  (or \`make deps\`, which installs every prerequisite)"
      exit 1
    fi
    if [ "$goal" = run ]; then
      optional=$(missing "${VOICE[@]}")
      if [ -n "$optional" ]; then
        echo "note: voice (the speaker client, voice notes) also needs: sudo apt-get install $optional"
        echo "      the text chat works without it."
      fi
    fi
    ;;
  install)
    # shellcheck disable=SC2046
    gone=$(missing $(required "$goal"))
    if [ -z "$gone" ]; then
      echo "✓ system prerequisites installed"
      exit 0
    fi
    echo "… installing system prerequisites: $gone"
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    $SUDO apt-get update -qq
    # shellcheck disable=SC2086
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $gone
    ;;
  *)
    echo "usage: $0 list|check|install [test|run|run-prod]" >&2
    exit 2
    ;;
esac
