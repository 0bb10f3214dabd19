; mapper_007_axrom: AxROM (mapper 7), 128 KiB PRG-ROM in four 32 KiB banks,
; 8 KiB CHR-RAM, one-screen mirroring chosen by the latch.
;
; A write to $8000-$FFFF selects the 32 KiB bank (bits 0-2) and which
; nametable memory all four nametables show (bit 4). ANROM and AMROM have
; bus conflicts, so value N is written where the ROM holds N.
;
; Checks (the result code is the number of the failed check):
;   1  PPU warm-up (vblank flag sets)
;   2  each bank 0-3 fills $8000-$FFFF when selected
;   3  latch bit 4 clear: one-screen mirroring
;   4  latch bit 4 set: one-screen mirroring
;   5  bit 4 clear and set show two different nametable memories
;   6  CHR-RAM keeps what is written to it

.include "common/nes.inc"
.include "common/header.inc"
.include "common/banks.inc"
.include "common/macros.inc"
.include "common/prg32.inc"

    nes2_header 7, 0, 8, 0, HEADER_HORIZONTAL, 7

SCREEN_1 = $10                      ; latch bit 4

.export rom_name
.segment "RODATA"
rom_name: .byte "mapper_007_axrom", 0
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

check_mirroring:
    ; Bank 0 stays mapped through these writes: this code keeps running.
    lda #0
    sta bank_table
    expect_nt_layout NT_ONE_SCREEN, 3, "latch $00"
    lda #SCREEN_1
    sta bank_table + SCREEN_1
    expect_nt_layout NT_ONE_SCREEN, 4, "latch $10"

check_two_screens:
    lda #0
    sta bank_table
    lda #$11
    jsr nt_mark
    lda #SCREEN_1
    sta bank_table + SCREEN_1
    lda #$22
    jsr nt_mark
    lda #0
    sta bank_table
    lda #$20
    jsr nt_peek
    sta probe
    lda #SCREEN_1
    sta bank_table + SCREEN_1
    lda #$20
    jsr nt_peek
    sta probe+1
    lda #0
    sta bank_table
    lda probe
    cmp #$11
    bne bad_screens
    lda probe+1
    cmp #$22
    beq check_chr_ram
bad_screens:
    print "wrote 11 to $2000 with latch $00 and 22 with latch $10; read back "
    ldx #0
    jsr print_probe_pair
    print " (one nametable memory for both?)"
    fail 5

check_chr_ram:
    expect_chr_ram 6
    jmp status_pass
