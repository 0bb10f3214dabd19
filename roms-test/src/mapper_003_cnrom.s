; mapper_003_cnrom: CNROM (mapper 3), 32 KiB PRG-ROM, 32 KiB CHR-ROM in four
; 8 KiB banks, vertical mirroring from the header.
;
; A write to $8000-$FFFF selects the 8 KiB CHR bank; PRG does not switch.
; CNROM has bus conflicts, so bank N is written where the ROM holds N.
;
; Checks (the result code is the number of the failed check):
;   1  PPU warm-up (vblank flag sets)
;   2  the 32 KiB of PRG-ROM are at $8000-$FFFF (markers at $8000, $C000)
;   3  each CHR bank 0-3 appears in all of pattern memory when selected
;   4  the nametables are mirrored vertically, as the header says

.include "common/nes.inc"
.include "common/header.inc"
.include "common/banks.inc"
.include "common/macros.inc"
.include "common/discrete.inc"

    nes2_header 3, 0, 2, 4, HEADER_VERTICAL, 0

.segment "MAIN_HEAD"
main_head:
    prg_bank_head 0
bank_table = main_head + BANK_TABLE_OFFSET

.segment "MAIN_MID"
    prg_bank_mid 0

.segment "MAIN_TAIL"
    plain_bank_tail nmi_handler, irq_ignore

.segment "CHR"
    chr_markers 32

.export rom_name
.segment "RODATA"
rom_name: .byte "mapper_003_cnrom", 0
chr_latch: .byte 0, 1, 2, 3

.segment "CODE"
reset:
    sei
    cld
    ldx #$FF
    txs
    nes_init
    jsr status_begin
    ppu_warmup

check_prg:
    lda $8000
    sta probe
    lda $8001
    sta probe+1
    lda $C000
    sta probe+2
    lda $C001
    sta probe+3
    lda #0
    ldx #0
    jsr marker_at_probe
    bne bad_prg
    lda #0
    ldx #2
    jsr marker_at_probe
    beq check_chr
bad_prg:
    print "PRG-ROM markers at $8000 and $C000 read "
    ldx #0
    jsr print_probe_pair
    print ", "
    ldx #2
    jsr print_probe_pair
    print " (expected 00 FF, 00 FF)"
    fail 2

check_chr:
    check_chr_8k_banks 3
    expect_nt_layout NT_VERTICAL, 4, "header: vertical mirroring"
    jmp status_pass
