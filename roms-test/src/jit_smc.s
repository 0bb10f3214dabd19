; jit_smc: self-modifying code in console RAM and in PRG-RAM, on NROM
; (mapper 0). The 6502 fetches every byte when it executes it, so a store
; into code takes effect at the next fetch of that byte, even when the
; store is the instruction just before it. A recompiler translates a whole
; block ahead of time: it must notice the store, drop the translation and
; carry on from the new bytes, in the middle of a block if need be.
;
; Four routines are copied to RAM (one per page from $0300) and to PRG-RAM
; (one per page from $7B00), each page on its own so that rewriting one
; routine does not affect how often the others' pages are rewritten:
;   add_imm     sum += the operand of its `LDA #imm`
;   store_abs   `STA abs`: stores A where its operand says
;   next_*      `STA` into the very next instruction: its operand
;               (next_operand) or its opcode (next_opcode)
;   flip_loop   a loop whose store rewrites the first instruction of the
;               same straight-line block (INX <-> INY), then branches back
;
; Checks (the result code is the number of the failed check):
;   1  PPU warm-up (vblank flag sets)
;   2  RAM: the caller rewrites add_imm's operand before each of 300 calls,
;      operands 0, 1, ... 255, 0, ... 43: the sum is 33586 ($8332)
;   3  PRG-RAM: the same
;   4  RAM: the caller rewrites store_abs's address (both bytes) before
;      each of 32 calls: store N+1 goes to page $07 or $02 (N even/odd),
;      offset 8N; every target then holds its value
;   5  PRG-RAM: the same with pages $7F and $7A
;   6  RAM: next_operand returns 0-255 as its STA put them into the LDA
;      right after it; next_opcode runs INX INX INX INY DEX INY INY INY
;      INY NOP DEY on X = Y = $40: X = $42, Y = $44
;   7  PRG-RAM: the same
;   8  RAM: flip_loop runs 255 passes: 128 INX and 127 INY, so
;      A X Y = C8 80 7F (A: the opcode it stored last, INY)
;   9  PRG-RAM: the same

.include "common/nes.inc"
.include "common/header.inc"
.include "common/macros.inc"
.include "common/jit.inc"

    nes2_header 0, 0, 2, 0, HEADER_VERTICAL, 7

OP_INX = $E8
OP_INY = $C8
OP_DEX = $CA
OP_DEY = $88
OP_NOP = $EA

CALLS     = 300
ADD_SUM   = 255 * 256 / 2 + 43 * 44 / 2  ; operands 0-255, then 0-43
STORES    = 32

.export rom_name
.segment "RODATA"
rom_name: .byte "jit_smc", 0

.segment "ZEROPAGE"
sum:    .res 2
i:      .res 2
count:  .res 1
reg_x:  .res 1
reg_y:  .res 1
target: .res 2

; The routines, assembled to run at base, base + $100, base + $200 and
; base + $300; `*_rom` is where each one's bytes are in ROM, `*_size`
; its length.
.macro smc_routines base
add_imm_rom:
.org base
add_imm:
    lda #$00
add_imm_operand = * - 1
    clc
    adc sum
    sta sum
    bcc :+
    inc sum+1
:   rts
add_imm_size = * - add_imm
.reloc

store_abs_rom:
.org base + $100
store_abs:
    sta $FFFF                       ; a ROM address until rewritten
store_abs_address = * - 2
    rts
store_abs_size = * - store_abs
.reloc

next_rom:
.org base + $200
next_operand:
    sta @load + 1
@load:
    lda #$00
    rts
next_opcode:
    ldx reg_x
    ldy reg_y
    sta @op
@op:
    nop
    stx reg_x
    sty reg_y
    rts
next_size = * - next_operand
.reloc

flip_rom:
.org base + $300
flip_loop:
    ldx #0
    ldy #0
    lda #255
    sta count
@loop:
@op:
    inx                             ; INX or INY: rewritten below
    lda @op
    eor #OP_INX ^ OP_INY
    sta @op
    dec count
    bne @loop
    rts
flip_size = * - flip_loop
.reloc
.endmacro

.segment "RODATA"
.scope in_ram
    smc_routines $0300
.endscope
.scope in_prg_ram
    smc_routines $7B00
.endscope

next_opcodes:
    .byte OP_INX, OP_INX, OP_INX, OP_INY, OP_DEX, OP_INY
    .byte OP_INY, OP_INY, OP_INY, OP_NOP, OP_DEY
NEXT_OPCODES = * - next_opcodes

; Copies the routines of `set` to where they run.
.macro install set
    copy_code set::add_imm_rom, set::add_imm, set::add_imm_size
    copy_code set::store_abs_rom, set::store_abs, set::store_abs_size
    copy_code set::next_rom, set::next_operand, set::next_size
    copy_code set::flip_rom, set::flip_loop, set::flip_size
.endmacro

; Checks 2-3: 300 calls, the operand rewritten before each.
.macro check_add_imm set, code, where
.local loop, same, bad, ok
    lda #0
    sta sum
    sta sum+1
    sta i
    sta i+1
loop:
    lda i
    sta set::add_imm_operand
    jsr set::add_imm
    inc i
    bne same
    inc i+1
same:
    lda i
    cmp #<CALLS
    bne loop
    lda i+1
    cmp #>CALLS
    bne loop
    lda sum
    cmp #<ADD_SUM
    bne bad
    lda sum+1
    cmp #>ADD_SUM
    beq ok
bad:
    print where
    print ": add_imm with its operand rewritten before each of 300 calls summed "
    lda sum+1
    jsr print_hex
    lda sum
    jsr print_hex
    print ", expected 8332"
    fail code
ok:
.endmacro

; Checks 4-5: 32 stores, the address rewritten before each, to page0
; (even calls) or page1 (odd calls).
.macro check_store_abs set, code, where, page0, page1
.local clear, loop, odd, verify, odd2, bad, ok
    lda #0
    tax
clear:
    sta page0 * $100,x
    sta page1 * $100,x
    inx
    bne clear
    stx i
loop:
    lda i
    asl
    asl
    asl
    sta set::store_abs_address
    lda i
    lsr
    lda #page0
    bcc odd
    lda #page1
odd:
    sta set::store_abs_address + 1
    ldx i
    inx
    txa
    jsr set::store_abs
    inc i
    lda i
    cmp #STORES
    bne loop
    lda #0
    sta i
verify:
    lda i
    asl
    asl
    asl
    sta target
    lda i
    lsr
    lda #page0
    bcc odd2
    lda #page1
odd2:
    sta target+1
    ldx i
    inx
    stx temp
    ldy #0
    lda (target),y
    cmp temp
    bne bad
    inc i
    lda i
    cmp #STORES
    bne verify
    jmp ok
bad:
    sta probe
    print where
    print ": store_abs with its address rewritten: $"
    lda target+1
    jsr print_hex
    lda target
    jsr print_hex
    print " holds "
    lda probe
    jsr print_hex
    print ", expected "
    lda temp
    jsr print_hex
    fail code
ok:
.endmacro

; Checks 6-7.
.macro check_next set, code, where
.local loop, bad, opcodes, ok
    lda #0
    sta i
loop:
    lda i
    jsr set::next_operand
    cmp i
    bne bad
    inc i
    bne loop
    lda #$40
    sta reg_x
    sta reg_y
    lda #0
    sta i
opcodes:
    ldx i
    lda next_opcodes,x
    jsr set::next_opcode
    inc i
    lda i
    cmp #NEXT_OPCODES
    bne opcodes
    lda reg_x
    cmp #$42
    bne :+
    lda reg_y
    cmp #$44
    beq ok
:   print where
    print ": next_opcode ran INX INX INX INY DEX INY INY INY INY NOP DEY on X = Y = 40: X = "
    lda reg_x
    jsr print_hex
    print ", Y = "
    lda reg_y
    jsr print_hex
    print " (expected 42, 44)"
    fail code
bad:
    sta probe
    print where
    print ": next_operand stored "
    lda i
    jsr print_hex
    print " into the LDA #imm after the STA, which loaded "
    lda probe
    jsr print_hex
    fail code
ok:
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
    install in_ram
    install in_prg_ram

    check_add_imm in_ram, 2, "RAM"
    check_add_imm in_prg_ram, 3, "PRG-RAM"
    check_store_abs in_ram, 4, "RAM", $07, $02
    check_store_abs in_prg_ram, 5, "PRG-RAM", $7F, $7A
    check_next in_ram, 6, "RAM"
    check_next in_prg_ram, 7, "PRG-RAM"
    jsr in_ram::flip_loop
    jsr store_axy
    expect_axy OP_INY, $80, $7F, 8, "RAM: flip_loop, 255 passes"
    jsr in_prg_ram::flip_loop
    jsr store_axy
    expect_axy OP_INY, $80, $7F, 9, "PRG-RAM: flip_loop, 255 passes"
    jmp status_pass

.segment "MAIN_TAIL"
    .res $1A, $FF
    .word nmi_handler, reset, irq_ignore
