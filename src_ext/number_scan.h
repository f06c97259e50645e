/* The shape of a JSON number read from two SIMD class masks (digits; '.', 'e' and 'E') over the
   32 bytes from its first, instead of byte by byte: the number's end is the first byte of
   neither class, and the bytes of the second class inside it say its shape. The scanner
   (_scan.pxi, `_number_end_fast`) asks here first, for every number it meets; a number of
   the common shape, -?(0|[1-9][0-9]*)(.[0-9]+)? in fewer than 32 bytes, is read here without
   a loop (about forty instructions and one count-trailing-zeros); every other (an exponent,
   an invalid text, a longer number) is left to the byte-by-byte reader, `_number_end`, which
   decides it exactly as before. So this header only ever answers what `_number_end` would
   answer (tests/unit/test_scan.py compares the two roads). Measured gain: small (0 to 8% of a
   CityLots match, 7% of a match whose event skips 150 numbers; docs/scanner.md).

     bytes    -  1  2  2  .  4  5  4  0  9  ,  ...
     digits   0  1  1  1  0  1  1  1  1  1  0
     dot/e    0  0  0  0  1  0  0  0  0  0  0
     run      (the '-' counted in) ------------  end: the first byte in neither class (10)
     shape    one class-2 byte, a '.', with digits on both sides: accepted

   The idea is simdjson's (G. Langdale and D. Lemire, "Parsing Gigabytes of JSON per Second",
   VLDB Journal 28, 2019): classify bytes by vector compares, then work on the bit masks.

   Reads: buf[i:i+32] when i + 32 <= n, else buf[i:n] copied into 32 bytes padded with
   spaces. Gives: a packed answer (below). State: `patterns_fast_scan`, 1 unless
   PATTERNS_SCALAR_SCAN is set (read once, at import, by `patterns_fast_scan_init`); tests
   and benchmarks switch it (`_match_c._scan_mode`) to compare both roads in one process. */
#ifndef PATTERNS_NUMBER_SCAN_H
#define PATTERNS_NUMBER_SCAN_H

#include <Python.h> /* Py_ssize_t */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bits.h"

/* 1: numbers are read from class masks where the shape allows; 0: byte by byte, as before. */
static int patterns_fast_scan = 1;
static void patterns_fast_scan_init(void) {
    const char* off = getenv("PATTERNS_SCALAR_SCAN");
    patterns_fast_scan = !(off != NULL && off[0] != 0);
}

#if defined(__SSE2__) || defined(_M_X64)
#include <emmintrin.h>
#define PATTERNS_HAVE_NUMBER_SHAPE 1
/* The number starting at buf[i] ('-' or a digit): -1 when it is not of the common shape (or
   the switch is off); else its length in bits 0-7, the digits before any '.' in bits
   8-15 and bit 16 set when it has no '.' (an integer). */
static inline int patterns_number_shape(const unsigned char* buf, Py_ssize_t n, Py_ssize_t i) {
    const __m128i zero = _mm_set1_epi8('0'), nine = _mm_set1_epi8(9);
    const __m128i dot = _mm_set1_epi8('.'), e = _mm_set1_epi8('e'), lower = _mm_set1_epi8(0x20);
    __m128i v0, v1, x0, x1;
    uint32_t digits, marks, stop, inside;
    int neg, end, at, int_len;
    unsigned char tail[32];
    if (!patterns_fast_scan)
        return -1;
    if (n - i < 32) { /* the buffer's last bytes: read a copy padded with spaces (no number byte) */
        memset(tail, ' ', 32);
        memcpy(tail, buf + i, (size_t)(n - i));
        buf = tail;
        i = 0;
    }
    v0 = _mm_loadu_si128((const __m128i*)(buf + i));
    v1 = _mm_loadu_si128((const __m128i*)(buf + i + 16));
    /* a digit: byte - '0' below 10, unsigned (min(x, 9) == x) */
    x0 = _mm_sub_epi8(v0, zero);
    x1 = _mm_sub_epi8(v1, zero);
    digits = (uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_min_epu8(x0, nine), x0))
             | ((uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_min_epu8(x1, nine), x1)) << 16);
    /* '.', or 'e'/'E' (only those two bytes read 'e' with the 0x20 bit set) */
    marks = (uint32_t)_mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(v0, dot),
                                                     _mm_cmpeq_epi8(_mm_or_si128(v0, lower), e)))
            | ((uint32_t)_mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(v1, dot),
                                                        _mm_cmpeq_epi8(_mm_or_si128(v1, lower), e)))
               << 16);
    neg = buf[i] == '-';
    stop = ~(digits | marks | (uint32_t)neg); /* a leading '-' counts in the run */
    if (!stop)
        return -1; /* 32 number bytes or more */
    end = patterns_ctz64(stop);
    inside = (uint32_t)((1ULL << end) - 1);
    marks &= inside;
    if (marks & (marks - 1))
        return -1; /* two marks or more: an exponent, or invalid */
    at = marks ? patterns_ctz64(marks) : end;
    if (marks && (buf[i + at] != '.' || at + 1 == end))
        return -1; /* an exponent without a '.', or "1." */
    int_len = at - neg;
    if (int_len < 1 || (int_len > 1 && buf[i + neg] == '0'))
        return -1; /* "-" or "-.5"; a leading zero */
    return end | (int_len << 8) | ((marks == 0) << 16);
}
#else
#define PATTERNS_HAVE_NUMBER_SHAPE 0
static inline int patterns_number_shape(const unsigned char* buf, Py_ssize_t n, Py_ssize_t i) {
    (void)buf; (void)n; (void)i; return -1;
}
#endif

#endif /* PATTERNS_NUMBER_SCAN_H */
