#!/usr/bin/env bash
# Build the desktop artefacts into packaging/dist/:
#   dgviewer/                         one-folder PyInstaller bundle (app, sample generator, icons)
#   dgviewer-VER-linux-x86_64.tar.gz  that folder, archived
#   dgviewer_VER_amd64.deb            the bundle under /opt/dgviewer, `dgviewer` on the PATH, menu entry + icon
#   dgviewer-VER-py3-none-any.whl     the wheel
# Needs the .venv made by .ci/bootstrap. Prints how long each step took.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
DIST=packaging/dist
WORK=packaging/build
VER=$($PY -c "import dgviewer; print(dgviewer.__version__)")
step() { echo "build: $1 took $(( $(date +%s) - $2 )) s"; }

t=$(date +%s)
$PY -m pip install -q --disable-pip-version-check "pyinstaller==6.22.3" build
step "tools" "$t"

t=$(date +%s)
rm -rf "$DIST" "$WORK"
$PY -m PyInstaller --noconfirm --log-level WARN --distpath "$DIST" --workpath "$WORK/pyinstaller" packaging/dgviewer.spec
step "bundle" "$t"

t=$(date +%s)
tar -C "$DIST" -czf "$DIST/dgviewer-$VER-linux-x86_64.tar.gz" dgviewer
step "tar.gz" "$t"

t=$(date +%s)
root="$WORK/deb"
mkdir -p "$root/DEBIAN" "$root/opt" "$root/usr/bin" "$root/usr/share/applications" \
         "$root/usr/share/icons/hicolor/256x256/apps" "$root/usr/share/icons/hicolor/scalable/apps"
cp -a "$DIST/dgviewer" "$root/opt/dgviewer"
ln -s /opt/dgviewer/dgviewer "$root/usr/bin/dgviewer"
cp packaging/dgviewer.desktop "$root/usr/share/applications/"
cp resources/dgviewer.png "$root/usr/share/icons/hicolor/256x256/apps/"
cp resources/dgviewer.svg "$root/usr/share/icons/hicolor/scalable/apps/"
size=$(du -sk "$root" | cut -f1)
# Qt's xcb platform plugin links these system libraries (../shared/notes/qt-platform.md §1).
cat > "$root/DEBIAN/control" <<CONTROL
Package: dgviewer
Version: $VER
Section: graphics
Priority: optional
Architecture: amd64
Installed-Size: $size
Maintainer: dgviewer team <dgviewer@localhost>
Depends: libc6 (>= 2.34), libegl1, libgl1, libxkbcommon0, libfontconfig1, libdbus-1-3, libglib2.0-0, libxkbcommon-x11-0, libxcb-cursor0, libxcb-icccm4, libxcb-keysyms1, libxcb-image0, libxcb-randr0, libxcb-render-util0, libxcb-shape0, libxcb-xfixes0, libxcb-xkb1, libx11-xcb1, fonts-dejavu-core
Description: viewer and QA tool for synthetic human-centric datasets
 Opens Datagen and Unity Perception dataset folders straight from disk and shows
 every modality with landmarks, gaze, segmentation and boxes drawn over it.
CONTROL
dpkg-deb --build --root-owner-group -Zzstd "$root" "$DIST/dgviewer_${VER}_amd64.deb" >/dev/null
step "deb" "$t"

t=$(date +%s)
$PY -m build --wheel --outdir "$DIST" . >/dev/null
step "wheel" "$t"

ls -l "$DIST" | sed 's/^/build: /'
du -sh "$DIST/dgviewer" | sed 's/^/build: bundle folder /'
