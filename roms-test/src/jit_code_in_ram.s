; jit_code_in_ram: code that runs from console RAM and is then replaced, on
; NROM (mapper 0). A recompiler translates guest code once and reuses the
; translation; code in RAM can change under it, so every store into a page
; that holds translated code must throw the stale translation away, however
; the store reaches the page (indirect store, mirror address) and however
; the code is reached (a JSR that a translation may have linked directly).
;
; The routines are position-independent (relative branches only), copied
; from ROM with indirect stores and called with JSR; each returns values in
; A, X and Y:
;   first    A X Y = 11 22 33
;   second   a loop: A = 5 * 7 = 23 (hex), X = 0, Y = 44
;   patch    A X Y = 10 40 5A, changed one byte at a time
;
; Checks (the result code is the number of the failed check):
;   1  PPU warm-up (vblank flag sets)
;   2  `first` copied to $0300 runs
;   3  `second` copied over it runs: the new code, not the old translation
;   4  20 rounds of `first` and `second` over each other at $0300, each
;      called after its copy (40 rewrites: the page is rewritten more often
;      than a recompiler may keep translating it)
;   5  `patch` at $0400, one byte in the middle of its straight-line code
;      changed at a time, called after each change: NOP -> INX (X = 41),
;      NOP -> ASL A (A = 20), NOP -> DEY (Y = 59)
;   6  zero page: `first` then `second` at zp_code
;   7  stack page: `first` then `second` at $0100
;   8  RAM mirrors: `first` copied to $0500 runs when called at $0D00;
;      `second` copied through $1500 runs when called at $0D00, $0500 and
;      $1D00

.include "common/nes.inc"
.include "common/header.inc"
.include "common/macros.inc"
.include "common/jit.inc"

    nes2_header 0, 0, 2, 0, HEADER_VERTICAL, 7

MAIN_CODE   = $0300                 ; checks 2-4
PATCH_CODE  = $0400                 ; check 5
STACK_CODE  = $0100                 ; check 7 (the stack stays near $01FF)
MIRROR_CODE = $0500                 ; check 8; mirrored at $0D00, $1500, $1D00

.export rom_name
.segment "RODATA"
rom_name: .byte "jit_code_in_ram", 0

.segment "ZEROPAGE"
zp_code: .res 16                    ; check 6 runs code here
round:   .res 1

; The routines, as copied into RAM.
.segment "RODATA"
first:
    lda #$11
    ldx #$22
    ldy #$33
    rts
FIRST_SIZE = * - first

second:
    ldx #5
    lda #0
:   clc
    adc #7
    dex
    bne :-
    ldy #$44
    rts
SECOND_SIZE = * - second
    .assert SECOND_SIZE <= 16, error, "second must fit zp_code"

patch:
    ldy #$5A
    ldx #$40
    lda #$10
patch_asl:
    nop                             ; becomes ASL A
patch_inx:
    nop                             ; becomes INX
patch_dey:
    nop                             ; becomes DEY
    rts
PATCH_SIZE = * - patch

OP_ASL_A = $0A
OP_INX   = $E8
OP_DEY   = $88

.segment "CODE"
reset:
    sei
    cld
    ldx #$FF
    txs
    nes_init
    jsr status_begin
    ppu_warmup

check_first:
    copy_code first, MAIN_CODE, FIRST_SIZE
    call_at MAIN_CODE
    expect_axy $11, $22, $33, 2, "`first` copied to $0300"

check_overwrite:
    ; The JSR above may now be linked straight to the translation of
    ; `first`: the copy must break that link.
    copy_code second, MAIN_CODE, SECOND_SIZE
    call_at MAIN_CODE
    expect_axy $23, $00, $44, 3, "`second` copied over `first` at $0300"

check_rounds:
    lda #20
    sta round
rounds_next:
    copy_code first, MAIN_CODE, FIRST_SIZE
    call_at MAIN_CODE
    expect_axy $11, $22, $33, 4, "`first` copied over `second` at $0300"
    copy_code second, MAIN_CODE, SECOND_SIZE
    call_at MAIN_CODE
    expect_axy $23, $00, $44, 4, "`second` copied over `first` at $0300"
    dec round
    beq check_patch
    jmp rounds_next

check_patch:
    ; Single bytes in the middle of one straight-line block.
    copy_code patch, PATCH_CODE, PATCH_SIZE
    call_at PATCH_CODE
    expect_axy $10, $40, $5A, 5, "`patch` at $0400 as copied"
    lda #OP_INX
    sta PATCH_CODE + (patch_inx - patch)
    call_at PATCH_CODE
    expect_axy $10, $41, $5A, 5, "`patch` with its 2nd NOP made INX"
    lda #OP_ASL_A
    sta PATCH_CODE + (patch_asl - patch)
    call_at PATCH_CODE
    expect_axy $20, $41, $5A, 5, "`patch` with its 1st NOP made ASL A"
    lda #OP_DEY
    sta PATCH_CODE + (patch_dey - patch)
    call_at PATCH_CODE
    expect_axy $20, $41, $59, 5, "`patch` with its 3rd NOP made DEY"

check_zero_page:
    copy_code first, zp_code, FIRST_SIZE
    call_at zp_code
    expect_axy $11, $22, $33, 6, "`first` copied to zero page"
    copy_code second, zp_code, SECOND_SIZE
    call_at zp_code
    expect_axy $23, $00, $44, 6, "`second` copied over `first` in zero page"

check_stack_page:
    copy_code first, STACK_CODE, FIRST_SIZE
    call_at STACK_CODE
    expect_axy $11, $22, $33, 7, "`first` copied to $0100"
    copy_code second, STACK_CODE, SECOND_SIZE
    call_at STACK_CODE
    expect_axy $23, $00, $44, 7, "`second` copied over `first` at $0100"

check_mirrors:
    ; RAM repeats every $800 bytes: one memory, four addresses.
    copy_code first, MIRROR_CODE, FIRST_SIZE
    call_at MIRROR_CODE + $0800
    expect_axy $11, $22, $33, 8, "`first` copied to $0500, called at $0D00"
    copy_code second, MIRROR_CODE + $1000, SECOND_SIZE
    call_at MIRROR_CODE + $0800
    expect_axy $23, $00, $44, 8, "`second` copied to $1500, called at $0D00"
    call_at MIRROR_CODE
    expect_axy $23, $00, $44, 8, "`second` copied to $1500, called at $0500"
    call_at MIRROR_CODE + $1800
    expect_axy $23, $00, $44, 8, "`second` copied to $1500, called at $1D00"
    jmp status_pass

.segment "MAIN_TAIL"
    .res $1A, $FF
    .word nmi_handler, reset, irq_ignore
