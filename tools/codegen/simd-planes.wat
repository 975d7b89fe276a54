;; WebAssembly SIMD kernels of the edge runtime's preprocess: interleaved 8-bit pixels to normalized
;; float32 planes, the one write of each input tensor per frame. Assembled with wabt by
;; simd-planes.js into packages/edge-runtime/src/simd-planes.wasm.ts, and called by
;; packages/edge-runtime/src/simd-planes.ts, which checks that every plane fits before each call
;; (the kernels trust their arguments).
;;
;; planes<C>(src, width, height, rowStride, dst0.., mul0.., add0..), C = 1 (gray), 3 (RGB) or 4 (RGBA,
;; alpha skipped), reads `height` rows of `width` pixels of C interleaved bytes from `src` and writes
;; source channel k (k < 3) to the plane row at dst<k>, stepping `rowStride` bytes per plane row:
;;
;;   dst<k>[x] = f32(byte · mul<k> + add<k>)
;;
;; planes<C>_flip writes each row mirrored (pixel x to column width-1-x), for the flipped pass of the
;; left-right check. Addresses are byte offsets into the exported memory.
;;
;; Why float64: the product and the sum are computed in float64 and rounded once to float32, exactly as
;; the JavaScript fallback (deinterleave.ts) does when it stores a double into a Float32Array, so both
;; paths give bit-identical floats. A float32 multiply-add is ~0.6 ms faster at KITTI size but differs
;; from the reference by up to 3.6e-7.
;;
;; Sixteen pixels per SIMD step: load C vectors, gather channel k's 16 bytes with i8x16.shuffle, widen
;; them to four i32x4 (pixels 0-3, 4-7, 8-11, 12-15), convert each pair of lanes to f64x2, multiply-add,
;; demote to float32 and pack two pairs into one f32x4 store. The last width % 16 pixels of a row go one
;; at a time, with the same float64 arithmetic.
;;
;; The kernels are written out in full, one function per channel count and direction, rather than
;; sharing a helper: V8 in Node 20 does not inline WebAssembly calls (--wasm-inlining is off by
;; default), so a helper would put a call per 16 pixels and channel into the hot loop. Every memory
;; access says align=1, a hint only: rows of odd width start at any byte, so no alignment is promised.
(module
  ;; One page to start; simd-planes.ts grows it to fit the staging area and the input tensors.
  (memory (export "memory") 1)

  ;; Gray: one vector holds 16 pixels. The other kernels differ only in how they gather a channel.
  (func $planes1 (export "planes1")
    (param $src i32) (param $width i32) (param $height i32) (param $rowStride i32)
    (param $dst0 i32)
    (param $mul0 f64) (param $add0 f64)
    (local $groups i32) (local $tail i32) (local $s i32) (local $o0 i32)
    (local $x v128) (local $half v128)
    (local $q0 v128) (local $q1 v128) (local $q2 v128) (local $q3 v128)
    (local $M0 v128) (local $A0 v128)
    ;; mul and add in both float64 lanes.
    (local.set $M0 (f64x2.splat (local.get $mul0)))
    (local.set $A0 (f64x2.splat (local.get $add0)))
    ;; Counted loops test first, so a count of 0 (an empty image or row) runs nothing.
    (block $rows_done (loop $row
      (br_if $rows_done (i32.eqz (local.get $height)))
      ;; $s walks the source row and $o0 the plane row: whole blocks of 16 first, then the tail.
      (local.set $s (local.get $src))
      (local.set $groups (i32.shr_u (local.get $width) (i32.const 4)))
      (local.set $tail (i32.and (local.get $width) (i32.const 15)))
      (local.set $o0 (local.get $dst0))
      (block $groups_done (loop $group
        (br_if $groups_done (i32.eqz (local.get $groups)))
        (local.set $x (v128.load align=1 (local.get $s)))
        ;; Bytes to four i32x4 (pixels 0-3, 4-7, 8-11, 12-15), unsigned and exact.
        (local.set $q0 (i32x4.extend_low_i16x8_u (local.tee $half (i16x8.extend_low_i8x16_u (local.get $x)))))
        (local.set $q1 (i32x4.extend_high_i16x8_u (local.get $half)))
        (local.set $q2 (i32x4.extend_low_i16x8_u (local.tee $half (i16x8.extend_high_i8x16_u (local.get $x)))))
        (local.set $q3 (i32x4.extend_high_i16x8_u (local.get $half)))
        ;; Four pixels per store: lanes 0-1 of q, then lanes 2-3 moved down by the shuffle, to f64x2;
        ;; · M + A in float64, rounded once to float32 in lanes 0-1; the outer shuffle packs both pairs.
        (v128.store align=1 (local.get $o0) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
          (f32x4.demote_f64x2_zero (f64x2.add (f64x2.mul (f64x2.convert_low_i32x4_s (local.get $q0)) (local.get $M0)) (local.get $A0)))
          (f32x4.demote_f64x2_zero (f64x2.add (f64x2.mul (f64x2.convert_low_i32x4_s
            (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $q0) (local.get $q0))) (local.get $M0)) (local.get $A0)))))
        (v128.store offset=16 align=1 (local.get $o0) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
          (f32x4.demote_f64x2_zero (f64x2.add (f64x2.mul (f64x2.convert_low_i32x4_s (local.get $q1)) (local.get $M0)) (local.get $A0)))
          (f32x4.demote_f64x2_zero (f64x2.add (f64x2.mul (f64x2.convert_low_i32x4_s
            (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $q1) (local.get $q1))) (local.get $M0)) (local.get $A0)))))
        (v128.store offset=32 align=1 (local.get $o0) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
          (f32x4.demote_f64x2_zero (f64x2.add (f64x2.mul (f64x2.convert_low_i32x4_s (local.get $q2)) (local.get $M0)) (local.get $A0)))
          (f32x4.demote_f64x2_zero (f64x2.add (f64x2.mul (f64x2.convert_low_i32x4_s
            (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $q2) (local.get $q2))) (local.get $M0)) (local.get $A0)))))
        (v128.store offset=48 align=1 (local.get $o0) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
          (f32x4.demote_f64x2_zero (f64x2.add (f64x2.mul (f64x2.convert_low_i32x4_s (local.get $q3)) (local.get $M0)) (local.get $A0)))
          (f32x4.demote_f64x2_zero (f64x2.add (f64x2.mul (f64x2.convert_low_i32x4_s
            (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $q3) (local.get $q3))) (local.get $M0)) (local.get $A0)))))
        (local.set $s (i32.add (local.get $s) (i32.const 16)))
        (local.set $o0 (i32.add (local.get $o0) (i32.const 64)))
        (local.set $groups (i32.add (local.get $groups) (i32.const -1)))
        (br $group)))
      (block $tail_done (loop $pixel
        (br_if $tail_done (i32.eqz (local.get $tail)))
        ;; The last width % 16 pixels, one byte at a time, with the same arithmetic.
        (f32.store align=1 (local.get $o0) (f32.demote_f64 (f64.add (f64.mul
          (f64.convert_i32_u (i32.load8_u align=1 (local.get $s))) (local.get $mul0)) (local.get $add0))))
        (local.set $s (i32.add (local.get $s) (i32.const 1)))
        (local.set $o0 (i32.add (local.get $o0) (i32.const 4)))
        (local.set $tail (i32.add (local.get $tail) (i32.const -1)))
        (br $pixel)))
      ;; Source rows are packed; plane rows are rowStride bytes apart, their padding columns untouched.
      (local.set $src (i32.add (local.get $src) (local.get $width)))
      (local.set $dst0 (i32.add (local.get $dst0) (local.get $rowStride)))
      (local.set $height (i32.add (local.get $height) (i32.const -1)))
      (br $row))))

  ;; Gray, mirrored. A block of pixels x..x+15 fills columns width-16-x..width-1-x in reverse: the cursor
  ;; starts at the first block's leftmost column (width-16) and moves 16 columns left per block, and each
  ;; f32x4 is stored with its lanes reversed, pixels 0-3 at the highest offset. The tail pixels then
  ;; fill columns tail-1 down to 0. With no whole block (width < 16) the first cursor is never used.
  (func $planes1_flip (export "planes1_flip")
    (param $src i32) (param $width i32) (param $height i32) (param $rowStride i32)
    (param $dst0 i32)
    (param $mul0 f64) (param $add0 f64)
    (local $groups i32) (local $tail i32) (local $s i32) (local $o0 i32)
    (local $x v128) (local $half v128)
    (local $q0 v128) (local $q1 v128) (local $q2 v128) (local $q3 v128)
    (local $M0 v128) (local $A0 v128)
    (local.set $M0 (f64x2.splat (local.get $mul0)))
    (local.set $A0 (f64x2.splat (local.get $add0)))
    (block $rows_done (loop $row
      (br_if $rows_done (i32.eqz (local.get $height)))
      (local.set $s (local.get $src))
      (local.set $groups (i32.shr_u (local.get $width) (i32.const 4)))
      (local.set $tail (i32.and (local.get $width) (i32.const 15)))
      (local.set $o0 (i32.add (local.get $dst0) (i32.mul (i32.sub (local.get $width) (i32.const 16)) (i32.const 4))))
      (block $groups_done (loop $group
        (br_if $groups_done (i32.eqz (local.get $groups)))
        (local.set $x (v128.load align=1 (local.get $s)))
        (local.set $q0 (i32x4.extend_low_i16x8_u (local.tee $half (i16x8.extend_low_i8x16_u (local.get $x)))))
        (local.set $q1 (i32x4.extend_high_i16x8_u (local.get $half)))
        (local.set $q2 (i32x4.extend_low_i16x8_u (local.tee $half (i16x8.extend_high_i8x16_u (local.get $x)))))
        (local.set $q3 (i32x4.extend_high_i16x8_u (local.get $half)))
        (v128.store offset=48 align=1 (local.get $o0) (i8x16.shuffle 20 21 22 23 16 17 18 19 4 5 6 7 0 1 2 3
          (f32x4.demote_f64x2_zero (f64x2.add (f64x2.mul (f64x2.convert_low_i32x4_s (local.get $q0)) (local.get $M0)) (local.get $A0)))
          (f32x4.demote_f64x2_zero (f64x2.add (f64x2.mul (f64x2.convert_low_i32x4_s
            (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $q0) (local.get $q0))) (local.get $M0)) (local.get $A0)))))
        (v128.store offset=32 align=1 (local.get $o0) (i8x16.shuffle 20 21 22 23 16 17 18 19 4 5 6 7 0 1 2 3
          (f32x4.demote_f64x2_zero (f64x2.add (f64x2.mul (f64x2.convert_low_i32x4_s (local.get $q1)) (local.get $M0)) (local.get $A0)))
          (f32x4.demote_f64x2_zero (f64x2.add (f64x2.mul (f64x2.convert_low_i32x4_s
            (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $q1) (local.get $q1))) (local.get $M0)) (local.get $A0)))))
        (v128.store offset=16 align=1 (local.get $o0) (i8x16.shuffle 20 21 22 23 16 17 18 19 4 5 6 7 0 1 2 3
          (f32x4.demote_f64x2_zero (f64x2.add (f64x2.mul (f64x2.convert_low_i32x4_s (local.get $q2)) (local.get $M0)) (local.get $A0)))
          (f32x4.demote_f64x2_zero (f64x2.add (f64x2.mul (f64x2.convert_low_i32x4_s
            (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $q2) (local.get $q2))) (local.get $M0)) (local.get $A0)))))
        (v128.store align=1 (local.get $o0) (i8x16.shuffle 20 21 22 23 16 17 18 19 4 5 6 7 0 1 2 3
          (f32x4.demote_f64x2_zero (f64x2.add (f64x2.mul (f64x2.convert_low_i32x4_s (local.get $q3)) (local.get $M0)) (local.get $A0)))
          (f32x4.demote_f64x2_zero (f64x2.add (f64x2.mul (f64x2.convert_low_i32x4_s
            (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $q3) (local.get $q3))) (local.get $M0)) (local.get $A0)))))
        (local.set $s (i32.add (local.get $s) (i32.const 16)))
        (local.set $o0 (i32.add (local.get $o0) (i32.const -64)))
        (local.set $groups (i32.add (local.get $groups) (i32.const -1)))
        (br $group)))
      (local.set $o0 (i32.add (local.get $dst0) (i32.mul (i32.sub (local.get $tail) (i32.const 1)) (i32.const 4))))
      (block $tail_done (loop $pixel
        (br_if $tail_done (i32.eqz (local.get $tail)))
        (f32.store align=1 (local.get $o0) (f32.demote_f64 (f64.add (f64.mul
          (f64.convert_i32_u (i32.load8_u align=1 (local.get $s))) (local.get $mul0)) (local.get $add0))))
        (local.set $s (i32.add (local.get $s) (i32.const 1)))
        (local.set $o0 (i32.add (local.get $o0) (i32.const -4)))
        (local.set $tail (i32.add (local.get $tail) (i32.const -1)))
        (br $pixel)))
      (local.set $src (i32.add (local.get $src) (local.get $width)))
      (local.set $dst0 (i32.add (local.get $dst0) (local.get $rowStride)))
      (local.set $height (i32.add (local.get $height) (i32.const -1)))
      (br $row))))

  ;; RGB: three vectors hold 16 pixels (48 bytes). Channel k is gathered with two shuffles: bytes
  ;; k, k+3, ... of v0 and v1 into the low lanes, then the rest from v2 after them. Source channel k
  ;; goes to dst<k>; simd-planes.ts passes the planes in source order, whatever the model's order.
  (func $planes3 (export "planes3")
    (param $src i32) (param $width i32) (param $height i32) (param $rowStride i32)
    (param $dst0 i32) (param $dst1 i32) (param $dst2 i32)
    (param $mul0 f64) (param $mul1 f64) (param $mul2 f64) (param $add0 f64) (param $add1 f64) (param $add2 f64)
    (local $groups i32) (local $tail i32) (local $s i32) (local $o0 i32) (local $o1 i32) (local $o2 i32)
    (local $v0 v128) (local $v1 v128) (local $v2 v128) (local $x v128) (local $half v128)
    (local $q0 v128) (local $q1 v128) (local $q2 v128) (local $q3 v128)
    (local $M0 v128) (local $M1 v128) (local $M2 v128) (local $A0 v128) (local $A1 v128) (local $A2 v128)
    (local.set $M0 (f64x2.splat (local.get $mul0)))
    (local.set $A0 (f64x2.splat (local.get $add0)))
    (local.set $M1 (f64x2.splat (local.get $mul1)))
    (local.set $A1 (f64x2.splat (local.get $add1)))
    (local.set $M2 (f64x2.splat (local.get $mul2)))
    (local.set $A2 (f64x2.splat (local.get $add2)))
    (block $rows_done (loop $row
      (br_if $rows_done (i32.eqz (local.get $height)))
      (local.set $s (local.get $src))
      (local.set $groups (i32.shr_u (local.get $width) (i32.const 4)))
      (local.set $tail (i32.and (local.get $width) (i32.const 15)))
      (local.set $o0 (local.get $dst0))
      (local.set $o1 (local.get $dst1))
      (local.set $o2 (local.get $dst2))
      (block $groups_done (loop $group
        (br_if $groups_done (i32.eqz (local.get $groups)))
        (local.set $v0 (v128.load align=1 (local.get $s)))
        (local.set $v1 (v128.load offset=16 align=1 (local.get $s)))
        (local.set $v2 (v128.load offset=32 align=1 (local.get $s)))
        ;; Source channel 0: bytes 0, 3 .. 30 of v0:v1 to lanes 0-10, bytes 1, 4 .. 13 of v2 to lanes 11-15.
        (local.set $x (i8x16.shuffle 0 1 2 3 4 5 6 7 8 9 10 17 20 23 26 29
          (i8x16.shuffle 0 3 6 9 12 15 18 21 24 27 30 0 0 0 0 0 (local.get $v0) (local.get $v1))
          (local.get $v2)))
        (local.set $q0 (i32x4.extend_low_i16x8_u (local.tee $half (i16x8.extend_low_i8x16_u (local.get $x)))))
        (local.set $q1 (i32x4.extend_high_i16x8_u (local.get $half)))
        (local.set $q2 (i32x4.extend_low_i16x8_u (local.tee $half (i16x8.extend_high_i8x16_u (local.get $x)))))
        (local.set $q3 (i32x4.extend_high_i16x8_u (local.get $half)))
        (v128.store align=1 (local.get $o0) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
          (f32x4.demote_f64x2_zero (f64x2.add (f64x2.mul (f64x2.convert_low_i32x4_s (local.get $q0)) (local.get $M0)) (local.get $A0)))
          (f32x4.demote_f64x2_zero (f64x2.add (f64x2.mul (f64x2.convert_low_i32x4_s
            (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $q0) (local.get $q0))) (local.get $M0)) (local.get $A0)))))
        (v128.store offset=16 align=1 (local.get $o0) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
          (f32x4.demote_f64x2_zero (f64x2.add (f64x2.mul (f64x2.convert_low_i32x4_s (local.get $q1)) (local.get $M0)) (local.get $A0)))
          (f32x4.demote_f64x2_zero (f64x2.add (f64x2.mul (f64x2.convert_low_i32x4_s
            (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $q1) (local.get $q1))) (local.get $M0)) (local.get $A0)))))
        (v128.store offset=32 align=1 (local.get $o0) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
          (f32x4.demote_f64x2_zero (f64x2.add (f64x2.mul (f64x2.convert_low_i32x4_s (local.get $q2)) (local.get $M0)) (local.get $A0)))
          (f32x4.demote_f64x2_zero (f64x2.add (f64x2.mul (f64x2.convert_low_i32x4_s
            (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $q2) (local.get $q2))) (local.get $M0)) (local.get $A0)))))
        (v128.store offset=48 align=1 (local.get $o0) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
          (f32x4.demote_f64x2_zero (f64x2.add (f64x2.mul (f64x2.convert_low_i32x4_s (local.get $q3)) (local.get $M0)) (local.get $A0)))
          (f32x4.demote_f64x2_zero (f64x2.add (f64x2.mul (f64x2.convert_low_i32x4_s
            (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $q3) (local.get $q3))) (local.get $M0)) (local.get $A0)))))
        ;; Source channel 1: bytes 1, 4 .. 31 of v0:v1 to lanes 0-10, bytes 2, 5 .. 14 of v2 to lanes 11-15.
        (local.set $x (i8x16.shuffle 0 1 2 3 4 5 6 7 8 9 10 18 21 24 27 30
          (i8x16.shuffle 1 4 7 10 13 16 19 22 25 28 31 0 0 0 0 0 (local.get $v0) (local.get $v1))
          (local.get $v2)))
        (local.set $q0 (i32x4.extend_low_i16x8_u (local.tee $half (i16x8.extend_low_i8x16_u (local.get $x)))))
        (local.set $q1 (i32x4.extend_high_i16x8_u (local.get $half)))
        (local.set $q2 (i32x4.extend_low_i16x8_u (local.tee $half (i16x8.extend_high_i8x16_u (local.get $x)))))
        (local.set $q3 (i32x4.extend_high_i16x8_u (local.get $half)))
        (v128.store align=1 (local.get $o1) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
          (f32x4.demote_f64x2_zero (f64x2.add (f64x2.mul (f64x2.convert_low_i32x4_s (local.get $q0)) (local.get $M1)) (local.get $A1)))
          (f32x4.demote_f64x2_zero (f64x2.add (f64x2.mul (f64x2.convert_low_i32x4_s
            (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $q0) (local.get $q0))) (local.get $M1)) (local.get $A1)))))
        (v128.store offset=16 align=1 (local.get $o1) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
          (f32x4.demote_f64x2_zero (f64x2.add (f64x2.mul (f64x2.convert_low_i32x4_s (local.get $q1)) (local.get $M1)) (local.get $A1)))
          (f32x4.demote_f64x2_zero (f64x2.add (f64x2.mul (f64x2.convert_low_i32x4_s
            (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $q1) (local.get $q1))) (local.get $M1)) (local.get $A1)))))
        (v128.store offset=32 align=1 (local.get $o1) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
          (f32x4.demote_f64x2_zero (f64x2.add (f64x2.mul (f64x2.convert_low_i32x4_s (local.get $q2)) (local.get $M1)) (local.get $A1)))
          (f32x4.demote_f64x2_zero (f64x2.add (f64x2.mul (f64x2.convert_low_i32x4_s
            (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $q2) (local.get $q2))) (local.get $M1)) (local.get $A1)))))
        (v128.store offset=48 align=1 (local.get $o1) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
          (f32x4.demote_f64x2_zero (f64x2.add (f64x2.mul (f64x2.convert_low_i32x4_s (local.get $q3)) (local.get $M1)) (local.get $A1)))
          (f32x4.demote_f64x2_zero (f64x2.add (f64x2.mul (f64x2.convert_low_i32x4_s
            (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $q3) (local.get $q3))) (local.get $M1)) (local.get $A1)))))
        ;; Source channel 2: bytes 2, 5 .. 29 of v0:v1 to lanes 0-9, bytes 0, 3 .. 15 of v2 to lanes 10-15.
        (local.set $x (i8x16.shuffle 0 1 2 3 4 5 6 7 8 9 16 19 22 25 28 31
          (i8x16.shuffle 2 5 8 11 14 17 20 23 26 29 0 0 0 0 0 0 (local.get $v0) (local.get $v1))
          (local.get $v2)))
        (local.set $q0 (i32x4.extend_low_i16x8_u (local.tee $half (i16x8.extend_low_i8x16_u (local.get $x)))))
        (local.set $q1 (i32x4.extend_high_i16x8_u (local.get $half)))
        (local.set $q2 (i32x4.extend_low_i16x8_u (local.tee $half (i16x8.extend_high_i8x16_u (local.get $x)))))
        (local.set $q3 (i32x4.extend_high_i16x8_u (local.get $half)))
        (v128.store align=1 (local.get $o2) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
          (f32x4.demote_f64x2_zero (f64x2.add (f64x2.mul (f64x2.convert_low_i32x4_s (local.get $q0)) (local.get $M2)) (local.get $A2)))
          (f32x4.demote_f64x2_zero (f64x2.add (f64x2.mul (f64x2.convert_low_i32x4_s
            (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $q0) (local.get $q0))) (local.get $M2)) (local.get $A2)))))
        (v128.store offset=16 align=1 (local.get $o2) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
          (f32x4.demote_f64x2_zero (f64x2.add (f64x2.mul (f64x2.convert_low_i32x4_s (local.get $q1)) (local.get $M2)) (local.get $A2)))
          (f32x4.demote_f64x2_zero (f64x2.add (f64x2.mul (f64x2.convert_low_i32x4_s
            (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $q1) (local.get $q1))) (local.get $M2)) (local.get $A2)))))
        (v128.store offset=32 align=1 (local.get $o2) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
          (f32x4.demote_f64x2_zero (f64x2.add (f64x2.mul (f64x2.convert_low_i32x4_s (local.get $q2)) (local.get $M2)) (local.get $A2)))
          (f32x4.demote_f64x2_zero (f64x2.add (f64x2.mul (f64x2.convert_low_i32x4_s
            (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $q2) (local.get $q2))) (local.get $M2)) (local.get $A2)))))
        (v128.store offset=48 align=1 (local.get $o2) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
          (f32x4.demote_f64x2_zero (f64x2.add (f64x2.mul (f64x2.convert_low_i32x4_s (local.get $q3)) (local.get $M2)) (local.get $A2)))
          (f32x4.demote_f64x2_zero (f64x2.add (f64x2.mul (f64x2.convert_low_i32x4_s
            (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $q3) (local.get $q3))) (local.get $M2)) (local.get $A2)))))
        (local.set $s (i32.add (local.get $s) (i32.const 48)))
        (local.set $o0 (i32.add (local.get $o0) (i32.const 64)))
        (local.set $o1 (i32.add (local.get $o1) (i32.const 64)))
        (local.set $o2 (i32.add (local.get $o2) (i32.const 64)))
        (local.set $groups (i32.add (local.get $groups) (i32.const -1)))
        (br $group)))
      (block $tail_done (loop $pixel
        (br_if $tail_done (i32.eqz (local.get $tail)))
        (f32.store align=1 (local.get $o0) (f32.demote_f64 (f64.add (f64.mul
          (f64.convert_i32_u (i32.load8_u align=1 (local.get $s))) (local.get $mul0)) (local.get $add0))))
        (f32.store align=1 (local.get $o1) (f32.demote_f64 (f64.add (f64.mul
          (f64.convert_i32_u (i32.load8_u offset=1 align=1 (local.get $s))) (local.get $mul1)) (local.get $add1))))
        (f32.store align=1 (local.get $o2) (f32.demote_f64 (f64.add (f64.mul
          (f64.convert_i32_u (i32.load8_u offset=2 align=1 (local.get $s))) (local.get $mul2)) (local.get $add2))))
        (local.set $s (i32.add (local.get $s) (i32.const 3)))
        (local.set $o0 (i32.add (local.get $o0) (i32.const 4)))
        (local.set $o1 (i32.add (local.get $o1) (i32.const 4)))
        (local.set $o2 (i32.add (local.get $o2) (i32.const 4)))
        (local.set $tail (i32.add (local.get $tail) (i32.const -1)))
        (br $pixel)))
      (local.set $src (i32.add (local.get $src) (i32.mul (local.get $width) (i32.const 3))))
      (local.set $dst0 (i32.add (local.get $dst0) (local.get $rowStride)))
      (local.set $dst1 (i32.add (local.get $dst1) (local.get $rowStride)))
      (local.set $dst2 (i32.add (local.get $dst2) (local.get $rowStride)))
      (local.set $height (i32.add (local.get $height) (i32.const -1)))
      (br $row))))

  ;; RGB, mirrored as in planes1_flip.
  (func $planes3_flip (export "planes3_flip")
    (param $src i32) (param $width i32) (param $height i32) (param $rowStride i32)
    (param $dst0 i32) (param $dst1 i32) (param $dst2 i32)
    (param $mul0 f64) (param $mul1 f64) (param $mul2 f64) (param $add0 f64) (param $add1 f64) (param $add2 f64)
    (local $groups i32) (local $tail i32) (local $s i32) (local $o0 i32) (local $o1 i32) (local $o2 i32)
    (local $v0 v128) (local $v1 v128) (local $v2 v128) (local $x v128) (local $half v128)
    (local $q0 v128) (local $q1 v128) (local $q2 v128) (local $q3 v128)
    (local $M0 v128) (local $M1 v128) (local $M2 v128) (local $A0 v128) (local $A1 v128) (local $A2 v128)
    (local.set $M0 (f64x2.splat (local.get $mul0)))
    (local.set $A0 (f64x2.splat (local.get $add0)))
    (local.set $M1 (f64x2.splat (local.get $mul1)))
    (local.set $A1 (f64x2.splat (local.get $add1)))
    (local.set $M2 (f64x2.splat (local.get $mul2)))
    (local.set $A2 (f64x2.splat (local.get $add2)))
    (block $rows_done (loop $row
      (br_if $rows_done (i32.eqz (local.get $height)))
      (local.set $s (local.get $src))
      (local.set $groups (i32.shr_u (local.get $width) (i32.const 4)))
      (local.set $tail (i32.and (local.get $width) (i32.const 15)))
      (local.set $o0 (i32.add (local.get $dst0) (i32.mul (i32.sub (local.get $width) (i32.const 16)) (i32.const 4))))
      (local.set $o1 (i32.add (local.get $dst1) (i32.mul (i32.sub (local.get $width) (i32.const 16)) (i32.const 4))))
      (local.set $o2 (i32.add (local.get $dst2) (i32.mul (i32.sub (local.get $width) (i32.const 16)) (i32.const 4))))
      (block $groups_done (loop $group
        (br_if $groups_done (i32.eqz (local.get $groups)))
        (local.set $v0 (v128.load align=1 (local.get $s)))
        (local.set $v1 (v128.load offset=16 align=1 (local.get $s)))
        (local.set $v2 (v128.load offset=32 align=1 (local.get $s)))
        ;; Source channel 0: bytes 0, 3 .. 30 of v0:v1 to lanes 0-10, bytes 1, 4 .. 13 of v2 to lanes 11-15.
        (local.set $x (i8x16.shuffle 0 1 2 3 4 5 6 7 8 9 10 17 20 23 26 29
          (i8x16.shuffle 0 3 6 9 12 15 18 21 24 27 30 0 0 0 0 0 (local.get $v0) (local.get $v1))
          (local.get $v2)))
        (local.set $q0 (i32x4.extend_low_i16x8_u (local.tee $half (i16x8.extend_low_i8x16_u (local.get $x)))))
        (local.set $q1 (i32x4.extend_high_i16x8_u (local.get $half)))
        (local.set $q2 (i32x4.extend_low_i16x8_u (local.tee $half (i16x8.extend_high_i8x16_u (local.get $x)))))
        (local.set $q3 (i32x4.extend_high_i16x8_u (local.get $half)))
        (v128.store offset=48 align=1 (local.get $o0) (i8x16.shuffle 20 21 22 23 16 17 18 19 4 5 6 7 0 1 2 3
          (f32x4.demote_f64x2_zero (f64x2.add (f64x2.mul (f64x2.convert_low_i32x4_s (local.get $q0)) (local.get $M0)) (local.get $A0)))
          (f32x4.demote_f64x2_zero (f64x2.add (f64x2.mul (f64x2.convert_low_i32x4_s
            (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $q0) (local.get $q0))) (local.get $M0)) (local.get $A0)))))
        (v128.store offset=32 align=1 (local.get $o0) (i8x16.shuffle 20 21 22 23 16 17 18 19 4 5 6 7 0 1 2 3
          (f32x4.demote_f64x2_zero (f64x2.add (f64x2.mul (f64x2.convert_low_i32x4_s (local.get $q1)) (local.get $M0)) (local.get $A0)))
          (f32x4.demote_f64x2_zero (f64x2.add (f64x2.mul (f64x2.convert_low_i32x4_s
            (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $q1) (local.get $q1))) (local.get $M0)) (local.get $A0)))))
        (v128.store offset=16 align=1 (local.get $o0) (i8x16.shuffle 20 21 22 23 16 17 18 19 4 5 6 7 0 1 2 3
          (f32x4.demote_f64x2_zero (f64x2.add (f64x2.mul (f64x2.convert_low_i32x4_s (local.get $q2)) (local.get $M0)) (local.get $A0)))
          (f32x4.demote_f64x2_zero (f64x2.add (f64x2.mul (f64x2.convert_low_i32x4_s
            (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $q2) (local.get $q2))) (local.get $M0)) (local.get $A0)))))
        (v128.store align=1 (local.get $o0) (i8x16.shuffle 20 21 22 23 16 17 18 19 4 5 6 7 0 1 2 3
          (f32x4.demote_f64x2_zero (f64x2.add (f64x2.mul (f64x2.convert_low_i32x4_s (local.get $q3)) (local.get $M0)) (local.get $A0)))
          (f32x4.demote_f64x2_zero (f64x2.add (f64x2.mul (f64x2.convert_low_i32x4_s
            (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $q3) (local.get $q3))) (local.get $M0)) (local.get $A0)))))
        ;; Source channel 1: bytes 1, 4 .. 31 of v0:v1 to lanes 0-10, bytes 2, 5 .. 14 of v2 to lanes 11-15.
        (local.set $x (i8x16.shuffle 0 1 2 3 4 5 6 7 8 9 10 18 21 24 27 30
          (i8x16.shuffle 1 4 7 10 13 16 19 22 25 28 31 0 0 0 0 0 (local.get $v0) (local.get $v1))
          (local.get $v2)))
        (local.set $q0 (i32x4.extend_low_i16x8_u (local.tee $half (i16x8.extend_low_i8x16_u (local.get $x)))))
        (local.set $q1 (i32x4.extend_high_i16x8_u (local.get $half)))
        (local.set $q2 (i32x4.extend_low_i16x8_u (local.tee $half (i16x8.extend_high_i8x16_u (local.get $x)))))
        (local.set $q3 (i32x4.extend_high_i16x8_u (local.get $half)))
        (v128.store offset=48 align=1 (local.get $o1) (i8x16.shuffle 20 21 22 23 16 17 18 19 4 5 6 7 0 1 2 3
          (f32x4.demote_f64x2_zero (f64x2.add (f64x2.mul (f64x2.convert_low_i32x4_s (local.get $q0)) (local.get $M1)) (local.get $A1)))
          (f32x4.demote_f64x2_zero (f64x2.add (f64x2.mul (f64x2.convert_low_i32x4_s
            (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $q0) (local.get $q0))) (local.get $M1)) (local.get $A1)))))
        (v128.store offset=32 align=1 (local.get $o1) (i8x16.shuffle 20 21 22 23 16 17 18 19 4 5 6 7 0 1 2 3
          (f32x4.demote_f64x2_zero (f64x2.add (f64x2.mul (f64x2.convert_low_i32x4_s (local.get $q1)) (local.get $M1)) (local.get $A1)))
          (f32x4.demote_f64x2_zero (f64x2.add (f64x2.mul (f64x2.convert_low_i32x4_s
            (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $q1) (local.get $q1))) (local.get $M1)) (local.get $A1)))))
        (v128.store offset=16 align=1 (local.get $o1) (i8x16.shuffle 20 21 22 23 16 17 18 19 4 5 6 7 0 1 2 3
          (f32x4.demote_f64x2_zero (f64x2.add (f64x2.mul (f64x2.convert_low_i32x4_s (local.get $q2)) (local.get $M1)) (local.get $A1)))
          (f32x4.demote_f64x2_zero (f64x2.add (f64x2.mul (f64x2.convert_low_i32x4_s
            (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $q2) (local.get $q2))) (local.get $M1)) (local.get $A1)))))
        (v128.store align=1 (local.get $o1) (i8x16.shuffle 20 21 22 23 16 17 18 19 4 5 6 7 0 1 2 3
          (f32x4.demote_f64x2_zero (f64x2.add (f64x2.mul (f64x2.convert_low_i32x4_s (local.get $q3)) (local.get $M1)) (local.get $A1)))
          (f32x4.demote_f64x2_zero (f64x2.add (f64x2.mul (f64x2.convert_low_i32x4_s
            (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $q3) (local.get $q3))) (local.get $M1)) (local.get $A1)))))
        ;; Source channel 2: bytes 2, 5 .. 29 of v0:v1 to lanes 0-9, bytes 0, 3 .. 15 of v2 to lanes 10-15.
        (local.set $x (i8x16.shuffle 0 1 2 3 4 5 6 7 8 9 16 19 22 25 28 31
          (i8x16.shuffle 2 5 8 11 14 17 20 23 26 29 0 0 0 0 0 0 (local.get $v0) (local.get $v1))
          (local.get $v2)))
        (local.set $q0 (i32x4.extend_low_i16x8_u (local.tee $half (i16x8.extend_low_i8x16_u (local.get $x)))))
        (local.set $q1 (i32x4.extend_high_i16x8_u (local.get $half)))
        (local.set $q2 (i32x4.extend_low_i16x8_u (local.tee $half (i16x8.extend_high_i8x16_u (local.get $x)))))
        (local.set $q3 (i32x4.extend_high_i16x8_u (local.get $half)))
        (v128.store offset=48 align=1 (local.get $o2) (i8x16.shuffle 20 21 22 23 16 17 18 19 4 5 6 7 0 1 2 3
          (f32x4.demote_f64x2_zero (f64x2.add (f64x2.mul (f64x2.convert_low_i32x4_s (local.get $q0)) (local.get $M2)) (local.get $A2)))
          (f32x4.demote_f64x2_zero (f64x2.add (f64x2.mul (f64x2.convert_low_i32x4_s
            (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $q0) (local.get $q0))) (local.get $M2)) (local.get $A2)))))
        (v128.store offset=32 align=1 (local.get $o2) (i8x16.shuffle 20 21 22 23 16 17 18 19 4 5 6 7 0 1 2 3
          (f32x4.demote_f64x2_zero (f64x2.add (f64x2.mul (f64x2.convert_low_i32x4_s (local.get $q1)) (local.get $M2)) (local.get $A2)))
          (f32x4.demote_f64x2_zero (f64x2.add (f64x2.mul (f64x2.convert_low_i32x4_s
            (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $q1) (local.get $q1))) (local.get $M2)) (local.get $A2)))))
        (v128.store offset=16 align=1 (local.get $o2) (i8x16.shuffle 20 21 22 23 16 17 18 19 4 5 6 7 0 1 2 3
          (f32x4.demote_f64x2_zero (f64x2.add (f64x2.mul (f64x2.convert_low_i32x4_s (local.get $q2)) (local.get $M2)) (local.get $A2)))
          (f32x4.demote_f64x2_zero (f64x2.add (f64x2.mul (f64x2.convert_low_i32x4_s
            (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $q2) (local.get $q2))) (local.get $M2)) (local.get $A2)))))
        (v128.store align=1 (local.get $o2) (i8x16.shuffle 20 21 22 23 16 17 18 19 4 5 6 7 0 1 2 3
          (f32x4.demote_f64x2_zero (f64x2.add (f64x2.mul (f64x2.convert_low_i32x4_s (local.get $q3)) (local.get $M2)) (local.get $A2)))
          (f32x4.demote_f64x2_zero (f64x2.add (f64x2.mul (f64x2.convert_low_i32x4_s
            (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $q3) (local.get $q3))) (local.get $M2)) (local.get $A2)))))
        (local.set $s (i32.add (local.get $s) (i32.const 48)))
        (local.set $o0 (i32.add (local.get $o0) (i32.const -64)))
        (local.set $o1 (i32.add (local.get $o1) (i32.const -64)))
        (local.set $o2 (i32.add (local.get $o2) (i32.const -64)))
        (local.set $groups (i32.add (local.get $groups) (i32.const -1)))
        (br $group)))
      (local.set $o0 (i32.add (local.get $dst0) (i32.mul (i32.sub (local.get $tail) (i32.const 1)) (i32.const 4))))
      (local.set $o1 (i32.add (local.get $dst1) (i32.mul (i32.sub (local.get $tail) (i32.const 1)) (i32.const 4))))
      (local.set $o2 (i32.add (local.get $dst2) (i32.mul (i32.sub (local.get $tail) (i32.const 1)) (i32.const 4))))
      (block $tail_done (loop $pixel
        (br_if $tail_done (i32.eqz (local.get $tail)))
        (f32.store align=1 (local.get $o0) (f32.demote_f64 (f64.add (f64.mul
          (f64.convert_i32_u (i32.load8_u align=1 (local.get $s))) (local.get $mul0)) (local.get $add0))))
        (f32.store align=1 (local.get $o1) (f32.demote_f64 (f64.add (f64.mul
          (f64.convert_i32_u (i32.load8_u offset=1 align=1 (local.get $s))) (local.get $mul1)) (local.get $add1))))
        (f32.store align=1 (local.get $o2) (f32.demote_f64 (f64.add (f64.mul
          (f64.convert_i32_u (i32.load8_u offset=2 align=1 (local.get $s))) (local.get $mul2)) (local.get $add2))))
        (local.set $s (i32.add (local.get $s) (i32.const 3)))
        (local.set $o0 (i32.add (local.get $o0) (i32.const -4)))
        (local.set $o1 (i32.add (local.get $o1) (i32.const -4)))
        (local.set $o2 (i32.add (local.get $o2) (i32.const -4)))
        (local.set $tail (i32.add (local.get $tail) (i32.const -1)))
        (br $pixel)))
      (local.set $src (i32.add (local.get $src) (i32.mul (local.get $width) (i32.const 3))))
      (local.set $dst0 (i32.add (local.get $dst0) (local.get $rowStride)))
      (local.set $dst1 (i32.add (local.get $dst1) (local.get $rowStride)))
      (local.set $dst2 (i32.add (local.get $dst2) (local.get $rowStride)))
      (local.set $height (i32.add (local.get $height) (i32.const -1)))
      (br $row))))

  ;; RGBA: four vectors hold 16 pixels (64 bytes); each channel takes three shuffles, and alpha
  ;; (channel 3) is skipped.
  (func $planes4 (export "planes4")
    (param $src i32) (param $width i32) (param $height i32) (param $rowStride i32)
    (param $dst0 i32) (param $dst1 i32) (param $dst2 i32)
    (param $mul0 f64) (param $mul1 f64) (param $mul2 f64) (param $add0 f64) (param $add1 f64) (param $add2 f64)
    (local $groups i32) (local $tail i32) (local $s i32) (local $o0 i32) (local $o1 i32) (local $o2 i32)
    (local $v0 v128) (local $v1 v128) (local $v2 v128) (local $v3 v128) (local $x v128) (local $half v128)
    (local $q0 v128) (local $q1 v128) (local $q2 v128) (local $q3 v128)
    (local $M0 v128) (local $M1 v128) (local $M2 v128) (local $A0 v128) (local $A1 v128) (local $A2 v128)
    (local.set $M0 (f64x2.splat (local.get $mul0)))
    (local.set $A0 (f64x2.splat (local.get $add0)))
    (local.set $M1 (f64x2.splat (local.get $mul1)))
    (local.set $A1 (f64x2.splat (local.get $add1)))
    (local.set $M2 (f64x2.splat (local.get $mul2)))
    (local.set $A2 (f64x2.splat (local.get $add2)))
    (block $rows_done (loop $row
      (br_if $rows_done (i32.eqz (local.get $height)))
      (local.set $s (local.get $src))
      (local.set $groups (i32.shr_u (local.get $width) (i32.const 4)))
      (local.set $tail (i32.and (local.get $width) (i32.const 15)))
      (local.set $o0 (local.get $dst0))
      (local.set $o1 (local.get $dst1))
      (local.set $o2 (local.get $dst2))
      (block $groups_done (loop $group
        (br_if $groups_done (i32.eqz (local.get $groups)))
        (local.set $v0 (v128.load align=1 (local.get $s)))
        (local.set $v1 (v128.load offset=16 align=1 (local.get $s)))
        (local.set $v2 (v128.load offset=32 align=1 (local.get $s)))
        (local.set $v3 (v128.load offset=48 align=1 (local.get $s)))
        ;; Source channel 0: bytes 0, 4 .. 28 of v0:v1 to lanes 0-7, bytes 0, 4, 8, 12 of v2 and of v3 to lanes 8-15.
        (local.set $x (i8x16.shuffle 0 1 2 3 4 5 6 7 8 9 10 11 16 20 24 28
          (i8x16.shuffle 0 1 2 3 4 5 6 7 16 20 24 28 0 0 0 0
          (i8x16.shuffle 0 4 8 12 16 20 24 28 0 0 0 0 0 0 0 0 (local.get $v0) (local.get $v1))
          (local.get $v2))
          (local.get $v3)))
        (local.set $q0 (i32x4.extend_low_i16x8_u (local.tee $half (i16x8.extend_low_i8x16_u (local.get $x)))))
        (local.set $q1 (i32x4.extend_high_i16x8_u (local.get $half)))
        (local.set $q2 (i32x4.extend_low_i16x8_u (local.tee $half (i16x8.extend_high_i8x16_u (local.get $x)))))
        (local.set $q3 (i32x4.extend_high_i16x8_u (local.get $half)))
        (v128.store align=1 (local.get $o0) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
          (f32x4.demote_f64x2_zero (f64x2.add (f64x2.mul (f64x2.convert_low_i32x4_s (local.get $q0)) (local.get $M0)) (local.get $A0)))
          (f32x4.demote_f64x2_zero (f64x2.add (f64x2.mul (f64x2.convert_low_i32x4_s
            (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $q0) (local.get $q0))) (local.get $M0)) (local.get $A0)))))
        (v128.store offset=16 align=1 (local.get $o0) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
          (f32x4.demote_f64x2_zero (f64x2.add (f64x2.mul (f64x2.convert_low_i32x4_s (local.get $q1)) (local.get $M0)) (local.get $A0)))
          (f32x4.demote_f64x2_zero (f64x2.add (f64x2.mul (f64x2.convert_low_i32x4_s
            (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $q1) (local.get $q1))) (local.get $M0)) (local.get $A0)))))
        (v128.store offset=32 align=1 (local.get $o0) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
          (f32x4.demote_f64x2_zero (f64x2.add (f64x2.mul (f64x2.convert_low_i32x4_s (local.get $q2)) (local.get $M0)) (local.get $A0)))
          (f32x4.demote_f64x2_zero (f64x2.add (f64x2.mul (f64x2.convert_low_i32x4_s
            (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $q2) (local.get $q2))) (local.get $M0)) (local.get $A0)))))
        (v128.store offset=48 align=1 (local.get $o0) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
          (f32x4.demote_f64x2_zero (f64x2.add (f64x2.mul (f64x2.convert_low_i32x4_s (local.get $q3)) (local.get $M0)) (local.get $A0)))
          (f32x4.demote_f64x2_zero (f64x2.add (f64x2.mul (f64x2.convert_low_i32x4_s
            (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $q3) (local.get $q3))) (local.get $M0)) (local.get $A0)))))
        ;; Source channel 1: bytes 1, 5 .. 29 of v0:v1 to lanes 0-7, bytes 1, 5, 9, 13 of v2 and of v3 to lanes 8-15.
        (local.set $x (i8x16.shuffle 0 1 2 3 4 5 6 7 8 9 10 11 17 21 25 29
          (i8x16.shuffle 0 1 2 3 4 5 6 7 17 21 25 29 0 0 0 0
          (i8x16.shuffle 1 5 9 13 17 21 25 29 0 0 0 0 0 0 0 0 (local.get $v0) (local.get $v1))
          (local.get $v2))
          (local.get $v3)))
        (local.set $q0 (i32x4.extend_low_i16x8_u (local.tee $half (i16x8.extend_low_i8x16_u (local.get $x)))))
        (local.set $q1 (i32x4.extend_high_i16x8_u (local.get $half)))
        (local.set $q2 (i32x4.extend_low_i16x8_u (local.tee $half (i16x8.extend_high_i8x16_u (local.get $x)))))
        (local.set $q3 (i32x4.extend_high_i16x8_u (local.get $half)))
        (v128.store align=1 (local.get $o1) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
          (f32x4.demote_f64x2_zero (f64x2.add (f64x2.mul (f64x2.convert_low_i32x4_s (local.get $q0)) (local.get $M1)) (local.get $A1)))
          (f32x4.demote_f64x2_zero (f64x2.add (f64x2.mul (f64x2.convert_low_i32x4_s
            (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $q0) (local.get $q0))) (local.get $M1)) (local.get $A1)))))
        (v128.store offset=16 align=1 (local.get $o1) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
          (f32x4.demote_f64x2_zero (f64x2.add (f64x2.mul (f64x2.convert_low_i32x4_s (local.get $q1)) (local.get $M1)) (local.get $A1)))
          (f32x4.demote_f64x2_zero (f64x2.add (f64x2.mul (f64x2.convert_low_i32x4_s
            (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $q1) (local.get $q1))) (local.get $M1)) (local.get $A1)))))
        (v128.store offset=32 align=1 (local.get $o1) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
          (f32x4.demote_f64x2_zero (f64x2.add (f64x2.mul (f64x2.convert_low_i32x4_s (local.get $q2)) (local.get $M1)) (local.get $A1)))
          (f32x4.demote_f64x2_zero (f64x2.add (f64x2.mul (f64x2.convert_low_i32x4_s
            (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $q2) (local.get $q2))) (local.get $M1)) (local.get $A1)))))
        (v128.store offset=48 align=1 (local.get $o1) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
          (f32x4.demote_f64x2_zero (f64x2.add (f64x2.mul (f64x2.convert_low_i32x4_s (local.get $q3)) (local.get $M1)) (local.get $A1)))
          (f32x4.demote_f64x2_zero (f64x2.add (f64x2.mul (f64x2.convert_low_i32x4_s
            (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $q3) (local.get $q3))) (local.get $M1)) (local.get $A1)))))
        ;; Source channel 2: bytes 2, 6 .. 30 of v0:v1 to lanes 0-7, bytes 2, 6, 10, 14 of v2 and of v3 to lanes 8-15.
        (local.set $x (i8x16.shuffle 0 1 2 3 4 5 6 7 8 9 10 11 18 22 26 30
          (i8x16.shuffle 0 1 2 3 4 5 6 7 18 22 26 30 0 0 0 0
          (i8x16.shuffle 2 6 10 14 18 22 26 30 0 0 0 0 0 0 0 0 (local.get $v0) (local.get $v1))
          (local.get $v2))
          (local.get $v3)))
        (local.set $q0 (i32x4.extend_low_i16x8_u (local.tee $half (i16x8.extend_low_i8x16_u (local.get $x)))))
        (local.set $q1 (i32x4.extend_high_i16x8_u (local.get $half)))
        (local.set $q2 (i32x4.extend_low_i16x8_u (local.tee $half (i16x8.extend_high_i8x16_u (local.get $x)))))
        (local.set $q3 (i32x4.extend_high_i16x8_u (local.get $half)))
        (v128.store align=1 (local.get $o2) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
          (f32x4.demote_f64x2_zero (f64x2.add (f64x2.mul (f64x2.convert_low_i32x4_s (local.get $q0)) (local.get $M2)) (local.get $A2)))
          (f32x4.demote_f64x2_zero (f64x2.add (f64x2.mul (f64x2.convert_low_i32x4_s
            (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $q0) (local.get $q0))) (local.get $M2)) (local.get $A2)))))
        (v128.store offset=16 align=1 (local.get $o2) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
          (f32x4.demote_f64x2_zero (f64x2.add (f64x2.mul (f64x2.convert_low_i32x4_s (local.get $q1)) (local.get $M2)) (local.get $A2)))
          (f32x4.demote_f64x2_zero (f64x2.add (f64x2.mul (f64x2.convert_low_i32x4_s
            (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $q1) (local.get $q1))) (local.get $M2)) (local.get $A2)))))
        (v128.store offset=32 align=1 (local.get $o2) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
          (f32x4.demote_f64x2_zero (f64x2.add (f64x2.mul (f64x2.convert_low_i32x4_s (local.get $q2)) (local.get $M2)) (local.get $A2)))
          (f32x4.demote_f64x2_zero (f64x2.add (f64x2.mul (f64x2.convert_low_i32x4_s
            (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $q2) (local.get $q2))) (local.get $M2)) (local.get $A2)))))
        (v128.store offset=48 align=1 (local.get $o2) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
          (f32x4.demote_f64x2_zero (f64x2.add (f64x2.mul (f64x2.convert_low_i32x4_s (local.get $q3)) (local.get $M2)) (local.get $A2)))
          (f32x4.demote_f64x2_zero (f64x2.add (f64x2.mul (f64x2.convert_low_i32x4_s
            (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $q3) (local.get $q3))) (local.get $M2)) (local.get $A2)))))
        (local.set $s (i32.add (local.get $s) (i32.const 64)))
        (local.set $o0 (i32.add (local.get $o0) (i32.const 64)))
        (local.set $o1 (i32.add (local.get $o1) (i32.const 64)))
        (local.set $o2 (i32.add (local.get $o2) (i32.const 64)))
        (local.set $groups (i32.add (local.get $groups) (i32.const -1)))
        (br $group)))
      (block $tail_done (loop $pixel
        (br_if $tail_done (i32.eqz (local.get $tail)))
        (f32.store align=1 (local.get $o0) (f32.demote_f64 (f64.add (f64.mul
          (f64.convert_i32_u (i32.load8_u align=1 (local.get $s))) (local.get $mul0)) (local.get $add0))))
        (f32.store align=1 (local.get $o1) (f32.demote_f64 (f64.add (f64.mul
          (f64.convert_i32_u (i32.load8_u offset=1 align=1 (local.get $s))) (local.get $mul1)) (local.get $add1))))
        (f32.store align=1 (local.get $o2) (f32.demote_f64 (f64.add (f64.mul
          (f64.convert_i32_u (i32.load8_u offset=2 align=1 (local.get $s))) (local.get $mul2)) (local.get $add2))))
        (local.set $s (i32.add (local.get $s) (i32.const 4)))
        (local.set $o0 (i32.add (local.get $o0) (i32.const 4)))
        (local.set $o1 (i32.add (local.get $o1) (i32.const 4)))
        (local.set $o2 (i32.add (local.get $o2) (i32.const 4)))
        (local.set $tail (i32.add (local.get $tail) (i32.const -1)))
        (br $pixel)))
      (local.set $src (i32.add (local.get $src) (i32.mul (local.get $width) (i32.const 4))))
      (local.set $dst0 (i32.add (local.get $dst0) (local.get $rowStride)))
      (local.set $dst1 (i32.add (local.get $dst1) (local.get $rowStride)))
      (local.set $dst2 (i32.add (local.get $dst2) (local.get $rowStride)))
      (local.set $height (i32.add (local.get $height) (i32.const -1)))
      (br $row))))

  ;; RGBA, mirrored as in planes1_flip.
  (func $planes4_flip (export "planes4_flip")
    (param $src i32) (param $width i32) (param $height i32) (param $rowStride i32)
    (param $dst0 i32) (param $dst1 i32) (param $dst2 i32)
    (param $mul0 f64) (param $mul1 f64) (param $mul2 f64) (param $add0 f64) (param $add1 f64) (param $add2 f64)
    (local $groups i32) (local $tail i32) (local $s i32) (local $o0 i32) (local $o1 i32) (local $o2 i32)
    (local $v0 v128) (local $v1 v128) (local $v2 v128) (local $v3 v128) (local $x v128) (local $half v128)
    (local $q0 v128) (local $q1 v128) (local $q2 v128) (local $q3 v128)
    (local $M0 v128) (local $M1 v128) (local $M2 v128) (local $A0 v128) (local $A1 v128) (local $A2 v128)
    (local.set $M0 (f64x2.splat (local.get $mul0)))
    (local.set $A0 (f64x2.splat (local.get $add0)))
    (local.set $M1 (f64x2.splat (local.get $mul1)))
    (local.set $A1 (f64x2.splat (local.get $add1)))
    (local.set $M2 (f64x2.splat (local.get $mul2)))
    (local.set $A2 (f64x2.splat (local.get $add2)))
    (block $rows_done (loop $row
      (br_if $rows_done (i32.eqz (local.get $height)))
      (local.set $s (local.get $src))
      (local.set $groups (i32.shr_u (local.get $width) (i32.const 4)))
      (local.set $tail (i32.and (local.get $width) (i32.const 15)))
      (local.set $o0 (i32.add (local.get $dst0) (i32.mul (i32.sub (local.get $width) (i32.const 16)) (i32.const 4))))
      (local.set $o1 (i32.add (local.get $dst1) (i32.mul (i32.sub (local.get $width) (i32.const 16)) (i32.const 4))))
      (local.set $o2 (i32.add (local.get $dst2) (i32.mul (i32.sub (local.get $width) (i32.const 16)) (i32.const 4))))
      (block $groups_done (loop $group
        (br_if $groups_done (i32.eqz (local.get $groups)))
        (local.set $v0 (v128.load align=1 (local.get $s)))
        (local.set $v1 (v128.load offset=16 align=1 (local.get $s)))
        (local.set $v2 (v128.load offset=32 align=1 (local.get $s)))
        (local.set $v3 (v128.load offset=48 align=1 (local.get $s)))
        ;; Source channel 0: bytes 0, 4 .. 28 of v0:v1 to lanes 0-7, bytes 0, 4, 8, 12 of v2 and of v3 to lanes 8-15.
        (local.set $x (i8x16.shuffle 0 1 2 3 4 5 6 7 8 9 10 11 16 20 24 28
          (i8x16.shuffle 0 1 2 3 4 5 6 7 16 20 24 28 0 0 0 0
          (i8x16.shuffle 0 4 8 12 16 20 24 28 0 0 0 0 0 0 0 0 (local.get $v0) (local.get $v1))
          (local.get $v2))
          (local.get $v3)))
        (local.set $q0 (i32x4.extend_low_i16x8_u (local.tee $half (i16x8.extend_low_i8x16_u (local.get $x)))))
        (local.set $q1 (i32x4.extend_high_i16x8_u (local.get $half)))
        (local.set $q2 (i32x4.extend_low_i16x8_u (local.tee $half (i16x8.extend_high_i8x16_u (local.get $x)))))
        (local.set $q3 (i32x4.extend_high_i16x8_u (local.get $half)))
        (v128.store offset=48 align=1 (local.get $o0) (i8x16.shuffle 20 21 22 23 16 17 18 19 4 5 6 7 0 1 2 3
          (f32x4.demote_f64x2_zero (f64x2.add (f64x2.mul (f64x2.convert_low_i32x4_s (local.get $q0)) (local.get $M0)) (local.get $A0)))
          (f32x4.demote_f64x2_zero (f64x2.add (f64x2.mul (f64x2.convert_low_i32x4_s
            (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $q0) (local.get $q0))) (local.get $M0)) (local.get $A0)))))
        (v128.store offset=32 align=1 (local.get $o0) (i8x16.shuffle 20 21 22 23 16 17 18 19 4 5 6 7 0 1 2 3
          (f32x4.demote_f64x2_zero (f64x2.add (f64x2.mul (f64x2.convert_low_i32x4_s (local.get $q1)) (local.get $M0)) (local.get $A0)))
          (f32x4.demote_f64x2_zero (f64x2.add (f64x2.mul (f64x2.convert_low_i32x4_s
            (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $q1) (local.get $q1))) (local.get $M0)) (local.get $A0)))))
        (v128.store offset=16 align=1 (local.get $o0) (i8x16.shuffle 20 21 22 23 16 17 18 19 4 5 6 7 0 1 2 3
          (f32x4.demote_f64x2_zero (f64x2.add (f64x2.mul (f64x2.convert_low_i32x4_s (local.get $q2)) (local.get $M0)) (local.get $A0)))
          (f32x4.demote_f64x2_zero (f64x2.add (f64x2.mul (f64x2.convert_low_i32x4_s
            (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $q2) (local.get $q2))) (local.get $M0)) (local.get $A0)))))
        (v128.store align=1 (local.get $o0) (i8x16.shuffle 20 21 22 23 16 17 18 19 4 5 6 7 0 1 2 3
          (f32x4.demote_f64x2_zero (f64x2.add (f64x2.mul (f64x2.convert_low_i32x4_s (local.get $q3)) (local.get $M0)) (local.get $A0)))
          (f32x4.demote_f64x2_zero (f64x2.add (f64x2.mul (f64x2.convert_low_i32x4_s
            (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $q3) (local.get $q3))) (local.get $M0)) (local.get $A0)))))
        ;; Source channel 1: bytes 1, 5 .. 29 of v0:v1 to lanes 0-7, bytes 1, 5, 9, 13 of v2 and of v3 to lanes 8-15.
        (local.set $x (i8x16.shuffle 0 1 2 3 4 5 6 7 8 9 10 11 17 21 25 29
          (i8x16.shuffle 0 1 2 3 4 5 6 7 17 21 25 29 0 0 0 0
          (i8x16.shuffle 1 5 9 13 17 21 25 29 0 0 0 0 0 0 0 0 (local.get $v0) (local.get $v1))
          (local.get $v2))
          (local.get $v3)))
        (local.set $q0 (i32x4.extend_low_i16x8_u (local.tee $half (i16x8.extend_low_i8x16_u (local.get $x)))))
        (local.set $q1 (i32x4.extend_high_i16x8_u (local.get $half)))
        (local.set $q2 (i32x4.extend_low_i16x8_u (local.tee $half (i16x8.extend_high_i8x16_u (local.get $x)))))
        (local.set $q3 (i32x4.extend_high_i16x8_u (local.get $half)))
        (v128.store offset=48 align=1 (local.get $o1) (i8x16.shuffle 20 21 22 23 16 17 18 19 4 5 6 7 0 1 2 3
          (f32x4.demote_f64x2_zero (f64x2.add (f64x2.mul (f64x2.convert_low_i32x4_s (local.get $q0)) (local.get $M1)) (local.get $A1)))
          (f32x4.demote_f64x2_zero (f64x2.add (f64x2.mul (f64x2.convert_low_i32x4_s
            (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $q0) (local.get $q0))) (local.get $M1)) (local.get $A1)))))
        (v128.store offset=32 align=1 (local.get $o1) (i8x16.shuffle 20 21 22 23 16 17 18 19 4 5 6 7 0 1 2 3
          (f32x4.demote_f64x2_zero (f64x2.add (f64x2.mul (f64x2.convert_low_i32x4_s (local.get $q1)) (local.get $M1)) (local.get $A1)))
          (f32x4.demote_f64x2_zero (f64x2.add (f64x2.mul (f64x2.convert_low_i32x4_s
            (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $q1) (local.get $q1))) (local.get $M1)) (local.get $A1)))))
        (v128.store offset=16 align=1 (local.get $o1) (i8x16.shuffle 20 21 22 23 16 17 18 19 4 5 6 7 0 1 2 3
          (f32x4.demote_f64x2_zero (f64x2.add (f64x2.mul (f64x2.convert_low_i32x4_s (local.get $q2)) (local.get $M1)) (local.get $A1)))
          (f32x4.demote_f64x2_zero (f64x2.add (f64x2.mul (f64x2.convert_low_i32x4_s
            (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $q2) (local.get $q2))) (local.get $M1)) (local.get $A1)))))
        (v128.store align=1 (local.get $o1) (i8x16.shuffle 20 21 22 23 16 17 18 19 4 5 6 7 0 1 2 3
          (f32x4.demote_f64x2_zero (f64x2.add (f64x2.mul (f64x2.convert_low_i32x4_s (local.get $q3)) (local.get $M1)) (local.get $A1)))
          (f32x4.demote_f64x2_zero (f64x2.add (f64x2.mul (f64x2.convert_low_i32x4_s
            (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $q3) (local.get $q3))) (local.get $M1)) (local.get $A1)))))
        ;; Source channel 2: bytes 2, 6 .. 30 of v0:v1 to lanes 0-7, bytes 2, 6, 10, 14 of v2 and of v3 to lanes 8-15.
        (local.set $x (i8x16.shuffle 0 1 2 3 4 5 6 7 8 9 10 11 18 22 26 30
          (i8x16.shuffle 0 1 2 3 4 5 6 7 18 22 26 30 0 0 0 0
          (i8x16.shuffle 2 6 10 14 18 22 26 30 0 0 0 0 0 0 0 0 (local.get $v0) (local.get $v1))
          (local.get $v2))
          (local.get $v3)))
        (local.set $q0 (i32x4.extend_low_i16x8_u (local.tee $half (i16x8.extend_low_i8x16_u (local.get $x)))))
        (local.set $q1 (i32x4.extend_high_i16x8_u (local.get $half)))
        (local.set $q2 (i32x4.extend_low_i16x8_u (local.tee $half (i16x8.extend_high_i8x16_u (local.get $x)))))
        (local.set $q3 (i32x4.extend_high_i16x8_u (local.get $half)))
        (v128.store offset=48 align=1 (local.get $o2) (i8x16.shuffle 20 21 22 23 16 17 18 19 4 5 6 7 0 1 2 3
          (f32x4.demote_f64x2_zero (f64x2.add (f64x2.mul (f64x2.convert_low_i32x4_s (local.get $q0)) (local.get $M2)) (local.get $A2)))
          (f32x4.demote_f64x2_zero (f64x2.add (f64x2.mul (f64x2.convert_low_i32x4_s
            (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $q0) (local.get $q0))) (local.get $M2)) (local.get $A2)))))
        (v128.store offset=32 align=1 (local.get $o2) (i8x16.shuffle 20 21 22 23 16 17 18 19 4 5 6 7 0 1 2 3
          (f32x4.demote_f64x2_zero (f64x2.add (f64x2.mul (f64x2.convert_low_i32x4_s (local.get $q1)) (local.get $M2)) (local.get $A2)))
          (f32x4.demote_f64x2_zero (f64x2.add (f64x2.mul (f64x2.convert_low_i32x4_s
            (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $q1) (local.get $q1))) (local.get $M2)) (local.get $A2)))))
        (v128.store offset=16 align=1 (local.get $o2) (i8x16.shuffle 20 21 22 23 16 17 18 19 4 5 6 7 0 1 2 3
          (f32x4.demote_f64x2_zero (f64x2.add (f64x2.mul (f64x2.convert_low_i32x4_s (local.get $q2)) (local.get $M2)) (local.get $A2)))
          (f32x4.demote_f64x2_zero (f64x2.add (f64x2.mul (f64x2.convert_low_i32x4_s
            (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $q2) (local.get $q2))) (local.get $M2)) (local.get $A2)))))
        (v128.store align=1 (local.get $o2) (i8x16.shuffle 20 21 22 23 16 17 18 19 4 5 6 7 0 1 2 3
          (f32x4.demote_f64x2_zero (f64x2.add (f64x2.mul (f64x2.convert_low_i32x4_s (local.get $q3)) (local.get $M2)) (local.get $A2)))
          (f32x4.demote_f64x2_zero (f64x2.add (f64x2.mul (f64x2.convert_low_i32x4_s
            (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $q3) (local.get $q3))) (local.get $M2)) (local.get $A2)))))
        (local.set $s (i32.add (local.get $s) (i32.const 64)))
        (local.set $o0 (i32.add (local.get $o0) (i32.const -64)))
        (local.set $o1 (i32.add (local.get $o1) (i32.const -64)))
        (local.set $o2 (i32.add (local.get $o2) (i32.const -64)))
        (local.set $groups (i32.add (local.get $groups) (i32.const -1)))
        (br $group)))
      (local.set $o0 (i32.add (local.get $dst0) (i32.mul (i32.sub (local.get $tail) (i32.const 1)) (i32.const 4))))
      (local.set $o1 (i32.add (local.get $dst1) (i32.mul (i32.sub (local.get $tail) (i32.const 1)) (i32.const 4))))
      (local.set $o2 (i32.add (local.get $dst2) (i32.mul (i32.sub (local.get $tail) (i32.const 1)) (i32.const 4))))
      (block $tail_done (loop $pixel
        (br_if $tail_done (i32.eqz (local.get $tail)))
        (f32.store align=1 (local.get $o0) (f32.demote_f64 (f64.add (f64.mul
          (f64.convert_i32_u (i32.load8_u align=1 (local.get $s))) (local.get $mul0)) (local.get $add0))))
        (f32.store align=1 (local.get $o1) (f32.demote_f64 (f64.add (f64.mul
          (f64.convert_i32_u (i32.load8_u offset=1 align=1 (local.get $s))) (local.get $mul1)) (local.get $add1))))
        (f32.store align=1 (local.get $o2) (f32.demote_f64 (f64.add (f64.mul
          (f64.convert_i32_u (i32.load8_u offset=2 align=1 (local.get $s))) (local.get $mul2)) (local.get $add2))))
        (local.set $s (i32.add (local.get $s) (i32.const 4)))
        (local.set $o0 (i32.add (local.get $o0) (i32.const -4)))
        (local.set $o1 (i32.add (local.get $o1) (i32.const -4)))
        (local.set $o2 (i32.add (local.get $o2) (i32.const -4)))
        (local.set $tail (i32.add (local.get $tail) (i32.const -1)))
        (br $pixel)))
      (local.set $src (i32.add (local.get $src) (i32.mul (local.get $width) (i32.const 4))))
      (local.set $dst0 (i32.add (local.get $dst0) (local.get $rowStride)))
      (local.set $dst1 (i32.add (local.get $dst1) (local.get $rowStride)))
      (local.set $dst2 (i32.add (local.get $dst2) (local.get $rowStride)))
      (local.set $height (i32.add (local.get $height) (i32.const -1)))
      (br $row))))
)
