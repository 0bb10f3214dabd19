; save.s: the high score in battery-backed PRG-RAM.
;
; Layout at $6000 (16 bytes; the rest of the 8 KiB is unused):
;   $6000-$6007  signature: "STARCAT" and a layout version byte, $01
;   $6008-$600D  high score: six decimal digits (0-9), most significant first
;   $600E        checksum: c = $5A; for each digit d: c = (c rotated left
;                by one bit, 8-bit) + d, mod 256
;   $600F        the checksum XOR $FF
; RAM that was never written (all $00, all $FF or noise) fails the
; signature or the checksum, and the high score starts at DEFAULT_HISCORE.
; Writes clear the signature first and write it back last, so a save
; interrupted by a power cut is also caught.
;
; The PRG-RAM is write-protected (MMC1 PRG register bit 4) except while
; these routines run.

.include "mmc1.inc"
.include "globals.inc"

.segment "SAVE"
save_signature: .res 8
save_digits:    .res 6
save_checksum:  .res 1
save_inverse:   .res 1

.segment "BSS"
hiscore:        .res 6              ; the high score, same digits as `score`

.segment "RODATA"
signature:       .byte "STARCAT", $01
default_hiscore: .byte 0, 0, 1, 0, 0, 0     ; 1000

.segment "CODE"

; Reads the high score from PRG-RAM into `hiscore`, or sets the default
; (and saves it) if the save is missing or damaged.
.proc save_load
    jsr sram_enable
    ldx #7
@signature:
    lda save_signature,x
    cmp signature,x
    bne @invalid
    dex
    bpl @signature
    jsr checksum
    bcs @invalid                    ; a digit out of range
    cmp save_checksum
    bne @invalid
    eor #$FF
    cmp save_inverse
    bne @invalid
    ldx #5
@copy:
    lda save_digits,x
    sta hiscore,x
    dex
    bpl @copy
    jmp sram_disable
@invalid:
    ldx #5
@default:
    lda default_hiscore,x
    sta hiscore,x
    dex
    bpl @default
    jsr write
    jmp sram_disable
.endproc

; Writes `hiscore` to PRG-RAM.
.proc save_store
    jsr sram_enable
    jsr write
    jmp sram_disable
.endproc

; Signature off, digits, checksum, signature on. PRG-RAM enabled.
.proc write
    lda #0
    sta save_signature
    ldx #5
@digit:
    lda hiscore,x
    sta save_digits,x
    dex
    bpl @digit
    jsr checksum
    sta save_checksum
    eor #$FF
    sta save_inverse
    ldx #7
@signature:
    lda signature,x
    sta save_signature,x
    dex
    bpl @signature
    rts
.endproc

; A = the checksum of save_digits; carry set if a digit is over 9.
.proc checksum
    lda #$5A
    sta tmp
    ldx #0
@digit:
    lda save_digits,x
    cmp #10
    bcs @done
    lda tmp
    asl
    adc #0                          ; rotate left: bit 7 back into bit 0
    clc
    adc save_digits,x
    sta tmp
    inx
    cpx #6
    bne @digit
    clc
@done:
    lda tmp
    rts
.endproc

; PRG-RAM on and off. Bank 0 stays at $8000 either way.
.proc sram_enable
    lda #MMC1_PRG_RAM_ON
    mmc1_write MMC1_PRG
    rts
.endproc

.proc sram_disable
    lda #MMC1_PRG_RAM_OFF
    mmc1_write MMC1_PRG
    rts
.endproc
