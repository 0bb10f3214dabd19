; jit_jam: JAM (KIL) opcodes that must not stop the CPU, then one that
; must, on NROM (mapper 0). The 12 JAM opcodes ($02 $12 $22 $32 $42 $52
; $62 $72 $92 $B2 $D2 $F2) halt the 6502. A recompiler decodes ahead of
; execution: it meets JAM bytes that are never run (after a branch that is
; always taken, after a JMP, at the target of a branch never taken, inside
; another instruction's operand, as inline data after a JSR) and JAM bytes
; that code overwrites before reaching them. None of those may stop the
; CPU, or be remembered as a JAM once rewritten.
;
; If one of them jams, `dynes test` reports "CPU jammed at $XXXX" instead
; of a result. After all checks pass the ROM reports Passed, waits two
; frames and runs a real JAM ($02) at `final_jam`: the runner has taken
; the result by then (a jam in the frame that reports the result would fail
; the row), and `dynes run` shows "CPU jammed at" that address.
;
; Checks (the result code is the number of the failed check):
;   1  PPU warm-up (vblank flag sets)
;   2  in ROM: a JAM after a BNE that is always taken, the other eleven
;      after a JMP, a JAM at the target of a BNE never taken, two JAMs as
;      the operand of a BIT abs (BIT $0202): the 4 INCs between them run
;   3  in RAM: a routine whose STA turns the JAM right after it into a NOP,
;      run 20 times, copied afresh (JAM again) before each run: returns
;      A = $5A every time
;   4  a JSR followed by an inline JAM byte, to a subroutine that returns
;      past it (it adds 1 to the return address): the code after the byte
;      runs, 3 times

.include "common/nes.inc"
.include "common/header.inc"
.include "common/macros.inc"
.include "common/jit.inc"

    nes2_header 0, 0, 2, 0, HEADER_VERTICAL, 7

JAM    = $02
OP_NOP = $EA
ROUNDS = 20
STATUS = $6000

.export rom_name
.segment "RODATA"
rom_name: .byte "jit_jam", 0

.segment "ZEROPAGE"
marks:  .res 1
round:  .res 1
return: .res 2

; Copied to $0300: its STA turns the JAM after it into a NOP.
.segment "RODATA"
unjam_rom:
.org $0300
unjam:
    lda #OP_NOP
    sta unjam_op
unjam_op:
    .byte JAM                       ; a NOP by the time it runs
    lda #$5A
    rts
UNJAM_SIZE = * - unjam
.reloc

.segment "CODE"
reset:
    sei
    cld
    ldx #$FF
    txs
    nes_init
    jsr status_begin
    ppu_warmup

check_rom:
    lda #0
    sta marks
    lda #1
    bne :+                          ; always taken
    .byte JAM
:   inc marks                       ; 1
    jmp :+
    .byte $12, $22, $32, $42, $52, $62, $72, $92, $B2, $D2, $F2
:   inc marks                       ; 2
    lda #0
    bne never_taken                 ; never taken: its target is a JAM
    inc marks                       ; 3
    .byte $2C                       ; BIT abs, whose operand is two JAMs:
    .byte JAM, JAM                  ; BIT $0202
    inc marks                       ; 4
    lda marks
    cmp #4
    bne rom_bad
    jmp check_ram
never_taken:
    .byte JAM
rom_bad:
    print "JAMs skipped in ROM: "
    lda marks
    jsr print_dec
    print " of the 4 INCs around them ran"
    fail 2

check_ram:
    lda #ROUNDS
    sta round
ram_next:
    copy_code unjam_rom, unjam, UNJAM_SIZE
    jsr unjam
    cmp #$5A
    bne ram_bad
    dec round
    bne ram_next
    jmp check_inline
ram_bad:
    sta probe
    print "the routine at $0300 that turns its JAM into a NOP returned A = "
    lda probe
    jsr print_hex
    print " (expected 5A) in round "
    lda #ROUNDS + 1
    sec
    sbc round
    jsr print_dec
    fail 3

check_inline:
    lda #0
    sta marks
    jsr skip_byte
    .byte JAM                       ; inline data: skip_byte returns past it
    inc marks
    jsr skip_byte
    .byte JAM
    inc marks
    jsr skip_byte
    .byte JAM
    inc marks
    lda marks
    cmp #3
    beq passed
    print "code after a JSR and an inline JAM byte ran "
    lda marks
    jsr print_dec
    print " times (expected 3)"
    fail 4

passed:
    ; status_pass without its endless loop: the report, two frames for the
    ; runner to see it, then a JAM.
    lda #0
    sta PPUCTRL
    sta PPUMASK
    print "Passed"
    jsr print_newline
    lda #0
    sta STATUS
    jsr wait_vblank
    jsr wait_vblank
final_jam:
    .byte JAM

; Returns to the address after the byte that follows its JSR.
skip_byte:
    pla
    clc
    adc #1
    sta return
    pla
    adc #0
    pha
    lda return
    pha
    rts

.segment "MAIN_TAIL"
    .res $1A, $FF
    .word nmi_handler, reset, irq_ignore
