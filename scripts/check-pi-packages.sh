#!/usr/bin/env bash
# Proves the Python packages booth installs on a Raspberry Pi come as ready-made
# aarch64 wheels for the Pythons of Raspberry Pi OS Bookworm (3.11) and Trixie
# (3.13): nothing is built from source on the Pi. Then says which Debian
# packages scripts/install-pi.sh puts in on each release.
#
#   scripts/check-pi-packages.sh              # both releases
#   scripts/check-pi-packages.sh 3.13         # one Python version only
#
# For each Python version, with pip's --platform/--python-version/--only-binary=:all:
# (so pip may only pick wheels, never a source package to build):
#   1. every pin in constraints.txt, and simplejpeg as install-pi.sh pins it,
#      is downloaded without its dependencies (--no-deps) into a temporary folder;
#   2. the whole set booth installs (the dependencies pyproject.toml names, its
#      test extras for `make test` on a Pi, and all they depend on, resolved
#      under constraints.txt) resolves to wheels
#      as well (pip install --dry-run --report: metadata only, nothing installed).
# Accepted wheels: manylinux for aarch64 up to the release's glibc, and pure
# Python ("any"). musllinux wheels are not: Raspberry Pi OS uses glibc.
# Needs the network (PyPI). Set PIP_CACHE_DIR to keep the downloads between runs.
# Exit status: 0 when everything resolves, 1 when anything does not (named).
set -euo pipefail

SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PY=${PYTHON:-python3}
# The release, its Python and its glibc (Debian's python3 and libc6 packages:
# bookworm 3.11 / 2.36, trixie 3.13 / 2.41; packages.debian.org).
RELEASES=("bookworm 3.11 36" "trixie 3.13 41")

want=("$@")
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

pins() {  # constraints.txt without comments and blank lines, then simplejpeg as the installer pins it
  sed -e 's/#.*//' -e 's/[[:space:]]*$//' -e '/^$/d' "$SRC/constraints.txt"
  sed -n 's/^SIMPLEJPEG_VERSION=\(.*\)$/simplejpeg==\1/p' "$SRC/scripts/install-pi.sh"
}

platforms() {  # --platform options for aarch64 manylinux wheels up to glibc 2.$1
  local minor
  echo --platform manylinux2014_aarch64
  for minor in $(seq 17 "$1"); do echo --platform "manylinux_2_${minor}_aarch64"; done
}

pypi() {  # pip against PyPI alone: none of this machine's extra indexes, wheel folders or caps
  PIP_FIND_LINKS="" PIP_EXTRA_INDEX_URL="" PIP_CONFIG_FILE=/dev/null PIP_CONSTRAINT="" \
    "$PY" -m pip --disable-pip-version-check "$@"
}

# The dependencies booth declares, and those `make test` adds (pyproject.toml).
"$PY" - "$SRC/pyproject.toml" >"$TMP/requirements.txt" <<'EOF'
import sys, tomllib
project = tomllib.load(open(sys.argv[1], "rb"))["project"]
print("\n".join(project["dependencies"] + project.get("optional-dependencies", {}).get("test", [])))
EOF
pins >"$TMP/pins.txt"

REPORT_SUMMARY='
import json, sys
items = json.load(open(sys.argv[1]))["install"]
wheels = [i for i in items if i["download_info"]["url"].endswith(".whl")]
print(f"ok    the whole install, {len(items)} packages with their dependencies, resolves to wheels")
for i in items:
    if i not in wheels:
        name, version = i["metadata"]["name"], i["metadata"]["version"]
        print(f"FAIL  {name} {version}: only as source, it would be built")
sys.exit(0 if len(wheels) == len(items) else 1)
'

failed=0
for release in "${RELEASES[@]}"; do
  read -r codename pyver glibc <<<"$release"
  if [ ${#want[@]} -gt 0 ] && [[ " ${want[*]} " != *" $pyver "* ]]; then continue; fi
  mapfile -t plat < <(platforms "$glibc" | tr ' ' '\n')
  common=(--only-binary=:all: --python-version "$pyver" --implementation cp "${plat[@]}")
  echo "== $codename: Python $pyver, aarch64, glibc 2.$glibc"
  dest=$TMP/$pyver
  mkdir -p "$dest"
  # All pins in one pip run (quick); if pip refuses the set, each pin alone, to name the ones at fault.
  if ! pypi download --quiet --no-deps "${common[@]}" -d "$dest" -r "$TMP/pins.txt" >"$TMP/log" 2>&1; then
    while read -r pin; do
      pypi download --quiet --no-deps "${common[@]}" -d "$dest" "$pin" >"$TMP/log" 2>&1 || true
    done <"$TMP/pins.txt"
  fi
  while read -r pin; do
    name=$(echo "${pin%%[=<>!~ ;]*}" | tr 'A-Z-' 'a-z_')
    wheel=$(find "$dest" -maxdepth 1 -iname "${name}-*.whl" -printf '%f\n' | head -1)
    if [ -n "$wheel" ]; then
      printf 'ok    %-34s %s\n' "$pin" "$wheel"
    else
      printf 'FAIL  %-34s no aarch64 wheel for Python %s\n' "$pin" "$pyver"
      failed=1
    fi
  done <"$TMP/pins.txt"
  # The whole install as install-pi.sh does it: booth's dependencies and theirs.
  report=$TMP/report-$pyver.json
  if pypi install --quiet --dry-run --ignore-installed --target "$TMP/target-$pyver" "${common[@]}" \
      -c "$SRC/constraints.txt" --report "$report" -r "$TMP/requirements.txt" >"$TMP/log" 2>&1; then
    "$PY" -c "$REPORT_SUMMARY" "$report" || failed=1
  else
    echo "FAIL  the whole install does not resolve to wheels for Python $pyver:"
    grep -E 'ERROR|requires|from versions' "$TMP/log" | sed 's/^/        /' || true
    failed=1
  fi
done

echo "== Debian packages scripts/install-pi.sh installs (the same list on Bookworm and Trixie)"
# The installer's PACKAGES=( ... ) list, comments dropped, and what --hotspot adds.
debs=$(sed -n '/^PACKAGES=(/,/^)/p' "$SRC/scripts/install-pi.sh" | sed -e 's/#.*//' -e 's/PACKAGES=(//' -e 's/)//' | xargs)
extra=$(sed -n 's/^[[:space:]]*PACKAGES+=(\(.*\))[[:space:]]*$/\1/p' "$SRC/scripts/install-pi.sh" | sed 's/#.*//' | xargs)
echo "always:          $debs"
[ -z "$extra" ] || echo "with --hotspot:  $extra"
echo "python3-picamera2 (with python3-libcamera) and python3-lgpio come from the Raspberry Pi archive"
echo "(archive.raspberrypi.com), which Raspberry Pi OS has configured. python3-venv is the release's"
echo "own Python: 3.11 on Bookworm, 3.13 on Trixie, the two checked above."

if [ "$failed" -ne 0 ]; then
  echo "check-pi-packages: some packages have no aarch64 wheel (above)" >&2
  exit 1
fi
echo "check-pi-packages: every package resolves to an aarch64 wheel"
