; mapper_034_bnrom: BNROM (mapper 34, NES 2.0 submapper 2), 128 KiB PRG-ROM
; in four 32 KiB banks, 8 KiB CHR-RAM, horizontal mirroring from the header.
;
; A write to $8000-$FFFF selects the 32 KiB bank. BNROM has bus conflicts,
; so bank N is written where the ROM holds N.
;
; Checks (the result code is the number of the failed check):
;   1  PPU warm-up (vblank flag sets)
;   2  each bank 0-3 fills $8000-$FFFF when selected
;   3  CHR-RAM keeps what is written to it
;   4  the nametables are mirrored horizontally, as the header says

.include "common/nes.inc"
.include "common/header.inc"
.include "common/banks.inc"
.include "common/macros.inc"
.include "common/prg32.inc"

    nes2_header 34, 2, 8, 0, HEADER_HORIZONTAL, 7

.export rom_name
.segment "RODATA"
rom_name: .byte "mapper_034_bnrom", 0
prg_latch: .byte 0, 1, 2, 3

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
    expect_chr_ram 3
    expect_nt_layout NT_HORIZONTAL, 4, "header: horizontal mirroring"
    jmp status_pass
