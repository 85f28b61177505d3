#!/usr/bin/env bash
# Install canvasser into .venv and open the window on the demo village.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip >/dev/null
.venv/bin/python -m pip install -q -e .
# the system libraries Qt's window needs: found with ldd and installed with apt, or the one line that does
bash build/qt-libs.sh .venv/bin/python
exec .venv/bin/canvasser gui --demo "$@"
