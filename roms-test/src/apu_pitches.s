; apu_pitches: a fixed sequence of APU tones of known pitch, on NROM
; (mapper 0), for the audio tests. It checks nothing itself: the tests
; record its sound and look at the spectrum of each segment.
;
; After the PPU warm-up the ROM turns the vblank NMI on and counts NMIs
; (one per frame, 60.1 Hz on NTSC). The NMI handler starts each segment on
; the NMI whose count (0 = the first NMI) is in `schedule`, so every segment
; starts a few dozen CPU cycles after a vblank and lasts a whole number of
; frames:
;
;   count   0-3    lead-in, silence
;   count   4-123  pulse 1 alone: duty 50%, constant volume 15, period 253
;                  (1789773 / (16 * 254) = 440.4 Hz)
;   count 124-243  triangle alone: period 253 (1789773 / (32 * 254) =
;                  220.2 Hz); it sounds from the first quarter-frame clock
;                  (at most 1/240 s in), when the linear counter loads
;   count 244-363  pulse 2 alone: duty 25%, constant volume 10, period 126
;                  (1789773 / (16 * 127) = 880.8 Hz)
;   count 364-483  noise alone: mode 0 (long sequence), period index 8
;                  (202 CPU cycles), constant volume 12
;   count 484-543  silence ($4015 = 0)
;   count 544      done: the report says Passed
;
; Length counters are halted (and loaded with 254) and the sweep units off
; ($4001/$4005 = 0: the sweep target, twice the period, stays under $7FF),
; so each tone holds until the next segment disables its channel through
; $4015. A disabled triangle stops at the step it was on and holds that
; level (a constant offset, not a tone), as on the real chip.
;
; Where the tests look (frames as `dynes run` counts them: frame F runs
; from the F-th vblank to the next, power-on being vblank 0): the first
; NMI comes in frame 3, so count N is frame N + 3. See roms-test/README.md.
;
; Fixed places, for tools that read the ROM or its RAM:
;   $FFE0  schedule: six little-endian words, the NMI counts at which
;          segments 1-5 start and the one at which the run is done
;   $0000  the segment playing (0 lead-in, 1-5, 6 done)
;   $0001  NMI count, 16 bits little-endian
;
; Checks (the result code is the number of the failed check):
;   1  PPU warm-up (vblank flag sets)
;   2  the segments all end within 720 NMIs (12 s)

.include "common/nes.inc"
.include "common/header.inc"
.include "common/macros.inc"

    nes2_header 0, 0, 2, 0, HEADER_VERTICAL, 7

APU_STATUS = $4015

LEAD_IN     = 4                     ; NMIs of silence before segment 1
TONE_FRAMES = 120                   ; segments 1-4: 2 s each
QUIET       = 60                    ; segment 5: 1 s
SEGMENTS    = 5

SEG1_START = LEAD_IN
SEG2_START = SEG1_START + TONE_FRAMES
SEG3_START = SEG2_START + TONE_FRAMES
SEG4_START = SEG3_START + TONE_FRAMES
SEG5_START = SEG4_START + TONE_FRAMES
DONE_AT    = SEG5_START + QUIET

.export rom_name
.segment "RODATA"
rom_name: .byte "apu_pitches", 0

; Zero page comes first in the link, so these sit at $0000-$0002.
.segment "ZEROPAGE"
segment:   .res 1                   ; the segment playing (0 lead-in .. 6 done)
nmi_total: .res 2                   ; NMIs so far, 16 bits

.segment "CODE"
reset:
    sei
    cld
    ldx #$FF
    txs
    nes_init
    lda #0
    sta APU_STATUS                  ; every channel off
    jsr status_begin
    ppu_warmup

    ; wait_vblank returned right after the read that cleared the flag, so
    ; the first NMI comes at the next vblank.
    lda #$80
    sta PPUCTRL
    ; Wait for segment 6; fail if 12 s of NMIs pass first.
wait_done:
    lda segment
    cmp #SEGMENTS + 1
    beq done
    lda nmi_total                   ; 16-bit compare with 720
    cmp #<(12 * 60)
    lda nmi_total+1
    sbc #>(12 * 60)
    bcc wait_done
    print "segments not done after 720 NMIs"
    fail 2

done:
    print "apu_pitches: done"
    jsr print_newline
    jmp status_pass

; Counts NMIs and starts the next segment on the count the schedule gives.
; Runs at the start of every frame, so the APU writes land at the same
; place in each frame.
nmi:
    pha
    txa
    pha
    lda segment
    cmp #SEGMENTS + 1
    bcs @count                      ; all done
    asl
    tax                             ; X = 2 * segment: the next start
    lda nmi_total
    cmp schedule,x
    bne @count
    lda nmi_total+1
    cmp schedule+1,x
    bne @count
    jsr start_segment
    inc segment
@count:
    inc nmi_total
    bne :+
    inc nmi_total+1
:   pla
    tax
    pla
    rti

; Starts segment X / 2 + 1 (X = 0, 2 .. 10): jumps to its routine.
start_segment:
    lda starters+1,x
    pha
    lda starters,x
    pha
    rts                             ; to the routine (address - 1 pushed)

starters:
    .word pulse1_440 - 1, triangle_220 - 1, pulse2_880 - 1
    .word noise_8 - 1, silence - 1, silence - 1

; $4000: duty 2 (50%), length halt, constant volume 15. Period 253 = $0FD.
pulse1_440:
    lda #$01                        ; pulse 1 only
    sta APU_STATUS
    lda #$BF
    sta $4000
    lda #$00                        ; sweep off; its target, 2 * 253, does not mute
    sta $4001
    lda #$FD
    sta $4002
    lda #$08                        ; length index 1 (254), period bits 8-10 = 0
    sta $4003
    rts

; $4008: control (length halt) and linear counter reload 127. Period 253.
triangle_220:
    lda #$04                        ; triangle only: pulse 1 stops
    sta APU_STATUS
    lda #$FF
    sta $4008
    lda #$FD
    sta $400A
    lda #$08
    sta $400B
    rts

; $4004: duty 1 (25%), length halt, constant volume 10. Period 126 = $07E.
pulse2_880:
    lda #$02                        ; pulse 2 only: the triangle stops
    sta APU_STATUS
    lda #$7A
    sta $4004
    lda #$00                        ; sweep off (target 2 * 126)
    sta $4005
    lda #$7E
    sta $4006
    lda #$08
    sta $4007
    rts

; $400C: length halt, constant volume 12. $400E: mode 0, period index 8.
noise_8:
    lda #$08                        ; noise only: pulse 2 stops
    sta APU_STATUS
    lda #$3C
    sta $400C
    lda #$08
    sta $400E
    lda #$08
    sta $400F
    rts

silence:
    lda #$00
    sta APU_STATUS
    rts

.segment "MAIN_TAIL"
; $FFE0: the NMI counts at which segments 1-5 start, and the end.
schedule:
    .word SEG1_START, SEG2_START, SEG3_START, SEG4_START, SEG5_START, DONE_AT
    .res $1A - (* - schedule), $FF
    .word nmi, reset, irq_ignore
