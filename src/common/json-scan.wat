;; countJsonArray (json-scan.ts) in WebAssembly: checks that the input is exactly one JSON array
;; (RFC 8259 grammar: strings with valid escapes and no raw control characters, numbers, literals,
;; nesting up to MAX_DEPTH) and counts its elements; on request it also notes each element's start
;; and end, and the top-level keys and values of each element that is an object. The same state
;; machine as the TypeScript one, step for step (json-scan.spec.ts runs both on the same inputs);
;; strings are skipped 16 bytes at a time (WebAssembly SIMD). `npm run build:wasm` compiles it into
;; json-scan.wasm.ts.
;;
;; Memory: [0, 256) 1 for each hex digit, [256, 512) 1 for each letter of a simple escape,
;; [512, 769) the open containers (1 = object, 0 = array; [512] is the top-level array), [1024] the
;; number of field entries written, [1028] 1 when some noted key holds an escape. The input is at
;; IN (4096) and must be followed by 16 zero bytes; the caller places the output arrays after it.
;;
;; scan(n, mode, els, elsCap, fs, fsCap) → the element count, -1 when the input is not one JSON
;; array, -2 when an output array is full. mode bit 1: elements, 3 i32 each at `els` (start, end,
;; index of its first field entry); bit 2: fields, 4 i32 each at `fs` (key start, key end, value
;; start, value end; key bounds exclude the quotes). Offsets are from the start of the input.
(module
  (memory (export "memory") 1)
  (data (i32.const 48) "\01\01\01\01\01\01\01\01\01\01")
  (data (i32.const 65) "\01\01\01\01\01\01")
  (data (i32.const 97) "\01\01\01\01\01\01")
  (data (i32.const 290) "\01") ;; "
  (data (i32.const 303) "\01") ;; /
  (data (i32.const 348) "\01") ;; \
  (data (i32.const 354) "\01") ;; b
  (data (i32.const 358) "\01") ;; f
  (data (i32.const 366) "\01") ;; n
  (data (i32.const 370) "\01") ;; r
  (data (i32.const 372) "\01") ;; t
  (global $IN i32 (i32.const 4096))
  (global $STACK i32 (i32.const 512))
  (global $MAX_DEPTH i32 (i32.const 256))
  (global $escaped (mut i32) (i32.const 0))

  (func $skipWs (param $i i32) (param $end i32) (result i32)
    (local $c i32)
    (block $out
      (loop $next
        (br_if $out (i32.ge_u (local.get $i) (local.get $end)))
        (local.set $c (i32.load8_u (local.get $i)))
        (br_if $out (i32.eqz (i32.or
          (i32.or (i32.eq (local.get $c) (i32.const 0x20)) (i32.eq (local.get $c) (i32.const 0x0a)))
          (i32.or (i32.eq (local.get $c) (i32.const 0x0d)) (i32.eq (local.get $c) (i32.const 0x09))))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (local.get $i))


  ;; Index after the closing quote of the string whose content starts at $i, or -1 when invalid.
  (func $skipString (param $i i32) (param $end i32) (result i32)
    (local $v v128) (local $bits i32) (local $c i32) (local $e i32)
    (loop $next
      ;; to the next quote, backslash or control character: 16 bytes at a time, then byte by byte
      (block $found
        (loop $blocks
          (br_if $found (i32.gt_u (i32.add (local.get $i) (i32.const 16)) (local.get $end)))
          (local.set $v (v128.load (local.get $i)))
          (local.set $bits (i8x16.bitmask (v128.or
            (v128.or (i8x16.eq (local.get $v) (i8x16.splat (i32.const 0x22))) (i8x16.eq (local.get $v) (i8x16.splat (i32.const 0x5c))))
            (i8x16.lt_u (local.get $v) (i8x16.splat (i32.const 0x20))))))
          (if (local.get $bits)
            (then
              (local.set $i (i32.add (local.get $i) (i32.ctz (local.get $bits))))
              (br $found)))
          (local.set $i (i32.add (local.get $i) (i32.const 16)))
          (br $blocks)))
      (block $stop
        (loop $bytes
          (if (i32.ge_u (local.get $i) (local.get $end)) (then (return (i32.const -1))))
          (local.set $c (i32.load8_u (local.get $i)))
          (br_if $stop (i32.or (i32.or (i32.eq (local.get $c) (i32.const 0x22)) (i32.eq (local.get $c) (i32.const 0x5c))) (i32.lt_u (local.get $c) (i32.const 0x20))))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br $bytes)))
      (if (i32.eq (local.get $c) (i32.const 0x22)) (then (return (i32.add (local.get $i) (i32.const 1)))))
      (if (i32.ne (local.get $c) (i32.const 0x5c)) (then (return (i32.const -1)))) ;; a raw control character
      (global.set $escaped (i32.const 1))
      ;; past the end the input is followed by zero bytes, which are neither escapes nor hex digits
      (local.set $e (i32.load8_u offset=1 (local.get $i)))
      (if (i32.eq (local.get $e) (i32.const 0x75))
        (then
          (if (i32.eqz (i32.and
                (i32.and (i32.load8_u (i32.load8_u offset=2 (local.get $i))) (i32.load8_u (i32.load8_u offset=3 (local.get $i))))
                (i32.and (i32.load8_u (i32.load8_u offset=4 (local.get $i))) (i32.load8_u (i32.load8_u offset=5 (local.get $i))))))
            (then (return (i32.const -1))))
          (local.set $i (i32.add (local.get $i) (i32.const 6))))
        (else
          (if (i32.eqz (i32.load8_u offset=256 (local.get $e))) (then (return (i32.const -1))))
          (local.set $i (i32.add (local.get $i) (i32.const 2)))))
      ;; an escape may end past the input only onto its zero bytes, which the checks above reject
      (br $next))
    (i32.const -1))

  ;; Index after the number starting at $i, or -1 when invalid.
  (func $skipNumber (param $i i32) (param $end i32) (result i32)
    (if (i32.eq (i32.load8_u (local.get $i)) (i32.const 0x2d)) (then (local.set $i (i32.add (local.get $i) (i32.const 1)))))
    (if (i32.eq (i32.load8_u (local.get $i)) (i32.const 0x30))
      (then (local.set $i (i32.add (local.get $i) (i32.const 1))))
      (else
        (if (i32.eqz (i32.lt_u (i32.sub (i32.load8_u (local.get $i)) (i32.const 0x30)) (i32.const 10))) (then (return (i32.const -1))))
        (local.set $i (call $skipDigits (local.get $i)))))
    (if (i32.eq (i32.load8_u (local.get $i)) (i32.const 0x2e))
      (then
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (if (i32.eqz (i32.lt_u (i32.sub (i32.load8_u (local.get $i)) (i32.const 0x30)) (i32.const 10))) (then (return (i32.const -1))))
        (local.set $i (call $skipDigits (local.get $i)))))
    (if (i32.eq (i32.or (i32.load8_u (local.get $i)) (i32.const 0x20)) (i32.const 0x65)) ;; e or E
      (then
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (if (i32.or (i32.eq (i32.load8_u (local.get $i)) (i32.const 0x2b)) (i32.eq (i32.load8_u (local.get $i)) (i32.const 0x2d)))
          (then (local.set $i (i32.add (local.get $i) (i32.const 1)))))
        (if (i32.eqz (i32.lt_u (i32.sub (i32.load8_u (local.get $i)) (i32.const 0x30)) (i32.const 10))) (then (return (i32.const -1))))
        (local.set $i (call $skipDigits (local.get $i)))))
    (select (local.get $i) (i32.const -1) (i32.le_u (local.get $i) (local.get $end))))

  (func $skipDigits (param $i i32) (result i32)
    (block $out
      (loop $next
        (br_if $out (i32.eqz (i32.lt_u (i32.sub (i32.load8_u (local.get $i)) (i32.const 0x30)) (i32.const 10))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (local.get $i))

  (func (export "scan") (param $n i32) (param $mode i32) (param $els i32) (param $elsCap i32) (param $fs i32) (param $fsCap i32) (result i32)
    (local $i i32) (local $end i32) (local $depth i32) (local $count i32) (local $expect i32) (local $c i32)
    (local $flen i32) (local $ks i32) (local $inObject i32) (local $el i32) (local $f1 i32) (local $fieldsOn i32)
    ;; expect: 0 value or close (after '['), 1 value, 2 comma or close, 3 key or close (after '{'), 4 key, 5 colon
    (global.set $escaped (i32.const 0))
    (i32.store (i32.const 1028) (i32.const 0))
    (local.set $end (i32.add (global.get $IN) (local.get $n)))
    (local.set $i (call $skipWs (global.get $IN) (local.get $end)))
    (if (i32.ge_u (local.get $i) (local.get $end)) (then (return (i32.const -1))))
    (if (i32.ne (i32.load8_u (local.get $i)) (i32.const 0x5b)) (then (return (i32.const -1))))
    (local.set $i (i32.add (local.get $i) (i32.const 1)))
    (i32.store8 (global.get $STACK) (i32.const 0))
    (block $closed
      (loop $main
        ;; compact JSON has no whitespace between tokens; at the end the zero bytes lead here too
        (local.set $c (i32.load8_u (local.get $i)))
        (if (i32.le_u (local.get $c) (i32.const 0x20))
          (then
            (local.set $i (call $skipWs (local.get $i) (local.get $end)))
            (if (i32.ge_u (local.get $i) (local.get $end)) (then (return (i32.const -1))))
            (local.set $c (i32.load8_u (local.get $i)))))
        ;; fields are noted inside a top-level element that is an object
        (local.set $f1 (i32.and (i32.eq (local.get $depth) (i32.const 1)) (local.get $fieldsOn)))

        (if (i32.eq (local.get $expect) (i32.const 2))
          (then
            (local.set $inObject (i32.load8_u (i32.add (global.get $STACK) (local.get $depth))))
            (if (i32.eq (local.get $c) (i32.const 0x2c))
              (then
                (local.set $i (i32.add (local.get $i) (i32.const 1)))
                (local.set $expect (select (i32.const 4) (i32.const 1) (local.get $inObject)))
                (br $main)))
            (if (i32.ne (local.get $c) (select (i32.const 0x7d) (i32.const 0x5d) (local.get $inObject))) (then (return (i32.const -1))))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br_if $closed (i32.eqz (local.get $depth)))
            (local.set $depth (i32.sub (local.get $depth) (i32.const 1)))
            (if (i32.eqz (local.get $depth))
              (then
                (if (i32.and (local.get $mode) (i32.const 1))
                  (then (i32.store offset=4 (local.get $el) (i32.sub (local.get $i) (global.get $IN))))))
              (else
                ;; a container value of a top-level object closed
                (if (i32.and (i32.eq (local.get $depth) (i32.const 1)) (local.get $fieldsOn))
                  (then
                    (if (i32.ge_u (local.get $flen) (local.get $fsCap)) (then (return (i32.const -2))))
                    (i32.store (i32.add (local.get $fs) (i32.shl (local.get $flen) (i32.const 2))) (i32.sub (local.get $i) (global.get $IN)))
                    (local.set $flen (i32.add (local.get $flen) (i32.const 1)))))))
            (br $main)))

        (if (i32.eq (local.get $expect) (i32.const 5))
          (then
            (if (i32.ne (local.get $c) (i32.const 0x3a)) (then (return (i32.const -1))))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (local.set $expect (i32.const 1))
            (br $main)))

        (if (i32.ge_u (local.get $expect) (i32.const 3))
          (then
            (if (i32.and (i32.eq (local.get $c) (i32.const 0x7d)) (i32.eq (local.get $expect) (i32.const 3)))
              (then
                ;; an empty object: closed as after a value
                (local.set $expect (i32.const 2))
                (br $main)))
            (if (i32.ne (local.get $c) (i32.const 0x22)) (then (return (i32.const -1))))
            (local.set $ks (i32.add (local.get $i) (i32.const 1)))
            (global.set $escaped (i32.const 0))
            (local.set $i (call $skipString (local.get $ks) (local.get $end)))
            (if (i32.lt_s (local.get $i) (i32.const 0)) (then (return (i32.const -1))))
            (if (local.get $f1)
              (then
                (if (i32.ge_u (i32.add (local.get $flen) (i32.const 1)) (local.get $fsCap)) (then (return (i32.const -2))))
                (i32.store (i32.add (local.get $fs) (i32.shl (local.get $flen) (i32.const 2))) (i32.sub (local.get $ks) (global.get $IN)))
                (i32.store offset=4 (i32.add (local.get $fs) (i32.shl (local.get $flen) (i32.const 2))) (i32.sub (i32.sub (local.get $i) (i32.const 1)) (global.get $IN)))
                (local.set $flen (i32.add (local.get $flen) (i32.const 2)))
                (if (global.get $escaped) (then (i32.store (i32.const 1028) (i32.const 1))))))
            (local.set $expect (i32.const 5))
            (br $main)))

        ;; a value (expect 0 or 1)
        (if (i32.and (i32.eq (local.get $c) (i32.const 0x5d)) (i32.eqz (local.get $expect)))
          (then
            ;; an empty array: closed as after a value
            (local.set $expect (i32.const 2))
            (br $main)))
        (if (i32.eqz (local.get $depth))
          (then
            (local.set $count (i32.add (local.get $count) (i32.const 1)))
            (if (i32.and (local.get $mode) (i32.const 1))
              (then
                (if (i32.gt_u (local.get $count) (local.get $elsCap)) (then (return (i32.const -2))))
                (local.set $el (i32.add (local.get $els) (i32.mul (i32.sub (local.get $count) (i32.const 1)) (i32.const 12))))
                (i32.store (local.get $el) (i32.sub (local.get $i) (global.get $IN)))
                (i32.store offset=8 (local.get $el) (local.get $flen)))))
          (else
            (if (local.get $f1)
              (then
                (if (i32.ge_u (local.get $flen) (local.get $fsCap)) (then (return (i32.const -2))))
                (i32.store (i32.add (local.get $fs) (i32.shl (local.get $flen) (i32.const 2))) (i32.sub (local.get $i) (global.get $IN)))
                (local.set $flen (i32.add (local.get $flen) (i32.const 1)))))))
        (local.set $expect (i32.const 2))
        (block $valueDone
          (if (i32.eq (local.get $c) (i32.const 0x22))
            (then
              (local.set $i (call $skipString (i32.add (local.get $i) (i32.const 1)) (local.get $end)))
              (br $valueDone)))
          (if (i32.eq (i32.or (local.get $c) (i32.const 0x20)) (i32.const 0x7b)) ;; { or [
            (then
              (if (i32.eq (local.get $depth) (global.get $MAX_DEPTH)) (then (return (i32.const -1))))
              (local.set $depth (i32.add (local.get $depth) (i32.const 1)))
              (i32.store8 (i32.add (global.get $STACK) (local.get $depth)) (i32.eq (local.get $c) (i32.const 0x7b)))
              (if (i32.eq (local.get $depth) (i32.const 1))
                (then (local.set $fieldsOn (i32.and (i32.eq (local.get $c) (i32.const 0x7b)) (i32.shr_u (i32.and (local.get $mode) (i32.const 2)) (i32.const 1))))))
              (local.set $i (i32.add (local.get $i) (i32.const 1)))
              (local.set $expect (select (i32.const 3) (i32.const 0) (i32.eq (local.get $c) (i32.const 0x7b))))
              (br $valueDone)))
          (if (i32.eq (local.get $c) (i32.const 0x74)) ;; true
            (then
              (local.set $i (select (i32.add (local.get $i) (i32.const 4)) (i32.const -1)
                (i32.eq (i32.load (local.get $i)) (i32.const 0x65757274))))
              (br $valueDone)))
          (if (i32.eq (local.get $c) (i32.const 0x66)) ;; false
            (then
              (local.set $i (select (i32.add (local.get $i) (i32.const 5)) (i32.const -1)
                (i32.and (i32.eq (i32.load (local.get $i)) (i32.const 0x736c6166)) (i32.eq (i32.load8_u offset=4 (local.get $i)) (i32.const 0x65)))))
              (br $valueDone)))
          (if (i32.eq (local.get $c) (i32.const 0x6e)) ;; null
            (then
              (local.set $i (select (i32.add (local.get $i) (i32.const 4)) (i32.const -1)
                (i32.eq (i32.load (local.get $i)) (i32.const 0x6c6c756e))))
              (br $valueDone)))
          (local.set $i (call $skipNumber (local.get $i) (local.get $end))))
        (if (i32.lt_s (local.get $i) (i32.const 0)) (then (return (i32.const -1))))
        (if (i32.gt_u (local.get $i) (local.get $end)) (then (return (i32.const -1))))
        (if (i32.eqz (local.get $depth))
          (then
            (if (i32.and (local.get $mode) (i32.const 1))
              (then (i32.store offset=4 (local.get $el) (i32.sub (local.get $i) (global.get $IN))))))
          (else
            (if (i32.and (local.get $f1) (i32.eq (local.get $expect) (i32.const 2)))
              (then
                (if (i32.ge_u (local.get $flen) (local.get $fsCap)) (then (return (i32.const -2))))
                (i32.store (i32.add (local.get $fs) (i32.shl (local.get $flen) (i32.const 2))) (i32.sub (local.get $i) (global.get $IN)))
                (local.set $flen (i32.add (local.get $flen) (i32.const 1)))))))
        (br $main)))
    ;; the top-level array closed: only whitespace may follow
    (i32.store (i32.const 1024) (local.get $flen))
    (local.set $i (call $skipWs (local.get $i) (local.get $end)))
    (select (local.get $count) (i32.const -1) (i32.eq (local.get $i) (local.get $end)))))
