; video.s: everything that talks to the PPU.
;
; While rendering is on, only the NMI handler touches the PPU: the main
; thread queues nametable writes (`vram_open` / `vram_put`) and edits the
; palette shadow, and the NMI copies them during vblank. The `nt_*`
; routines draw whole screens and need rendering off (`ppu_off`).

.include "nes.inc"
.include "globals.inc"

VRAM_QUEUE_SIZE = 96

.segment "ZEROPAGE"
vram_len:    .res 1                 ; bytes queued in vram_queue
nt_base:     .res 1                 ; high byte of the nametable the nt_* routines draw in
star_rng:    .res 2                 ; xorshift state of the star generator

.segment "BSS"
; Entries of: address high, address low, count, `count` bytes; a 0 high
; byte ends the queue.
vram_queue:  .res VRAM_QUEUE_SIZE
palette:     .res 32                ; the palette shadow, uploaded every frame
attributes:  .res 64                ; attribute table being built by nt_attr_*

.segment "CODE"

; ---- CHR-RAM ----

; Copies pattern table 0 (4 KiB, chr.s) from PRG bank 0 into CHR-RAM.
.proc chr_upload
    lda #$00
    sta PPUADDR
    sta PPUADDR
    lda #<chr_data
    sta ptr
    lda #>chr_data
    sta ptr+1
    ldx #16                         ; 16 pages of 256 bytes
    ldy #0
@byte:
    lda (ptr),y
    sta PPUDATA
    iny
    bne @byte
    inc ptr+1
    dex
    bne @byte
    rts
.endproc

; ---- the NMI's side ----

; Uploads the 32-byte palette shadow.
.proc palette_flush
    lda #$3F
    sta PPUADDR
    lda #$00
    sta PPUADDR
    ldx #0
@color:
    lda palette,x
    sta PPUDATA
    inx
    cpx #32
    bne @color
    rts
.endproc

; Writes the queued nametable updates, then empties the queue.
.proc vram_flush
    ldx #0
@entry:
    lda vram_queue,x
    beq @done
    sta PPUADDR
    lda vram_queue+1,x
    sta PPUADDR
    ldy vram_queue+2,x
    inx
    inx
    inx
@byte:
    lda vram_queue,x
    sta PPUDATA
    inx
    dey
    bne @byte
    beq @entry
@done:
    lda #0
    sta vram_len
    sta vram_queue
    rts
.endproc

; ---- the main thread's side ----

; Opens a queue entry for Y bytes at PPU address A (high) / X (low); the
; bytes follow with vram_put. Changes A, X.
.proc vram_open
    stx tmp+7
    ldx vram_len
    sta vram_queue,x
    lda tmp+7
    sta vram_queue+1,x
    tya
    sta vram_queue+2,x
    inx
    inx
    inx
    stx vram_len
    rts
.endproc

; Queues byte A (after vram_open). Changes X.
.proc vram_put
    ldx vram_len
    sta vram_queue,x
    inx
    stx vram_len
    rts
.endproc

; Queues the six score digits at (ptr) as tiles, at PPU address A/X.
.proc vram_put_digits
    ldy #6
    jsr vram_open
    ldy #0
@digit:
    lda (ptr),y
    ora #'0'
    jsr vram_put
    iny
    cpy #6
    bne @digit
    rts
.endproc

; ---- palette ----

; Loads the palette shadow from the 32 bytes at (ptr).
.proc palette_load
    ldy #31
@color:
    lda (ptr),y
    sta palette,y
    dey
    bpl @color
    rts
.endproc

; Star twinkle: background palette 0's colours 1-3 walk a brightness ramp,
; each a third of a cycle apart. A = frame counter.
.proc palette_twinkle
    lsr
    lsr
    lsr                             ; a step every 8 frames
    tax
    and #7
    tay
    lda twinkle_ramp,y
    sta palette+1
    txa
    clc
    adc #3
    and #7
    tay
    lda twinkle_ramp,y
    sta palette+2
    txa
    clc
    adc #5
    and #7
    tay
    lda twinkle_ramp,y
    sta palette+3
    rts
.endproc

twinkle_ramp:
    .byte $2D, $00, $10, $30, $30, $10, $00, $2D

; ---- whole screens (rendering off) ----

; Sets the nametable the nt_* routines draw in: A = $20 or $24.
; Also clears the attribute shadow (all palette 0).
.proc nt_select
    sta nt_base
    lda #0
    ldx #63
@attr:
    sta attributes,x
    dex
    bpl @attr
    rts
.endproc

; Points the PPU at row A, column X of the selected nametable.
.proc nt_goto
    ; address = base + row * 32 + column
    sta tmp+6
    lda #0
    sta tmp+5
    lda tmp+6
    asl
    asl
    asl
    asl
    rol tmp+5
    asl
    rol tmp+5                       ; tmp+5:A = row * 32
    stx tmp+6
    ora tmp+6                       ; + column (row * 32 has bits 0-4 clear)
    tax
    lda tmp+5
    ora nt_base
    sta PPUADDR
    stx PPUADDR
    rts
.endproc

; Fills the selected nametable's 960 tiles with a starfield; rows whose
; bit is set in the 4-byte mask at (ptr) (bit 0 of byte 0 = row 0) stay
; empty. The stars come from their own generator, seeded with A, so a
; screen always gets the same sky.
.proc nt_starfield
    sta star_rng
    lda #$5B
    sta star_rng+1
    lda #0
    sta tmp+4                       ; row
@row:
    lda tmp+4
    ldx #0
    jsr nt_goto
    ; Is this row masked?
    lda tmp+4
    lsr
    lsr
    lsr
    tay
    lda (ptr),y
    sta tmp+3
    lda tmp+4
    and #7
    tax
    inx
@shift:
    lsr tmp+3
    dex
    bne @shift                      ; carry = the row's mask bit
    lda #0
    rol
    sta tmp+3                       ; 1: no stars on this row
    ldx #32
@tile:
    jsr star_rand
    ldy #0                          ; empty
    cmp #STAR_DENSITY
    bcs @put
    lda star_rng                    ; which star: the other byte
    and #7
    tay
    lda star_tiles,y
    tay
@put:
    lda tmp+3
    beq @keep
    ldy #0
@keep:
    sty PPUDATA
    dex
    bne @tile
    inc tmp+4
    lda tmp+4
    cmp #30
    bne @row
    rts
.endproc

STAR_DENSITY = 22                   ; out of 256 tiles

star_tiles:
    .byte $01, $01, $02, $02, $05, $06, $03, $04

; The starfield's own xorshift (see `rand`). Returns the high byte in A.
.proc star_rand
    lda star_rng+1
    lsr
    lda star_rng
    ror
    eor star_rng+1
    sta star_rng+1
    ror
    eor star_rng
    sta star_rng
    eor star_rng+1
    sta star_rng+1
    rts
.endproc

; Fills row A of the selected nametable with tile X.
.proc nt_fill_row
    stx tmp+4
    ldx #0
    jsr nt_goto
    lda tmp+4
    ldx #32
@tile:
    sta PPUDATA
    dex
    bne @tile
    rts
.endproc

; Draws text records from (ptr): row, column, characters, 0; a row of $FF
; ends the list. Characters are tile numbers (the font is at the ASCII codes).
.proc nt_text
    ldy #0
@record:
    lda (ptr),y
    cmp #$FF
    beq @done
    pha
    iny
    lda (ptr),y
    tax
    pla
    jsr nt_goto
    iny
@char:
    lda (ptr),y
    beq @end
    sta PPUDATA
    iny
    bne @char
@end:
    iny
    bne @record
@done:
    rts
.endproc

; Draws one line of big letters at row A, column X from the 0-terminated
; string at (ptr2). Each letter is its 8x8 font glyph scaled up four
; times: every 2x2 pixels of the glyph become one quarter-block tile
; ($10-$1F), so a letter is 4x4 tiles. The glyphs are read from the
; tile data in PRG bank 0, which is mapped at $8000.
.proc nt_big_text
    sta tmp                         ; row
    stx tmp+1                       ; column
    lda #0
    sta tmp+2                       ; tile row of the letters, 0-3
@tile_row:
    lda tmp
    clc
    adc tmp+2
    ldx tmp+1
    jsr nt_goto
    ldy #0
@letter:
    sty tmp+3
    lda (ptr2),y
    beq @next_row
    ; ptr = chr_data + letter * 16 + tile row * 2 (plane 0 rows)
    sta ptr
    lda #0
    asl ptr
    rol
    asl ptr
    rol
    asl ptr
    rol
    asl ptr
    rol
    sta ptr+1
    lda tmp+2
    asl
    ora ptr                         ; ptr is a multiple of 16
    clc
    adc #<chr_data
    sta ptr
    lda ptr+1
    adc #>chr_data
    sta ptr+1
    ldy #0
    lda (ptr),y
    sta tmp+4                       ; upper glyph row
    iny
    lda (ptr),y
    sta tmp+5                       ; lower glyph row
    ldx #4
@block:
    ; Two pixels of each row, left first, become bits 0-3 of the block.
    lda #0
    asl tmp+4
    ror
    asl tmp+4
    ror
    asl tmp+5
    ror
    asl tmp+5
    ror                             ; A = BR BL TR TL 0000
    lsr
    lsr
    lsr
    lsr
    ora #$10
    sta PPUDATA
    dex
    bne @block
    ldy tmp+3
    iny
    bne @letter
@next_row:
    inc tmp+2
    lda tmp+2
    cmp #4
    bne @tile_row
    rts
.endproc

; Sets the palette of a band of two tile rows (16 pixels: the attribute
; table's unit vertically) in the attribute shadow: X = band 0-14, A = 0-3.
.proc nt_attr_band
    and #3
    sta tmp+4
    txa
    lsr                             ; which attribute row (4 tile rows)
    php                             ; carry: the lower half of it
    asl
    asl
    asl
    sta tmp+5                       ; index of its first byte
    ; The two quadrants of a half: bits 0-3 (upper) or 4-7 (lower).
    lda tmp+4
    asl
    asl
    ora tmp+4                       ; the palette in both quadrants
    plp
    bcc @upper
    asl
    asl
    asl
    asl
    ldy #$0F                        ; keep the upper half
    bne @store
@upper:
    ldy #$F0                        ; keep the lower half
@store:
    sta tmp+4
    sty tmp+6
    ldx tmp+5
    ldy #8
@byte:
    lda attributes,x
    and tmp+6
    ora tmp+4
    sta attributes,x
    inx
    dey
    bne @byte
    rts
.endproc

; Writes the attribute shadow into the selected nametable.
.proc nt_attr_upload
    lda nt_base
    ora #$03
    sta PPUADDR
    lda #$C0
    sta PPUADDR
    ldx #0
@byte:
    lda attributes,x
    sta PPUDATA
    inx
    cpx #64
    bne @byte
    rts
.endproc

; Hides every sprite in the shadow OAM from index X (a multiple of 4) on.
.proc oam_hide_from
    lda #$FF
@sprite:
    sta oam,x
    inx
    inx
    inx
    inx
    bne @sprite
    rts
.endproc
