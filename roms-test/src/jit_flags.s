; jit_flags: processor flags that live across blocks, on NROM (mapper 0).
; A recompiler keeps the flags in host registers or computes them lazily
; from the last result; at every block boundary (JMP, branch, JSR, RTS,
; RTI, BRK) and wherever P is pushed or pulled it must hand over exactly
; what the 6502 would have: each flag set in one block and consumed in
; another, by a branch, by ADC/SBC/ROL as carry in, or by PHP.
;
; `record` (inline, after the code under test) logs an entry of six bytes:
; A, then C Z N V as four branches see them (1 = set), then P as PHP pushes
; it (B and bit 5 always set in the pushed byte). The checks compare the log
; with a table worked out by hand. All runs with I set (SEI at reset) and D
; clear unless a check says otherwise; P below is hex, bits N V 1 B D I Z C.
;
; Checks (the result code is the number of the failed check):
;   1  PPU warm-up (vblank flag sets)
;   2  across JMP and JMP (ind): $40 + $40 (N V), SEC + LDA #0 (Z C),
;      CMP $10 - $20 (N)
;   3  across branches: BEQ taken after CMP equal, BEQ not taken after
;      CMP less, BVS taken after BIT of $C0, the flags of a DEX/BNE loop
;      after it falls through
;   4  across JSR and RTS: flags set before JSR read in the subroutine,
;      flags set in the subroutine read after RTS, flags from a CMP before
;      an RTS to a pushed address
;   5  carry into ADC, SBC and ROL A from the block before (after JMP,
;      JSR, a taken BCS/BCC) and a 16-bit add whose carry crosses a JMP
;   6  PLP: $C7 gives N V I Z C (PHP $F7); $04: B and bit 5 are not
;      stored (PHP $34); $FF: all flags, D included (PHP $FF)
;   7  RTI to a pushed address and P: $45 gives V I C (PHP $75); $86
;      gives N I Z, B and bit 5 not stored (PHP $B6)
;   8  BRK: the handler (IRQ/BRK vector) sees the pushed P with B and bit 5
;      set and the flags of before (N C, I clear: $B1), the return address
;      BRK + 2, and its own P with I set ($B5); RTI returns past the
;      padding byte (an INX that must not run) with I clear again ($B1);
;      again with D set: pushed $3C, D not cleared in the handler ($3C)
;   9  CLV: V from ADC cleared by CLV after a JMP, V from BIT cleared in the
;      same block, V from ADC read after JSR
;  10  D (SED/CLD): stored and pushed, no decimal arithmetic on the 2A03:
;      $09 + $01 = $0A, $99 + $01 = $9A (C clear), $10 - $01 = $0F,
;      $58 + $46 = $9E (N V) across JMP with D set, and after CLD

.include "common/nes.inc"
.include "common/header.inc"
.include "common/macros.inc"

    nes2_header 0, 0, 2, 0, HEADER_VERTICAL, 7

ENTRY = 6                           ; bytes per log entry

.export rom_name
.segment "RODATA"
rom_name: .byte "jit_flags", 0

bit_c0:   .byte $C0                 ; BIT: N and V set
vector:   .word jmp_ind_target

.segment "ZEROPAGE"
f_a:        .res 1                  ; the entry `record` is building
f_c:        .res 1
f_z:        .res 1
f_n:        .res 1
f_v:        .res 1
f_p:        .res 1
log_len:    .res 1
log_expect: .res 2
entry_ptr:  .res 2
entry:      .res 1                  ; number, from 1, of the entry that differs
entry_at:   .res 1                  ; its offset in the log
brk_x:      .res 1
lo:         .res 1

.segment "BSS"
log: .res 16 * ENTRY

; Logs A and the flags. Needs Y = 1 (STY is how a branch records a set
; flag without touching P); leaves Y = 1.
.macro record
.local c_clear, z_clear, n_clear, v_clear
    sta f_a
    php
    bcc c_clear
    sty f_c
c_clear:
    bne z_clear
    sty f_z
z_clear:
    bpl n_clear
    sty f_n
n_clear:
    bvc v_clear
    sty f_v
v_clear:
    pla
    sta f_p
    jsr log_entry
.endmacro

; Fails check `code` unless the log holds the `entries` entries at `table`;
; empties the log.
.macro expect_log table, entries, code
.local ok
    lda #<table
    sta log_expect
    lda #>table
    sta log_expect+1
    lda #(entries) * ENTRY
    jsr compare_log
    bcc ok
    fail code
ok:
    ldy #1                          ; for `record`
.endmacro

.segment "CODE"
reset:
    sei
    cld
    ldx #$FF
    txs
    nes_init
    jsr status_begin
    ppu_warmup
    ldy #1

check_jmp:
    clv
    lda #$40
    clc
    adc #$40
    jmp :+
:   record
    clv
    sec
    lda #$00
    jmp :+
:   record
    clv
    lda #$10
    cmp #$20
    jmp (vector)
jmp_ind_target:
    record
    expect_log expect_jmp, 3, 2

check_branches:
    clv
    lda #$05
    cmp #$05
    beq :+
    jmp status_pass                 ; never: the log comes out short
:   record
    clv
    lda #$03
    cmp #$05
    beq :+
    record
:   sec
    lda #$01
    bit bit_c0
    bvs :+
    jmp status_pass
:   record
    sec
    clv
    lda #$7F
    ldx #3
:   dex
    bne :-
    record
    expect_log expect_branches, 4, 3

check_jsr:
    clv
    sec
    lda #$FF
    jsr record_sub
    jsr set_z_n_v
    record
    lda #>(rts_target - 1)
    pha
    lda #<(rts_target - 1)
    pha
    clv
    lda #$81
    cmp #$80
    rts
rts_target:
    record
    expect_log expect_jsr, 3, 4

check_carry:
    clv
    sec
    jmp :+
:   lda #$10
    adc #$20
    record
    clc
    jsr add_10_20
    record
    clv
    sec
    lda #$40
    bcs :+
    jmp status_pass
:   rol a
    record
    clv
    clc
    lda #$C0
    jmp :+
:   rol a
    record
    lda #$F0                        ; $01F0 + $0020: the carry crosses a JMP
    clc
    adc #$20
    sta lo
    jmp :+
:   lda #$01
    adc #$00
    record
    lda #$10                        ; SBC: the borrow crosses a BCC
    sec
    sbc #$20
    bcc :+
    jmp status_pass
:   lda #$05
    sbc #$01
    record
    expect_log expect_carry, 6, 5

check_plp:
    lda #$C7
    pha
    plp
    jmp :+
:   record
    lda #$04
    pha
    plp
    record
    lda #$FF
    pha
    plp
    record
    cld
    expect_log expect_plp, 3, 6

check_rti:
    lda #>rti_1
    pha
    lda #<rti_1
    pha
    lda #$45
    pha
    lda #$00
    rti
rti_1:
    record
    lda #>rti_2
    pha
    lda #<rti_2
    pha
    lda #$86
    pha
    rti
rti_2:
    record
    expect_log expect_rti, 2, 7

check_brk:
    ldx #0
    lda #$80
    sec
    cli
brk_1:
    brk
    .byte $E8                       ; padding byte; as code it would be INX
    php
    sei
    jsr brk_entry
    ldx #0
    sed
    clc
    lda #$01
brk_2:
    brk
    .byte $E8
    php
    cld
    jsr brk_entry
    expect_log expect_brk, 2, 8

check_clv:
    lda #$40
    clc
    adc #$40
    jmp :+
:   clv
    jmp :+
:   record
    sec
    lda #$FF
    bit bit_c0
    clv
    record
    lda #$50
    clc
    adc #$50
    jsr record_sub
    expect_log expect_clv, 3, 9

check_decimal:
    sed
    clc
    lda #$09
    adc #$01
    record
    clc
    lda #$99
    adc #$01
    record
    sec
    lda #$10
    sbc #$01
    record
    jmp :+
:   clc
    lda #$58
    adc #$46
    record
    cld
    jmp :+
:   clc
    lda #$58
    adc #$46
    record
    expect_log expect_decimal, 5, 10
    jmp status_pass

; Records, as the first thing after a JSR.
record_sub:
    record
    rts

; Returns A = 0 with C clear and Z N V set.
set_z_n_v:
    lda #$00
    clc
    bit bit_c0
    rts

; A = $10 + $20 + C.
add_10_20:
    lda #$10
    adc #$20
    rts

; BRK's handler: keeps the handler's own P, the pushed P and the pushed
; return address for brk_entry.
irq_brk:
    php
    pla
    sta f_v                         ; the handler's P
    stx brk_x
    tsx
    lda $0101,x
    sta f_a                         ; the pushed P
    lda $0102,x
    sta f_c                         ; the return address
    lda $0103,x
    sta f_z
    ldx brk_x
    rti

; After a BRK returned, with its P pushed: logs the pushed P, the return
; address, the handler's P, X (0 unless the padding byte ran) and P after
; RTI.
brk_entry:
    pla                             ; the return address of this JSR...
    sta temp
    pla
    sta temp+1
    pla                             ; ...and the PHP under it
    sta f_p
    lda f_v
    sta f_n
    lda temp+1
    pha
    lda temp
    pha
    stx f_v
    jmp log_entry

; Appends f_a, f_c, f_z, f_n, f_v, f_p to the log, clears f_c-f_v, Y = 1.
log_entry:
    ldx log_len
    lda f_a
    sta log,x
    lda f_c
    sta log+1,x
    lda f_z
    sta log+2,x
    lda f_n
    sta log+3,x
    lda f_v
    sta log+4,x
    lda f_p
    sta log+5,x
    inx
    inx
    inx
    inx
    inx
    inx
    stx log_len
    lda #0
    sta f_c
    sta f_z
    sta f_n
    sta f_v
    ldy #1
    rts

; Compares the log with the A bytes at (log_expect) and empties it. Carry
; clear if they match; otherwise carry set with the first entry that
; differs printed.
compare_log:
    cmp log_len
    beq :+
    sta entry_at
    print "the log has "
    lda log_len
    jsr print_dec
    print " bytes, expected "
    lda entry_at
    jsr print_dec
    print " (a record was skipped or run twice)"
    sec
    rts
:   ldy #0
@loop:
    cpy log_len
    beq @same
    lda log,y
    cmp (log_expect),y
    bne @differ
    iny
    bne @loop
@same:
    lda #0
    sta log_len
    clc
    rts
@differ:
    ldx #0                          ; entry number (from 1), start in y
    tya
@entry:
    inx
    cmp #ENTRY
    bcc @found
    sbc #ENTRY
    jmp @entry
@found:
    stx entry
    sta entry_at                    ; offset into the entry
    tya
    sec
    sbc entry_at
    sta entry_at                    ; where the entry starts
    print "entry "
    lda entry
    jsr print_dec
    print " read "
    lda #<log
    ldx #>log
    jsr print_entry
    print ", expected "
    lda log_expect
    ldx log_expect+1
    jsr print_entry
    sec
    rts

; Appends the six bytes at X:A + entry_at.
print_entry:
    clc
    adc entry_at
    sta entry_ptr
    txa
    adc #0
    sta entry_ptr+1
    ldy #0
:   sty temp+1
    lda (entry_ptr),y
    jsr print_hex
    ldy temp+1
    iny
    cpy #ENTRY
    beq :+
    lda #' '
    jsr print_char
    jmp :-
:   rts

.segment "RODATA"
; A, C, Z, N, V (1 = set), P as pushed.
expect_jmp:
    .byte $80, 0, 0, 1, 1, $F4      ; $40 + $40: N V
    .byte $00, 1, 1, 0, 0, $37      ; SEC, LDA #0: Z C
    .byte $10, 0, 0, 1, 0, $B4      ; $10 - $20: N, borrow
expect_branches:
    .byte $05, 1, 1, 0, 0, $37      ; $05 = $05, BEQ taken
    .byte $03, 0, 0, 1, 0, $B4      ; $03 < $05, BEQ not taken
    .byte $01, 1, 1, 1, 1, $F7      ; BIT $C0 with A = 1: Z N V, C kept
    .byte $7F, 1, 1, 0, 0, $37      ; DEX to 0, C kept
expect_jsr:
    .byte $FF, 1, 0, 1, 0, $B5      ; set before JSR, read in the subroutine
    .byte $00, 0, 1, 1, 1, $F6      ; set in the subroutine, read after RTS
    .byte $81, 1, 0, 0, 0, $35      ; $81 - $80, read after RTS to a pushed address
expect_carry:
    .byte $31, 0, 0, 0, 0, $34      ; SEC, JMP, $10 + $20 + 1
    .byte $30, 0, 0, 0, 0, $34      ; CLC, JSR, $10 + $20 + 0
    .byte $81, 0, 0, 1, 0, $B4      ; SEC, BCS, ROL $40
    .byte $80, 1, 0, 1, 0, $B5      ; CLC, JMP, ROL $C0
    .byte $02, 0, 0, 0, 0, $34      ; $F0 + $20 carries into $01 + $00
    .byte $03, 1, 0, 0, 0, $35      ; $10 - $20 borrows from $05 - $01
expect_plp:
    .byte $C7, 1, 1, 1, 1, $F7      ; PLP $C7
    .byte $04, 0, 0, 0, 0, $34      ; PLP $04: B and bit 5 read back set
    .byte $FF, 1, 1, 1, 1, $FF      ; PLP $FF, D included
expect_rti:
    .byte $00, 1, 0, 0, 1, $75      ; RTI with P = $45
    .byte $86, 0, 1, 1, 0, $B6      ; RTI with P = $86
expect_brk:
    ; pushed P, return address, handler's P, X, P after RTI
    .byte $B1, <(brk_1 + 2), >(brk_1 + 2), $B5, 0, $B1
    .byte $3C, <(brk_2 + 2), >(brk_2 + 2), $3C, 0, $3C
expect_clv:
    .byte $80, 0, 0, 1, 0, $B4      ; V from $40 + $40, CLV after JMP
    .byte $FF, 1, 0, 1, 0, $B5      ; V from BIT, CLV
    .byte $A0, 0, 0, 1, 1, $F4      ; V from $50 + $50, read after JSR
expect_decimal:
    .byte $0A, 0, 0, 0, 0, $3C      ; $09 + $01 with D: binary
    .byte $9A, 0, 0, 1, 0, $BC      ; $99 + $01: no decimal carry
    .byte $0F, 1, 0, 0, 0, $3D      ; $10 - $01: binary
    .byte $9E, 0, 0, 1, 1, $FC      ; $58 + $46 across JMP, D set
    .byte $9E, 0, 0, 1, 1, $F4      ; the same after CLD

.segment "MAIN_TAIL"
    .res $1A, $FF
    .word nmi_handler, reset, irq_brk
