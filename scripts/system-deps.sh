#!/usr/bin/env bash
# Installs the Debian packages a purpose needs, once. Usage: system-deps.sh test|bench
#   test:  chromium (phone page tests), fonts-dejavu-core (display font), fonts-noto-cjk (the display's
#          Japanese, Chinese and Korean: booth/ui/fonts.py),
#          the shell linter, package shellcheck (tests/test_install_pi.py checks scripts/install-pi.sh),
#          unzip (an independent check of the staff ZIP export in tests/test_web_staff.py),
#          curl, iproute2, dnsmasq-base and udhcpc (tests/test_hotspot_netns.py: the hotspot in
#          network namespaces; dnsmasq-base is the bare binary NetworkManager runs, with no
#          system service that would take port 53)
#   bench: test's packages plus nginx (reference server) and wrk (load generator) for benchmarks/web.py
set -euo pipefail

case "${1:-test}" in
  test)  packages=(chromium fonts-dejavu-core fonts-noto-cjk shellcheck unzip curl iproute2 dnsmasq-base udhcpc) ;;
  bench) packages=(chromium fonts-dejavu-core fonts-noto-cjk shellcheck unzip curl iproute2 dnsmasq-base udhcpc nginx wrk) ;;
  *) echo "usage: $0 test|bench" >&2; exit 2 ;;
esac

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ]; then
  sudo=()
elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
  sudo=(sudo -n)
else
  echo "Missing Debian packages: ${missing[*]}" >&2
  echo "Install them with: sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
echo "Installing Debian packages: ${missing[*]}"
"${sudo[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
