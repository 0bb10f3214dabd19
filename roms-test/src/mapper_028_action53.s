; mapper_028_action53: Action 53 (mapper 28), 128 KiB PRG-ROM in eight 16 KiB
; banks, 32 KiB CHR-RAM in four 8 KiB banks.
;
; A write to $5000-$5FFF selects a register (bits 7 and 0): $00 CHR bank
; (bits 0-1), $01 inner PRG bank (bits 0-3), $80 mode, $81 outer PRG bank
; (32 KiB units); a write to $8000-$FFFF loads it. Mode: bits 0-1 mirroring
; (one-screen lower, upper, vertical, horizontal; in the one-screen modes
; bit 4 of writes to $00/$01 picks the screen), bits 2-3 PRG mode (0-1:
; 32 KiB; 2: UNROM #180, bottom half of the outer bank fixed at $8000; 3:
; UNROM #2, top half fixed at $C000), bits 4-5 outer bank size (32, 64,
; 128, 256 KiB): the inner bank supplies the PRG address bits below that
; size, the outer bank the rest; a fixed half always takes all its bits
; from the outer bank. No bus conflicts.
;
; The power-on state is not defined beyond the menu's needs, so every bank
; ends with a stub that selects outer bank $FF (the last 32 KiB) and mode
; $2E (UNROM #2, 128 KiB, vertical), which puts bank 7, where this code
; runs, at $C000. Code that changes $C000 runs from RAM.
;
; Checks (the result code is the number of the failed check):
;   1  PPU warm-up (vblank flag sets)
;   2  UNROM #2 mode, 128 KiB: inner bank N at $8000, bank 7 at $C000
;   3  UNROM #180 mode, 128 KiB: bank 6 at $8000, inner bank N at $C000
;   4  32 KiB mode, outer sizes 32 and 64 KiB
;   5  UNROM #2 mode, outer sizes 32 and 64 KiB
;   6  the four 8 KiB CHR-RAM banks are separate memory
;   7  mirroring mode 2: vertical
;   8  mirroring mode 3: horizontal
;   9  mirroring modes 0 and 1: one-screen
;  10  mode 0 shows nametable memory 0 ($2000 in vertical), mode 1 memory 1
;  11  in one-screen modes, bit 4 of a write to register $01 or $00 picks
;      the screen

.include "common/nes.inc"
.include "common/header.inc"
.include "common/banks.inc"
.include "common/macros.inc"

    nes2_header 28, 0, 8, 0, HEADER_VERTICAL, 9

LAST_BANK = 7

REG_CHR   = $00
REG_INNER = $01
REG_MODE  = $80
REG_OUTER = $81

MIRROR_LOWER      = 0
MIRROR_UPPER      = 1
MIRROR_VERTICAL   = 2
MIRROR_HORIZONTAL = 3
PRG_32K           = 0 << 2
PRG_UNROM_180     = 2 << 2
PRG_UNROM         = 3 << 2
SIZE_32K          = 0 << 4
SIZE_64K          = 1 << 4
SIZE_128K         = 2 << 4
MODE              = SIZE_128K | PRG_UNROM | MIRROR_VERTICAL

.macro a53_bank_tail nmi, irq
.local stub, return
stub:
    sei
    lda #REG_OUTER
    sta $5000
    lda #$FF
    sta $8000
    lda #REG_MODE
    sta $5000
    lda #MODE
    sta $8000
    jmp reset
return:
    rti
    .res $1A - (* - stub), $FF
    .ifblank nmi
        .word return, stub, return
    .else
        .word nmi, stub, irq
    .endif
.endmacro

.macro bank_tail
    a53_bank_tail
.endmacro

.repeat LAST_BANK, n
.segment .sprintf("BANK%d", n)
    prg_bank n, $4000
.endrepeat

.segment "MAIN_HEAD"
    prg_bank_head LAST_BANK

.segment "MAIN_TAIL"
    a53_bank_tail nmi_handler, irq_ignore

.export rom_name
.segment "RODATA"
rom_name: .byte "mapper_028_action53", 0

; mode, outer, inner, bank expected at $8000, at $C000, check number
.macro layout mode, outer, inner, low, high, check
    .byte mode, outer, inner, low, high, check
.endmacro
prg_layouts:
    .repeat 8, n
        layout SIZE_128K | PRG_UNROM     | MIRROR_VERTICAL, 3, n, n, 7, 2
    .endrepeat
    .repeat 8, n
        layout SIZE_128K | PRG_UNROM_180 | MIRROR_VERTICAL, 3, n, 6, n, 3
    .endrepeat
    .repeat 4, n
        layout SIZE_32K  | PRG_32K       | MIRROR_VERTICAL, n, 0, 2 * n, 2 * n + 1, 4
    .endrepeat
    layout SIZE_64K  | PRG_32K   | MIRROR_VERTICAL, 2, 1, 6, 7, 4
    layout SIZE_64K  | PRG_32K   | MIRROR_VERTICAL, 3, 0, 4, 5, 4
    layout SIZE_64K  | PRG_32K   | MIRROR_VERTICAL, 0, 1, 2, 3, 4
    layout SIZE_32K  | PRG_UNROM | MIRROR_VERTICAL, 1, 0, 2, 3, 5
    layout SIZE_32K  | PRG_UNROM | MIRROR_VERTICAL, 1, 1, 3, 3, 5
    layout SIZE_32K  | PRG_UNROM | MIRROR_VERTICAL, 2, 3, 5, 5, 5
    layout SIZE_64K  | PRG_UNROM | MIRROR_VERTICAL, 1, 2, 2, 3, 5
    layout SIZE_64K  | PRG_UNROM | MIRROR_VERTICAL, 3, 1, 5, 7, 5
prg_layouts_end:
LAYOUT_SIZE = 6

.segment "ZEROPAGE"
row:        .res 1                  ; offset of the layout under test
args:       .res 3                  ; mode, outer, inner for prg_probe

.segment "RAMCODE"
; Loads the outer bank, inner bank and mode from args, copies the markers
; at $8000 and $C000 into probe[0..3], and goes back to outer bank 3 and
; mode MODE, which put bank 7 at $C000 again.
prg_probe:
    lda #REG_OUTER
    sta $5000
    lda args+1
    sta $8000
    lda #REG_INNER
    sta $5000
    lda args+2
    sta $8000
    lda #REG_MODE
    sta $5000
    lda args+0
    sta $8000
    lda $8000
    sta probe
    lda $8001
    sta probe+1
    lda $C000
    sta probe+2
    lda $C001
    sta probe+3
    lda #REG_OUTER
    sta $5000
    lda #3
    sta $8000
    lda #REG_MODE
    sta $5000
    lda #MODE
    sta $8000
    rts

.segment "CODE"
reset:
    sei
    cld
    ldx #$FF
    txs
    lda #REG_CHR
    ldx #0
    jsr set_reg
    lda #REG_INNER
    ldx #0
    jsr set_reg
    nes_init
    copy_ramcode
    jsr status_begin
    ppu_warmup

check_prg:
    lda #0
    sta row
prg_next:
    ldx row
    lda prg_layouts+0,x
    sta args+0
    lda prg_layouts+1,x
    sta args+1
    lda prg_layouts+2,x
    sta args+2
    jsr prg_probe
    ldy row
    lda prg_layouts+3,y
    ldx #0
    jsr marker_at_probe
    bne prg_bad
    ldy row
    lda prg_layouts+4,y
    ldx #2
    jsr marker_at_probe
    bne prg_bad
    lda row
    clc
    adc #LAYOUT_SIZE
    sta row
    cmp #prg_layouts_end - prg_layouts
    bne prg_next
    jmp check_chr_ram
prg_bad:
    print "mode $"
    lda args+0
    jsr print_hex
    print ", outer "
    lda args+1
    jsr print_dec
    print ", inner "
    lda args+2
    jsr print_dec
    print ": $8000 read "
    ldx #0
    jsr print_probe_pair
    print ", $C000 "
    ldx #2
    jsr print_probe_pair
    print " (expected banks "
    ldx row
    lda prg_layouts+3,x
    jsr print_dec
    print " and "
    ldx row
    lda prg_layouts+4,x
    jsr print_dec
    print ")"
    ldx row
    lda prg_layouts+5,x
    jmp status_fail

check_chr_ram:
    ; Bank N gets $C0 + N at PPU $0000 and $1FFF; then all four read back.
    lda #0
    sta bank
chr_write_next:
    jsr select_chr
    lda #$C0
    ora bank
    tay
    lda #$00
    tax
    jsr ppu_write
    lda #$C0
    ora bank
    tay
    lda #$1F
    ldx #$FF
    jsr ppu_write
    inc bank
    lda bank
    cmp #4
    bne chr_write_next
    lda #0
    sta bank
chr_read_next:
    jsr select_chr
    lda #$00
    tax
    jsr ppu_read
    sta probe
    lda #$1F
    ldx #$FF
    jsr ppu_read
    sta probe+1
    lda #$C0
    ora bank
    cmp probe
    bne chr_bad
    cmp probe+1
    bne chr_bad
    inc bank
    lda bank
    cmp #4
    bne chr_read_next
    lda #REG_CHR
    ldx #0
    jsr set_reg
    jmp check_mirroring
chr_bad:
    print "CHR-RAM "
    jsr print_bank
    print ": PPU $0000 and $1FFF read "
    ldx #0
    jsr print_probe_pair
    print " (wrote "
    lda #$C0
    ora bank
    jsr print_hex
    print " to both)"
    fail 6

check_mirroring:
    lda #MODE
    jsr set_mode
    expect_nt_layout NT_VERTICAL, 7, "mode mirroring 2"
    lda #MODE | MIRROR_HORIZONTAL
    jsr set_mode
    expect_nt_layout NT_HORIZONTAL, 8, "mode mirroring 3"
    lda #(MODE & $FC) | MIRROR_LOWER
    jsr set_mode
    expect_nt_layout NT_ONE_SCREEN, 9, "mode mirroring 0"
    lda #$11
    jsr nt_mark
    lda #(MODE & $FC) | MIRROR_UPPER
    jsr set_mode
    expect_nt_layout NT_ONE_SCREEN, 9, "mode mirroring 1"
    lda #$22
    jsr nt_mark
    ; Vertical mirroring shows memory 0 at $2000 and memory 1 at $2400.
    lda #MODE
    jsr set_mode
    lda #$20
    jsr nt_peek
    sta probe
    lda #$24
    jsr nt_peek
    sta probe+1
    lda probe
    cmp #$11
    bne :+
    lda probe+1
    cmp #$22
    beq check_screen_bit
:   print "wrote 11 at $2000 in one-screen mode 0 and 22 in mode 1; vertical mode then read "
    ldx #0
    jsr print_probe_pair
    print " at $2000, $2400 (expected 11 22)"
    fail 10

check_screen_bit:
    ; Mode 0, then $01 = $17 (inner 7, bit 4) picks the upper screen, and
    ; $00 = $00 the lower one again.
    lda #(MODE & $FC) | MIRROR_LOWER
    jsr set_mode
    lda #REG_INNER
    ldx #$10 | LAST_BANK
    jsr set_reg
    lda #$20
    jsr nt_peek
    sta probe
    lda #REG_CHR
    ldx #$00
    jsr set_reg
    lda #$20
    jsr nt_peek
    sta probe+1
    lda #MODE
    jsr set_mode
    lda probe
    cmp #$22
    bne :+
    lda probe+1
    cmp #$11
    beq passed
:   print "one-screen mode: after $01 = $17 and $00 = $00, $2000 read "
    ldx #0
    jsr print_probe_pair
    print " (expected 22, the upper screen, then 11)"
    fail 11

passed:
    jmp status_pass

; Loads register A with X.
set_reg:
    sta $5000
    stx $8000
    rts

set_mode:
    tax
    lda #REG_MODE
    jmp set_reg

; Selects CHR-RAM bank `bank`.
select_chr:
    lda #REG_CHR
    ldx bank
    jmp set_reg
