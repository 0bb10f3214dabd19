; sound.s: the sound module. This is where music and sound effects go.
;
; For now it is a set of stubs with the final interface: `sound_init` at
; reset, `sound_update` once per frame from the NMI handler (after the
; video updates, so it can take the rest of vblank), and
; `sound_play_effect` from the game with an SFX_* number (sound.inc).
; The effect asked for last is remembered in `sfx_current`, with
; `sfx_timer` counting the frames it has been playing: an engine can take
; over both. Music would start from `sound_init` or a `sound_play_music`
; added here.
;
; Rules for what goes in here: `sound_update` runs inside the NMI, so it
; must keep to A, X, Y and its own variables (the handler saves A, X, Y),
; and must not touch the PPU or the mapper.

.include "nes.inc"
.include "sound.inc"

.segment "ZEROPAGE"
sfx_request: .res 1             ; set by sound_play_effect, taken by sound_update
sfx_current: .res 1             ; the effect playing (SFX_NONE: none)
sfx_timer:   .res 1             ; frames since it started

.segment "CODE"

; Silences every channel and stops the APU frame IRQ.
.proc sound_init
    lda #$00
    sta APU_STATUS                  ; all channels off
    sta sfx_request
    sta sfx_current
    sta sfx_timer
    lda #$40
    sta APU_FRAME                   ; 4-step sequence, frame IRQ inhibited
    rts
.endproc

; Once per frame. Takes a pending request and advances the current effect.
.proc sound_update
    lda sfx_request
    beq advance
    sta sfx_current
    lda #SFX_NONE
    sta sfx_request
    sta sfx_timer
    ; An engine would load the effect's first note here.
advance:
    lda sfx_current
    beq done
    inc sfx_timer
    ; Stub: every effect "lasts" 30 frames.
    lda sfx_timer
    cmp #30
    bcc done
    lda #SFX_NONE
    sta sfx_current
done:
    rts
.endproc

; A = SFX_* number. Plays from the next frame on; a later request in the
; same frame replaces an earlier one.
.proc sound_play_effect
    sta sfx_request
    rts
.endproc
