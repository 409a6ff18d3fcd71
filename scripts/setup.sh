#!/usr/bin/env bash
# Sets up FieldScribe on a fresh Debian/Ubuntu machine: system packages (when we may install
# them), a virtual environment in .venv with the app and its test tools.
# Usage: scripts/setup.sh [--with-base-model] [--with-speakers] [--with-converter] [--with-test-speech]
#   --with-test-speech: also Debian's festvox-ru (real Russian speech with its texts, 180 MB),
#   for the tests and benches that measure transcription on a person's voice
set -euo pipefail
cd "$(dirname "$0")/.."

SYSTEM_PKGS=(ffmpeg espeak-ng sox pulseaudio pulseaudio-utils xvfb
  libegl1 libgl1 libxkbcommon0 libxkbcommon-x11-0 libxcb-cursor0 libfontconfig1 libdbus-1-3
  libxcb-icccm4 libxcb-keysyms1 libxcb-shape0 libxcb-randr0 libxcb-render-util0 libxcb-xinerama0
  libxcb-image0 libpulse0 libasound2)

for arg in "$@"; do
  [ "$arg" = "--with-test-speech" ] && SYSTEM_PKGS+=(festvox-ru)
done

missing=()
if command -v dpkg-query >/dev/null 2>&1; then
  for p in "${SYSTEM_PKGS[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
fi
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1 && SUDO="sudo"
  if [ "$(id -u)" -eq 0 ] || [ -n "$SUDO" ]; then
    echo "Installing system packages: ${missing[*]}"
    $SUDO apt-get update -qq || true
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" \
      || echo "warning: some system packages could not be installed; FieldScribe falls back to the ffmpeg from imageio-ffmpeg"
  else
    echo "warning: cannot install ${missing[*]} (not root, no sudo); continuing"
  fi
fi

PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip
# the cluster extra (Dask) is installed for the tests of cluster transcription
extras="test,cluster"
speakers="${FIELDSCRIBE_SPEAKERS:-0}"
converter="${FIELDSCRIBE_CONVERTER:-0}"
for arg in "$@"; do
  case "$arg" in
    --with-base-model) extras="test,cluster,base-model" ;;
    --with-speakers) speakers=1 ;;
    --with-converter) converter=1 ;;
  esac
done
[ "${FIELDSCRIBE_BASE_MODEL:-}" = "1" ] && extras="test,cluster,base-model"
.venv/bin/python -m pip install -q -e ".[${extras}]"
# Speaker detection (optional extra, needed by its tests): the CPU build of torch first, so pip
# does not pull a multi-GB CUDA build. Asked for with --with-speakers or FIELDSCRIBE_SPEAKERS=1.
cpu_torch() {
  .venv/bin/python -c "import torch" 2>/dev/null && return 0
  .venv/bin/python -m pip install -q "torch==2.13.0" \
    || .venv/bin/python -m pip install -q "torch==2.13.0" --index-url https://download.pytorch.org/whl/cpu
}
if [ "$speakers" = "1" ]; then
  cpu_torch || echo "warning: could not install the CPU build of torch; speaker detection stays off"
  .venv/bin/python -m pip install -q -e ".[speakers]" \
    || echo "warning: could not install the speakers extra; speaker detection stays off"
fi
# Converting Transformers checkpoints (community fine-tunes) to CTranslate2 at models
# install/import: torch (CPU build) and transformers. Asked for with --with-converter or
# FIELDSCRIBE_CONVERTER=1.
if [ "$converter" = "1" ]; then
  cpu_torch || echo "warning: could not install the CPU build of torch; conversion stays off"
  .venv/bin/python -m pip install -q -e ".[convert]" \
    || echo "warning: could not install the convert extra; conversion stays off"
fi
echo "FieldScribe is set up in .venv"
