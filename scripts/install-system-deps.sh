#!/usr/bin/env bash
# Installs from Debian what the report needs and Python cannot bring: Pango (WeasyPrint lays out
# the PDF with it), DejaVu fonts, Noto Color Emoji (the fallback for glyphs the text fonts lack,
# such as emoji in goal texts people wrote), poppler-utils (pdftotext/pdfimages/pdftoppm, used by
# the checks) and Chromium (browser checks). Does nothing when all are present; uses sudo when not
# root; otherwise says in one line what to install.
set -euo pipefail

packages=()
has_library() { ldconfig -p 2>/dev/null | grep -q "$1"; }
has_library libpango-1.0.so.0 || packages+=(libpango-1.0-0)
has_library libpangoft2-1.0.so.0 || packages+=(libpangoft2-1.0-0)
has_library libharfbuzz-subset.so.0 || packages+=(libharfbuzz-subset0)
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSerif-Italic.ttf ] || packages+=(fonts-dejavu-core fonts-dejavu-extra)
[ -f /usr/share/fonts/truetype/noto/NotoColorEmoji.ttf ] || packages+=(fonts-noto-color-emoji)
command -v pdftotext >/dev/null 2>&1 || packages+=(poppler-utils)
if [ "${EVALKIT_NO_BROWSER:-0}" != "1" ]; then
  command -v chromium >/dev/null 2>&1 || packages+=(chromium)
fi
[ ${#packages[@]} -eq 0 ] && exit 0

# De-duplicate while keeping order.
mapfile -t packages < <(printf '%s\n' "${packages[@]}" | awk '!seen[$0]++')
if [ "$(id -u)" = "0" ]; then
  run=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  run=(sudo)
else
  echo "evalkit: please install these Debian packages (needs root): sudo apt-get install ${packages[*]}" >&2
  exit 1
fi
echo "evalkit: installing ${packages[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
"${run[@]}" apt-get update -qq
"${run[@]}" apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
