;; JSON string escaping of UTF-8 bytes, as JSON.stringify escapes a string's characters: a backslash
;; before each quote and backslash, \b \t \n \f \r, \u00XX (lowercase) for other control characters,
;; every other byte as it is. 16 bytes at a time (WebAssembly SIMD): a block without a byte to
;; escape is copied whole. json-escape.ts runs it; `npm run build:wasm` compiles it into
;; json-escape.wasm.ts (json-escape.spec.ts checks that the two agree).
;;
;; Memory: [0, 32) the escape letter of each control character (u: \u00XX), [32, 48) hex digits,
;; input at IN (escape(n) reads IN..IN+n, n <= 32768), output at OUT (at most 6n bytes).
(module
  (memory (export "memory") 4)
  (data (i32.const 0) "uuuuuuuubtnufruuuuuuuuuuuuuuuuuu0123456789abcdef")
  (global $IN i32 (i32.const 1024))
  (global $OUT i32 (i32.const 33792))
  ;; Writes the escape of byte $c (a quote, a backslash or a control character) at $o; returns the new $o.
  (func $special (param $c i32) (param $o i32) (result i32)
    (local $e i32)
    (i32.store8 (local.get $o) (i32.const 0x5c))
    (if (i32.ge_u (local.get $c) (i32.const 0x20))
      (then
        (i32.store8 offset=1 (local.get $o) (local.get $c))
        (return (i32.add (local.get $o) (i32.const 2)))))
    (local.set $e (i32.load8_u (local.get $c)))
    (i32.store8 offset=1 (local.get $o) (local.get $e))
    (if (i32.ne (local.get $e) (i32.const 0x75))
      (then (return (i32.add (local.get $o) (i32.const 2)))))
    (i32.store16 offset=2 (local.get $o) (i32.const 0x3030))
    (i32.store8 offset=4 (local.get $o) (i32.load8_u offset=32 (i32.shr_u (local.get $c) (i32.const 4))))
    (i32.store8 offset=5 (local.get $o) (i32.load8_u offset=32 (i32.and (local.get $c) (i32.const 15))))
    (i32.add (local.get $o) (i32.const 6)))
  ;; Escapes the n input bytes; returns how many output bytes were written.
  (func (export "escape") (param $n i32) (result i32)
    (local $i i32) (local $end i32) (local $d i32) (local $v v128) (local $bits i32) (local $p i32) (local $q i32) (local $c i32) (local $o i32)
    (local.set $i (global.get $IN))
    (local.set $end (i32.add (global.get $IN) (local.get $n)))
    ;; input byte j goes to output byte j + d; d grows by the length of each escape less one
    (local.set $d (i32.sub (global.get $OUT) (global.get $IN)))
    (block $tail
      (loop $blocks
        (br_if $tail (i32.gt_u (i32.add (local.get $i) (i32.const 16)) (local.get $end)))
        (local.set $v (v128.load (local.get $i)))
        (local.set $bits (i8x16.bitmask (v128.or
          (v128.or (i8x16.eq (local.get $v) (i8x16.splat (i32.const 0x22))) (i8x16.eq (local.get $v) (i8x16.splat (i32.const 0x5c))))
          (i8x16.lt_u (local.get $v) (i8x16.splat (i32.const 0x20))))))
        (v128.store (i32.add (local.get $i) (local.get $d)) (local.get $v))
        ;; each byte to escape, in order: its escape, then the rest of the block stored again after it
        ;; (what lands past the block is overwritten by the next one)
        (block $clean
          (br_if $clean (i32.eqz (local.get $bits)))
          (loop $specials
            (local.set $p (i32.add (local.get $i) (i32.ctz (local.get $bits))))
            (local.set $q (i32.add (local.get $p) (local.get $d)))
            (local.set $c (i32.load8_u (local.get $p)))
            (if (i32.ge_u (local.get $c) (i32.const 0x20))
              (then
                ;; a quote or a backslash (the usual case): a backslash before it
                (i32.store16 (local.get $q) (i32.or (i32.shl (local.get $c) (i32.const 8)) (i32.const 0x5c)))
                (local.set $o (i32.add (local.get $q) (i32.const 2))))
              (else (local.set $o (call $special (local.get $c) (local.get $q)))))
            (local.set $d (i32.add (local.get $d) (i32.sub (i32.sub (local.get $o) (local.get $q)) (i32.const 1))))
            (v128.store (local.get $o) (v128.load offset=1 (local.get $p)))
            (local.set $bits (i32.and (local.get $bits) (i32.sub (local.get $bits) (i32.const 1))))
            (br_if $specials (local.get $bits))))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $blocks)))
    (local.set $o (i32.add (local.get $i) (local.get $d)))
    (block $done
      (loop $bytes
        (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
        (local.set $c (i32.load8_u (local.get $i)))
        (if (i32.or (i32.or (i32.eq (local.get $c) (i32.const 0x22)) (i32.eq (local.get $c) (i32.const 0x5c))) (i32.lt_u (local.get $c) (i32.const 0x20)))
          (then (local.set $o (call $special (local.get $c) (local.get $o))))
          (else
            (i32.store8 (local.get $o) (local.get $c))
            (local.set $o (i32.add (local.get $o) (i32.const 1)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $bytes)))
    (i32.sub (local.get $o) (global.get $OUT))))
