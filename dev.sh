#!/usr/bin/env bash
# Set up and run on a fresh machine. Two entry points (see README):
#   ./dev.sh serve   install, build the sample store if needed, start the dashboard
#   ./dev.sh test    install (including Debian's chromium, poppler and nginx), run the full test suite
set -euo pipefail
cd "$(dirname "$0")"

VENV=${KONTAKTCENTER_VENV:-.venv}
PY=${PYTHON:-python3}

need_python() {
    "$PY" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' || {
        echo "Python 3.11 eller senare krävs ($PY är $("$PY" --version 2>&1))." >&2; exit 1; }
}

install_python() {
    need_python
    [ -x "$VENV/bin/python" ] || "$PY" -m venv "$VENV"
    "$VENV/bin/python" -m pip install --quiet --upgrade pip
    "$VENV/bin/python" -m pip install --quiet -e ".${1:+[$1]}"
}

install_system() {
    # Browser tests use Debian's chromium (never a downloaded browser); PDF tests use poppler-utils;
    # the deployment tests run Debian's nginx (deploy/nginx/) with a self-signed openssl certificate.
    local missing=()
    command -v chromium >/dev/null 2>&1 || missing+=(chromium)
    [ -x /usr/sbin/nginx ] || missing+=(nginx)
    command -v openssl >/dev/null 2>&1 || missing+=(openssl)
    command -v pdftoppm >/dev/null 2>&1 || missing+=(poppler-utils)
    [ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || missing+=(fonts-dejavu-core)
    if [ ${#missing[@]} -gt 0 ]; then
        if [ "$(id -u)" -ne 0 ]; then
            echo "Installera först: sudo apt-get install -y ${missing[*]}" >&2; exit 1
        fi
        echo "Installerar ${missing[*]} ..."
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
    fi
}

case "${1:-}" in
    serve)
        shift
        install_python ""
        exec "$VENV/bin/kontaktcenter" serve "$@"
        ;;
    test)
        shift
        install_system
        install_python test
        exec "$VENV/bin/python" -m pytest "$@"
        ;;
    *)
        echo "Användning: ./dev.sh serve | ./dev.sh test [pytest-argument]" >&2
        exit 2
        ;;
esac
