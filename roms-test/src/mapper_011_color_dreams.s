; mapper_011_color_dreams: Color Dreams (mapper 11), 128 KiB PRG-ROM in four
; 32 KiB banks, 32 KiB CHR-ROM in four 8 KiB banks, horizontal mirroring
; from the header.
;
; A write to $8000-$FFFF selects the 32 KiB PRG bank (bits 0-1) and the
; 8 KiB CHR bank (bits 4-7). The board has bus conflicts, so value N is
; written where the ROM holds N.
;
; Checks (the result code is the number of the failed check):
;   1  PPU warm-up (vblank flag sets)
;   2  each PRG bank 0-3 fills $8000-$FFFF when selected
;   3  each CHR bank 0-3 fills pattern memory when selected
;   4  the nametables are mirrored horizontally, as the header says

.include "common/nes.inc"
.include "common/header.inc"
.include "common/banks.inc"
.include "common/macros.inc"
.include "common/prg32.inc"
.include "common/discrete.inc"

    nes2_header 11, 0, 8, 4, HEADER_HORIZONTAL, 0

.segment "CHR"
    chr_markers 32

.export rom_name
.segment "RODATA"
rom_name: .byte "mapper_011_color_dreams", 0
prg_latch: .byte $00, $01, $02, $03
chr_latch: .byte $00, $10, $20, $30 ; PRG bank 0 stays

.segment "CODE"
reset:
    sei
    cld
    ldx #$FF
    txs
    nes_init
    copy_ramcode
    jsr status_begin
    ppu_warmup

    check_prg32_banks 2
    check_chr_8k_banks 3
    expect_nt_layout NT_HORIZONTAL, 4, "header: horizontal mirroring"
    jmp status_pass
