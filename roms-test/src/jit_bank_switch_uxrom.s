; jit_bank_switch_uxrom: code inside the switchable window of UxROM
; (mapper 2) switches that window. 128 KiB PRG-ROM in eight 16 KiB banks,
; the last fixed at $C000, where the checks run; 8 KiB CHR-RAM.
;
; Banks 0-6 hold code at $8200, $8300 and $8400 (common/jit_banks.inc).
; A bank switch from inside the window is `STA $8100,X` with A = X: byte X
; of every bank's table at $8100 is X, so the ROM drives the same value as
; the CPU (UNROM has bus conflicts). The instruction after that store is
; fetched from the new bank.
;
; Checks (the result code is the number of the failed check):
;   1  PPU warm-up (vblank flag sets)
;   2  chain: from bank 0, seven hops at $8200, bank N switching to bank
;      (N + 3) mod 7 and going on in it: the code in banks 3 6 2 5 1 4 0
;      runs in turn, with the marker at $8000 showing the same bank
;   3  ping-pong: 200 switches between banks 1 and 2 at $8300, each bank
;      adding its value (3 and 5) after the switch into it: sum
;      100 * 3 + 100 * 5 = 800 ($0320), bank 1 mapped at the end
;   4  from the fixed bank, 15 rounds of mapping banks 0-6 in turn and
;      calling $8400, where bank N returns $11 * (N + 1): sum
;      15 * $11 * 28 = 7140 ($1BE4)

.include "common/nes.inc"
.include "common/header.inc"
.include "common/banks.inc"
.include "common/macros.inc"

    nes2_header 2, 0, 8, 0, HEADER_HORIZONTAL, 7

LAST_BANK   = 7
WINDOW      = $8000
CHAIN_BANKS = 7
CHAIN_STEP  = 3
PING_A      = 1
PING_B      = 2
CALL_ROUNDS = 15
CALL_SUM    = 7140                  ; 15 * (11 + 22 + ... + 77 hex = 476)

; Maps bank X at $8000 from inside the window.
.macro window_switch
    txa
    sta WINDOW + BANK_TABLE_OFFSET,x
.endmacro

.macro bank_extra n
.endmacro

.macro bank_tail
    plain_bank_tail
.endmacro

.include "common/jit_banks.inc"

.repeat LAST_BANK, n
.segment .sprintf("BANK%d", n)
    code_bank n, $4000
.endrepeat

.segment "MAIN_HEAD"
main_head:
    prg_bank_head LAST_BANK
bank_table = main_head + BANK_TABLE_OFFSET

.segment "MAIN_TAIL"
    plain_bank_tail nmi_handler, irq_ignore

.export rom_name
.segment "RODATA"
rom_name: .byte "jit_bank_switch_uxrom", 0

; Banks 3 6 2 5 1 4 0, each as (code's bank | $A0, marker).
chain_trail:
    .byte $A3, 3, $A6, 6, $A2, 2, $A5, 5, $A1, 1, $A4, 4, $A0, 0

.segment "CODE"
reset:
    sei
    cld
    ldx #$FF
    txs
    nes_init
    jsr status_begin
    ppu_warmup

    check_chain 2
    check_ping_pong 3
    check_calls CALL_ROUNDS, CALL_SUM, 4
    jmp status_pass

; Maps bank X at $8000 from the fixed bank (no bus conflict: byte X of its
; table is X).
select_bank:
    txa
    sta bank_table,x
    rts
