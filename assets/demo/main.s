; main.s: STAR CATCHER's header, reset, NMI handler and frame loop.
;
; Frame structure (NTSC, 262 lines):
;   NMI (line 241)  OAM DMA, palette and queued nametable writes, then the
;                   scroll for the top of the picture (the status bar in
;                   nametable $2400). During play the handler then waits for
;                   the sprite 0 hit at the bottom of the status bar and
;                   points the PPU at the scrolling starfield ($2000).
;   main thread     wakes after the NMI, reads the controller, advances the
;                   random generator and runs one frame of the current
;                   screen, which fills the shadow OAM and the VRAM queue.
; A frame the main thread does not finish in time is a lag frame: the NMI
; still sets the scroll and does the split, but uploads nothing.

.include "nes.inc"
.include "mmc1.inc"
.include "sound.inc"
.include "globals.inc"

; ---- iNES header (NES 2.0) ----
.segment "HEADER"
    .byte "NES", $1A
    .byte 2                         ; PRG-ROM: 2 x 16 KiB
    .byte 0                         ; CHR-ROM: none (CHR-RAM)
    .byte $13                       ; mapper 1 (low nibble), battery, vertical
                                    ; (the MMC1 sets the mirroring; this is what the code picks)
    .byte $08                       ; NES 2.0; mapper bits 4-7 = 0
    .byte $00                       ; mapper bits 8-11, submapper 0
    .byte $00                       ; ROM size high bits
    .byte $70                       ; PRG-RAM: none volatile, 8 KiB (64 << 7) battery-backed
    .byte $07                       ; CHR-RAM: 8 KiB (64 << 7), not battery-backed
    .byte $00                       ; NTSC
    .byte $00, $00, $00             ; not Vs., no misc ROMs, standard controllers

; ---- variables ----
.segment "ZEROPAGE"
tmp:        .res 8                  ; scratch for any routine (not the NMI)
ptr:        .res 2                  ; scratch pointers
ptr2:       .res 2
nmi_count:  .res 1                  ; +1 every NMI
nmi_ready:  .res 1                  ; main thread: OAM/palette/VRAM queue ready
ppu_ctrl:   .res 1                  ; PPUCTRL as the NMI writes it
ppu_mask:   .res 1                  ; PPUMASK as the NMI writes it
split_on:   .res 1                  ; nonzero: split at the sprite 0 hit
split_y:    .res 1                  ; starfield scroll Y below the split, 0-239
pad:        .res 1                  ; buttons held this frame (BTN_*)
pad_new:    .res 1                  ; buttons pressed this frame (were up last frame)
rng:        .res 2                  ; xorshift state, never 0
state:      .res 1                  ; STATE_*: which screen runs
state_vec:  .res 2                  ; the screen's frame routine

.segment "OAM"
oam:        .res 256                ; shadow OAM, copied by DMA every NMI

.segment "CODE"

; ---- reset ----
.proc reset
    sei
    cld
    ldx #$40
    stx APU_FRAME                   ; no APU frame IRQ
    ldx #$FF
    txs
    inx
    stx PPUCTRL                     ; no NMI
    stx PPUMASK                     ; rendering off
    stx DMC_FREQ                    ; no DMC IRQ
    bit PPUSTATUS                   ; drop a vblank flag left from before reset

    ; The PPU ignores writes for about 30000 cycles: two vblanks.
@vblank1:
    bit PPUSTATUS
    bpl @vblank1

    ; Meanwhile, clear the RAM (X = 0) and hide every sprite.
    txa
@clear:
    sta $0000,x
    sta $0100,x
    sta $0300,x
    sta $0400,x
    sta $0500,x
    sta $0600,x
    sta $0700,x
    inx
    bne @clear
    lda #$FF
@hide:
    sta oam,x
    inx
    bne @hide

@vblank2:
    bit PPUSTATUS
    bpl @vblank2

    ; The mapper: a known mode, CHR bank 0, PRG bank 0, PRG-RAM locked.
    lda #$80
    sta MMC1_CONTROL
    lda #MMC1_CONTROL_VALUE
    mmc1_write MMC1_CONTROL
    lda #0
    mmc1_write MMC1_CHR0
    lda #0
    mmc1_write MMC1_CHR1
    lda #MMC1_PRG_RAM_OFF
    mmc1_write MMC1_PRG

    jsr sound_init
    jsr chr_upload                  ; tiles from PRG bank 0 into CHR-RAM
    jsr save_load                   ; the high score from PRG-RAM

    ; A fixed seed: the game is deterministic, and what changes from game
    ; to game is how many frames pass before Start (see main_loop).
    lda #$A7
    sta rng
    lda #$1D
    sta rng+1

    jsr title_enter
    ; fall through
.endproc

; ---- the frame loop ----
.proc main_loop
    jsr wait_frame
    jsr read_pad
    jsr rand                        ; one step every frame, whatever the screen
    jsr run_state
    jmp main_loop
.endproc

; Runs one frame of the current screen.
.proc run_state
    lda state
    asl
    tax
    lda state_table,x
    sta state_vec
    lda state_table+1,x
    sta state_vec+1
    jmp (state_vec)
.endproc

state_table:
    .addr title_update              ; STATE_TITLE
    .addr game_update               ; STATE_PLAY
    .addr over_update               ; STATE_OVER

; Hands the frame to the NMI (terminates the VRAM queue, marks everything
; ready) and sleeps until it has run.
.proc wait_frame
    ldx vram_len
    lda #0
    sta vram_queue,x
    lda #1
    sta nmi_ready
    lda nmi_count
@wait:
    cmp nmi_count
    beq @wait
    rts
.endproc

; Turns rendering off at the next vblank and disables the NMI, so the
; caller can write to VRAM freely. (At power-on both are off already.)
.proc ppu_off
    lda #0
    sta split_on
    sta ppu_mask
    bit ppu_ctrl
    bpl @nmi_off
    jsr wait_frame                  ; the NMI writes PPUMASK = 0
@nmi_off:
    lda ppu_ctrl
    and #<~CTRL_NMI
    sta ppu_ctrl
    sta PPUCTRL
    rts
.endproc

; Enables the NMI; rendering comes on at the next vblank with PPUMASK = A.
.proc ppu_on
    sta ppu_mask
    bit PPUSTATUS                   ; no NMI at once from a stale flag
    lda ppu_ctrl
    ora #CTRL_NMI
    sta ppu_ctrl
    sta PPUCTRL
    jmp wait_frame
.endproc

; ---- NMI ----
.proc nmi
    pha
    txa
    pha
    tya
    pha

    lda nmi_ready
    beq @lag
    lda #0
    sta OAMADDR
    lda #>oam
    sta OAM_DMA
    jsr palette_flush
    jsr vram_flush
    lda #0
    sta nmi_ready
@lag:
    ; The top of the picture: scroll (0, 0) in the nametable PPUCTRL names.
    lda ppu_ctrl
    sta PPUCTRL
    lda #0
    sta PPUSCROLL
    sta PPUSCROLL
    lda ppu_mask
    sta PPUMASK

    inc nmi_count
    jsr sound_update

    lda split_on
    beq @done
    jsr split
@done:
    pla
    tay
    pla
    tax
    pla
    rti
.endproc

; The status bar split. Sprite 0 sits behind the divider at the bottom of
; the status bar, at X = 224 on line 26; when the PPU draws its first opaque
; pixel over the divider's, it sets the sprite 0 hit flag. The four writes
; after it load the starfield's scroll: the first three only change the
; PPU's temporary address t, the last ($2006) copies t to the address the
; PPU fetches from, and lands in the horizontal blank of line 26 (about
; dot 270-290: the hit comes at dot 225, the poll loop takes up to 21 dots
; to notice, the writes 54 more). Line 27 on shows the starfield.
.proc split
    ; The flag is still set from the last frame until the pre-render line.
@wait_clear:
    bit PPUSTATUS
    bvs @wait_clear
    ldy split_y                     ; fine and coarse Y, for $2005
    tya
    asl
    asl
    and #$E0                        ; coarse Y bits 0-2 for the low $2006 write
    ldx #$00                        ; nametable 0 ($2000) and scroll X = 0
@wait_hit:
    bit PPUSTATUS
    bvc @wait_hit
    stx PPUADDR                     ; t: nametable 0
    sty PPUSCROLL                   ; t: fine Y, coarse Y
    stx PPUSCROLL                   ; t: coarse X 0, fine X 0
    sta PPUADDR                     ; t low byte; v = t
    rts
.endproc

.proc irq
    rti
.endproc

; ---- input and random numbers ----

; Reads controller 1 into `pad`, and the newly pressed buttons into `pad_new`.
.proc read_pad
    lda pad
    sta tmp                         ; last frame's buttons
    lda #1
    sta JOY1                        ; strobe: latch the buttons
    sta pad                         ; the 1 shifts out after eight reads
    lda #0
    sta JOY1
@bit:
    lda JOY1
    lsr                             ; the button into carry
    rol pad
    bcc @bit
    lda tmp
    eor #$FF
    and pad
    sta pad_new
    rts
.endproc

; 16-bit xorshift (shifts 7, 9, 8): x ^= x << 7; x ^= x >> 9; x ^= x << 8.
; Period 65535 over the non-zero states. Returns the new high byte in A.
; Changes A only.
.proc rand
    lda rng+1
    lsr                             ; carry = bit 8 of x
    lda rng
    ror                             ; A = bits 1-8 of x: the high byte of x << 7
    eor rng+1
    sta rng+1
    ror                             ; A = the new high byte >> 1, with bit 0
    eor rng                         ;   of the low byte on top: the low
    sta rng                         ;   byte of (x << 7) ^ (x >> 9)
    eor rng+1                       ; x ^= x << 8
    sta rng+1
    rts
.endproc

; ---- vectors ----
.segment "TAIL1"
    bank_tail nmi, irq

; Bank 0 ends the same way (see mmc1.inc): if the board powers up with bank
; 0 at $C000, the reset stub still runs. Its NMI and IRQ vectors point at
; the stub too; neither can fire before the stub has run.
.segment "TAIL0"
    bank_tail $FFF0, $FFF0
