; mapper_066_gxrom: GxROM (mapper 66), 128 KiB PRG-ROM in four 32 KiB banks,
; 32 KiB CHR-ROM in four 8 KiB banks, vertical mirroring from the header.
;
; A write to $8000-$FFFF selects the 32 KiB PRG bank (bits 4-5) and the
; 8 KiB CHR bank (bits 0-1). GxROM has bus conflicts, so value N is written
; where the ROM holds N.
;
; Checks (the result code is the number of the failed check):
;   1  PPU warm-up (vblank flag sets)
;   2  each PRG bank 0-3 fills $8000-$FFFF when selected
;   3  each CHR bank 0-3 fills pattern memory when selected
;   4  the nametables are mirrored vertically, as the header says

.include "common/nes.inc"
.include "common/header.inc"
.include "common/banks.inc"
.include "common/macros.inc"
.include "common/prg32.inc"
.include "common/discrete.inc"

    nes2_header 66, 0, 8, 4, HEADER_VERTICAL, 0

.segment "CHR"
    chr_markers 32

.export rom_name
.segment "RODATA"
rom_name: .byte "mapper_066_gxrom", 0
prg_latch: .byte $00, $10, $20, $30
chr_latch: .byte $00, $01, $02, $03 ; PRG bank 0 stays

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
    expect_nt_layout NT_VERTICAL, 4, "header: vertical mirroring"
    jmp status_pass
