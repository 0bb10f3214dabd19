; sound.s: STAR CATCHER's music and sound effects.
;
; Channels: the music has pulse 1 (melody) and the triangle (bass); the
; effects have pulse 2 and the noise channel, so an effect never cuts the
; tune. All four channels stay enabled in $4015 with their length counters
; halted; a channel is silenced by volume 0 (pulses, noise) or a linear
; counter reload of 0 (triangle).
;
; Interface (sound.inc):
;   sound_init          at reset: APU quiet, frame IRQ off
;   sound_update        once per frame from the NMI handler, after the video
;                       updates; it must keep to A, X, Y (the handler saves
;                       them) and its own variables, and never touch the PPU
;                       or the mapper
;   sound_play_effect   A = SFX_*: the effect starts on the next update
;   sound_play_music    A = MUS_*: the tune starts on the next update
;   sound_pause         A = 0 plays on, else every channel goes quiet and
;                       the tune holds its place until A = 0 again
; The three calls from the game only store one byte each, which the next
; update takes: the NMI can never see a request half written. A later
; request in the same frame replaces an earlier one.
;
; Music: each channel reads a stream of bytes (see the track macros below):
;   $00             rest for the current duration
;   $01-$7F         note number (1 = A1, 37 = A4 at 440 Hz, ...) for the
;                   current duration; the triangle plays it an octave lower
;                   on the same period, so its notes are shifted up 12
;   $80 | n         the duration becomes n frames (1-63)
;   $FE, lo, hi     go on at address hi:lo (loops)
;   $FF             the channel stops
; Pulse 1 notes decay from the song's start volume to its floor, one step
; every 2 or 4 frames; triangle notes stop 2 frames early (staccato).
;
; Effects: up to one stream for pulse 2 and one for noise, each a list of
; steps of three bytes: frames (0 ends the stream), pitch (pulse 2: a note
; number, 0 keeps the last; noise: the $400E value), and the channel's
; volume register ($4004 / $400C value: duty, halt, constant volume).
;
; CPU time: about 200 cycles a frame, at most about 820 (a tune and an
; effect starting together); the NMI runs it before waiting for
; the status bar split, so in play it takes no time from the game.

.include "nes.inc"
.include "sound.inc"

SQ1_VOL    = $4000
SQ1_SWEEP  = $4001
SQ1_LO     = $4002
SQ1_HI     = $4003
SQ2_VOL    = $4004
SQ2_SWEEP  = $4005
SQ2_LO     = $4006
SQ2_HI     = $4007
TRI_LINEAR = $4008
TRI_LO     = $400A
TRI_HI     = $400B
NOISE_VOL  = $400C
NOISE_LO   = $400E
NOISE_HI   = $400F

LENGTH_LOAD = $08               ; length index 1 (halted anyway) in $4003/$4007/$400B/$400F
SWEEP_OFF   = $00               ; sweep disabled; its target (twice the period) mutes
                                ; pulse periods over $3FF, below B2: no note goes that low
TRI_ON      = $FF               ; control (halt) and reload 127: sounds until cut
TRI_OFF     = $80               ; control and reload 0: silent from the next quarter frame
TRI_GATE    = 2                 ; triangle notes stop this many frames early

; $4000/$4004 values: duty, length halt, constant volume (OR the volume in).
DUTY12 = $30
DUTY25 = $70
DUTY50 = $B0
QUIET  = $30                    ; pulse or noise at volume 0

END_TRACK = $FF
LOOP_TO   = $FE

; Effect flags.
FX_STOP_MUSIC = $01

.segment "ZEROPAGE"
sfx_request:   .res 1           ; SFX_* asked for (0: none)
music_request: .res 1           ; $80 | MUS_* asked for (0: none)
pause_request: .res 1           ; what the game asked: 0 play, else pause
paused:        .res 1           ; what sound_update last acted on
snd_ptr:       .res 2           ; stream pointer while reading
snd_tmp:       .res 1
; Music, per channel (0 pulse 1, 1 triangle).
mus_lo:        .res 2           ; stream position
mus_hi:        .res 2
mus_timer:     .res 2           ; frames left of the current note
mus_dur:       .res 2           ; the current duration
mus_on:        .res 2           ; nonzero: the channel reads its stream
sq1_vol:       .res 1           ; pulse 1 volume now (0: rest)
sq1_env:       .res 1           ; frames into the note, for the decay
sq1_hi:        .res 1           ; last $4003 period bits (a rewrite restarts the wave)
song_duty:     .res 1           ; the song's pulse 1 duty (DUTY*)
song_vol:      .res 1           ; start volume of each pulse 1 note
song_floor:    .res 1           ; the decay stops here
song_decay:    .res 1           ; 1: a step every 2 frames, 3: every 4
; Effects, per channel (0 pulse 2, 1 noise).
fx_lo:         .res 2
fx_hi:         .res 2
fx_timer:      .res 2           ; frames left of the current step
fx_on:         .res 2
sq2_hi:        .res 1           ; last $4007 period bits

.segment "CODE"

; Silences every channel and stops the APU frame IRQ.
.proc sound_init
    lda #$40
    sta APU_FRAME                   ; 4-step sequence, frame IRQ inhibited
    lda #$00
    sta DMC_FREQ
    ldx #sq2_hi - sfx_request       ; every variable of the module
@clear:
    sta sfx_request,x
    dex
    bpl @clear
    lda #$0F
    sta APU_STATUS                  ; pulses, triangle, noise on; DMC off
    lda #QUIET
    sta SQ1_VOL
    sta SQ2_VOL
    sta NOISE_VOL
    lda #TRI_OFF
    sta TRI_LINEAR
    lda #SWEEP_OFF
    sta SQ1_SWEEP
    sta SQ2_SWEEP
    lda #LENGTH_LOAD                ; load the length counters (halted)
    sta SQ1_HI
    sta SQ2_HI
    sta TRI_HI
    sta NOISE_HI
    lda #$FF
    sta sq1_hi
    sta sq2_hi
    rts
.endproc

; A = SFX_*.
.proc sound_play_effect
    sta sfx_request
    rts
.endproc

; A = MUS_*.
.proc sound_play_music
    ora #$80
    sta music_request
    rts
.endproc

; A = 0: play on; otherwise pause.
.proc sound_pause
    sta pause_request
    rts
.endproc

; Once per frame, from the NMI handler.
.proc sound_update
    lda music_request
    beq @no_music
    and #$7F
    jsr music_start
    lda #0
    sta music_request
@no_music:
    lda pause_request
    cmp paused
    beq @same
    sta paused
    tax
    beq @same                       ; resumed: the tune goes on
    jsr quiet_all                   ; paused: silence, drop the effect
@same:
    lda paused
    bne @done                       ; hold everything
    lda sfx_request
    beq @no_effect
    jsr effect_start
    lda #SFX_NONE
    sta sfx_request
@no_effect:
    jsr music_step
    jmp effect_step
@done:
    rts
.endproc

; Every channel quiet, the effect dropped; the tune keeps its place.
.proc quiet_all
    lda #QUIET
    sta SQ1_VOL
    sta SQ2_VOL
    sta NOISE_VOL
    lda #TRI_OFF
    sta TRI_LINEAR
    lda #0
    sta fx_on
    sta fx_on+1
    rts
.endproc

; ---- music ----

; Starts tune A (MUS_*), or stops the music (MUS_NONE). Also ends a pause.
.proc music_start
    ldx #0
    stx pause_request
    stx paused
    stx mus_on
    stx mus_on+1
    stx sq1_vol
    ldx #QUIET
    stx SQ1_VOL
    ldx #TRI_OFF
    stx TRI_LINEAR
    ldx #$FF
    stx sq1_hi
    tax
    beq @done                       ; MUS_NONE
    asl
    tax
    lda songs-2,x
    sta snd_ptr
    lda songs-1,x
    sta snd_ptr+1
    ldy #0
    lda (snd_ptr),y                 ; melody
    sta mus_lo
    iny
    lda (snd_ptr),y
    sta mus_hi
    iny
    lda (snd_ptr),y                 ; bass
    sta mus_lo+1
    iny
    lda (snd_ptr),y
    sta mus_hi+1
    iny
    lda (snd_ptr),y                 ; the pulse 1 sound
    sta song_duty
    iny
    lda (snd_ptr),y
    sta song_vol
    iny
    lda (snd_ptr),y
    sta song_floor
    iny
    lda (snd_ptr),y
    sta song_decay
    lda #1
    sta mus_timer                   ; the first event on this update
    sta mus_timer+1
    sta mus_dur
    sta mus_dur+1
    sta mus_on
    sta mus_on+1
@done:
    rts
.endproc

; Advances both music channels by a frame.
.proc music_step
    ldx #0
@channel:
    lda mus_on,x
    beq @next
    dec mus_timer,x
    bne @held
    jsr music_event
@held:
    cpx #0
    bne @triangle
    jsr sq1_envelope
    jmp @next
@triangle:
    lda mus_timer+1
    cmp #TRI_GATE
    bne @next
    lda #TRI_OFF                    ; staccato: stop before the next note
    sta TRI_LINEAR
@next:
    inx
    cpx #2
    bne @channel
    rts
.endproc

; Reads channel X's stream up to its next note or rest and plays it.
; Keeps X.
.proc music_event
    lda mus_lo,x
    sta snd_ptr
    lda mus_hi,x
    sta snd_ptr+1
    ldy #0
@read:
    lda (snd_ptr),y
    iny
    cmp #LOOP_TO
    bcs @special
    cmp #$80
    bcc @note
    and #$3F
    sta mus_dur,x
    jmp @read
@special:
    bne @end                        ; $FF
    lda (snd_ptr),y                 ; $FE lo hi: go on there
    pha
    iny
    lda (snd_ptr),y
    sta snd_ptr+1
    pla
    sta snd_ptr
    ldy #0
    jmp @read
@end:
    lda #0
    sta mus_on,x
    beq @play                       ; a rest, for good
@note:
    sta snd_tmp
    lda mus_dur,x
    sta mus_timer,x
    tya                             ; the position after this note
    clc
    adc snd_ptr
    sta mus_lo,x
    lda snd_ptr+1
    adc #0
    sta mus_hi,x
    lda snd_tmp
@play:
    cpx #0
    bne tri_note
    ; fall through: pulse 1
.endproc

; Pulse 1 plays note A (0: rest). Keeps X.
.proc sq1_note
    tay
    beq @rest
    lda periods_lo,y
    sta SQ1_LO
    lda periods_hi,y
    cmp sq1_hi
    beq @same_hi                    ; rewriting $4003 would click
    sta sq1_hi
    ora #LENGTH_LOAD
    sta SQ1_HI
@same_hi:
    lda song_vol
    sta sq1_vol
    lda #0
    sta sq1_env
    lda song_vol
    ora song_duty
    sta SQ1_VOL
    rts
@rest:
    sty sq1_vol                     ; 0
    lda #QUIET
    sta SQ1_VOL
    rts
.endproc

; The triangle plays note A (0: rest) an octave up from its period, so at
; the note's own pitch. Keeps X.
.proc tri_note
    tay
    beq @rest
    lda #TRI_ON
    sta TRI_LINEAR
    lda periods_lo+12,y
    sta TRI_LO
    lda periods_hi+12,y
    ora #LENGTH_LOAD
    sta TRI_HI                      ; also reloads the linear counter
    rts
@rest:
    lda #TRI_OFF
    sta TRI_LINEAR
    rts
.endproc

; Pulse 1's decay: a volume step down every 2 or 4 frames to the floor.
.proc sq1_envelope
    lda sq1_vol
    beq @done                       ; resting
    inc sq1_env
    lda sq1_env
    and song_decay
    bne @done
    lda sq1_vol
    cmp song_floor
    beq @done
    dec sq1_vol
    lda sq1_vol
    ora song_duty
    sta SQ1_VOL
@done:
    rts
.endproc

; ---- effects ----

; Starts effect A (SFX_*): replaces the one playing.
.proc effect_start
    sta snd_tmp
    asl
    asl
    tay                             ; 4 * effect: its two stream addresses
    ldx #0
@channel:
    lda effect_streams-4,y
    sta fx_lo,x
    lda effect_streams-3,y
    sta fx_hi,x
    sta fx_on,x                     ; a stream (never in zero page) or 0: none
    lda #1
    sta fx_timer,x                  ; the first step on this update
    iny
    iny
    inx
    cpx #2
    bne @channel
    lda #QUIET                      ; whatever the last effect left sounding
    sta SQ2_VOL
    sta NOISE_VOL
    lda #$FF
    sta sq2_hi
    ldy snd_tmp
    lda effect_flags-1,y
    and #FX_STOP_MUSIC
    beq @done
    lda #MUS_NONE
    jmp music_start
@done:
    rts
.endproc

; Advances both effect channels by a frame.
.proc effect_step
    ldx #0
@channel:
    lda fx_on,x
    beq @next
    dec fx_timer,x
    bne @next
    lda fx_lo,x
    sta snd_ptr
    lda fx_hi,x
    sta snd_ptr+1
    ldy #0
    lda (snd_ptr),y
    beq @end
    sta fx_timer,x
    lda snd_ptr                     ; three bytes a step
    clc
    adc #3
    sta fx_lo,x
    lda snd_ptr+1
    adc #0
    sta fx_hi,x
    iny
    lda (snd_ptr),y                 ; pitch
    sta snd_tmp
    iny
    lda (snd_ptr),y                 ; volume register
    cpx #0
    bne @noise
    sta SQ2_VOL
    ldy snd_tmp
    beq @next                       ; same pitch
    lda periods_lo,y
    sta SQ2_LO
    lda periods_hi,y
    cmp sq2_hi
    beq @next
    sta sq2_hi
    ora #LENGTH_LOAD
    sta SQ2_HI
    jmp @next
@noise:
    sta NOISE_VOL
    lda snd_tmp
    sta NOISE_LO
    jmp @next
@end:
    sta fx_on,x                     ; A = 0
    lda #QUIET
    cpx #0
    bne @noise_off
    sta SQ2_VOL
    beq @next
@noise_off:
    sta NOISE_VOL
@next:
    inx
    cpx #2
    bne @channel
    rts
.endproc

.segment "RODATA"

; ---- pitch ----

; Pulse periods (NTSC, 1789773 / (16 * f) - 1, rounded) of notes 1-72:
; A1 (55 Hz) to G#7, equal temperament with A4 = 440 Hz. Entry 0 unused.
periods_lo:
    .byte $00, $F1, $7F, $13, $AD, $4D, $F3, $9D, $4C, $00, $B8, $74
    .byte $34, $F8, $BF, $89, $56, $26, $F9, $CE, $A6, $80, $5C, $3A
    .byte $1A, $FB, $DF, $C4, $AB, $93, $7C, $67, $52, $3F, $2D, $1C
    .byte $0C, $FD, $EF, $E1, $D5, $C9, $BD, $B3, $A9, $9F, $96, $8E
    .byte $86, $7E, $77, $70, $6A, $64, $5E, $59, $54, $4F, $4B, $46
    .byte $42, $3F, $3B, $38, $34, $31, $2F, $2C, $29, $27, $25, $23
    .byte $21
periods_hi:
    .byte $00, $07, $07, $07, $06, $06, $05, $05, $05, $05, $04, $04
    .byte $04, $03, $03, $03, $03, $03, $02, $02, $02, $02, $02, $02
    .byte $02, $01, $01, $01, $01, $01, $01, $01, $01, $01, $01, $01
    .byte $01, $00, $00, $00, $00, $00, $00, $00, $00, $00, $00, $00
    .byte $00, $00, $00, $00, $00, $00, $00, $00, $00, $00, $00, $00
    .byte $00, $00, $00, $00, $00, $00, $00, $00, $00, $00, $00, $00
    .byte $00

; Note numbers: N_C4 is middle C; S = sharp. Note n is MIDI note n + 32.
R = 0                               ; rest
N_A1  = 1
N_AS1 = 2
N_B1  = 3
.repeat 6, i
    .ident(.sprintf("N_C%d",  i + 2)) = (i + 3) * 12 - 32
    .ident(.sprintf("N_CS%d", i + 2)) = (i + 3) * 12 - 31
    .ident(.sprintf("N_D%d",  i + 2)) = (i + 3) * 12 - 30
    .ident(.sprintf("N_DS%d", i + 2)) = (i + 3) * 12 - 29
    .ident(.sprintf("N_E%d",  i + 2)) = (i + 3) * 12 - 28
    .ident(.sprintf("N_F%d",  i + 2)) = (i + 3) * 12 - 27
    .ident(.sprintf("N_FS%d", i + 2)) = (i + 3) * 12 - 26
    .ident(.sprintf("N_G%d",  i + 2)) = (i + 3) * 12 - 25
    .ident(.sprintf("N_GS%d", i + 2)) = (i + 3) * 12 - 24
    .ident(.sprintf("N_A%d",  i + 2)) = (i + 3) * 12 - 23
    .ident(.sprintf("N_AS%d", i + 2)) = (i + 3) * 12 - 22
    .ident(.sprintf("N_B%d",  i + 2)) = (i + 3) * 12 - 21
.endrepeat
.assert N_A4 = 37 && N_C2 = 4, error, "note numbers"

; ---- track macros ----

; Starts a track: counts the frames it lasts.
.macro track
    track_time .set 0
.endmacro

; One note (or rest) of `len` frames, if given.
.macro note len, n
    .ifnblank n
        .byte n
        track_time .set track_time + (len)
    .endif
.endmacro

; Notes (or rests, R) of `len` frames each.
.macro notes len, n1, n2, n3, n4, n5, n6, n7, n8
    .assert (len) >= 1 && (len) <= 63, error, "note length 1-63 frames"
    .byte $80 | (len)
    note len, n1
    note len, n2
    note len, n3
    note len, n4
    note len, n5
    note len, n6
    note len, n7
    note len, n8
.endmacro

; Checks that the track so far lasts `frames`, so the channels of a song
; stay together.
.macro track_is frames
    .assert track_time = (frames), error, "track length differs"
.endmacro

; ---- songs ----

; Header: melody stream, bass stream, pulse duty, start volume, floor,
; decay mask.
songs:
    .addr song_title, song_play, song_over

song_title:
    .addr title_melody, title_bass
    .byte DUTY50, 8, 3, 3
song_play:
    .addr play_melody, play_bass
    .byte DUTY25, 9, 4, 1
song_over:
    .addr over_melody, over_bass
    .byte DUTY50, 9, 2, 3

; "Starlight", the title tune: C major, a quarter note is 24 frames
; (150 beats a minute), 8 bars that loop (12.8 s).
TQ = 24
TE = 12
TH = 48
title_melody:
    track
    notes 4, R                      ; quiet while the screen is drawn
title_melody_loop:
    notes TE, N_E5, N_G5
    notes TQ, N_C6
    notes TE, N_B5, N_G5
    notes TQ, N_E5
    notes TE, N_F5, N_A5
    notes TQ, N_C6
    notes TE, N_B5, N_A5
    notes TQ, N_G5
    notes TE, N_E5, N_G5
    notes TQ, N_C6
    notes TE, N_D6, N_C6
    notes TQ, N_B5
    notes TQ, N_A5, N_B5
    notes TH, N_C6
    notes TE, N_A5, N_C6
    notes TQ, N_E6
    notes TE, N_D6, N_C6
    notes TQ, N_A5
    notes TE, N_G5, N_B5
    notes TQ, N_D6
    notes TE, N_C6, N_B5
    notes TQ, N_G5
    notes TE, N_F5, N_A5
    notes TQ, N_C6
    notes TE, N_B5, N_G5
    notes TQ, N_D5
    notes TQ, N_E5, N_D5
    notes TH, N_C5
    track_is 4 + 8 * 96
    .byte LOOP_TO
    .addr title_melody_loop

title_bass:
    track
    notes 4, R
title_bass_loop:
    notes TQ, N_C3, N_G3, N_C3, N_G3
    notes TQ, N_F2, N_C3, N_F2, N_C3
    notes TQ, N_C3, N_G3, N_G2, N_D3
    notes TQ, N_F2, N_G2, N_C3, N_G2
    notes TQ, N_A2, N_E3, N_A2, N_E3
    notes TQ, N_G2, N_D3, N_G2, N_D3
    notes TQ, N_F2, N_C3, N_G2, N_D3
    notes TQ, N_C3, N_G2
    notes TH, N_C3
    track_is 4 + 8 * 96
    .byte LOOP_TO
    .addr title_bass_loop

; "Meteor Run", the in-game tune: A minor, an eighth note is 10 frames
; (180 beats a minute). A bar of bass alone (under the start fanfare),
; then 8 bars that loop (10.7 s).
PE = 10
PQ = 20
PH = 40
play_melody:
    track
    notes 4, R
    notes PH, R, R                  ; the intro: bass alone
play_melody_loop:
    notes PE, N_A4, N_C5, N_E5, N_A5, N_G5, N_E5, N_C5, N_E5
    notes PE, N_F5, N_E5, N_D5, N_F5
    notes PQ, N_E5, N_C5
    notes PE, N_D5, N_F5, N_A5, N_D6, N_C6, N_A5, N_F5, N_A5
    notes PE, N_G5, N_F5, N_E5, N_D5
    notes PH, N_E5
    notes PE, N_A4, N_C5, N_E5, N_A5, N_B5, N_A5, N_G5, N_E5
    notes PE, N_F5, N_G5, N_A5, N_C6
    notes PQ, N_B5, N_G5
    notes PE, N_A5, N_G5, N_F5, N_E5, N_D5, N_E5, N_F5, N_GS5
    notes 30, N_A5
    notes PE, N_E5
    notes PQ, N_A4, R
    track_is 4 + 80 + 8 * 80
    .byte LOOP_TO
    .addr play_melody_loop

play_bass:
    track
    notes 4, R
    notes PE, N_A2, N_A3, N_A2, N_A3, N_A2, N_A3, N_A2, N_A3
play_bass_loop:
    notes PE, N_A2, N_A3, N_A2, N_A3, N_A2, N_A3, N_A2, N_A3
    notes PE, N_D2, N_D3, N_D2, N_D3, N_A2, N_A3, N_A2, N_A3
    notes PE, N_D2, N_D3, N_D2, N_D3, N_D2, N_D3, N_D2, N_D3
    notes PE, N_E2, N_E3, N_E2, N_E3, N_E2, N_E3, N_E2, N_E3
    notes PE, N_A2, N_A3, N_A2, N_A3, N_A2, N_A3, N_A2, N_A3
    notes PE, N_F2, N_F3, N_F2, N_F3, N_G2, N_G3, N_G2, N_G3
    notes PE, N_D2, N_D3, N_D2, N_D3, N_E2, N_E3, N_E2, N_E3
    notes PE, N_A2, N_A3, N_E2, N_E3
    notes PQ, N_A2, R
    track_is 4 + 80 + 8 * 80
    .byte LOOP_TO
    .addr play_bass_loop

; The game over jingle: a slow fall to A minor, once (2.7 s).
OQ = 20
over_melody:
    track
    notes 4, R
    notes OQ, N_E5, N_C5, N_A4, N_GS4
    notes 60, N_A4
    notes OQ, R
    track_is 4 + 160
    .byte END_TRACK

over_bass:
    track
    notes 4, R
    notes 40, N_A2, N_E2
    notes 60, N_A2
    notes OQ, R
    track_is 4 + 160
    .byte END_TRACK

; ---- effects ----

; Per effect (SFX_START ..): pulse 2 stream, noise stream (0: none).
effect_streams:
    .addr fx_start_sq, 0
    .addr fx_catch_sq, 0
    .addr fx_bonus_sq, 0
    .addr fx_hit_sq, fx_hit_noise
    .addr fx_over_sq, fx_over_noise
effect_flags:
    .byte 0, 0, 0, 0, FX_STOP_MUSIC

; Start: a short rising fanfare, C E G then a long C that fades (36 frames).
fx_start_sq:
    .byte 4, N_C5, DUTY50 | 12
    .byte 4, N_E5, DUTY50 | 12
    .byte 4, N_G5, DUTY50 | 12
    .byte 6, N_C6, DUTY50 | 12
    .byte 6, 0, DUTY50 | 9
    .byte 6, 0, DUTY50 | 6
    .byte 6, 0, DUTY50 | 3
    .byte 0

; Catch: a quick rising blip (12 frames).
fx_catch_sq:
    .byte 2, N_E6, DUTY50 | 10
    .byte 2, N_A6, DUTY50 | 10
    .byte 2, N_B6, DUTY50 | 8
    .byte 3, N_E7, DUTY50 | 6
    .byte 3, 0, DUTY50 | 3
    .byte 0

; Bonus: an arpeggio up C major, twice, fading (32 frames).
fx_bonus_sq:
    .byte 3, N_C6, DUTY25 | 11
    .byte 3, N_E6, DUTY25 | 11
    .byte 3, N_G6, DUTY25 | 11
    .byte 3, N_C7, DUTY25 | 11
    .byte 3, N_E6, DUTY25 | 8
    .byte 3, N_G6, DUTY25 | 8
    .byte 3, N_C7, DUTY25 | 8
    .byte 3, N_E7, DUTY25 | 8
    .byte 4, N_G7, DUTY25 | 5
    .byte 4, 0, DUTY25 | 2
    .byte 0

; Hit: a burst of noise dropping in pitch, with a thin pulse falling
; from G4 (about 23 frames).
fx_hit_noise:
    .byte 3, $04, $30 | 15
    .byte 4, $06, $30 | 12
    .byte 4, $08, $30 | 9
    .byte 6, $0A, $30 | 6
    .byte 6, $0C, $30 | 3
    .byte 0
fx_hit_sq:
    .byte 3, N_G4, DUTY12 | 12
    .byte 3, N_E4, DUTY12 | 11
    .byte 3, N_C4, DUTY12 | 10
    .byte 3, N_A3, DUTY12 | 9
    .byte 3, N_F3, DUTY12 | 7
    .byte 3, N_D3, DUTY12 | 5
    .byte 3, N_B2, DUTY12 | 3
    .byte 0

; Game over: the ship explodes (a long low rumble) and a line falls from
; G5 to a fading E4 (78 frames). The music stops.
fx_over_noise:
    .byte 4, $0C, $30 | 15
    .byte 8, $0D, $30 | 12
    .byte 10, $0E, $30 | 9
    .byte 12, $0E, $30 | 6
    .byte 12, $0F, $30 | 3
    .byte 0
fx_over_sq:
    .byte 8, N_G5, DUTY50 | 10
    .byte 8, N_E5, DUTY50 | 10
    .byte 8, N_C5, DUTY50 | 10
    .byte 8, N_A4, DUTY50 | 10
    .byte 10, N_F4, DUTY50 | 9
    .byte 12, N_E4, DUTY50 | 8
    .byte 12, 0, DUTY50 | 5
    .byte 12, 0, DUTY50 | 2
    .byte 0
