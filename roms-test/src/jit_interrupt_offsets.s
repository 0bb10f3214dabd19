; jit_interrupt_offsets: an NMI arriving at every cycle of three loops, on
; NROM (mapper 0). The 6502 takes an interrupt between instructions, at a
; point fixed to the cycle by what it was executing (an interrupt seen in an
; instruction's last cycle waits for the next one; a taken branch that does
; not cross a page delays it by one more instruction). A recompiler that
; runs whole blocks has to stop at exactly the instruction the interpreter
; would stop at, push the same P and return address, and resume the loop
; in the middle of its block after RTI.
;
; Timing: sync_vblank (common/timing.inc) starts the first trial at a fixed
; cycle of a frame, and every trial takes exactly three frames (89342 CPU
; cycles, with rendering off), so the vblank NMI comes at the same cycle of
; every trial. A trial enables the NMI, waits, delays d more
; cycles (d = 0, 1, 2 ...) and runs one of the loops: the NMI lands one
; cycle earlier in the loop at each step of d, and the steps cover a whole
; pass of the loop. The handler keeps the pushed P and return address and
; disables the NMI; the loop finishes, and the trial makes up the rest of
; its three frames (31 - d cycles, then a fixed delay).
;
; The loops (each padded to the same length; A is set before the loop and
; must survive the NMI):
;   dex_loop  DEX / BNE, 24 passes, 5 cycles a pass (the taken branch
;             delays an interrupt by an instruction); A = $A5
;   adc_loop  SEC / LDA / ADC #$2F / STA / CLV / DEY / BNE, 20 passes,
;             17 cycles a pass, every flag changing; A = 20 * $30 = $C0
;   sub_loop  INC abs,X (7 cycles) / JSR to INC zp / RTS / DEX / BNE across
;             a page (4 cycles), 10 passes, 30 cycles a pass; A = $3C
;
; The expected P and return address of each trial were recorded from the
; interpreter (dynes run --engine interp --peek) and checked by hand: every
; return address is an instruction of the loop (or of sub_loop's
; subroutine), and as d grows it steps back through them, each appearing
; as many times as the instruction before it has cycles, except around a
; taken branch that stays in its page: it decides at its first cycle, so an
; NMI in its last two cycles waits for the next instruction (dex_loop
; returns to BNE 3 times and to DEX 2 times in 5; adc_loop to LDA 3 times,
; after the 2-cycle SEC). sub_loop's BNE crosses a page and counts its 4
; cycles. P always has B clear and bit 5 and I set; N V Z are those of the
; instruction before the return address (adc_loop: N V after $60 + $30;
; sub_loop: N once its subroutine's counter passes $80), and C, where the
; loop leaves it alone, is what the delay's CMPs left (it alternates with
; d).
;
; Checks (the result code is the number of the failed check):
;   1  PPU warm-up (vblank flag sets)
;   2  dex_loop, d = 0-6: pushed P and return address
;   3  adc_loop, d = 0-18: the same
;   4  sub_loop, d = 0-31: the same
;   5  after every trial A is the loop's value (the NMI handler restores A
;      and X, RTI restores P: the loop ran on as if not interrupted)
;   6  exactly one NMI per trial (58), and sub_loop's memory: INC abs,X
;      ran 32 times on each of its 10 bytes, its subroutine 320 times

.include "common/nes.inc"
.include "common/header.inc"
.include "common/macros.inc"
.include "common/timing.inc"

    nes2_header 0, 0, 2, 0, HEADER_VERTICAL, 7

TRIAL_CYCLES = 89342                ; three frames
LOOP_CYCLES  = 450                  ; each loop routine, padded (without JSR/RTS)
MAX_DELAY    = 31                   ; the largest d
; LEAD puts the NMI about 49 - d cycles after the loop's first instruction
; (always inside the loop proper); PAD makes a trial TRIAL_CYCLES long.
; Both were measured with `dynes trace` (the cycle count at next_trial and
; at the NMI handler, trial by trial).
LEAD         = 29639
PAD          = 58977

DEX_PASSES = 24
ADC_PASSES = 20
SUB_PASSES = 10

DEX_TRIALS = 7
ADC_TRIALS = 19
SUB_TRIALS = 32
TRIALS     = DEX_TRIALS + ADC_TRIALS + SUB_TRIALS

.export rom_name
.segment "RODATA"
rom_name: .byte "jit_interrupt_offsets", 0

.segment "ZEROPAGE"
trial:     .res 1
delay:     .res 1
loop_ptr:  .res 2
nmi_p:     .res 1                   ; what the NMI handler found on the stack
nmi_pcl:   .res 1
nmi_pch:   .res 1
nmi_hits:  .res 1
save_a:    .res 1
save_x:    .res 1
acc:       .res 1                   ; adc_loop's sum
sub_calls: .res 1                   ; sub_loop's subroutine count
failed:    .res 1                   ; the check compare_trials reports
entry_at:  .res 1                   ; the entry of `results` a message is about

.segment "BSS"
results:   .res 4 * TRIALS          ; per trial: pushed P, return address, A after
sub_bytes: .res SUB_PASSES          ; sub_loop's INC abs,X targets

.segment "CODE"

; The loops. Each takes LOOP_CYCLES cycles from its first instruction to
; its RTS (not counting the NMI), so trials differ only in d. The labels
; name the instructions an NMI may return to.
dex_loop:
    lda #$A5                        ; 2
    ldx #DEX_PASSES                 ; 2
dex_loop_dex:
    dex                             ; 2
dex_loop_bne:
    bne dex_loop_dex                ; 3, 2 the last time
    .assert >dex_loop_dex = >*, error, "dex_loop's branch must not cross a page"
    sta save_a                      ; 3 (the delay changes A)
    delay_cycles LOOP_CYCLES - (4 + 5 * DEX_PASSES - 1) - 6
    lda save_a                      ; 3
    rts

adc_loop:
    ldy #ADC_PASSES                 ; 2
    lda #0                          ; 2
    sta acc                         ; 3
adc_loop_sec:
    sec                             ; 2
adc_loop_lda:
    lda acc                         ; 3
adc_loop_adc:
    adc #$2F                        ; 2
adc_loop_sta:
    sta acc                         ; 3
adc_loop_clv:
    clv                             ; 2
adc_loop_dey:
    dey                             ; 2
adc_loop_bne:
    bne adc_loop_sec                ; 3, 2 the last time
    .assert >adc_loop_sec = >*, error, "adc_loop's branch must not cross a page"
    sta save_a
    delay_cycles LOOP_CYCLES - (7 + 17 * ADC_PASSES - 1) - 6
    lda save_a
    rts

; The BNE at the end of sub_loop crosses from one page back into the one
; before (4 cycles when taken).
    .res ($FA - (* - slide)) & $FF, $EA   ; (never run) to offset $FA of a page
sub_loop:
    lda #$3C                        ; 2
    ldx #SUB_PASSES                 ; 2
sub_loop_inc:
    inc sub_bytes - 1,x             ; 7
sub_loop_jsr:
    jsr sub_step                    ; 6, then 5 + 6
sub_loop_dex:
    dex                             ; 2
sub_loop_bne:
    bne sub_loop_inc                ; 4 (page crossed), 2 the last time
    .assert >sub_loop_inc <> >*, error, "sub_loop's branch must cross a page"
    sta save_a
    delay_cycles LOOP_CYCLES - (4 + 30 * SUB_PASSES - 2) - 6
    lda save_a
    rts

sub_step:
sub_step_inc:
    inc sub_calls                   ; 5
sub_step_rts:
    rts                             ; 6

reset:
    sei
    cld
    ldx #$FF
    txs
    nes_init
    jsr status_begin
    ppu_warmup

run_trials:
    ; The first trial starts at a fixed cycle of a frame (just before the
    ; vblank flag sets), the others exactly three frames later each.
    jsr sync_vblank
    lda #0
    sta trial
next_trial:
    ; Everything from here to the JMP back takes TRIAL_CYCLES, whatever
    ; the trial (no branches, no page crossings).
    bit PPUSTATUS                   ; 4  clears the flag set this frame
    lda #$80                        ; 2
    sta PPUCTRL                     ; 4  NMI at the next vblank
    ldx trial                       ; 3
    lda trial_loop_lo,x             ; 4
    sta loop_ptr                    ; 3
    lda trial_loop_hi,x             ; 4
    sta loop_ptr+1                  ; 3
    lda trial_delay,x               ; 4
    sta delay                       ; 3
    delay_cycles LEAD
    lda delay                       ; 3
    jsr delay_a                     ; d + 34
    jsr call_loop                   ; 6 + 5 + LOOP_CYCLES + 6, and the NMI
    tay                             ; 2
    lda trial                       ; 3
    asl                             ; 2
    asl                             ; 2
    tax                             ; 2  the trial's entry in `results`
    lda nmi_p                       ; 3
    sta results,x                   ; 5
    lda nmi_pcl                     ; 3
    sta results+1,x                 ; 5
    lda nmi_pch                     ; 3
    sta results+2,x                 ; 5
    tya                             ; 2
    sta results+3,x                 ; 5
    lda #MAX_DELAY                  ; 2
    sec                             ; 2
    sbc delay                       ; 3
    jsr delay_a                     ; 31 - d + 34
    delay_cycles PAD
    inc trial                       ; 5
    lda trial                       ; 3
    cmp #TRIALS                     ; 2
    beq trials_done                 ; 2 (not taken)
    jmp next_trial                  ; 3
trials_done:
    ldx #0
    ldy #DEX_TRIALS
    lda #2
    jsr compare_trials
    ldy #ADC_TRIALS
    lda #3
    jsr compare_trials
    ldy #SUB_TRIALS
    lda #4
    jsr compare_trials

check_registers:
    ldx #0
:   lda results+3,x
    cmp expected+3,x
    bne registers_bad
    inx
    inx
    inx
    inx
    cpx #4 * TRIALS
    bne :-
    jmp check_counts
registers_bad:
    stx entry_at
    jsr print_trial
    print ": A after the loop "
    ldx entry_at
    lda results+3,x
    jsr print_hex
    print ", expected "
    ldx entry_at
    lda expected+3,x
    jsr print_hex
    print " (the NMI changed the loop's registers)"
    fail 5

check_counts:
    lda nmi_hits
    cmp #TRIALS
    bne counts_bad
    lda sub_calls
    cmp #<(SUB_TRIALS * SUB_PASSES)
    bne counts_bad
    ldx #0
:   lda sub_bytes,x
    cmp #SUB_TRIALS
    bne counts_bad
    inx
    cpx #SUB_PASSES
    bne :-
    jmp status_pass
counts_bad:
    print "NMIs: "
    lda nmi_hits
    jsr print_dec
    print " (expected 58); sub_loop's subroutine ran "
    lda sub_calls
    jsr print_hex
    print " times (low byte; expected 40 hex), its first INC abs,X byte is "
    lda sub_bytes
    jsr print_dec
    print " (expected 32)"
    fail 6

call_loop:
    jmp (loop_ptr)                  ; 5

; Compares the P and return address of Y trials from entry X of
; `results` with `expected`; fails check A at the first that differs, else
; returns X at the entry after them.
compare_trials:
    sta failed
@next:
    lda results,x
    cmp expected,x
    bne @bad
    lda results+1,x
    cmp expected+1,x
    bne @bad
    lda results+2,x
    cmp expected+2,x
    bne @bad
    inx
    inx
    inx
    inx
    dey
    bne @next
    rts
@bad:
    stx entry_at
    jsr print_trial
    print ": NMI pushed P "
    ldx entry_at
    lda results,x
    jsr print_hex
    print " and return address "
    ldx entry_at
    lda results+2,x
    jsr print_hex
    ldx entry_at
    lda results+1,x
    jsr print_hex
    print ", expected "
    ldx entry_at
    lda expected,x
    jsr print_hex
    print " and "
    ldx entry_at
    lda expected+2,x
    jsr print_hex
    ldx entry_at
    lda expected+1,x
    jsr print_hex
    lda failed
    jmp status_fail

; Appends "trial N (d = D)" for the entry at entry_at of `results`.
print_trial:
    print "trial "
    lda entry_at
    lsr
    lsr
    sta bank
    jsr print_dec
    print " (d = "
    ldx bank
    lda trial_delay,x
    jsr print_dec
    print ")"
    rts

; The NMI handler: the same number of cycles every time.
nmi_record:
    sta save_a
    stx save_x
    tsx
    lda $0101,x                     ; P
    sta nmi_p
    lda $0102,x                     ; return address
    sta nmi_pcl
    lda $0103,x
    sta nmi_pch
    lda #0
    sta PPUCTRL                     ; no NMI until the next trial
    inc nmi_hits
    ldx save_x
    lda save_a
    rti

; Which loop and which d, trial by trial. The timed code reads them with
; LDA abs,X: they start a page, so that no read crosses one.
.macro trial_loops first, count
    .repeat count
        .byte first
    .endrepeat
.endmacro
    .res ($100 - (* - slide)) & $FF, $FF
trial_loop_lo:
    trial_loops <dex_loop, DEX_TRIALS
    trial_loops <adc_loop, ADC_TRIALS
    trial_loops <sub_loop, SUB_TRIALS
trial_loop_hi:
    trial_loops >dex_loop, DEX_TRIALS
    trial_loops >adc_loop, ADC_TRIALS
    trial_loops >sub_loop, SUB_TRIALS
trial_delay:
    .repeat DEX_TRIALS, d
        .byte d
    .endrepeat
    .repeat ADC_TRIALS, d
        .byte d
    .endrepeat
    .repeat SUB_TRIALS, d
        .byte d
    .endrepeat
    .assert >trial_loop_lo = >(trial_delay + TRIALS - 1), error, "trial tables cross a page"
    .assert MAX_DELAY = SUB_TRIALS - 1, error, "MAX_DELAY is the largest d"

.segment "RODATA"

; Per trial: P and return address the NMI pushes, A after the loop.
.macro expect pushed_p, return, after_a
    .byte pushed_p
    .word return
    .byte after_a
.endmacro
expected:
    ; dex_loop
    expect $25, dex_loop_dex, $A5               ; d = 0
    expect $24, dex_loop_bne, $A5               ; d = 1
    expect $25, dex_loop_bne, $A5               ; d = 2
    expect $24, dex_loop_bne, $A5               ; d = 3
    expect $25, dex_loop_dex, $A5               ; d = 4
    expect $24, dex_loop_dex, $A5               ; d = 5
    expect $25, dex_loop_bne, $A5               ; d = 6
    ; adc_loop
    expect $E4, adc_loop_sta, $C0               ; d = 0
    expect $25, adc_loop_adc, $C0               ; d = 1
    expect $25, adc_loop_adc, $C0               ; d = 2
    expect $25, adc_loop_adc, $C0               ; d = 3
    expect $25, adc_loop_lda, $C0               ; d = 4
    expect $25, adc_loop_lda, $C0               ; d = 5
    expect $25, adc_loop_lda, $C0               ; d = 6
    expect $24, adc_loop_sec, $C0               ; d = 7
    expect $24, adc_loop_sec, $C0               ; d = 8
    expect $24, adc_loop_bne, $C0               ; d = 9
    expect $24, adc_loop_bne, $C0               ; d = 10
    expect $24, adc_loop_dey, $C0               ; d = 11
    expect $24, adc_loop_dey, $C0               ; d = 12
    expect $24, adc_loop_clv, $C0               ; d = 13
    expect $24, adc_loop_clv, $C0               ; d = 14
    expect $24, adc_loop_clv, $C0               ; d = 15
    expect $24, adc_loop_sta, $C0               ; d = 16
    expect $24, adc_loop_sta, $C0               ; d = 17
    expect $25, adc_loop_adc, $C0               ; d = 18
    ; sub_loop
    expect $25, sub_step_inc, $3C               ; d = 0
    expect $24, sub_step_inc, $3C               ; d = 1
    expect $25, sub_step_inc, $3C               ; d = 2
    expect $24, sub_step_inc, $3C               ; d = 3
    expect $25, sub_step_inc, $3C               ; d = 4
    expect $24, sub_step_inc, $3C               ; d = 5
    expect $25, sub_loop_jsr, $3C               ; d = 6
    expect $24, sub_loop_jsr, $3C               ; d = 7
    expect $25, sub_loop_jsr, $3C               ; d = 8
    expect $24, sub_loop_jsr, $3C               ; d = 9
    expect $25, sub_loop_jsr, $3C               ; d = 10
    expect $24, sub_loop_jsr, $3C               ; d = 11
    expect $25, sub_loop_jsr, $3C               ; d = 12
    expect $24, sub_loop_inc, $3C               ; d = 13
    expect $25, sub_loop_inc, $3C               ; d = 14
    expect $24, sub_loop_inc, $3C               ; d = 15
    expect $25, sub_loop_inc, $3C               ; d = 16
    expect $24, sub_loop_bne, $3C               ; d = 17
    expect $25, sub_loop_bne, $3C               ; d = 18
    expect $A4, sub_loop_dex, $3C               ; d = 19
    expect $A5, sub_loop_dex, $3C               ; d = 20
    expect $A4, sub_loop_dex, $3C               ; d = 21
    expect $A5, sub_loop_dex, $3C               ; d = 22
    expect $A4, sub_loop_dex, $3C               ; d = 23
    expect $A5, sub_loop_dex, $3C               ; d = 24
    expect $A4, sub_step_rts, $3C               ; d = 25
    expect $25, sub_step_rts, $3C               ; d = 26
    expect $24, sub_step_rts, $3C               ; d = 27
    expect $25, sub_step_rts, $3C               ; d = 28
    expect $24, sub_step_rts, $3C               ; d = 29
    expect $25, sub_step_inc, $3C               ; d = 30
    expect $24, sub_step_inc, $3C               ; d = 31
.segment "MAIN_TAIL"
    .res $1A, $FF
    .word nmi_record, reset, irq_ignore
