/* Number reading: the correctly rounded double of a validated JSON number's text, without
   Python (or the GIL), as msgspec's atof.h reads one. Three readers, fastest first:

   - Clinger's fast path (W. D. Clinger, "How to Read Floating Point Numbers Accurately",
     PLDI 1990): a significand below 2**53 times a power of ten below 10**23, both exact in a
     double, so one operation and one rounding;
   - Eisel-Lemire (D. Lemire, "Number Parsing at a Gigabyte per Second", Software: Practice
     and Experience 51, 2021; N. Mushtak and D. Lemire, "Fast Number Parsing Without
     Fallback", Software: Practice and Experience 53, 2023): significands of up to 19 digits,
     by 128-bit products with the table of pow5_table.h (written by gen_pow5.py);
   - strtod_l in the "C" locale, where the C library has it (glibc, the BSDs, macOS).

   Where all three decline, the caller reads the text in Python (`_text_double`, _scan.pxi).
   Digits are found a word at a time and read 8 per multiply (SWAR: SIMD within a register).

   Reads: a JSON number the scanner validated, buf[start:end] (digits, then '.' or 'e' as RFC
   8259 has them), never past end. Gives: a double, or 0 ("not read here"). State: the C
   locale, made once at import (`patterns_init_c_locale`), then only read; the tables are
   constants. */
#ifndef PATTERNS_NUMBER_PARSE_H
#define PATTERNS_NUMBER_PARSE_H

#include <Python.h> /* Py_ssize_t */
#include <stdint.h>
#include <string.h>

#include "bits.h"
#include "pow5_table.h"

/* strtod_l in the "C" locale: correctly rounded (glibc, the BSDs, macOS), whatever locale
   the process set, and without the GIL (Python's own reader needs it). Elsewhere, 0: the
   caller reads the number in Python. */
#if defined(__GLIBC__) || defined(__APPLE__) || defined(__FreeBSD__)
#include <locale.h>
#include <stdlib.h>
#if defined(__APPLE__) || defined(__FreeBSD__)
#include <xlocale.h>
#endif
static locale_t patterns_c_locale = (locale_t)0;
static void patterns_init_c_locale(void) {
    if (patterns_c_locale == (locale_t)0)
        patterns_c_locale = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);
}
static int patterns_strtod(const char* text, double* out) {
    if (patterns_c_locale == (locale_t)0) return 0;
    *out = strtod_l(text, NULL, patterns_c_locale);
    return 1;
}
#else
static void patterns_init_c_locale(void) {}
static int patterns_strtod(const char* text, double* out) { (void)text; (void)out; return 0; }
#endif

/* float(text) of a validated JSON number of fewer than 64 bytes that cannot overflow a
   double, without the GIL: the C library's correctly rounded reading; 0 where there is none
   (or the text is longer), and the caller reads it in Python. */
static inline int patterns_c_double(const unsigned char* buf, Py_ssize_t start, Py_ssize_t end,
                                    double* out) {
    char text[64];
    if (end - start >= 64)
        return 0;
    memcpy(text, buf + start, end - start);
    text[end - start] = 0;
    return patterns_strtod(text, out) != 0;
}

/* Exact powers of ten a double holds (10**22 is the largest: 5**22 < 2**53). */
static const double patterns_pow10[23] = {
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13,
    1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

/* Eisel-Lemire: the correctly rounded double of w * 10**q for a significand w of at most 19
   digits, from one or two 64 x 64 -> 128-bit products of w with the 128 leading bits of 5**q
   (`patterns_pow5`, two words per q from -342 to 308). Returns 0 where it leaves the number
   to strtod_l: q off the table, a subnormal or an overflow (which the scanner's double-range
   check keeps from the walk), and the paper's first fallback case (which Mushtak and Lemire
   prove never arises; kept, as it costs one predictable branch). */
static int patterns_eisel_lemire(uint64_t w, int q, int negative, double* out) {
    if (w == 0 || q < PATTERNS_POW5_MIN || q > PATTERNS_POW5_MAX)
        return 0;
    int lz = patterns_clz64(w);
    w <<= lz;
    const uint64_t* t = patterns_pow5 + 2 * (q - PATTERNS_POW5_MIN);
    uint64_t hi, lo = patterns_mul128(w, t[0], &hi);
    if ((hi & 0x1FF) == 0x1FF) {  /* the 9 bits below the 55 kept may carry: refine */
        uint64_t hi2;
        (void)patterns_mul128(w, t[1], &hi2);
        lo += hi2;
        if (hi2 > lo)
            hi++;
        if ((hi & 0x1FF) == 0x1FF && lo == UINT64_MAX && (q < -27 || q > 55))
            return 0;
    }
    int upper = (int)(hi >> 63);
    int shift = upper + 9;  /* keep 55 bits: 52 explicit, the implicit one, one to round, one spare */
    uint64_t m = hi >> shift;
    /* the biased binary exponent: (217706 * q) >> 16 is floor(q * log2(10)) for |q| < 400,
       the product's top bit adds 63 (or 64: upper), the normalizing shift takes lz back */
    int32_t p2 = (int32_t)(((int64_t)217706 * q) >> 16) + 63 + upper - lz + 1023;
    if (p2 <= 0)
        return 0;  /* subnormal */
    /* a tie (the dropped bits all zero) rounds to even; ties only arise for q in [-4, 23] */
    if (lo <= 1 && q >= -4 && q <= 23 && (m & 3) == 1 && (m << shift) == hi)
        m &= ~(uint64_t)1;
    m += m & 1;
    m >>= 1;
    if (m >= ((uint64_t)2 << 52)) {  /* rounding carried into a new bit */
        m = (uint64_t)1 << 52;
        p2++;
    }
    if (p2 >= 0x7FF)
        return 0;  /* overflow */
    uint64_t bits = (m & ~((uint64_t)1 << 52)) | ((uint64_t)p2 << 52) | ((uint64_t)(negative != 0) << 63);
    memcpy(out, &bits, sizeof(bits));
    return 1;
}

/* The value of 8 ASCII digits, read as one little-endian word: pairs, then fours, then all
   eight, each step one multiply (the digits of a pair sit in adjacent bytes). */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define PATTERNS_SWAR_DIGITS 0
static inline uint64_t patterns_eight_digits(const unsigned char* p) { (void)p; return 0; }
#else
#define PATTERNS_SWAR_DIGITS 1
static inline uint64_t patterns_eight_digits(const unsigned char* p) {
    uint64_t v;
    memcpy(&v, p, 8);
    v = ((v & 0x0F0F0F0F0F0F0F0FULL) * 2561) >> 8;
    v = ((v & 0x00FF00FF00FF00FFULL) * 6553601) >> 16;
    return ((v & 0x0000FFFF0000FFFFULL) * 42949672960001ULL) >> 32;
}
#endif

/* The index after a run of ASCII digits from i; 8 bytes a step while the buffer holds 8
   more, the run's end found in the word itself (no byte loop after it).
   A byte is a digit when its high nibble is 3 and adding 6 keeps it 3 (0-9, not A-F); z
   has a non-zero byte exactly where a byte is not a digit. (b + 6 carries into the next
   byte only from b >= 0xFA, itself no digit: the first non-zero byte of z stays exact.)
   ((z & 0x7F..) + 0x7F..) | z sets a byte's high bit iff the byte is non-zero, without
   a carry between bytes. (The scanner's `_number_end` reads digit runs with it too.) */
static inline Py_ssize_t patterns_digits_end(const unsigned char* buf, Py_ssize_t n, Py_ssize_t i) {
    uint64_t w, z;
    while (i + 8 <= n) {
        memcpy(&w, buf + i, 8);
        z = ((w & (PATTERNS_ONES * 0xF0)) ^ (PATTERNS_ONES * 0x30))
            | (((w + PATTERNS_ONES * 0x06) & (PATTERNS_ONES * 0xF0)) ^ (PATTERNS_ONES * 0x30));
        if (z) {
            z = (((z & (PATTERNS_ONES * 0x7F)) + PATTERNS_ONES * 0x7F) | z) & PATTERNS_HIGHS;
            return i + patterns_first_byte(z);
        }
        i += 8;
    }
    while (i < n && 48 <= buf[i] && buf[i] <= 57)
        i++;
    return i;
}

/* w followed by the digits buf[i:j] (the caller keeps the result within 19 digits). */
static inline uint64_t patterns_digits_value(const unsigned char* buf, Py_ssize_t i, Py_ssize_t j,
                                             uint64_t w) {
    if (PATTERNS_SWAR_DIGITS) {
        while (j - i >= 8) {
            w = w * 100000000 + patterns_eight_digits(buf + i);
            i += 8;
        }
    }
    while (i < j) {
        w = w * 10 + (buf[i] - 48);
        i++;
    }
    return w;
}

/* The correctly rounded double of a validated JSON number buf[i:end] of at most 19
   significant digits: Clinger's fast path where it holds (a significand below 2**53 and a
   power of ten below 10**23: one exact operation, so one rounding), else Eisel-Lemire.
   0 for more digits, an exponent past +-1,000, a subnormal or an overflow (the caller
   reads the text with strtod_l). Digits are found a word at a time and read 8 per multiply. */
static inline int patterns_fast_double(const unsigned char* buf, Py_ssize_t i, Py_ssize_t end,
                                       double* out) {
    int negative = buf[i] == 45;  /* '-' */
    uint64_t w;
    Py_ssize_t int_end, frac_start, frac_end, frac, lead;
    int e = 0;
    int eneg = 0;
    double d;
    if (negative)
        i++;
    int_end = patterns_digits_end(buf, end, i);  /* the scanner validated the grammar: digits, then . or e */
    frac_start = frac_end = int_end;
    if (int_end < end && buf[int_end] == 46) {  /* '.' */
        frac_start = int_end + 1;
        frac_end = patterns_digits_end(buf, end, frac_start);
    }
    frac = frac_end - frac_start;
    if ((int_end - i) + frac > 19) {
        /* more than 19 digits: fewer once the leading zeros go ("0.000..."), else not ours */
        lead = i;
        while (lead < int_end && buf[lead] == 48)
            lead++;
        if (lead == int_end) {
            lead = frac_start;
            while (lead < frac_end && buf[lead] == 48)
                lead++;
            if (frac_end - lead > 19 || frac > 100000)  /* (so the exponent stays an int) */
                return 0;
            w = patterns_digits_value(buf, lead, frac_end, 0);
        } else {
            return 0;  /* a non-zero integer part: every digit from its first counts */
        }
    } else {
        w = patterns_digits_value(buf, frac_start, frac_end, patterns_digits_value(buf, i, int_end, 0));
    }
    i = frac_end;
    if (i < end) {  /* 'e' or 'E', an optional sign, digits */
        i++;
        if (buf[i] == 43 || buf[i] == 45) {  /* '+' '-' */
            eneg = buf[i] == 45;
            i++;
        }
        while (i < end) {
            if (e > 1000)
                return 0;
            e = e * 10 + (buf[i] - 48);
            i++;
        }
        if (eneg)
            e = -e;
    }
    e -= (int)frac;  /* at most 100,000 (above) */
    if (w == 0) {
        *out = negative ? -0.0 : 0.0;
        return 1;
    }
    if (w < ((uint64_t)1 << 53) && -22 <= e && e <= 22) {
        d = (double)w;
        if (e >= 0)
            d = d * patterns_pow10[e];
        else
            d = d / patterns_pow10[-e];
        *out = negative ? -d : d;
        return 1;
    }
    return patterns_eisel_lemire(w, e, negative, out) != 0;
}

#endif /* PATTERNS_NUMBER_PARSE_H */
