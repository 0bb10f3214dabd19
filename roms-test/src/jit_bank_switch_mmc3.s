; jit_bank_switch_mmc3: code inside the switchable window of MMC3
; (mapper 4) switches that window. 128 KiB PRG-ROM in sixteen 8 KiB banks,
; 8 KiB CHR-RAM, 8 KiB PRG-RAM. PRG mode 0: R6 at $8000, bank 14 at $C000,
; bank 15 at $E000, where the checks run.
;
; Banks 0-14 hold code at $8200, $8300, $8400 (common/jit_banks.inc) and
; $8500. A bank switch from inside the window selects R6 ($8000 = 6) and
; loads it ($8001 = bank); the instruction after the $8001 write is fetched
; from the new bank. A write to $8000 that flips PRG mode (bit 6) swaps
; $8000 and $C000 without touching R6: it switches the window as well.
;
; Checks (the result code is the number of the failed check):
;   1  PPU warm-up (vblank flag sets)
;   2  chain: from bank 0, 14 hops at $8200, bank N switching to bank
;      (N + 5) mod 14 and going on in it: the code in banks 5 10 1 6 11 2
;      7 12 3 8 13 4 9 0 runs in turn, with the marker at $8000 showing the
;      same bank
;   3  ping-pong: 200 switches between banks 1 and 2 at $8300, each bank
;      adding its value (3 and 5) after the switch into it: sum
;      100 * 3 + 100 * 5 = 800 ($0320), bank 1 mapped at the end
;   4  from the fixed bank, 8 rounds of mapping banks 0-13 in turn and
;      calling $8400, where bank N returns $11 * (N + 1): sum
;      8 * $11 * 105 = 14280 ($37C8)
;   5  PRG mode switch under the code: with R6 = N (0-13), its code at $8500
;      selects PRG mode 1, which puts bank 14 at $8000; bank 14's code there
;      records itself and selects mode 0 again, and bank N's code goes on:
;      trail 0E 0E N N (code's bank, marker, twice)

.include "common/nes.inc"
.include "common/header.inc"
.include "common/banks.inc"
.include "common/macros.inc"

    nes2_header 4, 0, 8, 0, HEADER_VERTICAL, 7

LAST_BANK   = 15
FIXED_C000  = 14                    ; at $8000 in PRG mode 1
PRG_MODE_1  = $40
WINDOW      = $8000
CHAIN_BANKS = 14
CHAIN_STEP  = 5
PING_A      = 1
PING_B      = 2
CALL_ROUNDS = 8
CALL_SUM    = 14280                 ; 8 * (11 + 22 + ... + EE hex = 1785)
FLIP        = WINDOW + $500

; Maps bank X at $8000 (R6, PRG mode 0).
.macro window_switch
    lda #6
    sta $8000
    stx $8001
.endmacro

; Bank n's code at $8500 (check 5).
.macro bank_extra n
    lda #PRG_MODE_1 | 6
    sta $8000                       ; now bank 14 is at $8000, R6's at $C000
    lda #(n)                        ; runs in bank 14
    sta flip_trail
    lda WINDOW
    sta flip_trail+1
    lda #6
    sta $8000                       ; R6's bank is back at $8000
    lda #(n)                        ; runs in that bank
    sta flip_trail+2
    lda WINDOW
    sta flip_trail+3
    jmp flip_done
.endmacro

.macro bank_tail
    plain_bank_tail
.endmacro

.segment "ZEROPAGE"
flip_trail: .res 4

.include "common/jit_banks.inc"

.repeat LAST_BANK, n
.segment .sprintf("BANK%d", n)
    code_bank n, $2000
.endrepeat

.segment "MAIN_HEAD"
    prg_bank_head LAST_BANK

.segment "MAIN_TAIL"
    plain_bank_tail nmi_handler, irq_ignore

.export rom_name
.segment "RODATA"
rom_name: .byte "jit_bank_switch_mmc3", 0

; Banks 5 10 1 6 11 2 7 12 3 8 13 4 9 0, each as (code's bank | $A0, marker).
chain_trail:
    .byte $A5, 5, $AA, 10, $A1, 1, $A6, 6, $AB, 11, $A2, 2, $A7, 7
    .byte $AC, 12, $A3, 3, $A8, 8, $AD, 13, $A4, 4, $A9, 9, $A0, 0

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
    ldx #0
    jsr select_bank
    nes_init
    jsr status_begin
    ppu_warmup

    check_chain 2
    check_ping_pong 3
    check_calls CALL_ROUNDS, CALL_SUM, 4

check_flip:
    lda #0
    sta bank
flip_next:
    ldx bank
    jsr select_bank
    jmp FLIP
flip_done:
    lda flip_trail
    cmp #FIXED_C000
    bne flip_bad
    lda flip_trail+1
    cmp #FIXED_C000
    bne flip_bad
    lda flip_trail+2
    cmp bank
    bne flip_bad
    lda flip_trail+3
    cmp bank
    bne flip_bad
    inc bank
    lda bank
    cmp #CHAIN_BANKS
    bne flip_next
    jmp status_pass
flip_bad:
    print "with R6 = "
    jsr print_bank
    print ", its code at $8500 selected PRG mode 1"
    print " and bank 14's code mode 0 again: trail "
    ldx #0
:   stx temp+1
    lda flip_trail,x
    jsr print_hex
    lda #' '
    jsr print_char
    ldx temp+1
    inx
    cpx #4
    bne :-
    print "(code's bank, marker, twice; expected 0E 0E then the bank twice)"
    fail 5

; Maps bank X at $8000 from the fixed bank (R6, PRG mode 0).
select_bank:
    lda #6
    sta $8000
    stx $8001
    rts
