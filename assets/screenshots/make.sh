#!/usr/bin/env bash
# Makes the README's screenshots from real headless runs of the booth (the
# scripted subject, the real face model, pygame's own pixels). Run from
# anywhere: assets/screenshots/make.sh  (needs the venv and model: make setup model)
set -euo pipefail
cd "$(dirname "$0")/../.."
BOOTH=${BOOTH:-.venv/bin/booth}
OUT=assets/screenshots
export BOOTH_MODELS_DIR=${BOOTH_MODELS_DIR:-$PWD/.models}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

run() {  # run NAME CONFIG-LINES... : one headless run with its own config and data
  local name=$1; shift
  printf '%s\n' "$@" > "$tmp/$name.toml"
  BOOTH_CONFIG="$tmp/$name.toml" BOOTH_DATA_DIR="$tmp/data-$name" \
    "$BOOTH" run --camera scripted --headless --screenshots "$tmp/$name" --public-url http://10.42.0.1 \
    "${EXTRA[@]}" > /dev/null
}
pick() {  # pick RUN SCREEN TARGET: the first screenshot of SCREEN from RUN
  cp "$(ls "$tmp/$1"/*-session01-"$2".png | head -1)" "$OUT/$3.png"
}

EXTRA=(--sessions 1)
# The one-look visit ([session] flow = "one"): the subject chooses a look, the expression takes the shot.
run usual '[display]' 'width = 800' 'height = 450' '[session]' 'flow = "one"'
for s in attract choose breathe coach capture processing review share goodbye; do pick usual "$s" "$s"; done
# The button instead: a countdown; and the booth's own Wi-Fi: the join QR first.
run button '[display]' 'width = 800' 'height = 450' '[session]' 'flow = "one"' 'look = "smile"' \
  '[coach]' 'auto_trigger = false' '[wifi]' 'ssid = "PhotoBooth"' 'password = "smile-please"'
pick button countdown countdown
pick button share_wifi share-wifi
# Portrait screens.
run portrait '[display]' 'width = 450' 'height = 800' '[session]' 'flow = "one"'
pick portrait coach portrait-coach
pick portrait share portrait-share
# The session of looks ([session] flow = "all", the default): a look's coach, the hand-over, the pick.
run looks '[display]' 'width = 800' 'height = 450' '[session]' 'flow = "all"'
pick looks coach looks-coach
pick looks handover looks-handover
pick looks pick looks-pick
# Other languages (once their catalogues are in booth/locale): the session in German and in Japanese
# (the first of [display] languages is the guest's), the attract screen offering all three by name.
for lang in de ja; do
  [ -f "booth/locale/$lang/LC_MESSAGES/booth.po" ] || continue
  others=$([ "$lang" = de ] && echo '"en", "ja"' || echo '"en", "de"')
  run "lang-$lang" '[display]' 'width = 800' 'height = 450' "languages = [\"$lang\", $others]" '[session]' 'flow = "all"'
  for s in attract coach handover pick share; do pick "lang-$lang" "$s" "$lang-$s"; done
done
# Storage nearly full: captures paused (stopped after a few seconds with SIGTERM, as systemd does).
EXTRA=()
printf '%s\n' '[display]' 'width = 800' 'height = 450' '[storage]' 'min_free_mb = 10000000' > "$tmp/full.toml"
BOOTH_CONFIG="$tmp/full.toml" BOOTH_DATA_DIR="$tmp/data-full" \
  timeout -s TERM 8 "$BOOTH" run --camera scripted --headless --screenshots "$tmp/full" > /dev/null || true
cp "$(ls "$tmp/full"/*-attract.png | head -1)" "$OUT/disk-full.png"
# Smaller files for the repository: a 200-colour palette (Pillow, when the venv has it).
"$(dirname "$BOOTH")/python" - "$OUT" <<'PY' || echo "Pillow not available: screenshots left as they are"
import sys, pathlib
from PIL import Image
for f in sorted(pathlib.Path(sys.argv[1]).glob("*.png")):
    Image.open(f).convert("RGB").quantize(colors=200, method=Image.Quantize.MEDIANCUT).save(f, optimize=True)
PY
ls -l "$OUT"/*.png
