; screens.s: the title screen and the game over screen.
;
; Both are still pictures in nametable $2000 (no split): a starfield, big
; letters, text, and a blinking PRESS START, with the stars twinkling
; through palette cycling.

.include "nes.inc"
.include "sound.inc"
.include "globals.inc"

BLINK_MASK     = $20                ; PRESS START: 32 frames on, 32 off
OVER_TIMEOUT_PAGES = 4            ; game over: back to the title after 4 x 256 frames

.segment "ZEROPAGE"
screen_timer:  .res 2               ; frames since the screen appeared

.segment "CODE"

; ---- title ----

.proc title_enter
    lda #MUS_TITLE                  ; starts at the NMI in ppu_off
    jsr sound_play_music
    jsr ppu_off
    lda #$20
    jsr nt_select
    lda #<title_no_stars
    sta ptr
    lda #>title_no_stars
    sta ptr+1
    lda #$31                        ; the title's sky
    jsr nt_starfield

    ; STAR in yellow, CATCHER in blue.
    lda #<str_star
    sta ptr2
    lda #>str_star
    sta ptr2+1
    lda #4
    ldx #8
    jsr nt_big_text
    lda #<str_catcher
    sta ptr2
    lda #>str_catcher
    sta ptr2+1
    lda #9
    ldx #2
    jsr nt_big_text

    lda #<title_text
    sta ptr
    lda #>title_text
    sta ptr+1
    jsr nt_text
    ; The high score after "HI-SCORE ".
    lda #TITLE_HI_ROW
    ldx #TITLE_HI_COL + 9
    jsr nt_goto
    ldx #0
@digit:
    lda hiscore,x
    ora #'0'
    sta PPUDATA
    inx
    cpx #6
    bne @digit

    ldx #0
@band:
    lda title_bands,x
    stx tmp+7
    jsr nt_attr_band
    ldx tmp+7
    inx
    cpx #15
    bne @band
    jsr nt_attr_upload

    lda #<screen_palette
    sta ptr
    lda #>screen_palette
    sta ptr+1
    jsr palette_load
    ldx #0
    jsr oam_hide_from
    jsr screen_reset
    lda #STATE_TITLE
    sta state
    lda #0                          ; background $2000, sprites and tiles from $0000
    sta ppu_ctrl
    lda #MASK_SHOW_ALL
    jmp ppu_on
.endproc

.proc title_update
    jsr screen_tick
    lda #TITLE_PRESS_ROW
    ldx #TITLE_PRESS_COL
    jsr blink_press_start
    lda pad_new
    and #BTN_START
    beq @stay
    lda #SFX_START
    jsr sound_play_effect
    jmp game_enter
@stay:
    rts
.endproc

TITLE_PRESS_ROW = 19
TITLE_PRESS_COL = 10
TITLE_HI_ROW    = 23
TITLE_HI_COL    = 8

title_text:
    .byte 15, 4, "CATCH STARS  DODGE ROCKS", 0
    .byte TITLE_PRESS_ROW, TITLE_PRESS_COL, "PRESS START", 0
    .byte TITLE_HI_ROW, TITLE_HI_COL, "HI-SCORE", 0
    .byte 26, 7, "A DYNES DEMO GAME", 0
    .byte $FF

str_star:    .byte "STAR", 0
str_catcher: .byte "CATCHER", 0

; Palette per band of two tile rows (band n = rows 2n and 2n+1).
title_bands:
    .byte 0, 0, 2, 2, 3, 3, 3, 1, 0, 2, 0, 1, 0, 1, 0

; Rows without stars: the letters (4-12) and the text rows.
title_no_stars:
    .dword (%111111111 << 4) | (1 << 15) | (1 << TITLE_PRESS_ROW) | (1 << TITLE_HI_ROW) | (1 << 26)

; ---- game over ----

.proc over_enter
    lda #MUS_OVER
    jsr sound_play_music
    jsr ppu_off
    lda #$20
    jsr nt_select
    lda #<over_no_stars
    sta ptr
    lda #>over_no_stars
    sta ptr+1
    lda #$C4                        ; another sky
    jsr nt_starfield

    lda #<str_game
    sta ptr2
    lda #>str_game
    sta ptr2+1
    lda #5
    ldx #8
    jsr nt_big_text
    lda #<str_over
    sta ptr2
    lda #>str_over
    sta ptr2+1
    lda #10
    ldx #8
    jsr nt_big_text

    lda #<over_text
    sta ptr
    lda #>over_text
    sta ptr+1
    jsr nt_text
    lda new_record
    beq @no_record
    lda #<over_record_text
    sta ptr
    lda #>over_record_text
    sta ptr+1
    jsr nt_text
@no_record:
    lda #OVER_SCORE_ROW
    ldx #OVER_DIGITS_COL
    jsr nt_goto
    ldx #0
@score:
    lda score,x
    ora #'0'
    sta PPUDATA
    inx
    cpx #6
    bne @score
    lda #OVER_HI_ROW
    ldx #OVER_DIGITS_COL
    jsr nt_goto
    ldx #0
@hi:
    lda hiscore,x
    ora #'0'
    sta PPUDATA
    inx
    cpx #6
    bne @hi

    ldx #0
@band:
    lda over_bands,x
    stx tmp+7
    jsr nt_attr_band
    ldx tmp+7
    inx
    cpx #15
    bne @band
    jsr nt_attr_upload

    lda #<screen_palette
    sta ptr
    lda #>screen_palette
    sta ptr+1
    jsr palette_load
    ldx #0
    jsr oam_hide_from
    jsr screen_reset
    lda #STATE_OVER
    sta state
    lda #0
    sta ppu_ctrl
    lda #MASK_SHOW_ALL
    jmp ppu_on
.endproc

.proc over_update
    jsr screen_tick
    lda #OVER_PRESS_ROW
    ldx #OVER_PRESS_COL
    jsr blink_press_start
    lda pad_new
    and #BTN_START
    bne @title
    ; Nobody there: back to the title after a while.
    lda screen_timer+1
    cmp #OVER_TIMEOUT_PAGES
    bcc @stay
@title:
    jmp title_enter
@stay:
    rts
.endproc

OVER_SCORE_ROW  = 16
OVER_HI_ROW     = 18
OVER_RECORD_ROW = 21
OVER_PRESS_ROW  = 25
OVER_PRESS_COL  = 10
OVER_DIGITS_COL = 17

over_text:
    .byte OVER_SCORE_ROW, 8, "SCORE", 0
    .byte OVER_HI_ROW, 8, "HI-SCORE", 0
    .byte OVER_PRESS_ROW, OVER_PRESS_COL, "PRESS START", 0
    .byte $FF
over_record_text:
    .byte OVER_RECORD_ROW, 9, "NEW HIGH SCORE!", 0
    .byte $FF

str_game: .byte "GAME", 0
str_over: .byte "OVER", 0

over_bands:
    .byte 0, 0, 2, 2, 2, 2, 2, 0, 1, 1, 3, 0, 2, 0, 0

over_no_stars:
    .dword (%111111111 << 5) | (1 << OVER_SCORE_ROW) | (1 << OVER_HI_ROW) | (1 << OVER_RECORD_ROW) | (1 << OVER_PRESS_ROW)

; ---- shared ----

.proc screen_reset
    lda #0
    sta screen_timer
    sta screen_timer+1
    rts
.endproc

; Counts the frame and twinkles the stars.
.proc screen_tick
    inc screen_timer
    bne @low
    inc screen_timer+1
@low:
    lda screen_timer
    jmp palette_twinkle
.endproc

; Rewrites PRESS START at row A, column X every 32 frames: the text, or
; blanks.
.proc blink_press_start
    sta tmp
    stx tmp+1
    lda screen_timer
    and #BLINK_MASK - 1
    bne @done                       ; only when it changes
    ; Address: $2000 + row * 32 + column.
    lda #0
    sta tmp+2
    lda tmp
    ldx #5
@shift:
    asl
    rol tmp+2
    dex
    bne @shift
    ora tmp+1
    tax
    lda tmp+2
    ora #$20
    ldy #11
    jsr vram_open
    ldy #0
@char:
    lda screen_timer
    and #BLINK_MASK
    beq @text                       ; the first half of the cycle: shown
    lda #' '
    bne @put
@text:
    lda str_press_start,y
@put:
    jsr vram_put
    iny
    cpy #11
    bne @char
@done:
    rts
.endproc

str_press_start: .byte "PRESS START"

; Both screens: starfield, text in white, yellow and blue.
screen_palette:
    .byte $0F, $2D, $00, $10        ; 0: stars (twinkled)
    .byte $0F, $30, $10, $00        ; 1: white text
    .byte $0F, $28, $17, $38        ; 2: yellow: face, shadow, highlight
    .byte $0F, $21, $01, $31        ; 3: blue: face, shadow, highlight
    .byte $0F, $30, $21, $27        ; sprites 0: ship, white text
    .byte $0F, $28, $38, $30        ; 1: star, yellow text
    .byte $0F, $17, $07, $27        ; 2: meteor
    .byte $0F, $16, $2A, $30        ; 3: heart (red), gem (green)
