; mapper_002_uxrom: UxROM (mapper 2), 128 KiB PRG-ROM in eight 16 KiB banks,
; 8 KiB CHR-RAM, horizontal mirroring from the header.
;
; A write to $8000-$FFFF selects the 16 KiB bank at $8000-$BFFF; the last
; bank is fixed at $C000-$FFFF, where this code runs. UNROM has bus
; conflicts, so bank N is written where the fixed bank holds the byte N.
;
; Checks (the result code is the number of the failed check):
;   1  PPU warm-up (vblank flag sets)
;   2  each bank 0-7 appears at $8000 when selected
;   3  bank 7 stays at $C000 whatever is selected
;   4  CHR-RAM keeps what is written to it
;   5  the nametables are mirrored horizontally, as the header says

.include "common/nes.inc"
.include "common/header.inc"
.include "common/banks.inc"
.include "common/macros.inc"

    nes2_header 2, 0, 8, 0, HEADER_HORIZONTAL, 7

LAST_BANK = 7

.macro bank_tail
    plain_bank_tail
.endmacro

.repeat LAST_BANK, n
.segment .sprintf("BANK%d", n)
    prg_bank n, $4000
.endrepeat

.segment "MAIN_HEAD"
main_head:
    prg_bank_head LAST_BANK
bank_table = main_head + BANK_TABLE_OFFSET

.segment "MAIN_TAIL"
    plain_bank_tail nmi_handler, irq_ignore

.export rom_name
.segment "RODATA"
rom_name: .byte "mapper_002_uxrom", 0

.segment "CODE"
reset:
    sei
    cld
    ldx #$FF
    txs
    nes_init
    jsr status_begin
    ppu_warmup

check_prg_banks:
    lda #0
    sta bank
prg_next:
    ldx bank
    txa
    sta bank_table,x
    lda $8000
    sta probe
    lda $8001
    sta probe+1
    lda $C000
    sta probe+2
    lda $C001
    sta probe+3
    lda bank
    ldx #0
    jsr marker_at_probe
    beq :+
    jsr print_bank
    print " not mapped at $8000 (read "
    ldx #0
    jsr print_probe_pair
    print ")"
    fail 2
:   lda #LAST_BANK
    ldx #2
    jsr marker_at_probe
    beq :+
    print "$C000 lost the fixed last bank after selecting "
    jsr print_bank
    print " (read "
    ldx #2
    jsr print_probe_pair
    print ")"
    fail 3
:   inc bank
    lda bank
    cmp #LAST_BANK + 1
    bne prg_next

check_chr_ram:
    expect_chr_ram 4

check_mirroring:
    expect_nt_layout NT_HORIZONTAL, 5, "header: horizontal mirroring"
    jmp status_pass
