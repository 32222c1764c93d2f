# Sourced by the scripts: finds a Python >= 3.13 and < 3.14 (HA 2025.4's range)
# on Debian 12 (pyenv) and Debian 13 (Debian's python3.13), and keeps .venv current.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"

_py_ok() {
  "$1" -c 'import sys, venv, ensurepip; sys.exit(0 if (3, 13) <= sys.version_info[:2] < (3, 14) else 1)' 2>/dev/null
}

find_python() {
  local candidates=()
  [ -n "${HOTDESK_PYTHON:-}" ] && candidates+=("$HOTDESK_PYTHON")
  candidates+=(python3.13)
  if command -v pyenv >/dev/null 2>&1; then
    local root; root="$(pyenv root)"
    for dir in $(ls -d "$root"/versions/3.13.* 2>/dev/null | sort -V -r); do
      candidates+=("$dir/bin/python3.13")
    done
  fi
  for dir in $(ls -d "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.13.* /root/.pyenv/versions/3.13.* 2>/dev/null | sort -V -r); do
    candidates+=("$dir/bin/python3.13")
  done
  candidates+=(/usr/bin/python3.13 /usr/local/bin/python3.13 python3)
  local c
  for c in "${candidates[@]}"; do
    if command -v "$c" >/dev/null 2>&1 && _py_ok "$(command -v "$c")"; then
      command -v "$c"
      return 0
    fi
  done
  return 1
}

install_system_python() {
  if [ "$(id -u)" -ne 0 ]; then
    echo "No Python 3.13 with venv found. Install it, e.g. on Debian 13:" >&2
    echo "  sudo apt-get install python3.13 python3.13-venv python3.13-dev" >&2
    echo "or point HOTDESK_PYTHON at a python3.13 binary." >&2
    exit 2
  fi
  echo "Installing python3.13 from Debian's archive..." >&2
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3.13 python3.13-venv python3.13-dev >&2 || {
    echo "Debian's archive has no python3.13 here; install Python 3.13 (e.g. with pyenv) and set HOTDESK_PYTHON." >&2
    exit 2
  }
}

# ensure_venv [REQUIREMENTS_FILE]: .venv with that file installed (default
# requirements_test.txt: everything; scripts/develop and scripts/demo pass
# requirements_develop.txt, the demo's runtime only). One stamp per file, so a
# venv made for the demo gets the test tools added, not rebuilt, by scripts/test.
ensure_venv() {
  local reqs="${1:-requirements_test.txt}"
  local stamp="$VENV/.requirements.sha256"
  [ "$reqs" = requirements_test.txt ] || stamp="$VENV/.${reqs%.txt}.sha256"
  local want; want="$(cat "$ROOT/$reqs" | sha256sum | cut -d' ' -f1)"
  if [ -x "$VENV/bin/python" ] && _py_ok "$VENV/bin/python" && [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then
    return 0
  fi
  local python
  if ! python="$(find_python)"; then
    install_system_python
    python="$(find_python)" || { echo "Still no usable Python 3.13." >&2; exit 2; }
  fi
  echo "Using $python ($("$python" --version))" >&2
  if [ ! -x "$VENV/bin/python" ] || ! _py_ok "$VENV/bin/python"; then
    rm -rf "$VENV"
    "$python" -m venv "$VENV"
  fi
  "$VENV/bin/python" -m pip install -q --upgrade pip >&2
  "$VENV/bin/python" -m pip install -q -r "$ROOT/$reqs" >&2
  echo "$want" > "$stamp"
}
