#!/usr/bin/env bash
# Builds the built-in demo game, STAR CATCHER, with ca65/ld65 (Debian's
# cc65 package). The output has no timestamps: the same sources always
# give the same .nes file.
#   assets/demo/build.sh           rebuild assets/demo.nes in place
#   assets/demo/build.sh OUT_DIR   write OUT_DIR/demo.nes instead (the tests
#                                  use this to check the committed ROM matches)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="${1:-$here/..}"
mkdir -p "$out"

for tool in ca65 ld65; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "build.sh: $tool not found: install Debian's cc65 (apt-get install cc65)" >&2
        exit 1
    fi
done

obj="$(mktemp -d)"
trap 'rm -rf "$obj"' EXIT

objects=()
for module in main video screens game save sound chr; do
    ca65 -I "$here" -o "$obj/$module.o" "$here/$module.s"
    objects+=("$obj/$module.o")
done
ld65 -C "$here/demo.cfg" -o "$out/demo.nes" "${objects[@]}"
echo "built demo.nes ($(stat -c %s "$out/demo.nes") bytes)"
