# The values stage: the value indexes in C (docs/hot-path.md).
# Included by _match_c.pyx after the scan stage (its key tables, `_keys_build`); the types it
# shares with the other stages (CValue, IntBuf, KeyTable) are in _shared.pxi.
#
# Reads: a published `patterns.automaton.ValueIndex`'s lowered form (`vi.lowered`, a
# `LoweredIndex` the compiler made: every column as this stage reads it, copied once, at build),
# then one event value as C reads it (`CValue`: the scanner's bytes or double). Gives: the
# target states of the automaton that value sends the walk to (an `IntBuf`).
#
# Contract (the walk in _walk.pxi relies on exactly this):
#
#   compile_index(vi) -> CIndex             vi: a patterns.automaton.ValueIndex (published, immutable)
#   CIndex.probe(const CValue* v, IntBuf* out) noexcept nogil -> int
#       appends to `out` the target *states* that `fire(vi, value, lists)` of the pure twin sends
#       the walk to (each list id it gives resolved through `lists`; repeats allowed), and returns 0;
#       returns 1, appending nothing, when this value needs the Python probe; -1 when memory ran out.
#   probe_value(CIndex ci, value) -> list[int] | None      test hook: the same for a Python scalar
#
# What stays in Python (probe returns 1): for a string value, an index holding a wildcard whose
# `WildcardDFA` built no table (over its state budget: it tests operand by operand, in Python);
# and a non-ASCII string where some structure reads the casefolded value (`needs_fold`), since
# full Unicode casefolding is Python's. Everything else, numbers, literals, exists,
# anything-but, IP addresses (IPv4 and IPv6, parsed here as `netaddr.parse_ip` parses them) and
# built wildcard automata included, is answered here.
#
# Bounds: the value's bytes are read through a raw pointer, no Cython directive checks (boundscheck
# and wraparound, off in setup.py, guard buffers and memoryviews only), so every read below is
# argued in bounds where it is made: affixes are read only for lengths L <= n, the IP parser and
# the UTF-8 decoder test i < n (or i + k <= n) before each read, and every table index comes
# from the build, which wrote each array in full from columns it checked while copying them
# (lengths, offsets, references below the local lists, keys inside their bytes).

cdef enum:
    # Tags of the string structures. All string keys live in one hash table; the tag is the seed
    # `_key_hash` mixes in (its `node` argument) and is compared on a hit, so equal keys of two
    # structures stay apart. 0 is not a tag (node 0 seeds the scanner's edges; any seed works).
    T_EXACT = 1
    T_FOLDED = 2
    T_PREFIX = 3
    T_SUFFIX = 4
    T_PREFIX_CI = 5
    T_SUFFIX_CI = 6
    T_AB_STR = 7
    T_AB_FOLDED = 8
    T_AB_PREFIX = 9
    T_AB_SUFFIX = 10
    N_TAGS = 11
    # A value at most this many bytes long is lowercased into a stack buffer; a longer one (rare:
    # the fold structures hold words) into one malloc'd for the probe.
    FOLD_STACK = 256

# The tags are the compiler's (`patterns.automaton.T_EXACT`...: a lowered index names its keys'
# structures by them); C needs them as constants, so they are restated above and checked here,
# once, when the module loads.
if (_automaton.T_EXACT, _automaton.T_FOLDED, _automaton.T_PREFIX, _automaton.T_SUFFIX,
        _automaton.T_PREFIX_CI, _automaton.T_SUFFIX_CI, _automaton.T_AB_STR, _automaton.T_AB_FOLDED,
        _automaton.T_AB_PREFIX, _automaton.T_AB_SUFFIX, _automaton.N_TAGS) != (
        T_EXACT, T_FOLDED, T_PREFIX, T_SUFFIX, T_PREFIX_CI, T_SUFFIX_CI, T_AB_STR, T_AB_FOLDED,
        T_AB_PREFIX, T_AB_SUFFIX, N_TAGS):
    raise ImportError("patterns._match_c's string-structure tags differ from patterns.automaton's")

# The reference of a key an overlay removed (`patterns.automaton.GONE`), checked the same way.
cdef int32_t GONE = INT32_MIN
if _automaton.GONE != GONE:
    raise ImportError("patterns._match_c's GONE differs from patterns.automaton's")


cdef inline uint64_t _number_key(double x) noexcept nogil:
    # `numbers.number_key` in C: the order-preserving unsigned key of a double.
    cdef uint64_t bits
    if x == 0.0:
        # -0.0 == 0.0: both zeros take the key of +0.0 (its bits are 0, plus the sign bit)
        return (<uint64_t>1) << 63
    memcpy(&bits, &x, 8)  # the double's 8 bytes as an integer, without aliasing trouble
    if bits >> 63:  # negative: every bit flipped, so larger magnitudes sort lower
        return ~bits
    return bits | ((<uint64_t>1) << 63)  # positive: above every negative


cdef inline Py_ssize_t _lower_bound(const uint64_t* keys, Py_ssize_t n, uint64_t key) noexcept nogil:
    # `bisect_left`: the first i with keys[i] >= key, or n. Reads keys[mid] with lo <= mid < hi <= n.
    cdef Py_ssize_t lo = 0, hi = n, mid
    while lo < hi:
        mid = lo + (hi - lo) // 2
        if keys[mid] < key:
            lo = mid + 1
        else:
            hi = mid
    return lo


cdef int _cmp_int32(const void* a, const void* b) noexcept nogil:
    # qsort's comparator for int32 (no subtraction: it could overflow)
    cdef int32_t x = (<const int32_t*>a)[0], y = (<const int32_t*>b)[0]
    return (x > y) - (x < y)


cdef inline Py_ssize_t _lower_bound2(const uint64_t* hi, const uint64_t* lo, Py_ssize_t n,
                                     uint64_t khi, uint64_t klo) noexcept nogil:
    # `bisect_left` over 128-bit keys kept as two sorted columns (hi[i], lo[i]), as `_lower_bound`.
    cdef Py_ssize_t a = 0, b = n, mid
    while a < b:
        mid = a + (b - a) // 2
        if hi[mid] < khi or (hi[mid] == khi and lo[mid] < klo):
            a = mid + 1
        else:
            b = mid
    return a


# --- IP addresses: `netaddr.parse_ip` over the value's bytes ---------------------------------------

cdef inline bint _is_digit(unsigned char c) noexcept nogil:
    return 48 <= c <= 57  # '0'..'9'


cdef inline int _hex_value(unsigned char c) noexcept nogil:
    # the value of one hex digit ('0'..'9', 'a'..'f', 'A'..'F'), or -1
    if 48 <= c <= 57:
        return c - 48
    if 97 <= c <= 102:
        return c - 87  # 'a' -> 10
    if 65 <= c <= 70:
        return c - 55  # 'A' -> 10
    return -1


cdef int _parse_ipv4(const unsigned char* s, Py_ssize_t n, uint64_t* addr) noexcept nogil:
    # IPV4_SHAPE `[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+` (full match) and parse_ip's decimal parts: 4 and
    # the address in *addr, or 0. A part's leading zeros are dropped before its digits are counted:
    # more than 3 left, or a value above 255, is not an address (and no part overflows).
    cdef Py_ssize_t i = 0, start, first
    cdef int part
    cdef uint64_t a = 0, x
    for part in range(4):
        if part:
            if i >= n or s[i] != 46:  # 46: '.'
                return 0
            i += 1
        start = i
        while i < n and _is_digit(s[i]):
            i += 1
        if i == start:
            return 0
        first = start
        while first < i and s[first] == 48:  # leading '0's
            first += 1
        if i - first > 3:
            return 0
        x = 0
        while first < i:  # at most 3 digits: x <= 999
            x = x * 10 + (s[first] - 48)
            first += 1
        if x > 255:
            return 0
        a = (a << 8) | x
    if i != n:
        return 0
    addr[0] = a
    return 4


cdef int _parse_ipv6(const unsigned char* s, Py_ssize_t n, uint64_t* hi, uint64_t* lo) noexcept nogil:
    # IPV6_SHAPE `[0-9a-fA-F:]*:[0-9a-fA-F:]*` (full match), then `ipaddress.IPv6Address`'s
    # `_ip_int_from_string` step by step (the shape has no '.', so never its dotted IPv4 tail, and
    # no '%', so never a scope id): 6 and the address in *hi:*lo, or 0.
    cdef Py_ssize_t start[9]   # part k is s[start[k]:stop[k]]; at most 9 parts (8 colons)
    cdef Py_ssize_t stop[9]
    cdef uint64_t h[8]         # the eight hextets, most significant first
    cdef Py_ssize_t i, j, k, parts, skip = -1, parts_hi, parts_lo
    cdef int colons = 0
    cdef uint64_t x
    for i in range(n):
        if s[i] == 58:  # 58: ':'
            colons += 1
        elif _hex_value(s[i]) < 0:
            return 0  # not the shape
    if colons < 2 or colons > 8:  # the shape needs one colon; IPv6Address 3 to 9 parts
        return 0
    parts = colons + 1
    j = 0
    start[0] = 0
    for i in range(n):
        if s[i] == 58:  # at most 8 colons: j + 1 <= 8
            stop[j] = i
            j += 1
            start[j] = i + 1
    stop[j] = n
    for i in range(1, parts - 1):  # an empty inner part is the '::'; at most one
        if start[i] == stop[i]:
            if skip >= 0:
                return 0
            skip = i
    if skip >= 0:
        parts_hi = skip
        parts_lo = parts - skip - 1
        if start[0] == stop[0]:
            parts_hi -= 1
            if parts_hi:  # a leading ':' only as part of '::'
                return 0
        if start[parts - 1] == stop[parts - 1]:
            parts_lo -= 1
            if parts_lo:  # a trailing ':' only as part of '::'
                return 0
        if parts_hi + parts_lo > 7:  # '::' must stand for one hextet at least
            return 0
    else:
        if parts != 8:
            return 0
        if start[0] == stop[0] or start[parts - 1] == stop[parts - 1]:
            return 0
        parts_hi = parts
        parts_lo = 0
    for i in range(8):
        h[i] = 0
    for i in range(parts_hi + parts_lo):
        # hextets 0..parts_hi-1 from the first parts, 8-parts_lo..7 from the last ones
        j = i if i < parts_hi else parts - parts_lo + (i - parts_hi)
        if stop[j] - start[j] < 1 or stop[j] - start[j] > 4:  # `_parse_hextet`: 1 to 4 digits
            return 0
        x = 0
        for k in range(start[j], stop[j]):
            x = (x << 4) | <uint64_t>_hex_value(s[k])  # a hex digit: the scan above checked
        h[i if i < parts_hi else 8 - parts_lo + (i - parts_hi)] = x
    hi[0] = (h[0] << 48) | (h[1] << 32) | (h[2] << 16) | h[3]
    lo[0] = (h[4] << 48) | (h[5] << 32) | (h[6] << 16) | h[7]
    return 6


cdef int _parse_ip(const unsigned char* s, Py_ssize_t n, uint64_t* hi, uint64_t* lo) noexcept nogil:
    # `netaddr.parse_ip`: 4 (the address in *lo), 6 (in *hi:*lo) or 0 (not an address). A '.'
    # rules out IPV6_SHAPE, so a value holding one is an IPv4 address or nothing. An IPv4-mapped
    # IPv6 address (::ffff:a.b.c.d, in its hex form) is its IPv4 address.
    if memchr(s, 46, n) != NULL:  # 46: '.'
        hi[0] = 0
        return _parse_ipv4(s, n, lo)
    if not _parse_ipv6(s, n, hi, lo):
        return 0
    if hi[0] == 0 and (lo[0] >> 32) == 0xFFFF:  # `IPv6Address.ipv4_mapped`: ::ffff:0:0/96
        lo[0] = lo[0] & <uint64_t>0xFFFFFFFF
        return 4
    return 6


# --- Wildcards: a built `WildcardDFA` as flat arrays -------------------------------------------------

cdef struct CDfa:
    # One `WildcardDFA` whose table was built, n states (-1: no such automaton here):
    #   state s   other[s]                       next state on a character not in its row, or -1
    #             mv_off[s]..mv_off[s + 1]       -> mv_cp, mv_next: its row of `_moves[s]`, sorted
    #                                               by code point (bisected)
    #             acc_off[s]..acc_off[s + 1]     -> acc: `_accept[s]`, the payloads (local lists for
    #                                               `wildcard`, operand numbers for `ab_wildcard`)
    # Why sorted rows and not a 128-entry table per state: up to 10,000 states (MAX_STATES), and
    # rows are short (the characters some live literal position names), so a bisect of a few
    # entries costs about what a table read does, at a fraction of the memory.
    Py_ssize_t n
    int32_t* other
    Py_ssize_t* mv_off
    uint32_t* mv_cp
    int32_t* mv_next
    Py_ssize_t* acc_off
    int32_t* acc


cdef void* _pymem_array(Py_ssize_t n, size_t size) except NULL:
    # PyMem memory for n + 1 items (n = 0 still gives a non-NULL pointer), freed with
    # PyMem_Free under the GIL; MemoryError when there is none.
    cdef void* p = PyMem_Malloc((n + 1) * size)
    if p == NULL:
        raise MemoryError()
    return p


# --- Copying a lowered index (`patterns.automaton.LoweredIndex`) into C arrays ------------------------
#
# The writer lowered every column already; these only copy, and check what a probe's reads rely
# on (lengths, offsets, references below the number of local lists), so that a malformed record
# raises here instead of being read out of bounds later. A column of items gets one item more
# than it holds (`_col_array`): a pointer is never NULL once built, and it is freed in
# `__dealloc__` (`_col_free`). An empty column (most: an index holds one or two kinds of
# structure), and the offsets [0] of no local list, are no allocation but `_NO_ITEMS`, zeros
# shared by every index and never written: at 10,000 tenant rules the empty columns were 12 of
# the 14 allocations of an index.

cdef uint64_t _NO_ITEMS[N_TAGS]  # zeros (a C global): every empty column's items, never written


cdef void* _col_array(Py_ssize_t n, size_t size) except NULL:
    # A column of n items (n + 1 allocated; none: `_NO_ITEMS`, which nothing writes).
    if n == 0:
        return <void*>_NO_ITEMS
    return _pymem_array(n, size)


cdef inline void _col_free(void* p) noexcept:
    if p != <void*>_NO_ITEMS:
        PyMem_Free(p)


cdef enum:
    # Key tables of at most this many slots are allocated as they are (a probe reads one or two
    # lines: the slots are 32 bytes), larger ones on a cache-line boundary (`_keys_alloc`).
    SMALL_KEY_SLOTS = 4

cdef KeySlot _NO_KEYS[1]  # the one (empty) slot of every index with no string key, never written
_NO_KEYS[0].len = -1


cdef int _index_keys_alloc(KeyTable* t, Py_ssize_t n, bytes keys) except -1:
    # `_keys_alloc` for an index's strings: no key, the shared empty table (mask 0: every probe
    # reads its one empty slot); a few keys (the per-tenant index: one prefix, two anything-but
    # words), the fewest slots that keep it at most half full, unaligned; else `_keys_alloc`.
    cdef Py_ssize_t size = 2, i
    if n == 0:
        t.mem = NULL
        t.slots = _NO_KEYS
        t.mask = 0
        t.key_data = keys
        return 0
    while size < 2 * n:
        size *= 2
    if size > SMALL_KEY_SLOTS:
        return _keys_alloc(t, n, keys)
    t.mem = PyMem_Malloc(size * sizeof(KeySlot))
    if t.mem == NULL:
        raise MemoryError()
    t.slots = <KeySlot*>t.mem
    t.mask = size - 1
    t.key_data = keys
    memset(t.slots, 0, size * sizeof(KeySlot))
    for i in range(size):
        t.slots[i].len = -1
    return 0

cdef Py_ssize_t _column(col, char typecode) except -1:
    # The length of an `array` column of `typecode` ('q': int64 items, 'Q': uint64); None: 0.
    if col is None:
        return 0
    if type(col) is not array.array or (<array.array>col).ob_descr.typecode != typecode:
        raise TypeError(f"Expected `array('{chr(typecode)}')`, got `{type(col).__name__}`")
    return len(col)


cdef int32_t* _i32_column(col, Py_ssize_t n, Py_ssize_t below) except NULL:
    # A copy of an int64 column as int32: n items (n < 0: any number), each within 32 bits and,
    # when below >= 0, under `below` (a reference: below the number of local lists; a DFA state:
    # below the number of states). OverflowError or ValueError otherwise.
    cdef Py_ssize_t m = _column(col, c'q'), i
    cdef const long long* src
    cdef long long x
    if n >= 0 and m != n:
        raise ValueError(f"a lowered column holds {m} items, not {n}")
    cdef int32_t* dst = <int32_t*>_col_array(m, sizeof(int32_t))
    if m:
        src = (<array.array>col).data.as_longlongs
        for i in range(m):
            x = src[i]
            if x < INT32_MIN or x > INT32_MAX or (below >= 0 and x >= below):
                _col_free(dst)
                if x < INT32_MIN or x > INT32_MAX:
                    raise OverflowError(f"{x} passes 32 bits")
                raise ValueError(f"a lowered column names {x}, not below {below}")
            dst[i] = <int32_t>x
    return dst


cdef uint64_t* _u64_column(col, Py_ssize_t n) except NULL:
    # A copy of a uint64 column of n items (n < 0: any number).
    cdef Py_ssize_t m = _column(col, c'Q')
    if n >= 0 and m != n:
        raise ValueError(f"a lowered column holds {m} items, not {n}")
    cdef uint64_t* dst = <uint64_t*>_col_array(m, sizeof(uint64_t))
    if m:
        memcpy(dst, (<array.array>col).data.as_ulonglongs, m * sizeof(uint64_t))
    return dst


cdef Py_ssize_t* _offsets_column(col, Py_ssize_t n, Py_ssize_t total) except NULL:
    # A copy of an offsets column: n + 1 items (n < 0: any number of groups) rising from 0 to
    # `total`, the items the groups share, so that every group off[i]..off[i + 1] is inside them.
    cdef Py_ssize_t m = _column(col, c'q'), i
    cdef const long long* src
    if m < 1 or (n >= 0 and m != n + 1):
        raise ValueError(f"a lowered offsets column holds {m} items, not {n + 1}")
    src = (<array.array>col).data.as_longlongs
    if src[0] != 0 or src[m - 1] != total:
        raise ValueError("lowered offsets do not run from 0 to their items' end")
    if m == 1:
        return <Py_ssize_t*>_NO_ITEMS  # [0]: no group
    cdef Py_ssize_t* dst = <Py_ssize_t*>_col_array(m, sizeof(Py_ssize_t))
    for i in range(m):
        if i and src[i] < src[i - 1]:
            _col_free(dst)
            raise ValueError("lowered offsets go down")
        dst[i] = <Py_ssize_t>src[i]
    return dst


cdef int _keys_fill(KeyTable* t, bytes keys, entries, Py_ssize_t below) except -1:
    # Fills `t` with the string keys of a lowered index (`LoweredIndex.key_data` and `.entries`:
    # (tag, length in bytes, reference) triples, the keys' bytes one after the other in `keys`),
    # no (tag, key) twice; key_data then points into `keys`, which the caller keeps as long as
    # `t`. Each triple is checked: its key inside `keys`, its tag a tag, its reference below
    # `below` (the number of local lists).
    cdef Py_ssize_t n = _column(entries, c'q'), i, off = 0, size = len(keys)
    cdef const long long* e
    if n % 3:
        raise ValueError("lowered key entries come in threes")
    n //= 3
    _index_keys_alloc(t, n, keys)
    if not n:
        return 0
    e = (<array.array>entries).data.as_longlongs
    for i in range(n):
        if not (0 < e[3 * i] < N_TAGS and 0 <= e[3 * i + 1] <= size - off
                and INT32_MIN <= e[3 * i + 2] < below):
            raise ValueError("a lowered key is outside its bytes, its tags or its lists")
        _keys_put(t, <int32_t>e[3 * i], off, e[3 * i + 1], <int32_t>e[3 * i + 2])
        off += e[3 * i + 1]
    return 0


cdef Py_ssize_t* _ssize_lengths(col) except NULL:
    # A copy of the affix key lengths (`LoweredIndex.lens`): each at least 0, so that a probe's
    # `length <= n` test keeps its reads inside the value.
    cdef Py_ssize_t m = _column(col, c'q'), i
    cdef Py_ssize_t* dst = <Py_ssize_t*>_col_array(m, sizeof(Py_ssize_t))
    for i in range(m):
        if (<array.array>col).data.as_longlongs[i] < 0:
            _col_free(dst)
            raise ValueError("a lowered key length is negative")
        dst[i] = <Py_ssize_t>(<array.array>col).data.as_longlongs[i]
    return dst


cdef int32_t _ref(j, Py_ssize_t below) except? -1:
    # One reference, within 32 bits (OverflowError) and below `below`, the number of local lists.
    cdef int32_t r = j
    if r >= below:
        raise ValueError(f"a lowered reference names {r}, not below {below}")
    return r


cdef int _dfa_build(CDfa* d, dfa, Py_ssize_t below) except -1:
    # Copies a `LoweredDFA` (its rows as the walk reads them: moves sorted by code point, none on
    # a lone surrogate; payloads as the index reads them) into d, whose pointers are NULL. States
    # are checked below n, payloads below `below` (references: the number of local lists; -1:
    # operand numbers, any).
    cdef Py_ssize_t n = _column(dfa.other, c'q'), n_moves = _column(dfa.mv_cp, c'q')
    d.other = _i32_column(dfa.other, n, n)
    d.mv_off = _offsets_column(dfa.mv_off, n, n_moves)
    d.mv_cp = <uint32_t*>_i32_column(dfa.mv_cp, n_moves, 0x110000)  # code points: non-negative
    d.mv_next = _i32_column(dfa.mv_next, n_moves, n)
    d.acc_off = _offsets_column(dfa.acc_off, n, _column(dfa.acc, c'q'))
    d.acc = _i32_column(dfa.acc, -1, below)
    d.n = n  # last: a failed build leaves n = -1, "no automaton"
    return 0


cdef void _dfa_free(CDfa* d) noexcept:
    _col_free(d.other)
    _col_free(d.mv_off)
    _col_free(d.mv_cp)
    _col_free(d.mv_next)
    _col_free(d.acc_off)
    _col_free(d.acc)


cdef Py_ssize_t _dfa_run(const CDfa* d, const unsigned char* s, Py_ssize_t n) noexcept nogil:
    # `WildcardDFA.run` up to its accepting set: the state after reading the code points of the
    # UTF-8 s[0:n], or -1 (the dead state: stopped at once). Every state the build stored is
    # below d.n, so each row and other[] read is in bounds; each sequence's bytes are checked to
    # lie inside s before they are read (the value is valid UTF-8, so that test never fails).
    cdef Py_ssize_t state = 0, i = 0, a, b, mid, end
    cdef uint32_t cp
    cdef unsigned char c
    if d.n <= 0:
        return -1  # no operands: `run` gives ()
    while i < n:
        c = s[i]
        if c < 0x80:
            cp = c
            i += 1
        elif c < 0xE0:  # 110xxxxx 10xxxxxx
            if i + 2 > n:
                return -1
            cp = ((c & 0x1F) << 6) | (s[i + 1] & 0x3F)
            i += 2
        elif c < 0xF0:  # 1110xxxx + 2 continuation bytes
            if i + 3 > n:
                return -1
            cp = ((c & 0x0F) << 12) | ((s[i + 1] & 0x3F) << 6) | (s[i + 2] & 0x3F)
            i += 3
        else:  # 11110xxx + 3 continuation bytes
            if i + 4 > n:
                return -1
            cp = (((c & 0x07) << 18) | ((s[i + 1] & 0x3F) << 12) | ((s[i + 2] & 0x3F) << 6)
                  | (s[i + 3] & 0x3F))
            i += 4
        a = d.mv_off[state]
        b = end = d.mv_off[state + 1]
        while a < b:
            mid = a + (b - a) // 2
            if d.mv_cp[mid] < cp:
                a = mid + 1
            else:
                b = mid
        state = d.mv_next[a] if a < end and d.mv_cp[a] == cp else d.other[state]
        if state < 0:
            return -1
    return state


cdef struct CRare:
    # The structures of a `CIndex` few indexes hold (see there): IP addresses, cidr ranges and
    # wildcard automata, 240 bytes an index held empty (a third of it) before they moved here.
    Py_ssize_t n_ip4
    uint64_t* ip4_keys
    int32_t* ip4_list
    Py_ssize_t n_ip6
    uint64_t* ip6_hi
    uint64_t* ip6_lo
    int32_t* ip6_list
    Py_ssize_t n_c4
    uint64_t* c4_keys
    int32_t* c4_slots
    Py_ssize_t n_c6
    uint64_t* c6_hi
    uint64_t* c6_lo
    int32_t* c6_slots
    CDfa wc
    CDfa abwc


cdef class CIndex:
    """One `ValueIndex` as C arrays: what the walk probes with an event value, without the GIL.

    Each array is a copy of a column of the index's lowered form (`ValueIndex.lowered`, the
    compiler's `LoweredIndex`, which documents the same columns in Python's terms):

        lists    local list j: list_items[list_off[j]:list_off[j + 1]], the ints of one list id
                 of the machine (target states, or anything-but operand numbers), each distinct
                 list id referenced by the index copied once. Every "list" below is such a
                 reference (`_push_ref`): a local list j >= 0; -2 - item for a list of one item
                 (most: one target state), which a probe then reads from the reference itself;
                 -1 for none
        strings  one `KeyTable` over the keys of every string structure: (tag, UTF-8 bytes)
                 -> list. A probe for a key of up to 16 bytes reads one cache line: the slot
                 holds the key's words (and a one-item list)
        affixes  per affix tag t, lens[lens_at[t]:lens_at[N_TAGS + t]]: the distinct key lengths in
                 *bytes*, ascending (a character prefix of valid UTF-8 is a byte prefix, so
                 comparing a value's first or last L bytes with the keys of L bytes is exact)
        numbers  num_keys[0:n_num] sorted `number_key`s of every bound, num_slots[0:2 n_num + 1]
                 the local list (or -1) of each elementary interval (slot 2i: the gap below key
                 i; 2i + 1: key i); abnum_keys[0:n_abnum] the sorted keys of the anything-but
                 numbers, abnum_list the exclusion list of each
        literal  [false, true, null] -> local list or -1; exists, exists_value: local list or -1
        ab       ab_list[0:n_ab]: anything-but operand i -> the local list of its targets
                 (n_ab < 0: the index has no anything-but)
        rare     the structures below, which few indexes hold, in one `CRare` allocated only
                 for an index holding one (NULL otherwise: an index of one tenant's prefix or
                 range is a third smaller without their empty fields); has_ip implies rare
        ip       ip4_keys[0:n_ip4] sorted IPv4 addresses of `ip_exact`, ip4_list the local list of
                 each; ip6_hi/ip6_lo[0:n_ip6] its IPv6 addresses as two u64 columns, sorted,
                 ip6_list; c4_keys[0:n_c4], c4_slots[0:2 n_c4 + 1] `cidr4_keys`/`cidr4_slots`
                 (local lists), c6_hi/c6_lo, c6_slots the same for cidr6 (n_c4, n_c6 < 0: absent);
                 has_ip: any of them, so the value is parsed
        wildcards  wc, abwc: `wildcard` (payloads: local lists) and `ab_wildcard` (operand
                 numbers) as `CDfa`s when their table was built (n < 0: absent, or left to Python)

    Keys a valid UTF-8 value can never equal or start/end with (strings holding a lone
    surrogate, which UTF-8 cannot encode) were left out by the lowering; NaN anything-but numbers
    likewise (a NaN equals nothing). Empty keys are kept: an empty prefix or suffix matches
    every string.

    Invariants: built once from a published index, immutable after, so any number of threads
    may probe it at once, without the GIL or a lock; every array is written in full by the
    build and owned by this object (freed in `__dealloc__`); key_data points into `keys` (the
    lowered `key_data` itself), which this object keeps alive.
    Why not dicts (the pure road): a probe would need the GIL and a Python object per value;
    here it reads only the value's bytes or double.
    """

    cdef CIndex base           # the index this one patches (`ValueIndex.patches`), or None
    cdef bint str_python       # a string value needs Python (a wildcard automaton not built)
    cdef bint num_python       # a number needs Python (numbers kept as a segment tree)
    cdef bint needs_fold       # some structure reads the casefolded string
    cdef uint32_t tags         # bit t set when the string structure of tag t is present
    cdef Py_ssize_t n_lists
    cdef Py_ssize_t* list_off
    cdef int32_t* list_items
    cdef KeyTable strings
    cdef bytes keys            # the bytes strings.key_data points into, kept alive here
    cdef Py_ssize_t* lens
    cdef int32_t* lens_at       # lens_start (N_TAGS entries), then lens_end; `_NO_ITEMS`: no affix
    cdef Py_ssize_t n_num
    cdef uint64_t* num_keys
    cdef int32_t* num_slots
    cdef Py_ssize_t n_abnum
    cdef uint64_t* abnum_keys
    cdef int32_t* abnum_list
    cdef int32_t literal[3]
    cdef int32_t exists
    cdef int32_t exists_value
    cdef Py_ssize_t n_ab
    cdef int32_t* ab_list
    cdef bint has_ip
    cdef CRare* rare           # IP addresses, cidr ranges, wildcards; NULL: the index has none

    def __cinit__(self):
        self.list_off = NULL
        self.list_items = NULL
        self.strings.mem = NULL
        self.lens = NULL
        self.num_keys = NULL
        self.num_slots = NULL
        self.abnum_keys = NULL
        self.abnum_list = NULL
        self.ab_list = NULL
        self.n_ab = -1
        self.exists = -1
        self.exists_value = -1
        self.literal[0] = self.literal[1] = self.literal[2] = -1
        self.rare = NULL
        self.lens_at = NULL

    def __init__(self, vi):
        if self.list_off != NULL:  # built already: a second build would leak and mutate it
            raise TypeError("a CIndex is built once")
        # Every column comes lowered by the writer (`patterns.lower.lower`): local lists,
        # references, UTF-8 keys, byte lengths, u64 halves, DFA rows. Here they are copied, and
        # checked (see `_i32_column`); a reference is below n_lists.
        lo = vi.lowered
        cdef Py_ssize_t t, start, end, n_lists = _column(lo.list_off, c'q') - 1
        self.str_python = lo.str_python
        self.num_python = lo.num_python
        self.needs_fold = lo.needs_fold
        self.tags = lo.tags
        self.n_lists = n_lists
        self.list_off = _offsets_column(lo.list_off, -1, _column(lo.list_items, c'q'))
        self.list_items = _i32_column(lo.list_items, -1, -1)  # states, or operand numbers
        self.lens = _ssize_lengths(lo.lens)
        if _column(lo.lens_start, c'q') != N_TAGS or _column(lo.lens_end, c'q') != N_TAGS:
            raise ValueError("the lowered affix lengths name another set of tags")
        self.lens_at = <int32_t*>_col_array(2 * N_TAGS if _column(lo.lens, c'q') else 0, sizeof(int32_t))
        for t in range(N_TAGS):
            start = (<array.array>lo.lens_start).data.as_longlongs[t]
            end = (<array.array>lo.lens_end).data.as_longlongs[t]
            if not 0 <= start <= end <= _column(lo.lens, c'q'):
                raise ValueError("lowered affix lengths outside their column")
            if self.lens_at != <int32_t*>_NO_ITEMS:  # (else every start and end is 0: no lengths)
                self.lens_at[t] = <int32_t>start  # below the column's length: an affix count
                self.lens_at[N_TAGS + t] = <int32_t>end
        self.n_num = _column(lo.num_keys, c'Q')
        self.num_keys = _u64_column(lo.num_keys, -1)
        # (no numbers read when n_num is 0: then the slots may be absent, or the one slot)
        self.num_slots = _i32_column(lo.num_slots, 2 * self.n_num + 1 if self.n_num else -1, n_lists)
        self.n_abnum = _column(lo.abnum_keys, c'Q')
        self.abnum_keys = _u64_column(lo.abnum_keys, -1)
        self.abnum_list = _i32_column(lo.abnum_refs, self.n_abnum, n_lists)
        if _column(lo.literal, c'q') != 3:
            raise ValueError("the lowered literals are not [false, true, null]")
        for t in range(3):
            self.literal[t] = _ref(lo.literal[t], n_lists)
        self.exists = _ref(lo.exists, n_lists)
        self.exists_value = _ref(lo.exists_value, n_lists)
        self.ab_list = _i32_column(lo.ab_refs, -1, n_lists)
        if lo.ab_refs is not None:
            self.n_ab = len(lo.ab_refs)
        self.has_ip = lo.has_ip
        if (lo.has_ip or lo.wildcard is not None or lo.ab_wildcard is not None
                or lo.cidr4_keys is not None or lo.cidr6_hi is not None
                or _column(lo.ip4_keys, c'Q') or _column(lo.ip4_refs, c'q') or _column(lo.ip6_hi, c'Q')
                or _column(lo.ip6_lo, c'Q') or _column(lo.ip6_refs, c'q')):
            self._build_rare(lo, n_lists)  # (so has_ip implies rare)
        self.keys = lo.key_data
        _keys_fill(&self.strings, self.keys, lo.entries, n_lists)

    cdef int _build_rare(self, lo, Py_ssize_t n_lists) except -1:
        self.rare = <CRare*>PyMem_Malloc(sizeof(CRare))
        if self.rare == NULL:
            raise MemoryError()
        memset(self.rare, 0, sizeof(CRare))
        self.rare.n_c4 = self.rare.n_c6 = -1
        self.rare.wc.n = self.rare.abwc.n = -1
        self.rare.n_ip4 = _column(lo.ip4_keys, c'Q')
        self.rare.ip4_keys = _u64_column(lo.ip4_keys, -1)
        self.rare.ip4_list = _i32_column(lo.ip4_refs, self.rare.n_ip4, n_lists)
        self.rare.n_ip6 = _column(lo.ip6_hi, c'Q')
        self.rare.ip6_hi = _u64_column(lo.ip6_hi, -1)
        self.rare.ip6_lo = _u64_column(lo.ip6_lo, self.rare.n_ip6)
        self.rare.ip6_list = _i32_column(lo.ip6_refs, self.rare.n_ip6, n_lists)
        if lo.cidr4_keys is not None:
            self.rare.c4_keys = _u64_column(lo.cidr4_keys, -1)
            self.rare.c4_slots = _i32_column(lo.cidr4_refs, 2 * len(lo.cidr4_keys) + 1, n_lists)
            self.rare.n_c4 = len(lo.cidr4_keys)
        if lo.cidr6_hi is not None:
            self.rare.c6_hi = _u64_column(lo.cidr6_hi, -1)
            self.rare.c6_lo = _u64_column(lo.cidr6_lo, len(lo.cidr6_hi))
            self.rare.c6_slots = _i32_column(lo.cidr6_refs, 2 * len(lo.cidr6_hi) + 1, n_lists)
            self.rare.n_c6 = len(lo.cidr6_hi)
        if lo.wildcard is not None:
            _dfa_build(&self.rare.wc, lo.wildcard, n_lists)  # payloads: references
        if lo.ab_wildcard is not None:
            _dfa_build(&self.rare.abwc, lo.ab_wildcard, -1)  # payloads: operand numbers, any
        return 0

    def __dealloc__(self):
        _col_free(self.list_off)
        _col_free(self.list_items)
        PyMem_Free(self.strings.mem)  # NULL for the shared empty table
        _col_free(self.lens)
        _col_free(self.lens_at)
        _col_free(self.num_keys)
        _col_free(self.num_slots)
        _col_free(self.abnum_keys)
        _col_free(self.abnum_list)
        _col_free(self.ab_list)
        if self.rare != NULL:
            _col_free(self.rare.ip4_keys)
            _col_free(self.rare.ip4_list)
            _col_free(self.rare.ip6_hi)
            _col_free(self.rare.ip6_lo)
            _col_free(self.rare.ip6_list)
            _col_free(self.rare.c4_keys)
            _col_free(self.rare.c4_slots)
            _col_free(self.rare.c6_hi)
            _col_free(self.rare.c6_lo)
            _col_free(self.rare.c6_slots)
            _dfa_free(&self.rare.wc)
            _dfa_free(&self.rare.abwc)
            PyMem_Free(self.rare)

    # --- probing -------------------------------------------------------------------------------

    cdef inline int32_t _lookup(self, int32_t tag, const unsigned char* p, Py_ssize_t n) noexcept nogil:
        # What key p[0:n] in the structure `tag` maps to (see `_push_ref`), or -1.
        return _keys_find_call(&self.strings, tag, p, n)

    cdef inline int _push_list(self, int32_t j, IntBuf* out) noexcept nogil:
        # Appends the ints of local list j (0 <= j < n_lists: the build stored only such j);
        # list_off has n_lists + 1 entries, so list_off[j + 1] is in bounds, and the items
        # between two offsets were written by the build.
        cdef Py_ssize_t i
        for i in range(self.list_off[j], self.list_off[j + 1]):
            if intbuf_push(out, self.list_items[i]) < 0:
                return -1
        return 0

    cdef inline int _push_ref(self, int32_t j, IntBuf* out) noexcept nogil:
        # Appends what a reference (`ref` in the build) stands for: local list j (j >= 0), the
        # one int -2 - j (j <= -2: a list of one item, kept in place of the reference), or
        # nothing (-1: no list; also `_lookup`'s "no such key").
        if j >= 0:
            return self._push_list(j, out)
        if j <= -2:
            return intbuf_push(out, -2 - j)
        return 0

    cdef inline int _affixes(self, int32_t tag, const unsigned char* p, Py_ssize_t n, bint suffix,
                             IntBuf* out) noexcept nogil:
        # `_affixes` of the pure twin over bytes: the lists of the keys of `tag` that p[0:n]
        # starts (ends) with. Only lengths L <= n are tried, so p[0:L] and p[n - L:n] are in p.
        cdef Py_ssize_t i, length
        for i in range(self.lens_at[tag], self.lens_at[N_TAGS + tag]):
            length = self.lens[i]
            if length > n:  # ascending: no longer key fits either
                return 0
            if self._push_ref(self._lookup(tag, p + (n - length) if suffix else p, length), out) < 0:
                return -1
        return 0

    cdef inline int _probe_ip(self, const unsigned char* s, Py_ssize_t n, IntBuf* out) noexcept nogil:
        # `fire`'s IP part: the value parsed as `parse_ip` parses it, then `ip_exact` and the cidr
        # slots of its version (`_slot`). Each bisect gives i <= n_x, and slot 2i or 2i + 1 (only
        # when i < n_x) is below 2 n_x + 1: every read is in bounds.
        cdef uint64_t hi = 0, lo = 0
        cdef Py_ssize_t i
        cdef int32_t j
        cdef int version = _parse_ip(s, n, &hi, &lo)
        if version == 4:
            if self.rare.n_ip4:
                i = _lower_bound(self.rare.ip4_keys, self.rare.n_ip4, lo)
                if i < self.rare.n_ip4 and self.rare.ip4_keys[i] == lo and self._push_ref(self.rare.ip4_list[i], out) < 0:
                    return -1
            if self.rare.n_c4 >= 0:
                i = _lower_bound(self.rare.c4_keys, self.rare.n_c4, lo)
                j = self.rare.c4_slots[2 * i + 1 if i < self.rare.n_c4 and self.rare.c4_keys[i] == lo else 2 * i]
                if self._push_ref(j, out) < 0:
                    return -1
        elif version == 6:
            if self.rare.n_ip6:
                i = _lower_bound2(self.rare.ip6_hi, self.rare.ip6_lo, self.rare.n_ip6, hi, lo)
                if (i < self.rare.n_ip6 and self.rare.ip6_hi[i] == hi and self.rare.ip6_lo[i] == lo
                        and self._push_ref(self.rare.ip6_list[i], out) < 0):
                    return -1
            if self.rare.n_c6 >= 0:
                i = _lower_bound2(self.rare.c6_hi, self.rare.c6_lo, self.rare.n_c6, hi, lo)
                j = self.rare.c6_slots[2 * i + 1 if i < self.rare.n_c6 and self.rare.c6_hi[i] == hi and self.rare.c6_lo[i] == lo
                                  else 2 * i]
                if self._push_ref(j, out) < 0:
                    return -1
        return 0

    cdef inline bint _has(self, int32_t tag) noexcept nogil:
        return (self.tags >> tag) & 1

    cdef int probe(self, const CValue* v, IntBuf* out) noexcept nogil:
        """Append the target states `fire` gives for v; 0, or 1 (Python's value), or -1 (memory)."""
        cdef unsigned char small[FOLD_STACK]
        cdef unsigned char* folded = NULL
        cdef Py_ssize_t i
        cdef unsigned char c
        cdef int r
        if v.kind != V_STR:
            if v.kind == V_NUM and self.num_python:
                return 1
            return self._probe(v, NULL, out)
        if self.str_python:
            return 1
        if self.needs_fold:
            if not v.ascii:
                return 1  # full Unicode casefolding: Python's
            # (small[0] is set only so that gcc sees the buffer written: an empty value reads none)
            small[0] = 0
            folded = &small[0] if v.n <= FOLD_STACK else <unsigned char*>malloc(v.n)
            if folded == NULL:
                return -1
            # An ASCII string's casefold() is its ASCII lowercase: 'A'..'Z' -> 'a'..'z'.
            # i < v.n: inside the value and inside the buffer (FOLD_STACK or v.n bytes long).
            for i in range(v.n):
                c = v.s[i]
                folded[i] = c + 32 if 65 <= c <= 90 else c  # 65..90: 'A'..'Z'; +32: lowercase
        r = self._probe(v, folded, out)
        if folded != NULL and folded != &small[0]:
            free(folded)
        return r

    cdef int _probe(self, const CValue* v, const unsigned char* folded, IntBuf* out) noexcept nogil:
        # `fire` for one value; `folded` is the casefolded string (v.n bytes) when needs_fold.
        cdef Py_ssize_t base = out.n, xb, xe, i, e, m
        cdef int32_t j
        cdef uint64_t key
        cdef int kind = v.kind
        cdef const unsigned char* s = v.s
        cdef Py_ssize_t n = v.n
        cdef const unsigned char* fs = folded if folded != NULL else s
        # --- what the value hits ---
        if kind == V_STR:
            if self._has(T_EXACT):
                j = self._lookup(T_EXACT, s, n)
                if j == -1 and self.base is not None:  # not in the overlay: the base's answer
                    j = self.base._lookup(T_EXACT, s, n)
                    if j != -1 and self.base._push_ref(j, out) < 0:
                        out.n = base
                        return -1
                elif j != GONE and self._push_ref(j, out) < 0:
                    out.n = base
                    return -1
            if self._has(T_FOLDED):
                if self._push_ref(self._lookup(T_FOLDED, fs, n), out) < 0:
                    out.n = base
                    return -1
            if ((self._has(T_PREFIX) and self._affixes(T_PREFIX, s, n, False, out) < 0)
                    or (self._has(T_PREFIX_CI) and self._affixes(T_PREFIX_CI, fs, n, False, out) < 0)
                    or (self._has(T_SUFFIX) and self._affixes(T_SUFFIX, s, n, True, out) < 0)
                    or (self._has(T_SUFFIX_CI) and self._affixes(T_SUFFIX_CI, fs, n, True, out) < 0)):
                out.n = base
                return -1
            if self.rare != NULL and self.rare.wc.n >= 0:
                # the accepting state's payloads are local lists (acc_off has n + 1 entries)
                e = _dfa_run(&self.rare.wc, s, n)
                if e >= 0:
                    for i in range(self.rare.wc.acc_off[e], self.rare.wc.acc_off[e + 1]):
                        if self._push_ref(self.rare.wc.acc[i], out) < 0:
                            out.n = base
                            return -1
            if self.has_ip and self._probe_ip(s, n, out) < 0:
                out.n = base
                return -1
        elif kind == V_NUM:
            if self.n_num:
                key = _number_key(v.d)
                i = _lower_bound(self.num_keys, self.n_num, key)
                # i <= n_num, so the slot 2i or 2i + 1 (only when i < n_num) is below 2 n_num + 1
                j = self.num_slots[2 * i + 1 if i < self.n_num and self.num_keys[i] == key else 2 * i]
                if self._push_ref(j, out) < 0:
                    out.n = base
                    return -1
        elif kind == V_TRUE or kind == V_FALSE or kind == V_NULL:
            # literal: [false, true, null]
            j = self.literal[0 if kind == V_FALSE else 1 if kind == V_TRUE else 2]
            if self._push_ref(j, out) < 0:
                out.n = base
                return -1
        # V_BIG: present, but comparable with nothing: only exists and anything-but below
        if self._push_ref(self.exists, out) < 0:
            out.n = base
            return -1
        if (self.exists_value != -1 and kind != V_NULL and not (kind == V_STR and n == 0)
                and self._push_ref(self.exists_value, out) < 0):
            out.n = base
            return -1
        if self.n_ab < 0:
            return 0
        # --- anything-but: the excluded operand numbers go to out[xb:xe] as scratch space (it
        # grows through intbuf_push as far as a value needs: no cap), sorted, then every
        # operand not among them appends its targets after them, and the scratch is closed ---
        xb = out.n
        if kind == V_STR:
            if self._has(T_AB_STR):
                if self._push_ref(self._lookup(T_AB_STR, s, n), out) < 0:
                    out.n = base
                    return -1
            if self._has(T_AB_FOLDED):
                if self._push_ref(self._lookup(T_AB_FOLDED, fs, n), out) < 0:
                    out.n = base
                    return -1
            # as `fire` does: anything-but prefix and suffix read the value as it is, not folded
            if ((self._has(T_AB_PREFIX) and self._affixes(T_AB_PREFIX, s, n, False, out) < 0)
                    or (self._has(T_AB_SUFFIX) and self._affixes(T_AB_SUFFIX, s, n, True, out) < 0)):
                out.n = base
                return -1
            if self.rare != NULL and self.rare.abwc.n >= 0:
                # the accepting state's payloads are operand numbers: excluded, into the scratch
                e = _dfa_run(&self.rare.abwc, s, n)
                if e >= 0:
                    for i in range(self.rare.abwc.acc_off[e], self.rare.abwc.acc_off[e + 1]):
                        if intbuf_push(out, self.rare.abwc.acc[i]) < 0:
                            out.n = base
                            return -1
        elif kind == V_NUM and self.n_abnum and v.d == v.d:  # v.d != v.d: NaN equals no number
            key = _number_key(v.d)
            i = _lower_bound(self.abnum_keys, self.n_abnum, key)
            if i < self.n_abnum and self.abnum_keys[i] == key:  # i < n_abnum: in bounds
                if self._push_ref(self.abnum_list[i], out) < 0:
                    out.n = base
                    return -1
        xe = out.n
        m = xe - xb
        if m > 1:
            # One hit's list comes sorted (the machine's lists are); several hits are sorted here.
            # out.p[xb:xe] lies inside the buffer: those ints were just pushed there.
            for e in range(xb + 1, xe):
                if out.p[e - 1] > out.p[e]:
                    qsort(out.p + xb, m, sizeof(int32_t), _cmp_int32)
                    break
        e = xb
        for i in range(self.n_ab):
            # out.p is read afresh each time: a push may have moved the buffer; e < xe <= out.n
            while e < xe and out.p[e] < i:
                e += 1
            if e < xe and out.p[e] == i:
                continue  # operand i excluded
            if self._push_ref(self.ab_list[i], out) < 0:  # i < n_ab: ab_list[i] was written
                out.n = base
                return -1
        if m:
            # close the scratch: the targets out[xe:out.n] move down to xb (overlapping: memmove)
            memmove(out.p + xb, out.p + xe, (out.n - xe) * sizeof(int32_t))
            out.n -= m
        return 0


def compile_index(vi) -> CIndex:
    """Copy one published value index's lowered form into C arrays a probe reads without the GIL.

    Args:
        vi: a `patterns.automaton.ValueIndex`, published (never written again), with its
            `lowered` columns (the compiler's `LoweredIndex`).

    Returns:
        An immutable `CIndex`, safe to probe from any number of threads at once.

    Raises:
        MemoryError: the arrays could not be allocated.
        OverflowError: a state or operand number beyond 32 bits.
        TypeError, ValueError: a column is not what `LoweredIndex` says it is (another type,
            another length, offsets out of order, a reference to no local list).
    """
    cdef CIndex ci = CIndex(vi)
    cdef object patched = vi.patches
    if patched is not None:  # an overlay of exact keys: the rest are the base's
        if patched.cwalk is None:
            patched.cwalk = compile_index(patched)
        ci.base = patched.cwalk
        ci.tags |= 1 << T_EXACT
    return ci


def probe_value(CIndex ci not None, value):
    """What `ci.probe` appends for one Python scalar (test hook).

    Args:
        ci: the index.
        value: an event scalar: str, int, float, bool, None or `patterns.events.BigNumber`.

    Returns:
        The target states appended (in probe order), or None when the probe leaves this value
        to Python (it returned 1) or the string has no UTF-8 form (a lone surrogate).

    Raises:
        MemoryError: the probe ran out of memory.
        TypeError: not an event scalar.
    """
    cdef CValue v
    cdef IntBuf out
    cdef bytes encoded
    cdef int r
    memset(&v, 0, sizeof(CValue))
    t = type(value)
    if t is str:
        try:
            encoded = (<str>value).encode("utf-8")
        except UnicodeEncodeError:
            return None
        v.kind = V_STR
        v.s = encoded
        v.n = len(encoded)
        v.ascii = (<str>value).isascii()
    elif t is bool:
        v.kind = V_TRUE if value else V_FALSE
    elif value is None:
        v.kind = V_NULL
    elif t is BigNumber:
        v.kind = V_BIG
    elif t is int or t is float:
        v.kind = V_NUM
        v.d = as_double(value)
    else:
        raise TypeError(f"Expected an event scalar, got `{t.__name__}`")
    out.p = NULL
    out.n = 0
    out.cap = 0
    out.on_heap = False
    try:
        with nogil:
            r = ci.probe(&v, &out)
        if r < 0:
            raise MemoryError()
        if r == 1:
            return None
        return [out.p[i] for i in range(out.n)]
    finally:
        free(out.p)
