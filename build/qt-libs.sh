#!/usr/bin/env bash
# Make sure the system libraries Qt's window needs are present (Debian, Ubuntu, UOS, Kylin: apt).
#
# Qt's own message when one is missing ("could not load the Qt platform plugin xcb") names the wrong
# cause; this script asks the loader (ldd) which libraries the xcb plugin and Qt itself cannot find,
# installs their packages with apt (as root, or through sudo), saying what it installs, and where it
# cannot, prints the one line that does and stops with a clear message.
#
# Usage: build/qt-libs.sh PYTHON   (the Python of the venv that has PySide6)
set -uo pipefail
PY=${1:-.venv/bin/python}

# Offscreen runs (tests, screenshots) need no window system; nothing to check without a display.
if [ "${QT_QPA_PLATFORM:-}" = "offscreen" ] || { [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; }; then
  exit 0
fi
case "$(uname -s)" in Linux) ;; *) exit 0 ;; esac

qt=$("$PY" -c 'import PySide6, pathlib; print(pathlib.Path(PySide6.__file__).parent / "Qt")' 2>/dev/null) || exit 0
files=("$qt"/plugins/platforms/libqxcb.so "$qt"/lib/libQt6XcbQpa.so.6 "$qt"/lib/libQt6Gui.so.6 "$qt"/lib/libQt6Widgets.so.6)
missing=$(for f in "${files[@]}"; do [ -e "$f" ] && LD_LIBRARY_PATH="$qt/lib" ldd "$f" 2>/dev/null; done \
          | awk '/not found/ {print $1}' | sort -u)
[ -z "$missing" ] && exit 0

# soname -> Debian/Ubuntu package (the same names on UOS and Kylin)
pkg_of() {
  case "$1" in
    libEGL.so.1) echo libegl1 ;; libGL.so.1) echo libgl1 ;; libOpenGL.so.0) echo libopengl0 ;;
    libGLX.so.0) echo libglx0 ;; libxkbcommon.so.0) echo libxkbcommon0 ;;
    libxkbcommon-x11.so.0) echo libxkbcommon-x11-0 ;; libfontconfig.so.1) echo libfontconfig1 ;;
    libfreetype.so.6) echo libfreetype6 ;; libdbus-1.so.3) echo libdbus-1-3 ;;
    libglib-2.0.so.0|libgthread-2.0.so.0) echo libglib2.0-0 ;; libX11.so.6) echo libx11-6 ;;
    libX11-xcb.so.1) echo libx11-xcb1 ;; libxcb.so.1) echo libxcb1 ;; libSM.so.6) echo libsm6 ;;
    libICE.so.6) echo libice6 ;; libxcb-cursor.so.0) echo libxcb-cursor0 ;;
    libxcb-icccm.so.4) echo libxcb-icccm4 ;; libxcb-keysyms.so.1) echo libxcb-keysyms1 ;;
    libxcb-image.so.0) echo libxcb-image0 ;; libxcb-render-util.so.0) echo libxcb-render-util0 ;;
    libxcb-util.so.1) echo libxcb-util1 ;; libxcb-*.so.*)
      n=${1#libxcb-}; echo "libxcb-${n%%.so.*}${1##*.so.}" ;;
    *) echo "" ;;
  esac
}
pkgs=()
unknown=()
for so in $missing; do
  p=$(pkg_of "$so")
  if [ -n "$p" ]; then pkgs+=("$p"); else unknown+=("$so"); fi
done
line="apt-get install -y ${pkgs[*]}"
echo "打开窗口需要的系统库缺少：$(echo $missing | tr '\n' ' ')"
if [ ${#pkgs[@]} -gt 0 ] && command -v apt-get >/dev/null; then
  if [ "$(id -u)" = 0 ]; then run=(); elif command -v sudo >/dev/null; then run=(sudo); else run=(none); fi
  if [ "${run[*]}" != "none" ]; then
    echo "正在安装：${pkgs[*]}（用 apt-get${run:+，通过 sudo}）"
    if "${run[@]}" apt-get install -y -qq "${pkgs[@]}" >/dev/null 2>&1 \
       || { "${run[@]}" apt-get update -qq >/dev/null 2>&1 && "${run[@]}" apt-get install -y -qq "${pkgs[@]}" >/dev/null 2>&1; }; then
      echo "已安装。"
      [ ${#unknown[@]} -eq 0 ] && exit 0
    fi
  fi
fi
echo "无法自动安装。请在终端里运行下面这一行（需要管理员权限），然后重新运行本命令："
[ ${#pkgs[@]} -gt 0 ] && echo "  sudo $line"
[ ${#unknown[@]} -gt 0 ] && echo "  另外还缺少：${unknown[*]}（请用系统的软件包管理器安装提供这些文件的包）"
exit 1
