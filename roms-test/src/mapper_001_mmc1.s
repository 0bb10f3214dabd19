; mapper_001_mmc1: MMC1 (mapper 1, SKROM-like), 128 KiB PRG-ROM in eight
; 16 KiB banks, 32 KiB CHR-ROM, 8 KiB PRG-RAM.
;
; MMC1 registers load serially: five writes to $8000-$FFFF, bit 0 of each,
; the fifth write's address picking the register (control $8000, CHR 0
; $A000, CHR 1 $C000, PRG $E000); a write with bit 7 set resets the shift
; register and sets PRG mode 3 (last bank fixed at $C000). Any bank may be
; at $C000 at power-on, so every bank starts with that reset write.
; Control: bits 0-1 mirroring (one-screen lower, upper, vertical,
; horizontal), 2-3 PRG mode (0-1: 32 KiB, low bank bit ignored; 2: first
; bank fixed at $8000; 3: last bank fixed at $C000), 4 CHR mode (0: 8 KiB,
; low bank bit ignored; 1: two 4 KiB banks). PRG bit 4 clear enables
; PRG-RAM. Code that switches $C000 runs from RAM.
;
; Checks (the result code is the number of the failed check):
;   1  PPU warm-up (vblank flag sets)
;   2  PRG mode 3: each bank 0-7 appears at $8000
;   3  PRG mode 3: bank 7 stays at $C000
;   4  PRG mode 2: each bank appears at $C000, bank 0 at $8000
;   5  PRG mode 0: 32 KiB banks, bank number's low bit ignored
;   6  CHR 8 KiB mode: CHR 0 selects all 8 KiB, low bit ignored, CHR 1 unused
;   7  CHR 4 KiB mode: CHR 0 at $0000, CHR 1 at $1000
;   8  mirroring 2: vertical
;   9  mirroring 3: horizontal
;  10  mirroring 0 and 1: one-screen
;  11  mirroring 0 shows nametable memory 0 ($2000 in vertical), 1 shows 1

.include "common/nes.inc"
.include "common/header.inc"
.include "common/banks.inc"
.include "common/macros.inc"

    nes2_header 1, 0, 8, 4, HEADER_VERTICAL, 0

LAST_BANK = 7

; Control register values (mode 3 unless the check needs another).
MIRROR_LOWER      = 0
MIRROR_UPPER      = 1
MIRROR_VERTICAL   = 2
MIRROR_HORIZONTAL = 3
PRG_32K           = 0 << 2
PRG_FIX_FIRST     = 2 << 2
PRG_FIX_LAST      = 3 << 2
CHR_4K_MODE       = 1 << 4
CONTROL           = PRG_FIX_LAST | MIRROR_VERTICAL

; Shifts A into the MMC1 register at `addr`, low bit first.
.macro mmc1_load addr
    sta addr
    lsr
    sta addr
    lsr
    sta addr
    lsr
    sta addr
    lsr
    sta addr
.endmacro

.macro mmc1_bank_tail nmi, irq
.local stub, return
stub:
    sei
    ldx #$FF
    stx $8000                       ; reset: PRG mode 3, so bank 7 at $C000
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
    mmc1_bank_tail
.endmacro

.repeat LAST_BANK, n
.segment .sprintf("BANK%d", n)
    prg_bank n, $4000
.endrepeat

.segment "MAIN_HEAD"
    prg_bank_head LAST_BANK

.segment "MAIN_TAIL"
    mmc1_bank_tail nmi_handler, irq_ignore

.segment "CHR"
    chr_markers 32

.export rom_name
.segment "RODATA"
rom_name: .byte "mapper_001_mmc1", 0

.segment "ZEROPAGE"
expected: .res 2

.segment "RAMCODE"
; Selects PRG bank X, copies the markers at $8000 and $C000 into
; probe[0..3], and selects bank 7 again.
prg_probe:
    txa
    mmc1_load $E000
    lda $8000
    sta probe
    lda $8001
    sta probe+1
    lda $C000
    sta probe+2
    lda $C001
    sta probe+3
    lda #LAST_BANK
    mmc1_load $E000
    rts

.segment "CODE"
reset:
    sei
    cld
    ldx #$FF
    txs
    lda #CONTROL
    jsr set_control
    lda #0                          ; bank 0, PRG-RAM enabled (bit 4 clear)
    jsr set_prg
    lda #0
    jsr set_chr0
    lda #0
    jsr set_chr1
    nes_init
    copy_ramcode
    jsr status_begin
    ppu_warmup

check_mode3:
    lda #0
    sta bank
mode3_next:
    lda bank
    jsr set_prg
    jsr read_prg_markers
    lda bank
    ldx #0
    jsr marker_at_probe
    beq :+
    print "PRG mode 3: "
    jsr print_bank
    print " not at $8000 (read "
    ldx #0
    jsr print_probe_pair
    print ")"
    fail 2
:   lda #LAST_BANK
    ldx #2
    jsr marker_at_probe
    beq :+
    print "PRG mode 3: $C000 lost bank 7 after selecting "
    jsr print_bank
    print " (read "
    ldx #2
    jsr print_probe_pair
    print ")"
    fail 3
:   inc bank
    lda bank
    cmp #LAST_BANK + 1
    bne mode3_next

check_mode2:
    ; With bank 7 selected, mode 2 keeps bank 7 at $C000: safe from here.
    lda #LAST_BANK
    jsr set_prg
    lda #PRG_FIX_FIRST | MIRROR_VERTICAL
    jsr set_control
    lda #0
    sta bank
mode2_next:
    ldx bank
    jsr prg_probe
    lda #0
    ldx #0
    jsr marker_at_probe
    bne mode2_bad
    lda bank
    ldx #2
    jsr marker_at_probe
    beq :+
mode2_bad:
    lda #CONTROL
    jsr set_control
    print "PRG mode 2, "
    jsr print_bank
    print ": $8000 read "
    ldx #0
    jsr print_probe_pair
    print " and $C000 "
    ldx #2
    jsr print_probe_pair
    print " (expected bank 0 and the selected bank)"
    fail 4
:   inc bank
    lda bank
    cmp #LAST_BANK + 1
    bne mode2_next
    lda #CONTROL
    jsr set_control

check_mode0:
    ; Bank 7 selected: 32 KiB mode maps banks 6 and 7, so $C000 stays.
    lda #PRG_32K | MIRROR_VERTICAL
    jsr set_control
    lda #0
    sta bank
mode0_next:
    lda bank                        ; banks (N & 6) and (N | 1)
    and #$06
    sta expected
    ora #$01
    sta expected+1
    ldx bank
    jsr prg_probe
    lda expected
    ldx #0
    jsr marker_at_probe
    bne mode0_bad
    lda expected+1
    ldx #2
    jsr marker_at_probe
    beq :+
mode0_bad:
    lda #CONTROL
    jsr set_control
    print "PRG mode 0 (32 KiB), "
    jsr print_bank
    print ": $8000 read "
    ldx #0
    jsr print_probe_pair
    print " and $C000 "
    ldx #2
    jsr print_probe_pair
    print " (expected banks "
    lda expected
    jsr print_dec
    print " and "
    lda expected+1
    jsr print_dec
    print ")"
    fail 5
:   inc bank
    lda bank
    cmp #LAST_BANK + 1
    bne mode0_next
    lda #CONTROL
    jsr set_control

check_chr_8k:
    lda #5                          ; CHR 1 must not matter in 8 KiB mode
    jsr set_chr1
    lda #0
    sta bank                        ; the value written to CHR 0
chr8_next:
    lda bank
    jsr set_chr0
    lda bank                        ; 4 KiB banks (N & 6) and (N | 1)
    and #$06
    sta expected
    ora #$01
    sta expected+1
    lda #$00
    ldx #CHR_4K
    ldy expected
    jsr chr_marker
    bne :+
    lda #$10
    ldx #CHR_4K
    ldy expected+1
    jsr chr_marker
    beq chr8_ok
:   print "CHR 8 KiB mode, CHR 0 = "
    lda bank
    jsr print_dec
    print ": 4 KiB bank marker "
    ldx #0
    jsr print_probe_pair
    print " where banks "
    lda expected
    jsr print_dec
    print " and "
    lda expected+1
    jsr print_dec
    print " belong"
    fail 6
chr8_ok:
    inc bank
    lda bank
    cmp #8
    bne chr8_next

check_chr_4k:
    lda #CONTROL | CHR_4K_MODE
    jsr set_control
    lda #0
    sta bank                        ; CHR 0; CHR 1 gets 7 - bank
chr4_next:
    lda bank
    jsr set_chr0
    lda #7
    sec
    sbc bank
    sta expected+1
    jsr set_chr1
    lda #$00
    ldx #CHR_4K
    ldy bank
    jsr chr_marker
    bne :+
    lda #$10
    ldx #CHR_4K
    ldy expected+1
    jsr chr_marker
    beq chr4_ok
:   print "CHR 4 KiB mode, CHR 0 = "
    lda bank
    jsr print_dec
    print ", CHR 1 = "
    lda expected+1
    jsr print_dec
    print ": marker read "
    ldx #0
    jsr print_probe_pair
    fail 7
chr4_ok:
    inc bank
    lda bank
    cmp #8
    bne chr4_next
    lda #CONTROL
    jsr set_control

check_mirroring:
    lda #PRG_FIX_LAST | MIRROR_VERTICAL
    jsr set_control
    expect_nt_layout NT_VERTICAL, 8, "control mirroring 2"
    lda #PRG_FIX_LAST | MIRROR_HORIZONTAL
    jsr set_control
    expect_nt_layout NT_HORIZONTAL, 9, "control mirroring 3"
    lda #PRG_FIX_LAST | MIRROR_LOWER
    jsr set_control
    expect_nt_layout NT_ONE_SCREEN, 10, "control mirroring 0"
    lda #$11
    jsr nt_mark
    lda #PRG_FIX_LAST | MIRROR_UPPER
    jsr set_control
    expect_nt_layout NT_ONE_SCREEN, 10, "control mirroring 1"
    lda #$22
    jsr nt_mark
    ; Vertical mirroring shows memory 0 at $2000 and memory 1 at $2400.
    lda #PRG_FIX_LAST | MIRROR_VERTICAL
    jsr set_control
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
    beq mirroring_ok
:   print "wrote 11 at $2000 in one-screen mode 0 and 22 in mode 1; vertical mode then read "
    ldx #0
    jsr print_probe_pair
    print " at $2000, $2400 (expected 11 22)"
    fail 11
mirroring_ok:
    jmp status_pass

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

set_control:
    mmc1_load $8000
    rts

set_chr0:
    mmc1_load $A000
    rts

set_chr1:
    mmc1_load $C000
    rts

set_prg:
    mmc1_load $E000
    rts
