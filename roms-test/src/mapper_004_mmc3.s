; mapper_004_mmc3: MMC3 (mapper 4, TxROM), 128 KiB PRG-ROM in sixteen 8 KiB
; banks, 32 KiB CHR-ROM in 1 KiB units, 8 KiB PRG-RAM.
;
; $8000 selects register R0-R7 (bits 0-2), the PRG mode (bit 6) and CHR A12
; inversion (bit 7); $8001 loads it. R6/R7 pick the 8 KiB PRG banks at
; $8000/$A000 (mode 0; mode 1 swaps R6 with the fixed second-last bank at
; $C000); the last bank is always at $E000, where this code runs. R0/R1
; pick 2 KiB CHR banks (low bit ignored) at $0000/$0800 and R2-R5 1 KiB
; banks at $1000-$1C00; inversion swaps the two halves. $A000 bit 0:
; vertical/horizontal mirroring. $A001 = $80 enables PRG-RAM. The scanline
; counter is clocked by PPU A12 rising (once per line with background at
; $0000 and sprites at $1000): reload from the latch ($C000) when zero or
; when $C001 asked for it, else decrement; zero with IRQs enabled ($E001)
; raises the IRQ; $E000 acknowledges and disables.
;
; Checks (the result code is the number of the failed check):
;   1  PPU warm-up (vblank flag sets)
;   2  PRG mode 0: R6 = each bank 0-15 appears at $8000
;   3  PRG mode 0: R7 = each bank appears at $A000
;   4  PRG mode 0: bank 14 at $C000 and 15 at $E000 throughout
;   5  PRG mode 1: R6 at $C000, bank 14 at $8000, 15 at $E000
;   6  CHR: R0-R5 map their banks to the eight 1 KiB windows
;   7  CHR with A12 inversion: R2-R5 at $0000-$0FFF, R0-R1 at $1000-$1FFF
;   8  $A000 = 0: vertical mirroring
;   9  $A000 = 1: horizontal mirroring
;  10  scanline IRQ with latch 24: 9 IRQs in a frame (counter reloaded in
;      vblank; 241 clocks a frame: pre-render line and lines 0-239; IRQs at
;      clocks 25, 50, ... 225)
;  11  no IRQ in a frame after $E000 (disabled)

.include "common/nes.inc"
.include "common/header.inc"
.include "common/banks.inc"
.include "common/macros.inc"

    nes2_header 4, 0, 8, 4, HEADER_VERTICAL, 0

LAST_BANK  = 15
FIXED_C000 = 14                     ; second-last bank
PRG_MODE_1 = $40
CHR_INVERT = $80
IRQ_LATCH  = 24
IRQS_PER_FRAME = 9

.macro bank_tail
    plain_bank_tail
.endmacro

.repeat LAST_BANK, n
.segment .sprintf("BANK%d", n)
    prg_bank n, $2000
.endrepeat

.segment "MAIN_HEAD"
    prg_bank_head LAST_BANK

.segment "MAIN_TAIL"
    plain_bank_tail nmi_handler, irq_handler

.segment "CHR"
    chr_markers 32

.export rom_name
.segment "RODATA"
rom_name: .byte "mapper_004_mmc3", 0

.segment "ZEROPAGE"
bank_mode:  .res 1                  ; bits 6-7 of every $8000 write
chr_regs:   .res 6                  ; R0-R5 as loaded
chr_expect: .res 8                  ; 1 KiB bank expected in each window
window:     .res 1
irq_count:  .res 1

.segment "OAM"
oam: .res 256

.segment "CODE"
reset:
    sei
    cld
    ldx #$FF
    txs
    lda #$80                        ; PRG-RAM on and writable: the report is there
    sta $A001
    sta $E000                       ; IRQ off
    lda #0
    sta $A000
    nes_init
    jsr status_begin
    ppu_warmup

check_r6:
    lda #0
    sta bank
r6_next:
    lda #6
    ldx bank
    jsr set_bank
    jsr read_prg_markers
    lda bank
    ldx #0
    jsr marker_at_probe
    beq :+
    print "PRG mode 0: R6 = "
    jsr print_bank
    print " not at $8000 (read "
    ldx #0
    jsr print_probe_pair
    print ")"
    fail 2
:   jsr expect_fixed_banks
    inc bank
    lda bank
    cmp #LAST_BANK + 1
    bne r6_next

check_r7:
    lda #0
    sta bank
r7_next:
    lda #7
    ldx bank
    jsr set_bank
    lda $A000
    sta probe
    lda $A001
    sta probe+1
    lda bank
    ldx #0
    jsr marker_at_probe
    beq :+
    print "PRG mode 0: R7 = "
    jsr print_bank
    print " not at $A000 (read "
    ldx #0
    jsr print_probe_pair
    print ")"
    fail 3
:   jsr read_prg_markers
    jsr expect_fixed_banks
    inc bank
    lda bank
    cmp #LAST_BANK + 1
    bne r7_next

check_prg_mode_1:
    lda #PRG_MODE_1
    sta bank_mode
    lda #0
    sta bank
mode1_next:
    lda #6
    ldx bank
    jsr set_bank
    jsr read_prg_markers            ; probe: $8000, $C000
    lda $E000
    sta temp
    lda $E001
    sta temp+1
    lda #FIXED_C000
    ldx #0
    jsr marker_at_probe
    bne mode1_bad
    lda bank
    ldx #2
    jsr marker_at_probe
    bne mode1_bad
    lda temp
    cmp #LAST_BANK
    beq :+
mode1_bad:
    print "PRG mode 1, R6 = "
    jsr print_bank
    print ": $8000 read "
    ldx #0
    jsr print_probe_pair
    print ", $C000 "
    ldx #2
    jsr print_probe_pair
    print " (expected bank 14, then R6's bank)"
    fail 5
:   inc bank
    lda bank
    cmp #LAST_BANK + 1
    bne mode1_next
    lda #0
    sta bank_mode
    lda #6
    ldx #0
    jsr set_bank

check_chr:
    ; 16 rounds; every register gets 16 different banks.
    lda #0
    sta bank                        ; the round
chr_round:
    lda bank
    asl
    ora #1                          ; odd: the 2 KiB registers ignore bit 0
    sta chr_regs+0
    eor #$1F
    sta chr_regs+1
    lda bank
    sta chr_regs+2
    ora #$10
    sta chr_regs+3
    eor #$1F
    sta chr_regs+4
    and #$0F
    sta chr_regs+5
    lda #0
    sta bank_mode
    jsr check_chr_windows
    bcc :+
    print " (R0-R5 without inversion)"
    fail 6
:   lda #CHR_INVERT
    sta bank_mode
    jsr check_chr_windows
    bcc :+
    print " (R0-R5 with $8000 bit 7 set)"
    fail 7
:   inc bank
    lda bank
    cmp #16
    bne chr_round
    lda #0
    sta bank_mode

check_mirroring:
    lda #0
    sta $A000
    expect_nt_layout NT_VERTICAL, 8, "$A000 = 0"
    lda #1
    sta $A000
    expect_nt_layout NT_HORIZONTAL, 9, "$A000 = 1"
    lda #0
    sta $A000

check_irq:
    ; Sprites off-screen; their pattern fetches from $1000 still clock the
    ; counter once per line.
    lda #$FF
    ldx #0
:   sta oam,x
    inx
    bne :-
    lda #IRQ_LATCH
    sta $C000
    jsr wait_vblank
    lda #0
    sta OAMADDR
    lda #>oam
    sta OAMDMA
    lda #$88                        ; NMI on, sprites at $1000, background at $0000
    sta PPUCTRL
    lda #1
    jsr count_irqs
    cmp #IRQS_PER_FRAME
    beq check_irq_off
    pha
    print "scanline IRQ, latch 24: "
    pla
    jsr print_dec
    print " IRQs in a frame (expected 9)"
    fail 10

check_irq_off:
    lda #0
    jsr count_irqs
    cmp #0
    beq passed
    pha
    print "scanline IRQ disabled ($E000): "
    pla
    jsr print_dec
    print " IRQs in a frame"
    fail 11

passed:
    jmp status_pass

; Loads MMC3 register A (0-7) with X. Keeps Y.
set_bank:
    ora bank_mode
    sta $8000
    stx $8001
    rts

read_prg_markers:
    lda $8000
    sta probe
    lda $8001
    sta probe+1
    lda $C000
    sta probe+2
    lda $C001
    sta probe+3
    rts

; Fails check 4 unless probe[2..3] ($C000) holds bank 14 and $E000 bank 15.
expect_fixed_banks:
    lda $E000
    sta probe
    lda $E001
    sta probe+1
    lda #LAST_BANK
    ldx #0
    jsr marker_at_probe
    bne :+
    lda #FIXED_C000
    ldx #2
    jsr marker_at_probe
    bne :+
    rts
:   print "PRG mode 0: $C000 read "
    ldx #2
    jsr print_probe_pair
    print ", $E000 "
    ldx #0
    jsr print_probe_pair
    print " (expected banks 14 and 15) after "
    jsr print_bank
    fail 4

; Loads R0-R5 from chr_regs, works out which 1 KiB bank each window of
; pattern memory should show, and compares with the markers. Carry set on
; a mismatch, with the window and markers printed.
check_chr_windows:
    ldy #0
:   ldx chr_regs,y
    tya
    jsr set_bank
    iny
    cpy #6
    bne :-
    ; R0 and R1 cover two windows each, bit 0 ignored.
    lda chr_regs+0
    and #$FE
    sta chr_expect+0
    ora #1
    sta chr_expect+1
    lda chr_regs+1
    and #$FE
    sta chr_expect+2
    ora #1
    sta chr_expect+3
    ldx #3
:   lda chr_regs+2,x
    sta chr_expect+4,x
    dex
    bpl :-
    bit bank_mode
    bpl compare_windows
    ldx #3                          ; inversion: swap the halves
:   lda chr_expect,x
    ldy chr_expect+4,x
    sta chr_expect+4,x
    sty chr_expect,x
    dex
    bpl :-
compare_windows:
    lda #0
    sta window
next_window:
    lda window
    asl
    asl                             ; PPU address high byte: window * 4
    ldx #CHR_1K
    ldy window
    pha
    lda chr_expect,y
    tay
    pla
    jsr chr_marker
    bne bad_window
    inc window
    lda window
    cmp #8
    bne next_window
    clc
    rts
bad_window:
    print "CHR window $"
    lda window
    asl
    asl
    jsr print_hex
    print "00"
    print " read "
    ldx #0
    jsr print_probe_pair
    print ", expected 1 KiB bank "
    ldx window
    lda chr_expect,x
    jsr print_dec
    sec
    rts

; Runs one frame with the scanline IRQ enabled (A = 1) or disabled (A = 0)
; and returns the number of IRQs in A. NMIs must be on. The counter is
; reloaded in vblank, before the pre-render line's clock.
count_irqs:
    pha
    jsr wait_nmi                    ; now early in vblank
    sta $C001                       ; reload at the next clock
    lda #0
    sta irq_count
    sta PPUSCROLL
    sta PPUSCROLL
    sta $E000
    pla
    beq :+
    sta $E001
:   lda #$18                        ; background and sprites on
    sta PPUMASK
    cli
    jsr wait_nmi                    ; one whole frame later
    sei
    lda #0
    sta PPUMASK
    sta $E000
    lda irq_count
    rts

irq_handler:
    pha
    sta $E000                       ; acknowledge...
    sta $E001                       ; ...and keep counting
    inc irq_count
    pla
    rti
