; Runtime shared by the dynes test ROMs (assembled once, linked into each):
; the status6000 report, text printing into it, and PPU helpers.
;
; status6000 (blargg's protocol): $6001-$6003 = DE B0 61 marks the block as
; valid; $6000 is $80 while the test runs, then the result (0 = passed,
; N = check N failed); $6004 on holds zero-terminated ASCII text.

.include "common/nes.inc"

.import rom_name            ; each ROM's name, zero-terminated

.export status_begin, status_pass, status_fail
.export print_str, print_char, print_dec, print_hex, print_newline, print_nt_layout
.export ppu_addr, ppu_read, ppu_read_pair, ppu_write
.export nt_layout, nt_mark, nt_peek
.export wait_vblank, wait_nmi, delay_units
.export nmi_handler, irq_ignore
.export marker_at_probe, print_probe_pair, chr_marker, chr_ram_roundtrip
.exportzp nmi_count, probe, nt_seen, temp, bank
.export print_bank

STATUS = $6000
TEXT   = $6004

.segment "ZEROPAGE"
text_ptr:   .res 2          ; where the next character of the text goes
str_ptr:    .res 2
print_y:    .res 1
nmi_count:  .res 1          ; incremented by nmi_handler
probe:      .res 4          ; bytes a ROM copies out of a bank it mapped
nt_seen:    .res 4          ; what nt_layout read back
temp:       .res 2
bank:       .res 1          ; the bank under test, for messages

.segment "CODE"

; Starts the report: "running" status, signature, then the ROM's name and a
; blank line. $80 goes first so that a stale result in PRG-RAM is never
; taken for this run's.
status_begin:
    lda #$80
    sta STATUS
    lda #$DE
    sta STATUS+1
    lda #$B0
    sta STATUS+2
    lda #$61
    sta STATUS+3
    lda #<TEXT
    sta text_ptr
    lda #>TEXT
    sta text_ptr+1
    lda #0
    sta TEXT
    lda #<rom_name
    ldx #>rom_name
    jsr print_str
    jsr print_newline
    jmp print_newline

; Reports success and stops.
status_pass:
    sei
    lda #0
    sta PPUCTRL
    sta PPUMASK
    lda #<passed
    ldx #>passed
    jsr print_str
    lda #0
    sta STATUS
@forever:
    jmp @forever

; Reports failure of check A (the text printed so far says what failed)
; and stops.
status_fail:
    sei
    pha
    lda #0
    sta PPUCTRL
    sta PPUMASK
    jsr print_newline
    jsr print_newline
    lda #<failed
    ldx #>failed
    jsr print_str
    pla
    pha
    jsr print_dec
    jsr print_newline
    pla
    sta STATUS
@forever:
    jmp @forever

passed: .byte "Passed", $0A, 0
failed: .byte "Failed #", 0

; Appends character A to the text, keeping it zero-terminated. Keeps X, Y.
print_char:
    sty print_y
    ldy #0
    sta (text_ptr),y
    inc text_ptr
    bne :+
    inc text_ptr+1
:   tya
    sta (text_ptr),y
    ldy print_y
    rts

print_newline:
    lda #$0A
    jmp print_char

; Appends the zero-terminated string at X:A (high:low), at most 255 bytes.
print_str:
    sta str_ptr
    stx str_ptr+1
    ldy #0
@loop:
    lda (str_ptr),y
    beq @done
    jsr print_char
    iny
    bne @loop
@done:
    rts

; Appends A in decimal, without leading zeros.
print_dec:
    sta temp                ; what is left to print
    lda #0
    sta temp+1              ; non-zero once a digit has been printed
    ldx #0
@digit:
    ldy #0                  ; this digit
    lda temp
@subtract:
    cmp decimal_places,x
    bcc @got
    sbc decimal_places,x
    iny
    bne @subtract
@got:
    sta temp
    cpx #2
    beq @print              ; the ones digit always prints
    tya
    ora temp+1
    beq @next               ; a leading zero
@print:
    tya
    ora #'0'
    jsr print_char
    inc temp+1
@next:
    inx
    cpx #3
    bne @digit
    rts

decimal_places: .byte 100, 10, 1

; Appends A as two hex digits (no "$"). Changes X.
print_hex:
    pha
    lsr
    lsr
    lsr
    lsr
    jsr @nibble
    pla
    and #$0F
@nibble:
    tax
    lda hex_digits,x
    jmp print_char

hex_digits: .byte "0123456789ABCDEF"

; Appends the name of nametable layout A (an NT_ constant).
print_nt_layout:
    cmp #NT_OTHER
    bcc :+
    lda #NT_OTHER
:   asl
    tay
    lda nt_layout_names,y
    ldx nt_layout_names+1,y
    jmp print_str

nt_layout_names:
    .word name_one_screen, name_vertical, name_horizontal, name_four_screen, name_other
name_one_screen:  .byte "one-screen", 0
name_vertical:    .byte "vertical", 0
name_horizontal:  .byte "horizontal", 0
name_four_screen: .byte "four-screen", 0
name_other:       .byte "no standard layout", 0

; Sets the PPU address to A:X (high:low), resetting the $2005/$2006 write
; toggle first.
ppu_addr:
    bit PPUSTATUS
    sta PPUADDR
    stx PPUADDR
    rts

; Reads the PPU byte at A:X (not the palette). The first $2007 read after
; setting the address returns the read buffer's stale byte, so it is thrown
; away.
ppu_read:
    jsr ppu_addr
    lda PPUDATA
    lda PPUDATA
    rts

; Reads the PPU bytes at A:X and A:X+1 into A and X.
ppu_read_pair:
    jsr ppu_addr
    lda PPUDATA
    lda PPUDATA
    ldx PPUDATA
    rts

; Writes Y to PPU address A:X.
ppu_write:
    jsr ppu_addr
    sty PPUDATA
    rts

; Writes A to the first byte of the nametable at $2000.
nt_mark:
    tay
    lda #$20
    ldx #$00
    jmp ppu_write

; Reads the first byte of the nametable whose address high byte is A.
nt_peek:
    ldx #$00
    jmp ppu_read

; Finds which nametables share memory: writes 1, 2, 3, 4 to the first byte
; of $2000, $2400, $2800, $2C00 in that order, reads them back into nt_seen
; and returns the layout (NT_ constant) in A. A later write to a shared
; nametable overwrites an earlier one, e.g. vertical reads back 3 4 3 4.
nt_layout:
    ldx #0
@write:
    stx temp
    txa
    tay
    iny                     ; value = index + 1
    lda nt_pages,x
    ldx #$00
    jsr ppu_write
    ldx temp
    inx
    cpx #4
    bne @write
    ldx #0
@read:
    stx temp
    lda nt_pages,x
    ldx #$00
    jsr ppu_read
    ldx temp
    sta nt_seen,x
    inx
    cpx #4
    bne @read
    ldy #0                  ; index into nt_patterns
@pattern:
    ldx #0
@compare:
    lda nt_seen,x
    cmp nt_patterns,y
    bne @mismatch
    iny
    inx
    cpx #4
    bne @compare
    tya                     ; matched: layout = y / 4 - 1
    lsr
    lsr
    sec
    sbc #1
    rts
@mismatch:
    tya
    ora #3
    tay
    iny
    cpy #4 * 4
    bne @pattern
    lda #NT_OTHER
    rts

nt_pages: .byte $20, $24, $28, $2C
nt_patterns:
    .byte 4, 4, 4, 4        ; NT_ONE_SCREEN
    .byte 3, 4, 3, 4        ; NT_VERTICAL
    .byte 2, 2, 4, 4        ; NT_HORIZONTAL
    .byte 1, 2, 3, 4        ; NT_FOUR_SCREEN

; Waits for the vblank flag by polling $2002 (the read clears it). Carry
; set if it did not come within about six frames.
wait_vblank:
    ldy #64
    ldx #0
@loop:
    bit PPUSTATUS
    bmi @done
    dex
    bne @loop
    dey
    bne @loop
    sec
    rts
@done:
    clc
    rts

; Waits for the next NMI (NMIs must be enabled). Carry set if none came
; within about five frames.
wait_nmi:
    lda nmi_count
    ldy #64
    ldx #0
@loop:
    cmp nmi_count
    bne @done
    dex
    bne @loop
    dey
    bne @loop
    sec
    rts
@done:
    clc
    rts

; Busy-waits Y units of 1286 CPU cycles (a frame is 29780.5 cycles, about
; 23.2 units).
delay_units:
@outer:
    ldx #0
@inner:
    dex
    bne @inner
    dey
    bne @outer
    rts

; Z set if probe[X] and probe[X+1] hold bank marker A: the number and its
; complement.
marker_at_probe:
    cmp probe,x
    bne @done
    eor #$FF
    cmp probe+1,x
@done:
    rts

; Appends "bank N" for the bank under test.
print_bank:
    lda #<bank_word
    ldx #>bank_word
    jsr print_str
    lda bank
    jmp print_dec

bank_word: .byte "bank ", 0

; Appends probe[X] and probe[X+1] as "XX XX".
print_probe_pair:
    txa
    pha
    lda probe,x
    jsr print_hex
    lda #' '
    jsr print_char
    pla
    tax
    lda probe+1,x
    jmp print_hex

; Reads the marker pair at PPU address A:X into probe[0..1]; Z set if it is
; marker Y.
chr_marker:
    jsr ppu_read_pair
    sta probe
    stx probe+1
    tya
    ldx #0
    jmp marker_at_probe

; Writes $5A to PPU $0000 and $A5 to $1FFF (CHR-RAM) and reads them back
; into probe[0..1]; Z set if both came back.
chr_ram_roundtrip:
    lda #$00
    tax
    ldy #$5A
    jsr ppu_write
    lda #$1F
    ldx #$FF
    ldy #$A5
    jsr ppu_write
    lda #$00
    tax
    jsr ppu_read
    sta probe
    lda #$1F
    ldx #$FF
    jsr ppu_read
    sta probe+1
    lda probe
    cmp #$5A
    bne @done
    lda probe+1
    cmp #$A5
@done:
    rts

; NMI: counts frames.
nmi_handler:
    inc nmi_count
irq_ignore:
    rti
