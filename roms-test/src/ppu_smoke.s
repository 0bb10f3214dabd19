; ppu_smoke: the PPU basics every game relies on, on NROM (mapper 0).
;
; Checks, in order (the result code is the number of the failed check):
;   1  the vblank flag ($2002 bit 7) sets (twice: the PPU warm-up)
;   2  nametable bytes written through $2006/$2007 read back, after the one
;      stale read that follows setting the address
;   3  that first read after $2006 returns the read buffer (the byte the
;      previous read fetched), not the byte at the new address
;   4  palette reads are direct: no stale read first
;   5  $3F10 mirrors $3F00, both ways
;   6  reading $2002 clears the vblank flag
;   7  an NMI arrives with $2000 bit 7 set
;   8  exactly one NMI per frame: 4 NMIs in about 4.5 frames
;   9  no NMI with $2000 bit 7 clear
;  10  sprite 0 hit sets with sprite 0 over an opaque background tile
;  11  ... and does not with it over a transparent one (the flag clears
;      before the next frame)

.include "common/nes.inc"
.include "common/header.inc"
.include "common/macros.inc"

    nes2_header 0, 0, 2, 1, HEADER_VERTICAL, 0

.export rom_name
.segment "RODATA"
rom_name: .byte "ppu_smoke", 0

.segment "ZEROPAGE"
nmi_start: .res 1

.segment "OAM"
oam: .res 256

; Sprite 0 sits over the solid tile at row 10, column 12 of nametable 0.
SOLID_TILE  = 1
TILE_ROW    = 10
TILE_COLUMN = 12
TILE_ADDR   = $2000 + TILE_ROW * 32 + TILE_COLUMN

.segment "CODE"
reset:
    sei
    cld
    ldx #$FF
    txs
    nes_init
    jsr status_begin
    ppu_warmup

check_nametable:
    lda #$21
    ldx #$50
    jsr ppu_addr
    lda #$11
    sta PPUDATA
    lda #$22
    sta PPUDATA
    lda #$33
    sta PPUDATA
    lda #$21
    ldx #$50
    jsr ppu_addr
    lda PPUDATA                     ; stale: the buffer's old contents
    ldx #0
:   lda PPUDATA
    sta probe,x
    inx
    cpx #3
    bne :-
    lda probe
    cmp #$11
    bne nametable_bad
    lda probe+1
    cmp #$22
    bne nametable_bad
    lda probe+2
    cmp #$33
    beq check_read_buffer
nametable_bad:
    print "nametable bytes written at $2150 read back as "
    jsr print_probe3
    print " (expected 11 22 33)"
    fail 2

check_read_buffer:
    lda #$21
    ldx #$50
    jsr ppu_addr
    lda PPUDATA                     ; fills the buffer with $2150's $11
    lda #$21
    ldx #$52
    jsr ppu_addr
    lda PPUDATA                     ; the buffer: $11, not $2152's $33
    sta probe
    lda PPUDATA
    sta probe+1
    lda probe
    cmp #$11
    bne read_buffer_bad
    lda probe+1
    cmp #$33
    beq check_palette
read_buffer_bad:
    print "after reading $2150 then setting $2152, $2007 read "
    lda probe
    jsr print_hex
    print " then "
    lda probe+1
    jsr print_hex
    print " (expected 11, the buffered byte, then 33)"
    fail 3

check_palette:
    lda #$3F
    ldx #$01
    jsr ppu_addr
    lda #$12
    sta PPUDATA
    lda #$23
    sta PPUDATA
    lda #$3F
    ldx #$01
    jsr ppu_addr
    lda PPUDATA                     ; palette reads skip the buffer
    and #$3F                        ; bits 6-7 are open bus
    sta probe
    lda PPUDATA
    and #$3F
    sta probe+1
    lda probe
    cmp #$12
    bne palette_bad
    lda probe+1
    cmp #$23
    beq check_palette_mirror
palette_bad:
    print "palette $3F01-$3F02 written 12 23, read "
    lda probe
    jsr print_hex
    print " "
    lda probe+1
    jsr print_hex
    print " (palette reads are not delayed by the buffer)"
    fail 4

check_palette_mirror:
    lda #$3F
    ldx #$10
    ldy #$2A
    jsr ppu_write
    lda #$3F
    ldx #$00
    jsr ppu_addr
    lda PPUDATA
    and #$3F
    sta probe
    lda #$3F
    ldx #$00
    ldy #$15
    jsr ppu_write
    lda #$3F
    ldx #$10
    jsr ppu_addr
    lda PPUDATA
    and #$3F
    sta probe+1
    lda probe
    cmp #$2A
    bne palette_mirror_bad
    lda probe+1
    cmp #$15
    beq check_vblank_clear
palette_mirror_bad:
    print "$3F10 does not mirror $3F00: wrote 2A at $3F10, $3F00 read "
    lda probe
    jsr print_hex
    print "; wrote 15 at $3F00, $3F10 read "
    lda probe+1
    jsr print_hex
    fail 5

check_vblank_clear:
    jsr wait_vblank                 ; returns right after the read that saw the flag
    bcs vblank_clear_bad
    lda PPUSTATUS
    bpl check_nmi
vblank_clear_bad:
    print "vblank flag still set on the $2002 read after the one that saw it"
    fail 6

check_nmi:
    lda #$80                        ; the flag was just cleared: no NMI at once
    sta PPUCTRL
    jsr wait_nmi
    bcc check_nmi_per_frame
    print "no NMI within 5 frames with $2000 bit 7 set"
    fail 7

check_nmi_per_frame:
    ; Just after an NMI: in 4.5 frames the NMIs 1, 2, 3 and 4 frames later
    ; come, with half a frame to spare either side.
    lda nmi_count
    sta nmi_start
    ldy #104                        ; 104 * 1286 cycles = 4.49 frames
    jsr delay_units
    lda nmi_count
    sec
    sbc nmi_start
    cmp #4
    beq check_nmi_off
    pha
    print "NMIs in 4.5 frames: "
    pla
    jsr print_dec
    print " (expected 4)"
    fail 8

check_nmi_off:
    lda #$00
    sta PPUCTRL
    lda nmi_count
    sta nmi_start
    ldy #70                         ; 3 frames
    jsr delay_units
    lda nmi_count
    cmp nmi_start
    beq check_sprite0_hit
    print "NMI fired with $2000 bit 7 clear"
    fail 9

check_sprite0_hit:
    ; Nametable 0 blank but for the solid tile; attributes 0.
    lda #$20
    ldx #$00
    jsr ppu_addr
    lda #0
    ldy #4
    ldx #0
:   sta PPUDATA
    dex
    bne :-
    dey
    bne :-
    lda #>TILE_ADDR
    ldx #<TILE_ADDR
    ldy #SOLID_TILE
    jsr ppu_write
    ; Backdrop black, background color 1 white, sprite color 1 red.
    lda #$3F
    ldx #$00
    ldy #$0F
    jsr ppu_write
    lda #$3F
    ldx #$01
    ldy #$30
    jsr ppu_write
    lda #$3F
    ldx #$11
    ldy #$16
    jsr ppu_write
    ; Every sprite off-screen (Y = $FF) but sprite 0 on the solid tile
    ; (OAM Y is the line above the sprite's first).
    lda #$FF
    ldx #0
:   sta oam,x
    inx
    bne :-
    lda #TILE_ROW * 8 - 1
    sta oam+0
    lda #SOLID_TILE
    sta oam+1
    lda #$00
    sta oam+2
    lda #TILE_COLUMN * 8
    sta oam+3
    jsr wait_vblank
    jsr show_sprites
    ; The first frame rendered whole with sprite 0 in place ends at the
    ; second vblank; the hit flag holds until the pre-render line.
    jsr wait_vblank
    jsr wait_vblank
    lda PPUSTATUS
    and #$40
    bne check_no_hit
    print "no sprite 0 hit with sprite 0 over an opaque background tile"
    fail 10

check_no_hit:
    ; Still in vblank: move sprite 0 over the blank background.
    lda #TILE_COLUMN * 8 + 64
    sta oam+3
    jsr show_sprites
    jsr wait_vblank
    jsr wait_vblank
    lda PPUSTATUS
    and #$40
    beq passed
    print "sprite 0 hit with sprite 0 over a transparent background"
    fail 11

passed:
    jmp status_pass

; OAM DMA from the buffer, scroll to (0, 0) of nametable 0, and rendering
; on, left column included. Call in vblank.
show_sprites:
    lda #0
    sta OAMADDR
    lda #>oam
    sta OAMDMA
    lda #0
    sta PPUSCROLL
    sta PPUSCROLL
    sta PPUCTRL
    lda #$1E
    sta PPUMASK
    rts

; Prints probe[0..2] as hex bytes separated by spaces.
print_probe3:
    ldy #0
:   sty temp+1
    lda probe,y
    jsr print_hex
    ldy temp+1
    iny
    cpy #3
    beq :+
    lda #' '
    jsr print_char
    jmp :-
:   rts

.segment "MAIN_TAIL"
    .res $1A, $FF
    .word nmi_handler, reset, irq_ignore

; Tile 0 blank, tile 1 solid color 1.
.segment "CHR"
    .res 16, $00
    .res 8, $FF
    .res 8, $00
    .res $2000 - 32, $00
