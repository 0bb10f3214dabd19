; jit_dma: OAM DMA ($4014) in the middle of straight-line code, on NROM
; (mapper 0). The write halts the CPU for 513 or 514 cycles (one halt
; cycle, one more to align to a read cycle when it falls on an odd cycle,
; then 256 read/write pairs) while 256 bytes go to OAM. A recompiler hands
; the write to the interpreter from inside a compiled block: the code after
; it must run on with the registers and flags intact, and the stall must be
; counted, to the cycle, before the next access that can see time pass.
;
; The timing checks read the vblank flag at a cycle near the moment it
; sets: sync_vblank (common/timing.inc) starts the first trial at a fixed
; cycle of a frame, and every trial takes exactly three frames (89342 CPU
; cycles, rendering off), so the flag sets at the same cycle of every
; trial. A trial stalls (a DMA, or a 513-cycle delay loop for comparison),
; waits k more cycles (k = 0-19) and reads $2002: the reads see the flag
; from some k on, the edge. A stall one cycle longer moves the edge one k
; earlier. The stall sits at a fixed cycle of the trial, so within a scan
; of k every DMA starts on the same kind of cycle and takes as long.
;   scan 0  LDA #imm, STA abs, 513 cycles of delay loop: the reference edge E
;   scan 1  LDA #imm, STA $4014: edge E - (DMA - 513)
;   scan 2  LDA zp (a cycle longer), STA $4014: the DMA starts one cycle
;           later, on the other kind of cycle: edge E - 1 - (DMA - 513)
; One of the two DMAs takes 514 cycles and the other 513, so the edges are
; either E - 1 and E - 1, or E and E - 2. The interpreter gives E = 10, then
; 10 and 8 (scan 1's DMA takes 513 cycles, scan 2's 514); the recompiler
; must reproduce that exactly.
;
; Every trial starts with a DMA too: a DMA always ends on the same kind of
; cycle (even, in dynes's count), so the stall under test starts on the
; kind of cycle its scan puts it on in every trial, the first included.
;
; Checks (the result code is the number of the failed check):
;   1  PPU warm-up (vblank flag sets)
;   2  A X Y and P (N V Z C from BIT and SEC before the write) are the same
;      after STA $4014 as before, in the same straight-line code
;   3  OAM read back through $2003/$2004 holds the page copied: i * 7 + 3
;      with OAMADDR 0 before the DMA; then i XOR $A5 with OAMADDR $21 (the
;      copy starts there and wraps); bits 2-4 of attribute bytes read 0
;   4  each scan sees the vblank flag clear up to its edge and set from
;      there on, with the edge inside the scan
;   5  the edges show DMAs of 513 and 514 cycles: E - 1, E - 1 or E, E - 2
;   6  the edges are those of the interpreter: 10, 10, 8

.include "common/nes.inc"
.include "common/header.inc"
.include "common/macros.inc"
.include "common/timing.inc"

    nes2_header 0, 0, 2, 0, HEADER_VERTICAL, 7

TRIAL_CYCLES = 89342                ; three frames
SCANS        = 3
SCAN_K       = 20                   ; k = 0-19 in each scan
TRIALS       = SCANS * SCAN_K
MAX_K        = SCAN_K - 1
; LEAD puts the scans' $2002 reads around the cycle the vblank flag sets;
; PAD_0-2 make each scan's trials TRIAL_CYCLES long. They were measured
; with `dynes trace` (the cycle count at next_trial, trial by trial); PAD_1
; and PAD_2 differ from PAD_0 by the DMA's stall beyond 513 cycles and the
; extra cycle of scan 2's LDA zp.
LEAD         = 28634
PAD_0        = 59495
PAD_1        = 59495
PAD_2        = 59493
; The interpreter's edges (check 6).
EDGE_0       = 10
EDGE_1       = 10
EDGE_2       = 8

.export rom_name
.segment "RODATA"
rom_name: .byte "jit_dma", 0
bit_c0:   .byte $C0                 ; BIT: N and V set

.segment "ZEROPAGE"
trial:     .res 1
k:         .res 1
scan_ptr:  .res 2
oam_page:  .res 1                   ; >oam, for scan 2's LDA zp
edges:     .res SCANS
index:     .res 1
expected:  .res 1
oam_start: .res 1                   ; OAMADDR before the DMA of check 3

.segment "OAM"
oam: .res 256                       ; the page the DMAs copy

.segment "BSS"
flags: .res TRIALS                  ; the $2002 read of each trial
dummy: .res 1                       ; scan 0's STA abs goes here

.segment "CODE"

; The scans' trials, from the stall to the end of the trial: the same
; number of cycles in every trial of a scan, TRIAL_CYCLES in all.
.macro scan_routine kind, pad
    .if kind = 0
        lda #>oam                   ; 2
        sta dummy                   ; 4
        delay_cycles 513
    .elseif kind = 1
        lda #>oam                   ; 2
        sta OAMDMA                  ; 4 + 513 or 514
    .else
        lda oam_page                ; 3
        sta OAMDMA                  ; 4 + 514 or 513
    .endif
    ldx #$5A                        ; 2  more straight-line code
    ldy k                           ; 3
    lda k                           ; 3
    jsr delay_a                     ; k + 34
    lda PPUSTATUS                   ; 4  the vblank flag, k cycles later
    ldx trial                       ; 3
    sta flags,x                     ; 5
    lda #MAX_K                      ; 2
    sec                             ; 2
    sbc k                           ; 3
    jsr delay_a                     ; MAX_K - k + 34
    delay_cycles pad
    rts
.endmacro

scan_0: scan_routine 0, PAD_0
scan_1: scan_routine 1, PAD_1
scan_2: scan_routine 2, PAD_2

reset:
    sei
    cld
    ldx #$FF
    txs
    nes_init
    jsr status_begin
    ppu_warmup

check_registers:
    ldx #$A5
    ldy #$3C
    lda #>oam
    sec
    bit bit_c0                      ; N V, Z (A & $C0 = 0), C
    sta OAMDMA
    php
    sta probe
    stx probe+1
    sty probe+2
    pla
    sta probe+3
    lda probe
    cmp #>oam
    bne registers_bad
    lda probe+1
    cmp #$A5
    bne registers_bad
    lda probe+2
    cmp #$3C
    bne registers_bad
    lda probe+3
    cmp #$F7
    beq check_oam
registers_bad:
    print "after STA $4014: A X Y P = "
    ldx #0
    jsr print_probe_pair
    lda #' '
    jsr print_char
    ldx #2
    jsr print_probe_pair
    print ", expected 02 A5 3C F7"
    fail 2

check_oam:
    ; Page: i * 7 + 3; OAMADDR 0.
    ldx #0
    lda #3
:   sta oam,x
    clc
    adc #7
    inx
    bne :-
    lda #0
    sta oam_start
    sta OAMADDR
    lda #>oam
    sta OAMDMA
    ldx #0
    lda #3
    sta expected
oam_compare_1:
    stx OAMADDR
    lda OAMDATA
    sta probe
    lda expected
    jsr attribute_mask
    cmp probe
    bne oam_bad
    lda expected
    clc
    adc #7
    sta expected
    inx
    bne oam_compare_1

    ; Page: i XOR $A5; OAMADDR $21, so OAM byte j gets page byte j - $21.
    ldx #0
:   txa
    eor #$A5
    sta oam,x
    inx
    bne :-
    lda #$21
    sta oam_start
    sta OAMADDR
    lda #>oam
    sta OAMDMA
    ldx #0
oam_compare_2:
    stx OAMADDR
    lda OAMDATA
    sta probe
    txa
    sec
    sbc #$21
    eor #$A5
    jsr attribute_mask
    cmp probe
    bne oam_bad
    inx
    bne oam_compare_2
    jmp run_trials

oam_bad:
    sta expected
    stx index
    print "OAM byte $"
    lda index
    jsr print_hex
    print " read back "
    lda probe
    jsr print_hex
    print ", expected "
    lda expected
    jsr print_hex
    print " after the DMA with OAMADDR $"
    lda oam_start
    jsr print_hex
    fail 3

run_trials:
    lda #>oam
    sta oam_page
    ; The first trial starts at a fixed cycle of a frame (just before the
    ; vblank flag sets), the others exactly three frames later each.
    jsr sync_vblank
    lda #0
    sta trial
next_trial:
    ; From here to the JMP back: TRIAL_CYCLES, whatever the trial.
    bit PPUSTATUS                   ; 4  clears the flag set this frame
    lda #>oam                       ; 2
    sta OAMDMA                      ; 4 + 513 or 514: ends on an even cycle
    ldx trial                       ; 3
    lda trial_scan_lo,x             ; 4
    sta scan_ptr                    ; 3
    lda trial_scan_hi,x             ; 4
    sta scan_ptr+1                  ; 3
    lda trial_k,x                   ; 4
    sta k                           ; 3
    delay_cycles LEAD
    jsr call_scan                   ; 6 + 5 + the scan's routine
    inc trial                       ; 5
    lda trial                       ; 3
    cmp #TRIALS                     ; 2
    beq trials_done                 ; 2 (not taken)
    jmp next_trial                  ; 3
trials_done:

check_edges:
    ldx #0                          ; the first trial of the scan
    ldy #0                          ; the scan
edge_scan:
    stx index
    lda #$FF
    sta edges,y
edge_next:
    lda flags,x
    and #$80
    beq edge_clear
    lda edges,y                     ; set: the first one is the edge
    bpl edge_k
    txa
    sec
    sbc index
    sta edges,y
    jmp edge_k
edge_clear:
    lda edges,y                     ; clear after set: no clean edge
    bpl edge_bad
edge_k:
    inx
    txa
    sec
    sbc index
    cmp #SCAN_K
    bne edge_next
    lda edges,y
    beq edge_bad                    ; set from k = 0: the edge is outside
    bmi edge_bad                    ; never set
    iny
    cpy #SCANS
    bne edge_scan
    jmp check_lengths
edge_bad:
    sty expected
    print "scan "
    lda expected
    jsr print_dec
    print ": the $2002 reads at k = 0-19 saw the vblank flag as "
    ldx index
edge_print:
    lda flags,x
    asl
    lda #'0'
    adc #0
    jsr print_char
    inx
    txa
    sec
    sbc index
    cmp #SCAN_K
    bne edge_print
    print " (expected 0s, then 1s)"
    fail 4

check_lengths:
    ; Edges E - 1, E - 1: the scan 1 DMA took 514 cycles, scan 2's 513.
    ; Edges E, E - 2: the scan 1 DMA took 513 cycles, scan 2's 514.
    ldx edges
    dex
    cpx edges+1
    bne :+
    cpx edges+2
    beq check_interpreter
:   inx
    cpx edges+1
    bne lengths_bad
    dex
    dex
    cpx edges+2
    beq check_interpreter
lengths_bad:
    jsr print_edges
    print ": the DMAs did not take 513 and 514 cycles (expected E-1 E-1 or E E-2 after E)"
    fail 5

check_interpreter:
    lda edges
    cmp #EDGE_0
    bne interpreter_bad
    lda edges+1
    cmp #EDGE_1
    bne interpreter_bad
    lda edges+2
    cmp #EDGE_2
    bne interpreter_bad
    jmp status_pass
interpreter_bad:
    jsr print_edges
    print ", expected "
    lda #EDGE_0
    jsr print_dec
    lda #' '
    jsr print_char
    lda #EDGE_1
    jsr print_dec
    lda #' '
    jsr print_char
    lda #EDGE_2
    jsr print_dec
    print " (the interpreter's)"
    fail 6

; Appends "edges A B C".
print_edges:
    print "edges"
    ldx #0
:   stx index
    lda #' '
    jsr print_char
    ldx index
    lda edges,x
    jsr print_dec
    ldx index
    inx
    cpx #SCANS
    bne :-
    rts

call_scan:
    jmp (scan_ptr)                  ; 5

; A with bits 2-4 cleared if X is the index of an attribute byte (X & 3 =
; 2): what $2004 returns for a byte A written there.
attribute_mask:
    pha
    txa
    and #3
    cmp #2
    bne :+
    pla
    and #$E3
    rts
:   pla
    rts

; Which scan and which k, trial by trial. The timed code reads them with
; LDA abs,X: they start a page, so that no read crosses one.
.macro scan_trials routine
    .repeat SCAN_K
        .byte routine
    .endrepeat
.endmacro
    .res ($100 - (* - slide)) & $FF, $FF
trial_scan_lo:
    scan_trials <scan_0
    scan_trials <scan_1
    scan_trials <scan_2
trial_scan_hi:
    scan_trials >scan_0
    scan_trials >scan_1
    scan_trials >scan_2
trial_k:
    .repeat SCANS
        .repeat SCAN_K, i
            .byte i
        .endrepeat
    .endrepeat
    .assert >trial_scan_lo = >(trial_k + TRIALS - 1), error, "trial tables cross a page"

.segment "MAIN_TAIL"
    .res $1A, $FF
    .word nmi_handler, reset, irq_ignore
