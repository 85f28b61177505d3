#!/usr/bin/env bash
# Build the one-folder app dist/canvasser/ (Linux): a clean venv in build/.venv-bundle, the project and
# PyInstaller installed into it, then PyInstaller on pyinstaller.spec. Run from anywhere:
#     bash build/build_bundle.sh            (PYTHON=python3.11 bash build/build_bundle.sh to pick the Python)
# Result: dist/canvasser/canvasser (window) and dist/canvasser/canvasser-cli (command line), and
# dist/canvasser-linux.zip holding the same folder (copy either to the laptop; nothing else is needed).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
VENV=build/.venv-bundle
start=$(date +%s)
rm -rf "$VENV" build/pyi-work dist/canvasser dist/canvasser-linux.zip
"$PY" -m venv "$VENV"
"$VENV/bin/python" -m pip install -q --upgrade pip
"$VENV/bin/python" -m pip install -q . pyinstaller
rm -rf build/lib build/bdist.*  # setuptools' build folders from `pip install .`, not ours to keep
"$VENV/bin/python" -m PyInstaller --noconfirm --clean --distpath dist --workpath build/pyi-work pyinstaller.spec
# The oldest glibc the bundle runs on (newest GLIBC_x.y any bundled file needs, by objdump -T), kept in
# the bundle and checked at start; a build on an old system (e.g. AlmaLinux 8, glibc 2.28) runs on old ones.
echo "glibc floor: $("$VENV/bin/python" build/glibc_floor.py dist/canvasser || echo 'not measured: objdump (binutils) missing')"
# The zip keeps the folder's layout and permissions; the bundle holds no symlinks, so any unzip tool works.
(cd dist && "../$VENV/bin/python" - <<'PY'
import os, stat, zipfile
with zipfile.ZipFile("canvasser-linux.zip", "w", zipfile.ZIP_DEFLATED) as z:
    for base, _dirs, files in os.walk("canvasser"):
        for name in sorted(files):
            path = os.path.join(base, name)
            info = zipfile.ZipInfo.from_file(path)
            info.external_attr = (stat.S_IMODE(os.stat(path).st_mode) | stat.S_IFREG) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            with open(path, "rb") as f:
                z.writestr(info, f.read())
PY
)
size=$(du -sm dist/canvasser | cut -f1)
zip=$(du -sm dist/canvasser-linux.zip | cut -f1)
echo "built dist/canvasser (${size} MB, zip ${zip} MB) in $(( $(date +%s) - start )) s"
