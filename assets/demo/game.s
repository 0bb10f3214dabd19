; game.s: the game itself.
;
; The ship (a 16x16 metasprite) flies over a starfield that scrolls down,
; below a status bar that stays put (the sprite 0 split in main.s). Stars,
; gems and hearts fall and are caught for points and lives; meteors fall
; faster and cost a ship. Every 8 stars caught, or every 20 seconds, the
; level goes up: things fall faster and more often, more of them are
; meteors, and the sky scrolls faster.
;
; Coordinates are sprite coordinates: X of the left edge, Y as stored in
; OAM (the sprite shows from line Y+1).

.include "nes.inc"
.include "sound.inc"
.include "globals.inc"

MAX_OBJECTS       = 10
MAX_POPUPS        = 4
MAX_LIVES         = 5
START_LIVES       = 3
MAX_LEVEL         = 15              ; shown as 1-16
CATCHES_PER_LEVEL = 8
LEVEL_FRAMES      = 1200            ; 20 seconds
INVULN_FRAMES     = 120             ; blinking after a hit
DYING_FRAMES      = 150             ; explosion, then the game over screen
FIRST_SPAWN       = 60
SPAWN_Y           = 26              ; first line below the status bar
DESPAWN_Y         = 232
GEM_CHANCE        = 16              ; of 256 non-meteors
HEART_CHANCE      = 6
METEOR_EXTRA      = $40             ; meteors fall 1/4 pixel per frame faster

PLAYER_MIN_X      = 8
PLAYER_MAX_X      = 232
PLAYER_MIN_Y      = 104
PLAYER_MAX_Y      = 200
PLAYER_START_X    = 120
PLAYER_START_Y    = 184

; Sprite 0: behind the status bar's divider (see `split` in main.s).
SPRITE0_Y         = 23              ; its opaque row 2 is line 26
SPRITE0_X         = 224

; Object types.
OBJ_NONE   = 0
OBJ_STAR   = 1
OBJ_GEM    = 2
OBJ_HEART  = 3
OBJ_METEOR = 4

; Popup kinds: rising text, or an explosion.
POP_NONE = 0
POP_10   = 1
POP_50   = 2
POP_100  = 3
POP_1UP  = 4
POP_BOOM = 5
POP_FRAMES = 40

; Tiles and sprite attributes.
TILE_SHIP_TOP   = $61
TILE_SHIP_FLAME = $62               ; and $63
TILE_BOOM       = $64               ; and $65
TILE_STAR       = $68               ; and $69
TILE_GEM        = $6A
TILE_HEART      = $6B
TILE_METEOR     = $6C               ; $6C-$6F
TILE_LIFE       = $0C
PAL_SHIP   = 0
PAL_YELLOW = 1
PAL_METEOR = 2
PAL_GEMS   = 3
FLIP_H     = $40
FLIP_V     = $80
BEHIND_BG  = $20

.segment "ZEROPAGE"
player_x:      .res 1
player_y:      .res 1
lives:         .res 1
level:         .res 1               ; 0-15
level_catches: .res 1
level_timer:   .res 2
spawn_timer:   .res 1
invuln:        .res 1               ; frames of blinking left
paused:        .res 1
dying:         .res 1               ; frames of the dying sequence left (0: alive)
banner_timer:  .res 1               ; frames of LEVEL UP left
game_frame:    .res 1               ; frames played (stops while paused)
scroll_sub:    .res 1               ; scroll position's fraction
obj_rot:       .res 1               ; first object drawn (rotates: flicker, not dropout)
new_record:    .res 1               ; nonzero: the score beat the high score
oam_pos:       .res 1               ; next free byte of the shadow OAM
spr_x:         .res 1               ; put_sprite's arguments
spr_y:         .res 1
spr_attr:      .res 1
spr_keep:      .res 1
quad_x:        .res 1
quad_y:        .res 1
quad_flip:     .res 1
count:         .res 1
keep_x:        .res 1

.segment "BSS"
score:         .res 6               ; decimal digits (0-9), most significant first
obj_type:      .res MAX_OBJECTS
obj_x:         .res MAX_OBJECTS
obj_y:         .res MAX_OBJECTS
obj_yl:        .res MAX_OBJECTS     ; Y fraction
obj_vl:        .res MAX_OBJECTS     ; fall speed, 8.8 pixels per frame
obj_vh:        .res MAX_OBJECTS
obj_dx:        .res MAX_OBJECTS     ; meteors: -1, 0, 1 pixel every 4th frame
obj_anim:      .res MAX_OBJECTS     ; animation phase
pop_kind:      .res MAX_POPUPS
pop_x:         .res MAX_POPUPS
pop_y:         .res MAX_POPUPS
pop_timer:     .res MAX_POPUPS

.segment "RODATA"

; Per level: fall speed (8.8 pixels per frame), frames between spawns,
; meteor chance out of 256, and the starfield's scroll speed (8.8).
fall_speed_lo:  .repeat MAX_LEVEL + 1, L
                    .byte <($00C0 + L * $18)
                .endrepeat
fall_speed_hi:  .repeat MAX_LEVEL + 1, L
                    .byte >($00C0 + L * $18)
                .endrepeat
spawn_interval: .repeat MAX_LEVEL + 1, L
                    .byte 44 - L * 2
                .endrepeat
meteor_chance:  .repeat MAX_LEVEL + 1, L
                    .byte 56 + L * 8
                .endrepeat
scroll_speed_lo: .repeat MAX_LEVEL + 1, L
                    .byte <($0060 + L * $10)
                .endrepeat
scroll_speed_hi: .repeat MAX_LEVEL + 1, L
                    .byte >($0060 + L * $10)
                .endrepeat

; Meteors' sideways drift, from two random bits.
drift: .byte 0, 1, $FF, 0

.segment "CODE"

; ---- starting a game ----

.proc game_enter
    lda #MUS_PLAY                   ; starts at the NMI in ppu_off
    jsr sound_play_music
    jsr ppu_off

    ; $2000: the starfield, all of it.
    lda #$20
    jsr nt_select
    lda #<no_masked_rows
    sta ptr
    lda #>no_masked_rows
    sta ptr+1
    lda #$7E
    jsr nt_starfield
    jsr nt_attr_upload

    ; $2400: the status bar in rows 0-3, the rest empty.
    lda #$24
    jsr nt_select
    lda #0
    sta count
@clear_row:
    lda count
    ldx #0
    jsr nt_fill_row
    inc count
    lda count
    cmp #30
    bne @clear_row
    lda #3
    ldx #$08                        ; the divider
    jsr nt_fill_row
    lda #<status_text
    sta ptr
    lda #>status_text
    sta ptr+1
    jsr nt_text
    ldx #0
    lda #1                          ; rows 0-1: white
    jsr nt_attr_band
    ldx #1
    lda #2                          ; rows 2-3: yellow
    jsr nt_attr_band
    jsr nt_attr_upload

    lda #<screen_palette
    sta ptr
    lda #>screen_palette
    sta ptr+1
    jsr palette_load

    ; A new game.
    ldx #5
    lda #0
@score:
    sta score,x
    dex
    bpl @score
    ldx #MAX_OBJECTS - 1
@objects:
    sta obj_type,x
    dex
    bpl @objects
    ldx #MAX_POPUPS - 1
@popups:
    sta pop_timer,x
    dex
    bpl @popups
    sta level
    sta level_catches
    sta level_timer
    sta level_timer+1
    sta invuln
    sta paused
    sta dying
    sta banner_timer
    sta game_frame
    sta scroll_sub
    sta split_y
    sta obj_rot
    sta new_record
    lda #START_LIVES
    sta lives
    lda #FIRST_SPAWN
    sta spawn_timer
    lda #PLAYER_START_X
    sta player_x
    lda #PLAYER_START_Y
    sta player_y

    ; Sprite 0 stays in OAM slot 0 for the whole game.
    lda #SPRITE0_Y
    sta oam
    lda #$60
    sta oam+1
    lda #BEHIND_BG
    sta oam+2
    lda #SPRITE0_X
    sta oam+3
    jsr game_draw

    lda #STATE_PLAY
    sta state
    lda #CTRL_NT_2400               ; the top of the picture is the status bar
    sta ppu_ctrl
    lda #MASK_SHOW_ALL
    jsr ppu_on
    lda #1
    sta split_on
    rts
.endproc

no_masked_rows: .dword 0

status_text:
    .byte 1, 2, "SCORE", 0
    .byte 1, 19, "HI", 0
    .byte 2, 2, "LEVEL", 0
    .byte 2, 16, "SHIPS", 0
    .byte $FF

; ---- one frame ----

.proc game_update
    lda dying
    bne @dying
    lda pad_new
    and #BTN_START
    beq @no_pause
    lda paused
    eor #1
    sta paused
    jsr sound_pause                 ; quiet while paused
@no_pause:
    lda paused
    bne @draw
    inc game_frame
    jsr scroll_update
    jsr player_update
    jsr spawn_update
    jsr objects_update
    jsr popups_update
    jsr level_update
    jmp @draw
@dying:
    inc game_frame
    jsr scroll_update
    jsr objects_update
    jsr popups_update
    dec dying
    bne @draw
    jmp over_enter
@draw:
    jsr status_update
    jmp game_draw
.endproc

; The sky scrolls down: Y decreases, wrapping from 0 to 239.
.proc scroll_update
    ldx level
    lda scroll_sub
    clc
    adc scroll_speed_lo,x
    sta scroll_sub
    lda #0
    adc scroll_speed_hi,x
    sta tmp                         ; whole pixels this frame
    lda split_y
    sec
    sbc tmp
    bcs @done
    adc #240                        ; wrapped below 0
@done:
    sta split_y
    rts
.endproc

; The d-pad moves the ship 2 pixels a frame, 3 with A or B held.
.proc player_update
    lda invuln
    beq @speed
    dec invuln
@speed:
    ldx #2
    lda pad
    and #BTN_A | BTN_B
    beq @slow
    inx
@slow:
    stx tmp

    lda pad
    and #BTN_LEFT
    beq @not_left
    lda player_x
    sec
    sbc tmp
    bcc @min_x                      ; below 0
    cmp #PLAYER_MIN_X
    bcs @set_x
@min_x:
    lda #PLAYER_MIN_X
@set_x:
    sta player_x
@not_left:
    lda pad
    and #BTN_RIGHT
    beq @not_right
    lda player_x
    clc
    adc tmp
    cmp #PLAYER_MAX_X + 1
    bcc @set_x2
    lda #PLAYER_MAX_X
@set_x2:
    sta player_x
@not_right:
    lda pad
    and #BTN_UP
    beq @not_up
    lda player_y
    sec
    sbc tmp
    cmp #PLAYER_MIN_Y
    bcs @set_y
    lda #PLAYER_MIN_Y
@set_y:
    sta player_y
@not_up:
    lda pad
    and #BTN_DOWN
    beq @not_down
    lda player_y
    clc
    adc tmp
    cmp #PLAYER_MAX_Y + 1
    bcc @set_y2
    lda #PLAYER_MAX_Y
@set_y2:
    sta player_y
@not_down:
    rts
.endproc

; Drops a new object when the spawn timer runs out.
.proc spawn_update
    dec spawn_timer
    bne @done
    ldy level
    lda spawn_interval,y
    sta spawn_timer
    ldx #MAX_OBJECTS - 1
@find:
    lda obj_type,x
    beq @found
    dex
    bpl @find
@done:
    rts                             ; the sky is full

@found:
    ; What falls: a meteor, or else a gem, a heart or (mostly) a star.
    jsr rand
    cmp meteor_chance,y
    bcs @friendly
    lda #OBJ_METEOR
    bne @type
@friendly:
    jsr rand
    cmp #GEM_CHANCE
    bcs @not_gem
    lda #OBJ_GEM
    bne @type
@not_gem:
    cmp #GEM_CHANCE + HEART_CHANCE
    bcs @star
    lda lives
    cmp #MAX_LIVES
    bcs @star
    lda #OBJ_HEART
    bne @type
@star:
    lda #OBJ_STAR
@type:
    sta obj_type,x

    ; X: 8-231 (meteors, 16 wide, up to 224).
    jsr rand
    cmp #224
    bcc @x
    sbc #112
@x:
    clc
    adc #8
    sta obj_x,x
    lda obj_type,x
    cmp #OBJ_METEOR
    bne @placed
    lda obj_x,x
    cmp #225
    bcc @placed
    lda #224
    sta obj_x,x
@placed:
    lda #SPAWN_Y
    sta obj_y,x
    lda #0
    sta obj_yl,x

    ; Speed: the level's, plus up to a quarter pixel; meteors faster.
    jsr rand
    and #$3F
    clc
    adc fall_speed_lo,y
    sta obj_vl,x
    lda fall_speed_hi,y
    adc #0
    sta obj_vh,x
    lda obj_type,x
    cmp #OBJ_METEOR
    bne @no_extra
    lda obj_vl,x
    clc
    adc #METEOR_EXTRA
    sta obj_vl,x
    bcc @no_extra
    inc obj_vh,x
@no_extra:
    jsr rand
    sta obj_anim,x
    and #3
    tay
    lda drift,y
    sta obj_dx,x
    rts
.endproc

; Moves every object, drops those that left the screen, and catches those
; that touch the ship.
.proc objects_update
    ldx #MAX_OBJECTS - 1
@object:
    lda obj_type,x
    beq @next
    lda obj_yl,x
    clc
    adc obj_vl,x
    sta obj_yl,x
    lda obj_y,x
    adc obj_vh,x
    sta obj_y,x
    cmp #DESPAWN_Y
    bcc @on_screen
    lda #OBJ_NONE
    sta obj_type,x
    beq @next
@on_screen:
    lda obj_type,x
    cmp #OBJ_METEOR
    bne @collide
    lda game_frame
    and #3
    bne @collide
    ; Meteors drift, and bounce off the sides.
    lda obj_x,x
    clc
    adc obj_dx,x
    sta obj_x,x
    cmp #PLAYER_MIN_X
    bcs @not_left
    lda #1
    sta obj_dx,x
    bne @collide
@not_left:
    cmp #225
    bcc @collide
    lda #$FF
    sta obj_dx,x
@collide:
    lda dying
    bne @next
    jsr touches_player
    bcc @next
    jsr catch_object
@next:
    dex
    bpl @object
    rts
.endproc

; Carry set if object X overlaps the ship. The ship's box is 12x11 inside
; its 16x16; small objects' boxes are 6x6, meteors' 12x12.
.proc touches_player
    lda obj_type,x
    cmp #OBJ_METEOR
    beq @big
    lda #1
    ldy #6
    bne @box
@big:
    lda #2
    ldy #12
@box:
    ; tmp: left, tmp+1: right, tmp+2: top, tmp+3: bottom (exclusive)
    sta tmp+4
    clc
    adc obj_x,x
    sta tmp
    sty tmp+5
    adc tmp+5
    sta tmp+1
    lda tmp+4
    clc
    adc obj_y,x
    sta tmp+2
    adc tmp+5
    sta tmp+3
    ; Horizontally: object left < ship right and ship left < object right.
    lda player_x
    clc
    adc #2 + 12
    cmp tmp
    bcc @miss
    beq @miss
    lda player_x
    clc
    adc #2
    cmp tmp+1
    bcs @miss
    ; Vertically, the same.
    lda player_y
    clc
    adc #3 + 11
    cmp tmp+2
    bcc @miss
    beq @miss
    lda player_y
    clc
    adc #3
    cmp tmp+3
    bcs @miss
    sec
    rts
@miss:
    clc
    rts
.endproc

; Object X touched the ship. Keeps X.
.proc catch_object
    lda obj_type,x
    cmp #OBJ_METEOR
    beq @meteor
    cmp #OBJ_GEM
    beq @gem
    cmp #OBJ_HEART
    beq @heart
    ; A star: 10 points, and it counts toward the next level.
    inc level_catches
    lda #1
    jsr add_points
    lda #SFX_CATCH
    jsr sound_play_effect
    lda #POP_10
    bne @popup
@gem:
    lda #5
    jsr add_points
    lda #POP_50
    bne @bonus
@heart:
    lda lives
    cmp #MAX_LIVES
    bcs @full
    inc lives
    lda #POP_1UP
    bne @bonus
@full:
    lda #10
    jsr add_points
    lda #POP_100
@bonus:
    pha
    lda #SFX_BONUS
    jsr sound_play_effect
    pla
@popup:
    jsr popup_add
    jmp @remove

@meteor:
    lda invuln
    bne @keep                       ; blinking: it passes through
    lda #POP_BOOM
    jsr popup_add
    dec lives
    beq @last
    lda #INVULN_FRAMES
    sta invuln
    lda #SFX_HIT
    jsr sound_play_effect
    jmp @remove
@last:
    ; The last ship: it explodes, the game ends.
    lda #DYING_FRAMES
    sta dying
    lda #SFX_GAMEOVER
    jsr sound_play_effect
    lda player_x
    sta obj_x,x
    lda player_y
    sta obj_y,x
    lda #POP_BOOM
    jsr popup_add
    lda new_record
    beq @remove
    jsr save_store                  ; keep the new high score right away
@remove:
    lda #OBJ_NONE
    sta obj_type,x
@keep:
    rts
.endproc

; Starts popup A at object X's position. Keeps X.
.proc popup_add
    ldy #MAX_POPUPS - 1
@find:
    pha
    lda pop_timer,y
    beq @found
    pla
    dey
    bpl @find
    rts                             ; all busy: no popup
@found:
    pla
    sta pop_kind,y
    lda obj_x,x
    sta pop_x,y
    lda obj_y,x
    sta pop_y,y
    lda #POP_FRAMES
    sta pop_timer,y
    rts
.endproc

; Counts popups down; text rises a pixel every other frame.
.proc popups_update
    ldx #MAX_POPUPS - 1
@popup:
    lda pop_timer,x
    beq @next
    dec pop_timer,x
    lda pop_kind,x
    cmp #POP_BOOM
    beq @next
    lda game_frame
    and #1
    bne @next
    dec pop_y,x
@next:
    dex
    bpl @popup
    rts
.endproc

; Level up after CATCHES_PER_LEVEL stars or LEVEL_FRAMES frames.
.proc level_update
    inc level_timer
    bne @counted
    inc level_timer+1
@counted:
    lda level_catches
    cmp #CATCHES_PER_LEVEL
    bcs @up
    lda level_timer+1
    cmp #>LEVEL_FRAMES
    bcc @done
    bne @up
    lda level_timer
    cmp #<LEVEL_FRAMES
    bcc @done
@up:
    lda #0
    sta level_catches
    sta level_timer
    sta level_timer+1
    lda level
    cmp #MAX_LEVEL
    bcs @done
    inc level
    lda #90
    sta banner_timer
@done:
    rts
.endproc

; ---- score ----

; Adds A * 10 points (A = 0-99) to the score, and carries the high score
; along when the score passes it. Keeps X.
.proc add_points
    stx keep_x
    ldy #4                          ; the tens digit
@digit:
    clc
    adc score,y
    ldx #0                          ; carry into the next digit
@ten:
    cmp #10
    bcc @store
    sbc #10
    inx
    bne @ten
@store:
    sta score,y
    txa
    beq @compare
    dey
    bpl @digit
    ; Past 999999: stays at 999999.
    lda #9
    ldy #5
@max:
    sta score,y
    dey
    bpl @max
@compare:
    ; score > hiscore? The first differing digit decides.
    ldy #0
@cmp:
    lda score,y
    cmp hiscore,y
    bcc @done                       ; smaller
    bne @higher
    iny
    cpy #6
    bne @cmp
    beq @done                       ; equal
@higher:
    ldy #5
@copy:
    lda score,y
    sta hiscore,y
    dey
    bpl @copy
    lda #1
    sta new_record
@done:
    ldx keep_x
    rts
.endproc

; Queues the status bar's numbers: score, high score, level, ships.
.proc status_update
    lda #<score
    sta ptr
    lda #>score
    sta ptr+1
    lda #$24
    ldx #$28                        ; row 1, column 8
    jsr vram_put_digits
    lda #<hiscore
    sta ptr
    lda #>hiscore
    sta ptr+1
    lda #$24
    ldx #$36                        ; row 1, column 22
    jsr vram_put_digits

    ; Level + 1 in two digits.
    lda #$24
    ldx #$48                        ; row 2, column 8
    ldy #2
    jsr vram_open
    lda level
    clc
    adc #1
    ldy #'0'
@tens:
    cmp #10
    bcc @ones
    sbc #10
    iny
    bne @tens
@ones:
    pha
    tya
    jsr vram_put
    pla
    ora #'0'
    jsr vram_put

    ; A ship icon per life.
    lda #$24
    ldx #$56                        ; row 2, column 22
    ldy #MAX_LIVES
    jsr vram_open
    ldy #0
@life:
    lda #TILE_LIFE
    cpy lives
    bcc @icon
    lda #' '
@icon:
    jsr vram_put
    iny
    cpy #MAX_LIVES
    bne @life
    rts
.endproc

; ---- drawing ----

; Fills the shadow OAM (slot 0 is sprite 0). Front to back: banners, the
; ship, popups, objects.
.proc game_draw
    lda game_frame
    jsr palette_twinkle
    lda #4
    sta oam_pos

    lda #PAL_SHIP
    sta spr_attr
    lda paused
    beq @not_paused
    lda #<str_pause
    ldx #>str_pause
    ldy #108
    jsr banner
@not_paused:
    lda #PAL_YELLOW
    sta spr_attr
    lda dying
    beq @alive
    cmp #DYING_FRAMES - 30
    bcs @popups                     ; the explosion first, then the banner
    lda #<str_game_over
    ldx #>str_game_over
    ldy #92
    jsr banner
    jmp @popups                     ; no ship
@alive:
    lda banner_timer
    beq @no_level_up
    lda paused
    bne @no_level_up
    dec banner_timer
    lda #<str_level_up
    ldx #>str_level_up
    ldy #96
    jsr banner
@no_level_up:
    ; The ship, blinking while invulnerable.
    lda invuln
    beq @ship
    lda game_frame
    and #4
    bne @popups
@ship:
    jsr draw_ship
@popups:
    jsr draw_popups
    jsr draw_objects
    ldx oam_pos
    beq @full
    jsr oam_hide_from
@full:
    rts
.endproc

str_pause:     .byte "PAUSE", 0
str_game_over: .byte "GAME OVER", 0
str_level_up:  .byte "LEVEL UP", 0

; Sprite text A/X (address) at X = Y, on line 112, palette spr_attr.
.proc banner
    sta ptr2
    stx ptr2+1
    sty spr_x
    lda #112
    sta spr_y
    jmp sprite_text
.endproc

; Sprite text from the 0-terminated string at (ptr2), starting at spr_x /
; spr_y with attributes spr_attr. Spaces take no sprite.
.proc sprite_text
    ldy #0
@char:
    lda (ptr2),y
    beq @done
    cmp #' '
    beq @space
    jsr put_sprite
@space:
    lda spr_x
    clc
    adc #8
    sta spr_x
    iny
    bne @char
@done:
    rts
.endproc

; Adds a sprite: tile A at spr_x / spr_y with spr_attr. Keeps X and Y.
; Does nothing once the 63 free slots are used.
.proc put_sprite
    stx spr_keep
    ldx oam_pos
    beq @full
    sta oam+1,x
    lda spr_y
    sta oam,x
    lda spr_attr
    sta oam+2,x
    lda spr_x
    sta oam+3,x
    inx
    inx
    inx
    inx
    stx oam_pos
@full:
    ldx spr_keep
    rts
.endproc

; The ship: the left half, and the right half as its mirror image.
.proc draw_ship
    lda player_x
    sta spr_x
    lda player_y
    sta spr_y
    lda #PAL_SHIP
    sta spr_attr
    lda #TILE_SHIP_TOP
    jsr put_sprite
    lda #PAL_SHIP | FLIP_H
    sta spr_attr
    lda spr_x
    clc
    adc #8
    sta spr_x
    lda #TILE_SHIP_TOP
    jsr put_sprite
    lda spr_y
    clc
    adc #8
    sta spr_y
    lda game_frame                  ; the flame flickers
    lsr
    lsr
    and #1
    ora #TILE_SHIP_FLAME
    pha
    jsr put_sprite
    lda player_x
    sta spr_x
    lda #PAL_SHIP
    sta spr_attr
    pla
    jmp put_sprite
.endproc

; A 16x16 sprite of four tiles (tmp: top-left, top-right, bottom-left,
; bottom-right) at quad_x / quad_y, flipped as a whole by the flip bits of
; spr_attr. Keeps X.
.proc draw_quad
    ; A flipped metasprite swaps its columns (H) and rows (V).
    lda spr_attr
    rol
    rol
    rol                             ; V in bit 1, H in bit 0
    and #3
    sta quad_flip
    ldy #0
@tile:
    tya
    and #1
    asl
    asl
    asl
    adc quad_x                      ; carry is clear (A < 128)
    sta spr_x
    tya
    and #2
    asl
    asl
    adc quad_y
    sta spr_y
    sty count
    tya
    eor quad_flip
    tay
    lda tmp,y
    ldy count
    jsr put_sprite
    iny
    cpy #4
    bne @tile
    rts
.endproc

; Popups: rising yellow text, or a 16x16 explosion (one quarter tile,
; mirrored four ways).
.proc draw_popups
    ldx #MAX_POPUPS - 1
@popup:
    lda pop_timer,x
    beq @next
    lda pop_x,x
    sta spr_x
    lda pop_y,x
    sta spr_y
    lda pop_kind,x
    cmp #POP_BOOM
    beq @boom
    tay
    lda popup_text_lo - 1,y
    sta ptr2
    lda popup_text_hi - 1,y
    sta ptr2+1
    lda #PAL_YELLOW
    sta spr_attr
    stx keep_x
    jsr sprite_text
    ldx keep_x
    jmp @next
@boom:
    ldy #TILE_BOOM
    lda pop_timer,x
    cmp #POP_FRAMES / 2
    bcs @frame
    iny
@frame:
    sty tmp
    lda spr_x
    sta quad_x
    lda spr_y
    sta quad_y
    ; The same tile four times, each quarter flipped its own way.
    ldy #0
@quarter:
    lda boom_attr,y
    sta spr_attr
    tya
    and #1
    asl
    asl
    asl
    adc quad_x
    sta spr_x
    tya
    and #2
    asl
    asl
    adc quad_y
    sta spr_y
    lda tmp
    jsr put_sprite
    iny
    cpy #4
    bne @quarter
@next:
    dex
    bpl @popup
    rts
.endproc

boom_attr: .byte PAL_SHIP, PAL_SHIP | FLIP_H, PAL_SHIP | FLIP_V, PAL_SHIP | FLIP_H | FLIP_V

popup_text_lo: .byte <str_10, <str_50, <str_100, <str_1up
popup_text_hi: .byte >str_10, >str_50, >str_100, >str_1up
str_10:  .byte "10", 0
str_50:  .byte "50", 0
str_100: .byte "100", 0
str_1up: .byte "1UP", 0

; Objects, starting from a different one each frame: with more than eight
; sprites on a line, the PPU drops the last ones, so rotating the order
; turns a missing object into a flickering one.
.proc draw_objects
    ldx obj_rot
    inx
    cpx #MAX_OBJECTS
    bcc @rot
    ldx #0
@rot:
    stx obj_rot
    lda #MAX_OBJECTS
    sta count
@object:
    lda obj_type,x
    beq @next
    lda obj_x,x
    sta spr_x
    lda obj_y,x
    sta spr_y
    lda obj_type,x
    cmp #OBJ_METEOR
    beq @meteor
    cmp #OBJ_STAR
    bne @gem_or_heart
    lda #PAL_YELLOW
    sta spr_attr
    lda game_frame                  ; twinkle
    clc
    adc obj_anim,x
    lsr
    lsr
    lsr
    and #1
    ora #TILE_STAR
    jsr put_sprite
    jmp @next
@gem_or_heart:
    lda #PAL_GEMS
    sta spr_attr
    lda obj_type,x
    cmp #OBJ_GEM
    beq @gem
    lda #TILE_HEART
    bne @put
@gem:
    lda #TILE_GEM
@put:
    jsr put_sprite
    jmp @next
@meteor:
    ; Tumbling: the four flips in turn.
    lda spr_x
    sta quad_x
    lda spr_y
    sta quad_y
    lda game_frame
    clc
    adc obj_anim,x
    and #%00011000                  ; every 8 frames
    asl
    asl
    asl                             ; into the flip bits 6-7
    ora #PAL_METEOR
    sta spr_attr
    lda #TILE_METEOR
    sta tmp
    lda #TILE_METEOR + 1
    sta tmp+1
    lda #TILE_METEOR + 2
    sta tmp+2
    lda #TILE_METEOR + 3
    sta tmp+3
    lda count
    pha
    jsr draw_quad
    pla
    sta count
@next:
    inx
    cpx #MAX_OBJECTS
    bcc @in_range
    ldx #0
@in_range:
    dec count
    beq @done
    jmp @object
@done:
    rts
.endproc
