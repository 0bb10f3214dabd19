; jit_bank_switch_mmc1: code inside the switchable window of MMC1
; (mapper 1) switches that window. 128 KiB PRG-ROM in eight 16 KiB banks,
; 8 KiB CHR-RAM, 8 KiB PRG-RAM. PRG mode 3: $8000 switchable, bank 7 fixed
; at $C000, where the checks run.
;
; Banks 0-6 hold code at $8200, $8300, $8400 (common/jit_banks.inc) and
; $8500. A bank switch is five serial writes to $E000 (bit 0 of A each,
; A shifted between them); only the fifth changes the mapping, and the
; instruction after it is fetched from the new bank. The first four writes
; change nothing a translation could see in memory.
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
;   5  mode switch under the code: with bank N (0-6) at $8000, its code at
;      $8500 selects PRG mode 2, which puts bank 0 at $8000 (and bank N at
;      $C000); bank 0's code there records itself and selects mode 3 again,
;      and bank N's code goes on: trail 00 00 N N (code's bank, marker,
;      twice)

.include "common/nes.inc"
.include "common/header.inc"
.include "common/banks.inc"
.include "common/macros.inc"

    nes2_header 1, 0, 8, 0, HEADER_VERTICAL, 7

LAST_BANK   = 7
WINDOW      = $8000
CHAIN_BANKS = 7
CHAIN_STEP  = 3
PING_A      = 1
PING_B      = 2
CALL_ROUNDS = 15
CALL_SUM    = 7140                  ; 15 * (11 + 22 + ... + 77 hex = 476)
FLIP        = WINDOW + $500

; Control register: mirroring vertical, CHR 8 KiB mode, PRG mode 3 (last
; bank fixed) or 2 (first bank fixed).
CONTROL           = (3 << 2) | 2
CONTROL_FIX_FIRST = (2 << 2) | 2

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

; Maps bank X at $8000 (PRG-RAM stays enabled: bit 4 clear).
.macro window_switch
    txa
    mmc1_load $E000
.endmacro

; Bank n's code at $8500 (check 5).
.macro bank_extra n
    lda #CONTROL_FIX_FIRST
    mmc1_load $8000                 ; now bank 0 is at $8000
    lda #(n)                        ; runs in bank 0
    sta flip_trail
    lda WINDOW
    sta flip_trail+1
    lda #CONTROL
    mmc1_load $8000                 ; the PRG register's bank is back at $8000
    lda #(n)                        ; runs in that bank
    sta flip_trail+2
    lda WINDOW
    sta flip_trail+3
    jmp flip_done
.endmacro

; Any bank may be at $C000 at power-on: every bank resets the MMC1 (PRG
; mode 3, bank 7 at $C000) before jumping to `reset`.
.macro mmc1_bank_tail nmi, irq
.local stub, return
stub:
    sei
    ldx #$FF
    stx $8000
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

.segment "ZEROPAGE"
flip_trail: .res 4

.include "common/jit_banks.inc"

.repeat LAST_BANK, n
.segment .sprintf("BANK%d", n)
    code_bank n, $4000
.endrepeat

.segment "MAIN_HEAD"
    prg_bank_head LAST_BANK

.segment "MAIN_TAIL"
    mmc1_bank_tail nmi_handler, irq_ignore

.export rom_name
.segment "RODATA"
rom_name: .byte "jit_bank_switch_mmc1", 0

; Banks 3 6 2 5 1 4 0, each as (code's bank | $A0, marker).
chain_trail:
    .byte $A3, 3, $A6, 6, $A2, 2, $A5, 5, $A1, 1, $A4, 4, $A0, 0

.segment "CODE"
reset:
    sei
    cld
    ldx #$FF
    txs
    lda #CONTROL
    mmc1_load $8000
    lda #0
    mmc1_load $A000                 ; CHR 0
    lda #0
    mmc1_load $C000                 ; CHR 1
    ldx #0
    jsr select_bank                 ; bank 0, PRG-RAM enabled
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
    bne flip_bad
    lda flip_trail+1
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
    print "with "
    jsr print_bank
    print " at $8000, its code at $8500 selected PRG mode 2"
    print " and bank 0's code mode 3 again: trail "
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
    print "(code's bank, marker, twice; expected 00 00 then the bank twice)"
    fail 5

; Maps bank X at $8000 from the fixed bank.
select_bank:
    txa
    mmc1_load $E000
    rts
