#!/usr/bin/env bash
# Installs booth on Raspberry Pi OS (Bookworm or Trixie, 64-bit), or updates
# an existing install. Safe to run again: every step checks first and only
# changes what differs, so a second run changes nothing.
#
#   sudo scripts/install-pi.sh                     # install and start (Pi camera)
#   sudo scripts/install-pi.sh --camera webcam     # a USB webcam instead
#   sudo scripts/install-pi.sh --hotspot "Photo booth" --hotspot-password secret123
#   sudo scripts/install-pi.sh --hotspot "Photo booth" --hotspot-password secret123 --hotspot-uplink
#   scripts/install-pi.sh --dry-run                # show what would be done
#
# What it does, in order: Debian packages; the booth user and its groups; a
# virtualenv in /opt/booth/venv that also sees Debian's packages
# (picamera2, libcamera and lgpio come from Debian, not pip); the face
# model; /etc/booth/booth.toml (kept if present; a new one names the
# camera, so a camera missing at the event shows "Camera unavailable —
# retrying" rather than the scripted demo subject); state in /var/lib/booth;
# the systemd units, enabled and (re)started; optionally a Wi-Fi hotspot
# and a local name for the booth.
set -euo pipefail

usage() {
  cat <<'EOF'
usage: install-pi.sh [options]
  --dry-run                  print what would be done; change nothing
  --camera SOURCE            the camera a new booth.toml names: picamera (default),
                             webcam, webcam:N or webcam:/dev/PATH
  --hotspot SSID             make the booth its own Wi-Fi network (NetworkManager)
  --hotspot-password PW      its WPA2 password (8-63 characters; required with --hotspot)
  --hotspot-uplink           the booth has a wired uplink with internet: phones on the
                             hotspot get real DNS and the internet through it. Without
                             it (the default) the hotspot is offline: every name
                             resolves to the booth, which answers the phones'
                             connectivity checks so they stay on its Wi-Fi
  --wifi-country CC          regulatory country for Wi-Fi, e.g. GB (raspi-config)
  --hostname NAME            the booth's local name (NAME.local); default "booth" with --hotspot
  --model FILE               use this face_landmarker.task instead of downloading it
  --no-start                 enable the services but do not (re)start them now
  --root DIR                 install the files under DIR instead of / (tests, staging);
                             commands that act on the running system (apt-get, nmcli,
                             hostnamectl, systemctl start) are skipped and listed
  -h, --help                 this help
EOF
}

SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ROOT=""
DRY_RUN=0
START=1
HOTSPOT_SSID=""
HOTSPOT_PASSWORD=""
HOTSPOT_UPLINK=0
WIFI_COUNTRY=""
NEW_HOSTNAME=""
MODEL_FILE=""
CAMERA=picamera

while [ $# -gt 0 ]; do
  case "$1" in
    --dry-run) DRY_RUN=1 ;;
    --no-start) START=0 ;;
    --hotspot) HOTSPOT_SSID=${2:?--hotspot needs an SSID}; shift ;;
    --hotspot-password) HOTSPOT_PASSWORD=${2:?--hotspot-password needs a value}; shift ;;
    --hotspot-uplink) HOTSPOT_UPLINK=1 ;;
    --wifi-country) WIFI_COUNTRY=${2:?--wifi-country needs a country code}; shift ;;
    --hostname) NEW_HOSTNAME=${2:?--hostname needs a name}; shift ;;
    --model) MODEL_FILE=${2:?--model needs a file}; shift ;;
    --camera) CAMERA=${2:?--camera needs a source}; shift ;;
    --root) ROOT=${2:?--root needs a directory}; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "install-pi.sh: unknown option $1" >&2; usage >&2; exit 2 ;;
  esac
  shift
done

# Where things go (as seen from inside the installed system).
PREFIX=/opt/booth
VENV=$PREFIX/venv
CONF_DIR=/etc/booth
CONF=$CONF_DIR/booth.toml
STATE=/var/lib/booth
UNIT_DIR=/etc/systemd/system
UNITS=(booth.service booth-web.service booth-prune.service booth-prune.timer booth-sync.service)
ENABLE=(booth.service booth-web.service booth-prune.timer)
USER_NAME=booth
# camera + DRM, GPU render node, input devices, GPIO chip
GROUPS_NEEDED=(video render input gpio)
HOTSPOT_CON=booth-hotspot
HOTSPOT_ADDR=10.42.0.1
HOTSPOT_DNSMASQ=/etc/NetworkManager/dnsmasq-shared.d/booth.conf
WEB_PORT=80
# picamera2 imports Debian's simplejpeg, compiled against Debian's numpy
# (1.x on Bookworm). The venv's numpy is 2.x (opencv needs it), so the venv
# carries its own simplejpeg built for numpy 2, which shadows Debian's.
SIMPLEJPEG_VERSION=1.9.0
PACKAGES=(
  python3-venv          # the virtualenv
  python3-picamera2     # camera (pulls in python3-libcamera, simplejpeg, numpy)
  python3-lgpio         # GPIO for gpiozero on Pi 5 and later kernels
  fonts-dejavu-core     # the display font
  fonts-noto-cjk        # the display's Japanese, Chinese and Korean ([display] languages)
  libegl1 libgles2      # mediapipe's GPU delegate libraries (loaded even on CPU)
  libgbm1 libdrm2       # pygame's KMS/DRM video driver (fullscreen without a desktop)
  avahi-daemon          # booth.local on the network
)

if [ -n "$HOTSPOT_SSID" ]; then
  PACKAGES+=(network-manager)
  [ -n "$NEW_HOSTNAME" ] || NEW_HOSTNAME=booth
  ssid_len=$(printf %s "$HOTSPOT_SSID" | wc -c)
  pw_len=$(printf %s "$HOTSPOT_PASSWORD" | wc -c)
  if [ "$ssid_len" -gt 32 ]; then
    echo "install-pi.sh: --hotspot SSID is longer than 32 bytes" >&2; exit 2
  fi
  if [ "$pw_len" -lt 8 ] || [ "$pw_len" -gt 63 ]; then
    echo "install-pi.sh: --hotspot needs --hotspot-password of 8 to 63 characters" >&2; exit 2
  fi
fi
if [ "$HOTSPOT_UPLINK" -eq 1 ] && [ -z "$HOTSPOT_SSID" ]; then
  echo "install-pi.sh: --hotspot-uplink needs --hotspot" >&2; exit 2
fi
if [ -n "$NEW_HOSTNAME" ] && ! [[ $NEW_HOSTNAME =~ ^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$ ]]; then
  echo "install-pi.sh: --hostname must be lower-case letters, digits and '-'" >&2; exit 2
fi
# A named camera, never "auto": at an event a camera missing at boot must
# say so on the screen, not fall back to photographing the demo subject.
if ! [[ $CAMERA =~ ^(picamera|webcam(:([0-9]+|/dev/[^[:space:]]+))?)$ ]]; then
  echo "install-pi.sh: --camera must be picamera, webcam, webcam:N or webcam:/dev/PATH" >&2; exit 2
fi
if [ -n "$MODEL_FILE" ] && [ ! -f "$MODEL_FILE" ]; then
  echo "install-pi.sh: --model $MODEL_FILE: no such file" >&2; exit 2
fi
if [ -n "$ROOT" ]; then
  ROOT=$(cd "$ROOT" && pwd) || { echo "install-pi.sh: --root $ROOT: no such directory" >&2; exit 2; }
fi
if [ "$DRY_RUN" -eq 0 ] && [ "$(id -u)" -ne 0 ]; then
  echo "install-pi.sh: run as root (sudo), or with --dry-run to see what it would do" >&2
  exit 1
fi

# ---------------------------------------------------------------- helpers

step() { printf '==> %s\n' "$*"; }
note() { printf '    %s\n' "$*"; }
warn() { printf 'WARNING: %s\n' "$*" >&2; }

# Print a command line, quoted, with the hotspot password masked.
show() {
  local a
  printf '%s' "$1"; shift
  for a in "$@"; do
    if [ -n "$HOTSPOT_PASSWORD" ] && [ "$a" = "$HOTSPOT_PASSWORD" ]; then a="********"; fi
    printf ' %q' "$a"
  done
  printf '\n'
}

# Show a command, and run it unless this is a dry run.
act() {
  show "  +" "$@"
  [ "$DRY_RUN" -eq 1 ] || "$@"
}

# A command that changes the running system rather than files: skipped
# under --root, where there is no running system to change.
live() {
  if [ -n "$ROOT" ]; then
    show "  skip (--root):" "$@"
  else
    act "$@"
  fi
}

# Numeric ids from the target's own passwd/group files (under --root the
# user exists only there, not on the machine running this script).
uid_of() { awk -F: -v n="$1" '$1 == n { print $3; exit }' "$ROOT/etc/passwd" 2>/dev/null || true; }
gid_of() { awk -F: -v n="$1" '$1 == n { print $3; exit }' "$ROOT/etc/group" 2>/dev/null || true; }
members_of() { awk -F: -v n="$1" '$1 == n { print $4; exit }' "$ROOT/etc/group" 2>/dev/null || true; }

# owner spec "user:group" -> "uid:gid" in the target, or the names in a dry
# run before the user exists.
ids() {
  local u=${1%%:*} g=${1##*:} uid gid
  uid=$(uid_of "$u"); gid=$(gid_of "$g")
  printf '%s:%s' "${uid:-$u}" "${gid:-$g}"
}

# ensure_dir PATH MODE OWNER:GROUP — create or fix one directory.
ensure_dir() {
  local path=$ROOT$1 mode=$2 owner
  owner=$(ids "$3")
  if [ ! -d "$path" ]; then
    act install -d -m "$mode" -o "${owner%%:*}" -g "${owner##*:}" "$path"
    return
  fi
  if [ "$(stat -c '%a %u:%g' "$path")" != "${mode#0} $owner" ]; then
    act chmod "$mode" "$path"
    act chown "$owner" "$path"
  fi
}

# make_dir PATH — a system directory (root, 0755) created if missing, never altered.
make_dir() {
  [ -d "$ROOT$1" ] || act install -d -m 0755 "$ROOT$1"
}

# put_file SRC DEST MODE OWNER:GROUP — install a file only if it differs.
put_file() {
  local src=$1 dest=$ROOT$2 mode=$3 owner
  owner=$(ids "$4")
  if [ -f "$dest" ] && cmp -s "$src" "$dest" && [ "$(stat -c '%a %u:%g' "$dest")" = "${mode#0} $owner" ]; then
    return
  fi
  act install -m "$mode" -o "${owner%%:*}" -g "${owner##*:}" "$src" "$dest"
}

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# ------------------------------------------------------------------ steps

[ "$DRY_RUN" -eq 1 ] && echo "dry run: nothing will be changed"
[ -n "$ROOT" ] && echo "installing into $ROOT"

step "Checking the system"
# shellcheck source=/dev/null
codename=$( (. "$ROOT/etc/os-release" 2>/dev/null && echo "${VERSION_CODENAME:-}") || true)
arch=$(uname -m)
case "$codename:$arch" in
  bookworm:aarch64|trixie:aarch64) note "Raspberry Pi OS / Debian $codename, $arch" ;;
  *) warn "expected Raspberry Pi OS Bookworm or Trixie, 64-bit; found '${codename:-unknown}' on $arch: continuing" ;;
esac
# Debian's package "booth" is Pacemaker's cluster ticket manager, a different
# program with the same names: /usr/sbin/booth, /etc/booth/, booth.service
# (whose booth@<site>.service daemons are PartOf= it, so our `systemctl
# restart booth` would restart them) and booth@.service. Files from the
# package as Debian 12 ships it (dpkg -c booth_1.0-283-g9d4029a-2+deb12u1).
# Installing over it would take those names from a cluster node, so refuse.
for f in /usr/sbin/boothd /lib/systemd/system/booth@.service /usr/lib/systemd/system/booth@.service; do
  if [ -e "$ROOT$f" ]; then
    echo "install-pi.sh: Debian's package \"booth\" (Pacemaker's cluster ticket manager, $f) is installed." >&2
    echo "  It uses the same names as this photo booth: the booth command, /etc/booth/ and booth.service." >&2
    echo "  If this machine is not a cluster node, remove it (sudo apt-get remove booth) and run this again;" >&2
    echo "  otherwise install the photo booth on another machine. Nothing was changed." >&2
    exit 1
  fi
done

step "Debian packages"
note "wanted: ${PACKAGES[*]}"
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  note "all installed"
else
  live apt-get update
  live env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
fi

step "The $USER_NAME user and its groups"
for g in "${GROUPS_NEEDED[@]}"; do
  # Raspberry Pi OS has them all; elsewhere SupplementaryGroups= would
  # fail the unit if one were missing, so make it.
  [ -n "$(gid_of "$g")" ] || act groupadd ${ROOT:+--prefix "$ROOT"} --system "$g"
done
if [ -z "$(uid_of "$USER_NAME")" ]; then
  act useradd ${ROOT:+--prefix "$ROOT"} --system --user-group --home-dir "$STATE" \
    --no-create-home --shell /usr/sbin/nologin --comment "photo booth" "$USER_NAME"
fi
for g in "${GROUPS_NEEDED[@]}"; do
  case ",$(members_of "$g")," in
    *",$USER_NAME,"*) ;;
    *) act usermod ${ROOT:+--prefix "$ROOT"} --append --groups "$g" "$USER_NAME" ;;
  esac
done

step "Python environment in $VENV"
# Fingerprint of what would be installed: skip pip when nothing changed.
fingerprint=$(
  cd "$SRC"
  {
    sha256sum pyproject.toml constraints.txt
    find booth -type f ! -path '*/__pycache__/*' ! -name '*.pyc' -print0 | sort -z | xargs -0 sha256sum
    echo "python=$(python3 -c 'import sys; print(sys.version)')"
    echo "simplejpeg=$SIMPLEJPEG_VERSION"
  } | sha256sum | cut -d' ' -f1
)
stamp=$ROOT$VENV/.booth-installed
opencv=$(sed -n 's/^opencv-python-headless==//p' "$SRC/constraints.txt")
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$fingerprint" ]; then
  note "up to date"
else
  make_dir "$PREFIX"
  [ -x "$ROOT$VENV/bin/python" ] || act python3 -m venv --system-site-packages "$ROOT$VENV"
  # Build from a copy so the checkout gets no build/ or egg-info litter.
  act cp -r "$SRC/pyproject.toml" "$SRC/constraints.txt" "$SRC/README.md" "$SRC/booth" "$TMP/"
  act "$ROOT$VENV/bin/python" -m pip install --quiet --upgrade pip
  act "$ROOT$VENV/bin/python" -m pip install --quiet -c "$SRC/constraints.txt" "$TMP"
  # mediapipe pulls in opencv-contrib-python (wants libGL); the headless
  # build of the same version, installed last, owns cv2.
  act "$ROOT$VENV/bin/python" -m pip install --quiet --force-reinstall --no-deps "opencv-python-headless==$opencv"
  act "$ROOT$VENV/bin/python" -m pip install --quiet -c "$SRC/constraints.txt" "simplejpeg==$SIMPLEJPEG_VERSION"
  act "$ROOT$VENV/bin/python" -c 'import numpy, cv2, mediapipe, pygame, simplejpeg, booth.cli'
  if [ "$DRY_RUN" -eq 0 ]; then printf '%s\n' "$fingerprint" > "$stamp"; fi
fi
if [ -d /usr/lib/python3/dist-packages/picamera2 ] && [ -z "$ROOT" ]; then
  act "$VENV/bin/python" -c 'import picamera2'
fi
put_file "$SRC/README.md" "$PREFIX/README.md" 0644 root:root
if [ "$(readlink "$ROOT/usr/local/bin/booth" 2>/dev/null)" != "$VENV/bin/booth" ]; then
  make_dir /usr/local/bin
  act ln -sfn "$VENV/bin/booth" "$ROOT/usr/local/bin/booth"
fi

step "State in $STATE"
ensure_dir "$STATE" 0750 "$USER_NAME:$USER_NAME"
ensure_dir "$STATE/gallery" 0750 "$USER_NAME:$USER_NAME"
ensure_dir "$STATE/models" 0750 "$USER_NAME:$USER_NAME"

step "Face model"
if [ -n "$MODEL_FILE" ]; then
  put_file "$MODEL_FILE" "$STATE/models/face_landmarker.task" 0644 "$USER_NAME:$USER_NAME"
fi
# Verifies the SHA-256; downloads only when missing or wrong.
act env BOOTH_MODELS_DIR="$ROOT$STATE/models" "$ROOT$VENV/bin/booth" models fetch --quiet
model=$ROOT$STATE/models/face_landmarker.task
if [ -f "$model" ] && [ "$(stat -c '%u:%g' "$model")" != "$(ids "$USER_NAME:$USER_NAME")" ]; then
  act chown "$(ids "$USER_NAME:$USER_NAME")" "$model"
fi

step "Configuration $CONF"
ensure_dir "$CONF_DIR" 0750 "root:$USER_NAME"
if [ -f "$ROOT$CONF" ]; then
  note "kept as it is"
  if [ "$DRY_RUN" -eq 0 ]; then
    if shown=$("$ROOT$VENV/bin/booth" config show --config "$ROOT$CONF"); then
      current=$(printf '%s\n' "$shown" | awk '/^\[/ { here = ($0 == "[camera]") }
        here && $1 == "source" && $2 == "=" { gsub(/"/, "", $3); print $3; exit }')
      if [ "$current" != "$CAMERA" ]; then
        note "its [camera] source is \"$current\", not \"$CAMERA\" (--camera); edit it to change that"
      fi
      # The QR code must hold the hotspot's address: many phones cannot resolve .local names.
      url=$(printf '%s\n' "$shown" | awk '/^\[/ { here = ($0 == "[web]") }
        here && $1 == "public_url" && $2 == "=" { gsub(/"/, "", $3); print $3; exit }')
      if [ -n "$HOTSPOT_SSID" ] && [ -n "$url" ] && [ "${url%/}" != "http://$HOTSPOT_ADDR" ]; then
        note "its [web] public_url is \"$url\": phones on the hotspot need \"http://$HOTSPOT_ADDR\" (or empty); edit it"
      fi
    else
      warn "$CONF has an error (above); the booth will show it on screen until it is fixed"
    fi
  fi
  [ -z "$HOTSPOT_SSID" ] || note "for the join QR code, set [wifi] ssid and password in $CONF"
else
  # Section-aware "key = value" replacement in the example file.
  set_key() {
    local section=$1 key=$2 value=$3
    value=${value//\\/\\\\}; value=${value//\"/\\\"}
    awk -v s="[$section]" -v k="$key" -v v="\"$value\"" '
      /^\[/ { here = ($0 == s) }
      here && $1 == k && $2 == "=" { $0 = k " = " v }
      { print }' "$TMP/booth.toml" > "$TMP/booth.toml.new"
    mv "$TMP/booth.toml.new" "$TMP/booth.toml"
  }
  if [ -x "$ROOT$VENV/bin/booth" ]; then
    "$ROOT$VENV/bin/booth" config example > "$TMP/booth.toml"
    set_key storage data_dir "$STATE/gallery"
    set_key storage models_dir "$STATE/models"
    set_key camera source "$CAMERA"
    # Port 80 so the QR code's address needs no :port (booth-web.service
    # binds it through CAP_NET_BIND_SERVICE, not root).
    sed -i "/^\[web\]/,/^\[/ s/^port = .*/port = $WEB_PORT/" "$TMP/booth.toml"
    if [ -n "$HOTSPOT_SSID" ]; then
      set_key web public_url "http://$HOTSPOT_ADDR"
      set_key wifi ssid "$HOTSPOT_SSID"
      set_key wifi password "$HOTSPOT_PASSWORD"
    fi
    "$ROOT$VENV/bin/booth" config show --config "$TMP/booth.toml" >/dev/null
  else
    : > "$TMP/booth.toml"  # dry run before the venv exists
  fi
  note "new, from \`booth config example\`, with [camera] source = \"$CAMERA\""
  put_file "$TMP/booth.toml" "$CONF" 0640 "root:$USER_NAME"
fi

if [ -n "$NEW_HOSTNAME" ]; then
  step "Local name $NEW_HOSTNAME.local"
  if [ "$(cat "$ROOT/etc/hostname" 2>/dev/null)" != "$NEW_HOSTNAME" ]; then
    printf '%s\n' "$NEW_HOSTNAME" > "$TMP/hostname"
    put_file "$TMP/hostname" /etc/hostname 0644 root:root
  fi
  if ! grep -qE "^127\.0\.1\.1[[:space:]]+$NEW_HOSTNAME\$" "$ROOT/etc/hosts" 2>/dev/null; then
    { grep -v '^127\.0\.1\.1[[:space:]]' "$ROOT/etc/hosts" 2>/dev/null || true
      printf '127.0.1.1\t%s\n' "$NEW_HOSTNAME"; } > "$TMP/hosts"
    put_file "$TMP/hosts" /etc/hosts 0644 root:root
  fi
  if [ "$(hostname)" != "$NEW_HOSTNAME" ]; then
    live hostnamectl set-hostname "$NEW_HOSTNAME"
    live systemctl restart avahi-daemon.service
  fi
fi

if [ -n "$HOTSPOT_SSID" ]; then
  step "Wi-Fi hotspot \"$HOTSPOT_SSID\" at $HOTSPOT_ADDR"
  if [ -n "$WIFI_COUNTRY" ]; then
    live raspi-config nonint do_wifi_country "$WIFI_COUNTRY"
  fi
  # Phones get their DNS from the hotspot's dnsmasq, configured from one
  # template: the booth's own names, and (offline, the default) every other
  # name too, so the phones' connectivity checks reach booth web.
  if [ "$HOTSPOT_UPLINK" -eq 1 ]; then
    offline='/^@OFFLINE@/d'
    note "with an uplink: phones get real DNS and the internet through it (--hotspot-uplink)"
  else
    offline='s/^@OFFLINE@//'
    note "offline: every name resolves to the booth (without --hotspot-uplink)"
  fi
  sed -e "$offline" -e "s/@HOSTNAME@/$NEW_HOSTNAME/g" -e "s/@ADDR@/$HOTSPOT_ADDR/g" \
    "$SRC/scripts/hotspot-dnsmasq.conf" > "$TMP/dnsmasq.conf"
  note "$HOTSPOT_DNSMASQ:"
  sed 's/^/    | /' "$TMP/dnsmasq.conf"
  make_dir "$(dirname "$HOTSPOT_DNSMASQ")"
  put_file "$TMP/dnsmasq.conf" "$HOTSPOT_DNSMASQ" 0644 root:root
  # Add the profile once, then set every property each run: the same
  # result whether it existed or not.
  if [ -n "$ROOT" ] || ! nmcli -t -f NAME connection show 2>/dev/null | grep -qxF "$HOTSPOT_CON"; then
    live nmcli connection add type wifi ifname wlan0 con-name "$HOTSPOT_CON" ssid "$HOTSPOT_SSID"
  fi
  live nmcli connection modify "$HOTSPOT_CON" \
    802-11-wireless.ssid "$HOTSPOT_SSID" 802-11-wireless.mode ap 802-11-wireless.band bg \
    wifi-sec.key-mgmt wpa-psk wifi-sec.proto rsn wifi-sec.pairwise ccmp wifi-sec.group ccmp \
    wifi-sec.psk "$HOTSPOT_PASSWORD" \
    ipv4.method shared ipv4.addresses "$HOTSPOT_ADDR/24" ipv6.method disabled \
    connection.autoconnect yes connection.autoconnect-priority 100
  live nmcli connection up "$HOTSPOT_CON"
fi

step "systemd units"
make_dir "$UNIT_DIR"
for u in "${UNITS[@]}"; do
  put_file "$SRC/systemd/$u" "$UNIT_DIR/$u" 0644 root:root
done
# booth-sync.service (photos through S3) runs only where booth.toml has a [cloud] bucket;
# elsewhere it is installed and left disabled, so the booth stays off the network.
if [ -f "$ROOT$CONF" ] && python3 -c 'import sys, tomllib
sys.exit(0 if tomllib.load(open(sys.argv[1], "rb")).get("cloud", {}).get("bucket") else 1)' "$ROOT$CONF" 2>/dev/null; then
  ENABLE+=(booth-sync.service)
  [ -f "$ROOT$CONF_DIR/cloud.env" ] || note "[cloud] is set: put AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in $CONF_DIR/cloud.env (mode 0600)"
else
  note "booth-sync.service installed but not enabled: no [cloud] bucket in $CONF"
fi
if [ -n "$ROOT" ]; then
  act systemctl --root="$ROOT" --quiet enable "${ENABLE[@]}"
else
  act systemctl daemon-reload
  act systemctl --quiet enable "${ENABLE[@]}"
  if [ "$START" -eq 1 ]; then
    act systemctl restart booth-web.service booth.service
    case " ${ENABLE[*]} " in *" booth-sync.service "*) act systemctl restart booth-sync.service ;; esac
    act systemctl start booth-prune.timer
  fi
fi

step "Done"
note "status:  systemctl status booth booth-web"
note "logs:    journalctl -u booth -u booth-web -f"
note "check:   sudo -u $USER_NAME booth doctor"
