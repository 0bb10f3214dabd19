#!/usr/bin/env bash
# Builds every test ROM in roms-test/ from its source with ca65/ld65
# (Debian's cc65 package). The output has no timestamps: the same sources
# always give the same .nes files.
#   roms-test/build.sh           rebuild the committed ROMs in place
#   roms-test/build.sh OUT_DIR   build into OUT_DIR instead (the tests use
#                                this to check the committed ROMs match)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="${1:-$here}"
mkdir -p "$out"

for tool in ca65 ld65; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "build.sh: $tool not found: install Debian's cc65 (apt-get install cc65)" >&2
        exit 1
    fi
done

obj="$(mktemp -d)"
trap 'rm -rf "$obj"' EXIT

ca65 -I "$here" -o "$obj/runtime.o" "$here/common/runtime.s"

# ROM name and the linker config (cfg/) for its PRG layout.
while read -r name layout; do
    ca65 -I "$here" -o "$obj/$name.o" "$here/src/$name.s"
    ld65 -C "$here/cfg/$layout.cfg" -o "$out/$name.nes" "$obj/$name.o" "$obj/runtime.o"
    echo "built $name.nes ($(stat -c %s "$out/$name.nes") bytes)"
done <<'ROMS'
ppu_smoke                prg32
mapper_001_mmc1          prg16x8
mapper_002_uxrom         prg16x8
mapper_003_cnrom         prg32
mapper_004_mmc3          prg8x16
mapper_007_axrom         prg32x4
mapper_011_color_dreams  prg32x4
mapper_028_action53      prg16x8
mapper_034_bnrom         prg32x4
mapper_066_gxrom         prg32x4
jit_code_in_ram          prg32
jit_smc                  prg32
jit_bank_switch_uxrom    prg16x8
jit_bank_switch_mmc1     prg16x8
jit_bank_switch_mmc3     prg8x16
jit_flags                prg32
jit_interrupt_offsets    prg32
jit_dma                  prg32
jit_jam                  prg32
apu_pitches              prg32
ROMS
