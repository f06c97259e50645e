# The scan stage: raw JSON in, the leaves on rule paths out (docs/scanner.md). Included by
# _match_c.pyx first; the types it hands on are in _shared.pxi.
#
# Reads: an event's bytes (str, bytes, bytearray or a C-contiguous memoryview) and a `ScanTable`,
# the rule paths as bytes (built here, once per published tables, over a key table: key_table.h).
# Gives: `ScanOut`, the C leaves (`CLeaf`) and contexts a walk reads (`_scan_core`); or, for
# `scan_leaves`, the same leaves as Python objects, read from their text as `decode_event` reads
# them (`_text_str`, `_number_object`).
#
# `scan_leaves` reads raw JSON once and gives what `select_leaves(decode_event(raw), ...)` gives,
# or None when it cannot promise that (the caller then takes the slow road, which also words the
# error of an invalid event). Only values on rule paths become Python objects; every other byte
# is validated (JSON grammar, strict UTF-8, depth) in C loops and dropped. A plain event's string
# ends are read from its quote index (quote_index.h); digit runs are found a word at a time
# (number_parse.h, `_digits_end`).
#
# Bounds: the scanner reads the caller's buffer through a raw pointer, which no Cython directive
# checks (boundscheck and wraparound, off in setup.py, only ever guard buffers and memoryviews),
# so every read `buf[i]` below is preceded by a test `i < n` (or `i + k <= n` for a k-byte read);
# those tests, not a directive, keep it inside the buffer on any input (tests/unit/test_scan.py
# passes views of a larger buffer whose next bytes would complete a cut event, and the suite ran
# under AddressSanitizer). The frame and key stacks are C arrays indexed below their capacity,
# tested before each push.


cdef enum:
    # When some number of the event overflows a double, orjson refuses the event and
    # `decode_event` reads it again with the standard library, which recurses once per level
    # under Python's recursion limit (1,000 frames, the caller's included): deeper than this,
    # the scanner leaves such an event to the slow road.
    FALLBACK_SAFE_DEPTH = 64
    # Rule-path keys met in the objects open at one time (the duplicate check); more: bail out.
    MAX_OPEN_KEYS = 1024
    # What of those the C stack holds (the rest moves to the heap when an event needs it), as
    # SMALL_DEPTH of the MAX_DEPTH frames
    SMALL_KEYS = 64
    # A double holds magnitudes below ~1.8e308: a number below 10**308 cannot overflow one.
    SAFE_DECIMAL_EXPONENT = 308
    # A double holds no integer of more than 309 digits (`events._INT_DIGITS_THAT_MAY_FIT`).
    INT_DIGITS_THAT_MAY_FIT = 309
    # parser states
    ST_VALUE = 0      # a value for (target node, target context) starts here
    ST_OBJ_FIRST = 1  # after '{': '}' or a key
    ST_OBJ_KEY = 2    # after ',' in an object: a key
    ST_ARR_FIRST = 3  # after '[': ']' or a value
    ST_AFTER = 4      # after a value: ',' or the container's end
    # Quote index words the C stack holds (events up to 4 KB); larger events' go on the heap
    SMALL_QWORDS = 64
    CACHE_LINE = 64  # bytes; a KeyTable's slots are aligned to it (see KeySlot)


cdef object MAX_DOUBLE_INT_OBJ = 1 << 1024


# --- Key tables (key_table.h reads them): the scanner's field names, the values' strings ----------

cdef bytes _keys_build(KeyTable* t, list entries):
    # Fills `t` with entries [(tag, key bytes, value)], no (tag, key) twice. Returns the bytes
    # object key_data points into: the caller keeps it as long as `t`. (Assigning a Python int
    # to an int32_t raises OverflowError beyond its range: nothing is silently cut.)
    cdef Py_ssize_t n = len(entries), i, off = 0
    keys = b"".join([key for _, key, _ in entries])
    _keys_alloc(t, n, keys)
    for i in range(n):
        tag, key, value = entries[i]
        _keys_put(t, tag, off, len(key), value)  # off + len(key) <= len(keys)
        off += len(key)
    return keys


cdef int _keys_alloc(KeyTable* t, Py_ssize_t n, bytes keys) except -1:
    # Empty slots for n keys whose bytes are `keys`, at most half full (short probe runs, and a
    # free slot always).
    cdef Py_ssize_t size = 8, i
    while size < 2 * n:
        size *= 2
    if len(keys) > INT32_MAX:
        raise OverflowError("the keys of one table pass 2 GB")
    # CACHE_LINE - 1 bytes more than the slots need, so they can start on a line boundary
    t.mem = PyMem_Malloc(size * sizeof(KeySlot) + CACHE_LINE - 1)
    if t.mem == NULL:
        raise MemoryError()
    t.slots = <KeySlot*>((<uintptr_t>t.mem + (CACHE_LINE - 1)) & ~(<uintptr_t>(CACHE_LINE - 1)))
    t.mask = size - 1
    t.key_data = keys
    memset(t.slots, 0, size * sizeof(KeySlot))
    for i in range(size):
        t.slots[i].len = -1
    return 0


cdef inline void _keys_put(KeyTable* t, int32_t tag, Py_ssize_t off, Py_ssize_t klen, int32_t value) noexcept:
    # Stores key t.key_data[off:off + klen] (inside the keys, <= INT32_MAX bytes: `_keys_alloc`)
    # under `tag` in the first free slot of its probe run (there is one: at most half full).
    cdef uint64_t h, a, b
    cdef KeySlot* ks
    cdef Py_ssize_t slot
    h = _key_hash(tag, t.key_data + off, klen, &a, &b)
    slot = h & t.mask
    while t.slots[slot].len >= 0:
        slot = (slot + 1) & t.mask
    ks = &t.slots[slot]
    ks.a = a
    ks.b = b
    ks.tag = tag
    ks.len = <int32_t>klen
    ks.off = <int32_t>off
    ks.value = value


cdef inline void _keys_free(KeyTable* t) noexcept:
    PyMem_Free(t.mem)
    t.mem = NULL
    t.slots = NULL


# --- The rule paths as bytes ----------------------------------------------------------------------

cdef class ScanTable:
    """The rule paths as the byte scanner reads them, built once per published tables.

        node     a path of `prefixes` ("" is node 0, the event itself)
        edge     (parent node, key bytes) -> child node, for every way one JSON key extends a
                 path: "a.b.c" is reached from "" by the key "a.b.c", from "a" by "b.c" and
                 from "a.b" by "c" (dotted keys join like nesting); "" by "" from "" (a key ""
                 at the top is invisible in paths)
        node_pid[n]      path id of node n, or -1 (a prefix no rule names as a whole)
        node_edges[n]    how many edges leave n (0: an object there holds no rule path)
        node_lens[n]     bit i set when a key of i bytes (63: 63 or more) leaves n, so most keys
                         off rule paths are refused before they are hashed
        node_up[n]       the node of n's longest proper dotted prefix ("a.b" for "a.b.c"; node 0
                         for a path without a dot; -1 for node 0): the walk reads which arrays
                         lie on the way to a path (exists:false, per element) without strings
        pid_node[p]      the node of path id p (-1: none)
        edges            a `KeyTable` of the edges: (parent node, key bytes) -> child node

        trust_skipped    False (the default): every byte of the event is validated. True: the
                         containers no rule path enters, in plain events, are skipped by their
                         brackets alone (trusted_skip.h), unvalidated; for events from a
                         producer that already validated them. Set it, if at all, before the
                         table is published (the owner's `trust_events` option).

    Invariants: immutable once published; read by any number of threads at once.
    Why not a dict of dotted strings (the pure road): the scanner would build a str per key.
    """

    cdef Py_ssize_t n_nodes
    cdef int32_t* node_pid
    cdef int32_t* node_edges
    cdef uint64_t* node_lens
    cdef int32_t* node_up
    cdef int32_t* pid_node
    cdef KeyTable edges
    cdef bytes keys  # the bytes edges.key_data points into, kept alive here
    cdef tuple paths
    cdef tuple pid_objs
    cdef Py_ssize_t n_pids  # path ids run below this (the largest + 1)
    cdef public bint trust_skipped  # see the class docstring; False unless its owner opts in

    def __cinit__(self):
        self.trust_skipped = False
        self.node_pid = NULL
        self.node_edges = NULL
        self.node_lens = NULL
        self.node_up = NULL
        self.pid_node = NULL
        self.edges.mem = NULL

    def __init__(self, prefixes, path_ids):
        nodes = sorted(set(prefixes) | {""}, key=lambda p: (p != "", p))  # "" first: node 0
        index = {p: i for i, p in enumerate(nodes)}
        edges = []  # (parent, key bytes, child)
        for child, p in enumerate(nodes):
            if p == "":
                edges.append((0, b"", 0))
                continue
            for parent, key in [("", p)] + [(p[:j], p[j + 1 :]) for j, ch in enumerate(p) if ch == "." and j]:
                if parent not in index:
                    continue
                try:
                    encoded = key.encode("utf-8")
                except UnicodeEncodeError:  # a lone surrogate: the scanner bails out on those
                    continue
                edges.append((index[parent], encoded, child))
        cdef Py_ssize_t n_nodes = len(nodes), i, klen
        self.n_nodes = n_nodes
        self.node_pid = <int32_t*>PyMem_Malloc(n_nodes * sizeof(int32_t))
        self.node_edges = <int32_t*>PyMem_Malloc(n_nodes * sizeof(int32_t))
        self.node_lens = <uint64_t*>PyMem_Malloc(n_nodes * sizeof(uint64_t))
        if not self.node_pid or not self.node_edges or not self.node_lens:
            raise MemoryError()
        pids = []
        for i in range(n_nodes):
            pid = path_ids.get(nodes[i])
            self.node_pid[i] = -1 if pid is None else pid
            pids.append(pid)
            self.node_edges[i] = 0
            self.node_lens[i] = 0
        for pnode, key, _ in edges:
            klen = len(key)
            self.node_edges[pnode] += 1
            self.node_lens[pnode] |= (<uint64_t>1) << (klen if klen < 63 else 63)
        self.keys = _keys_build(&self.edges, edges)  # tag: the parent node; value: the child
        self.paths = tuple(nodes)
        self.pid_objs = tuple(pids)
        self.n_pids = max(path_ids.values(), default=-1) + 1
        self.node_up = <int32_t*>PyMem_Malloc(n_nodes * sizeof(int32_t))
        self.pid_node = <int32_t*>PyMem_Malloc((self.n_pids or 1) * sizeof(int32_t))
        if not self.node_up or not self.pid_node:
            raise MemoryError()
        for i in range(self.n_pids):
            self.pid_node[i] = -1
        for i in range(n_nodes):
            p = nodes[i]
            self.node_up[i] = -1 if i == 0 else 0
            j = p.rfind(".")
            while j > 0:
                up = index.get(p[:j])
                if up is not None:
                    self.node_up[i] = up
                    break
                j = p.rfind(".", 0, j)
            if pids[i] is not None:
                self.pid_node[pids[i]] = <int32_t>i

    def __dealloc__(self):
        PyMem_Free(self.node_pid)
        PyMem_Free(self.node_edges)
        PyMem_Free(self.node_lens)
        PyMem_Free(self.node_up)
        PyMem_Free(self.pid_node)
        _keys_free(&self.edges)

    cdef inline int32_t child(self, int32_t node, const unsigned char* p, Py_ssize_t n) noexcept nogil:
        """The node a key (its UTF-8 bytes) leads to from `node`, or -1."""
        if not (self.node_lens[node] >> (n if n < 63 else 63)) & 1:
            return -1
        return _keys_find(&self.edges, node, p, n)


def scan_table(prefixes, path_ids) -> ScanTable:
    """Build what `scan_leaves` reads for one set of rule paths (once per published tables).

    Args:
        prefixes: every rule path and every dotted prefix of one (`Tables.prefixes`).
        path_ids: rule path -> path id (`Tables.path_ids`).

    Returns:
        An opaque, immutable `ScanTable`, safe to share between threads.
    """
    return ScanTable(prefixes, path_ids)


# --- Strings and numbers: validated, their ends found, their text read ----------------------------

cdef inline uint64_t _special8(uint64_t w) noexcept nogil:
    # Non-zero when one of 8 bytes needs a look: '"', '\\', a control byte (< 0x20) or
    # non-ASCII; the first such byte (in memory order) has its high bit set in the result.
    # (v - 0x01..) & ~v & 0x80.. flags the zero bytes of v: exactly for the first one (a false
    # flag needs a borrow, which only a zero byte before it makes), so the first flag is exact.
    cdef uint64_t q = w ^ (ONES * 0x22)
    cdef uint64_t b = w ^ (ONES * 0x5C)
    return (((q - ONES) & ~q) | ((b - ONES) & ~b) | ((w - ONES * 0x20) & ~w) | w) & HIGHS


cdef inline int _hex(unsigned char c) noexcept nogil:
    if 48 <= c <= 57:
        return c - 48
    if 97 <= c <= 102:
        return c - 87
    if 65 <= c <= 70:
        return c - 55
    return -1


cdef inline int32_t _hex4(const unsigned char* buf, Py_ssize_t n, Py_ssize_t i) noexcept nogil:
    # the code unit of 4 hex digits at buf[i:i+4], or -1
    if i + 4 > n:
        return -1
    cdef int a = _hex(buf[i]), b = _hex(buf[i + 1]), c = _hex(buf[i + 2]), d = _hex(buf[i + 3])
    if a < 0 or b < 0 or c < 0 or d < 0:
        return -1
    return (a << 12) | (b << 8) | (c << 4) | d


cdef inline Py_ssize_t _escape_end(const unsigned char* buf, Py_ssize_t n, Py_ssize_t i,
                                   int32_t* cp) noexcept nogil:
    # buf[i] is a backslash: the index after its escape, its code point in cp, or -1 (invalid,
    # or a lone surrogate, which orjson refuses and decode_event reads in a second pass: bail).
    if i + 1 >= n:
        return -1
    cdef unsigned char c = buf[i + 1]
    cdef int32_t u, lo
    if c == 117:  # 'u'
        u = _hex4(buf, n, i + 2)
        if u < 0 or 0xDC00 <= u <= 0xDFFF:
            return -1
        if 0xD800 <= u <= 0xDBFF:
            if i + 8 > n or buf[i + 6] != 92 or buf[i + 7] != 117:
                return -1
            lo = _hex4(buf, n, i + 8)
            if lo < 0xDC00 or lo > 0xDFFF:
                return -1
            cp[0] = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00)
            return i + 12
        cp[0] = u
        return i + 6
    if c == 34 or c == 92 or c == 47:  # " \ /
        cp[0] = c
    elif c == 98:
        cp[0] = 8
    elif c == 102:
        cp[0] = 12
    elif c == 110:
        cp[0] = 10
    elif c == 114:
        cp[0] = 13
    elif c == 116:
        cp[0] = 9
    else:
        return -1
    return i + 2


cdef inline bint _cont(unsigned char c) noexcept nogil:
    return c & 0xC0 == 0x80


cdef inline Py_ssize_t _utf8_end(const unsigned char* buf, Py_ssize_t n, Py_ssize_t i) noexcept nogil:
    # buf[i] >= 0x80: the index after one strict UTF-8 sequence (RFC 3629: no overlongs, no
    # encoded surrogates, nothing past U+10FFFF), or -1.
    cdef unsigned char c = buf[i], b1
    if 0xC2 <= c <= 0xDF:
        if i + 2 > n or not _cont(buf[i + 1]):
            return -1
        return i + 2
    if 0xE0 <= c <= 0xEF:
        if i + 3 > n:
            return -1
        b1 = buf[i + 1]
        if c == 0xE0:
            if b1 < 0xA0 or b1 > 0xBF:
                return -1
        elif c == 0xED:
            if b1 < 0x80 or b1 > 0x9F:
                return -1
        elif not _cont(b1):
            return -1
        if not _cont(buf[i + 2]):
            return -1
        return i + 3
    if 0xF0 <= c <= 0xF4:
        if i + 4 > n:
            return -1
        b1 = buf[i + 1]
        if c == 0xF0:
            if b1 < 0x90 or b1 > 0xBF:
                return -1
        elif c == 0xF4:
            if b1 < 0x80 or b1 > 0x8F:
                return -1
        elif not _cont(b1):
            return -1
        if not _cont(buf[i + 2]) or not _cont(buf[i + 3]):
            return -1
        return i + 4
    return -1


cdef Py_ssize_t _string_end(const unsigned char* buf, Py_ssize_t n, Py_ssize_t i,
                            int* flags) noexcept nogil:
    # i: just after an opening quote. The index of the closing quote, or -1 (invalid JSON or
    # UTF-8, or a lone surrogate escape). Adds STR_ESCAPED to flags when a backslash was met,
    # STR_NON_ASCII when a byte >= 0x80 was.
    cdef uint64_t w, special
    cdef unsigned char c
    cdef int32_t cp
    while True:
        while i + 8 <= n:  # 8 plain ASCII bytes per step, then straight to the first other one
            memcpy(&w, buf + i, 8)
            special = _special8(w)
            if special:
                i += patterns_first_byte(special)
                break
            i += 8
        if i >= n:
            return -1
        c = buf[i]
        if c == 34:
            return i
        if c == 92:
            flags[0] |= STR_ESCAPED
            i = _escape_end(buf, n, i, &cp)
            if i < 0:
                return -1
        elif c < 0x20:
            return -1
        elif c < 0x80:
            i += 1
        else:
            flags[0] |= STR_NON_ASCII
            i = _utf8_end(buf, n, i)
            if i < 0:
                return -1


patterns_detect_cpu()  # once, at import: the widest quote index this CPU runs (quote_index.h)


def _quote_index(data: bytes, str impl="auto"):
    """The quote index of `data` (`patterns_quote_index`) for tests: (plain, words), words
    None when not plain; or None when `impl` ("auto", "sse2", "avx2" or "avx512") is not
    available here (no SSE2 build, or no such instructions on this CPU or compiler)."""
    cdef Py_ssize_t n = len(data), k
    cdef const unsigned char* buf = data
    cdef uint64_t* bits
    cdef int plain
    if impl not in ("auto", "sse2", "avx2", "avx512"):
        raise ValueError(f"Expected `impl` to be `auto`, `sse2`, `avx2` or `avx512`, got `{impl}`")
    if not HAVE_QUOTE_INDEX or patterns_simd < {"avx2": 1, "avx512": 2}.get(impl, 0):
        return None
    bits = <uint64_t*>PyMem_Malloc(((n + 63) // 64 + 1) * sizeof(uint64_t))
    if bits == NULL:
        raise MemoryError()
    try:
        if impl == "sse2":
            plain = patterns_quote_index_sse2(buf, n, bits, 0)
        elif impl == "avx2":
            plain = patterns_quote_index_avx2(buf, n, bits, 0)
        elif impl == "avx512":
            plain = patterns_quote_index_avx512(buf, n, bits, 0)
        else:
            plain = patterns_quote_index(buf, n, bits, 0)
        if not plain:
            return (False, None)
        return (True, [bits[k] for k in range((n + 63) // 64)])
    finally:
        PyMem_Free(bits)


cdef inline Py_ssize_t _quote_at_or_after(const uint64_t* qbits, Py_ssize_t n, Py_ssize_t i) noexcept nogil:
    # The first quote at or after i in a plain event (see `patterns_quote_index`), or -1.
    # qbits holds (n + 63) / 64 words and one more, zero (as `_scan_core` makes it); i < n
    # keeps i / 64 + 1 within them. Most strings end within 64 bytes: the 64 bits from i, read
    # across two words, answer them with no branch on where the word ends.
    cdef Py_ssize_t w, words
    cdef uint64_t m
    cdef int sh
    if i >= n:
        return -1
    w = i >> 6
    sh = i & 63
    m = (qbits[w] >> sh) | ((qbits[w + 1] << 1) << (63 - sh))  # (two shifts: sh = 0 shifts 64)
    if m:
        return i + patterns_ctz64(m)  # bits past n are clear: a set bit is a quote below n
    words = (n + 63) >> 6
    w += 2  # bits i .. i + 63 held none; the rest of word w + 1 is past i + 63
    m = qbits[w - 1] & ((~(<uint64_t>0)) << sh)  # word w + 1 from bit sh (all of it if sh = 0)
    if m:
        return ((w - 1) << 6) + patterns_ctz64(m)
    while w < words:
        m = qbits[w]
        if m:
            return (w << 6) + patterns_ctz64(m)
        w += 1
    return -1


cdef inline Py_ssize_t _str_end(const unsigned char* buf, Py_ssize_t n, Py_ssize_t i, int* flags,
                                const uint64_t* qbits) noexcept nogil:
    # `_string_end`, read from the quote index when the event is plain (qbits not NULL): its
    # strings hold neither escapes nor non-ASCII bytes, so no flag is added.
    if qbits != NULL:
        return _quote_at_or_after(qbits, n, i)
    return _string_end(buf, n, i, flags)


cdef struct NumInfo:
    bint is_int
    bint negative
    Py_ssize_t int_digits  # digits before any '.' or exponent ("0" counts 1)
    Py_ssize_t exponent    # the exponent's value, saturated at +-1,000,000



cdef Py_ssize_t _number_end(const unsigned char* buf, Py_ssize_t n, Py_ssize_t i,
                            NumInfo* info) noexcept nogil:
    # RFC 8259's number at buf[i]: the index after it, or -1.
    cdef Py_ssize_t start
    cdef Py_ssize_t e = 0
    cdef bint eneg = False
    info.is_int = True
    info.negative = False
    info.exponent = 0
    if buf[i] == 45:  # '-'
        info.negative = True
        i += 1
    if i >= n:
        return -1
    start = i
    if buf[i] == 48:  # '0': no leading zeros
        i += 1
    elif 49 <= buf[i] <= 57:
        i = _digits_end(buf, n, i + 1)
    else:
        return -1
    info.int_digits = i - start
    if i < n and buf[i] == 46:  # '.'
        info.is_int = False
        i += 1
        if i >= n or not (48 <= buf[i] <= 57):
            return -1
        i = _digits_end(buf, n, i + 1)
    if i < n and (buf[i] == 101 or buf[i] == 69):  # 'e' 'E'
        info.is_int = False
        i += 1
        if i < n and (buf[i] == 43 or buf[i] == 45):
            eneg = buf[i] == 45
            i += 1
        if i >= n or not (48 <= buf[i] <= 57):
            return -1
        while i < n and 48 <= buf[i] <= 57:
            if e < 1000000:
                e = e * 10 + (buf[i] - 48)
            i += 1
        info.exponent = -e if eneg else e
    return i


cdef extern from "trusted_skip.h":
    Py_ssize_t patterns_trusted_skip(const unsigned char* buf, Py_ssize_t n, Py_ssize_t i,
                                     const uint64_t* qbits, Py_ssize_t* max_depth) noexcept nogil


cdef extern from "number_scan.h":
    bint HAVE_NUMBER_SHAPE "PATTERNS_HAVE_NUMBER_SHAPE"
    int patterns_fast_scan
    void patterns_fast_scan_init() nogil
    int patterns_number_shape(const unsigned char* buf, Py_ssize_t n, Py_ssize_t i) noexcept nogil


patterns_fast_scan_init()  # once, at import: PATTERNS_SCALAR_SCAN=1 keeps every number byte by byte


_SCAN_MODES = {"careful": 0, "auto": 1}


def _scan_mode(str mode) -> str:
    """For tests and benchmarks: how the scanner reads numbers.

    "auto" (the default, unless PATTERNS_SCALAR_SCAN is set): from SIMD class masks where the
    number has the common shape (number_scan.h), byte by byte otherwise; "careful": always byte
    by byte, as before. Returns the previous mode. Not for use while another thread scans (the
    mode is one process-wide int).
    """
    global patterns_fast_scan
    if mode not in _SCAN_MODES:
        raise ValueError(f"Expected `mode` to be `careful` or `auto`, got `{mode}`")
    was = "auto" if patterns_fast_scan else "careful"
    patterns_fast_scan = _SCAN_MODES[mode]
    return was


cdef inline Py_ssize_t _number_end_fast(const unsigned char* buf, Py_ssize_t n, Py_ssize_t i,
                                        NumInfo* info) noexcept nogil:
    # `_number_end`, answered from class masks when the number has the common shape
    # (number_scan.h: the same answer, without a loop); byte by byte otherwise.
    cdef int shape = patterns_number_shape(buf, n, i)
    if shape < 0:
        return _number_end(buf, n, i, info)
    info.negative = buf[i] == 45
    info.is_int = (shape >> 16) & 1
    info.int_digits = (shape >> 8) & 0xFF
    info.exponent = 0
    return i + (shape & 0xFF)


cdef inline bint _may_overflow(const unsigned char* buf, Py_ssize_t start, NumInfo* info) noexcept nogil:
    # False when the number is surely below 10**308 in magnitude (so no double overflows).
    cdef Py_ssize_t digits = info.int_digits
    if digits == 1 and buf[start + (1 if info.negative else 0)] == 48:
        digits = 0  # 0.xxx: below 10**exponent
    return digits + info.exponent > SAFE_DECIMAL_EXPONENT


cdef double _text_double(const unsigned char* buf, Py_ssize_t start, Py_ssize_t end) except? -1.0:
    # float(text) of a validated JSON number: Python's own correctly rounded reading, +-inf on
    # overflow, 0.0 on underflow (as `events._parse_float` and orjson read it).
    cdef char small[64]
    cdef char* text = small
    cdef Py_ssize_t size = end - start
    cdef double d
    if size >= 64:
        text = <char*>PyMem_Malloc(size + 1)
        if text == NULL:
            raise MemoryError()
    memcpy(text, buf + start, size)
    text[size] = 0
    try:
        d = PyOS_string_to_double(text, NULL, NULL)  # NULL: overflow gives +-inf, no exception
    finally:
        if text != small:
            PyMem_Free(text)
    return d


cdef object _text_int(const unsigned char* buf, Py_ssize_t start, Py_ssize_t end):
    # `events._parse_int` on a validated JSON integer: an int, or BigNumber past a double.
    cdef bint negative = buf[start] == 45
    cdef Py_ssize_t size = end - start
    if size - negative > INT_DIGITS_THAT_MAY_FIT:
        return BigNumber(negative)
    cdef char text[INT_DIGITS_THAT_MAY_FIT + 2]
    memcpy(text, buf + start, size)  # size <= 310 (sign and 309 digits): fits text
    text[size] = 0
    value = PyLong_FromString(text, NULL, 10)
    if -MAX_DOUBLE_INT_OBJ < value < MAX_DOUBLE_INT_OBJ:
        return value
    return BigNumber(negative)


cdef object _small_int(const unsigned char* buf, Py_ssize_t start, Py_ssize_t end, bint negative):
    # An integer orjson reads as an int (-2**63 .. 2**64-1), or None when it reads a double.
    cdef uint64_t acc = 0, d
    cdef Py_ssize_t i = start + (1 if negative else 0)
    while i < end:
        d = buf[i] - 48
        if acc > (0xFFFFFFFFFFFFFFFFULL - d) // 10:
            return None
        acc = acc * 10 + d
        i += 1
    if not negative:
        return acc
    if acc <= 0x7FFFFFFFFFFFFFFFULL:
        return -<int64_t>acc
    if acc == 0x8000000000000000ULL:
        return -(1 << 63)
    return None


cdef object _text_str(const unsigned char* buf, Py_ssize_t start, Py_ssize_t end, int flags):
    # The str of a validated JSON string's body buf[start:end].
    cdef object text
    if flags == 0:  # ASCII without escapes (most values): the bytes are the characters
        text = PyUnicode_New(end - start, 127)
        memcpy(PyUnicode_DATA(text), buf + start, end - start)  # the new str holds end - start
        return text
    if not flags & STR_ESCAPED:
        return PyUnicode_DecodeUTF8(<const char*>buf + start, end - start, "strict")
    cdef unsigned char* out = <unsigned char*>PyMem_Malloc(end - start + 1)
    if out == NULL:
        raise MemoryError()
    try:
        return PyUnicode_DecodeUTF8(<const char*>out, _unescape(buf, start, end, out), "strict")
    finally:
        PyMem_Free(out)


cdef Py_ssize_t _unescape(const unsigned char* buf, Py_ssize_t i, Py_ssize_t end,
                          unsigned char* out) noexcept nogil:
    # Writes the UTF-8 of a validated string body buf[i:end] with escapes resolved into out
    # (never longer than the body: an escape of k bytes writes at most k - 2); returns its length.
    cdef Py_ssize_t k = 0
    cdef int32_t cp
    while i < end:
        if buf[i] != 92:
            out[k] = buf[i]
            k += 1
            i += 1
            continue
        i = _escape_end(buf, end, i, &cp)  # validated already: cannot fail
        if i < 0:
            return k
        if cp < 0x80:
            out[k] = cp
            k += 1
        elif cp < 0x800:
            out[k] = 0xC0 | (cp >> 6)
            out[k + 1] = 0x80 | (cp & 0x3F)
            k += 2
        elif cp < 0x10000:
            out[k] = 0xE0 | (cp >> 12)
            out[k + 1] = 0x80 | ((cp >> 6) & 0x3F)
            out[k + 2] = 0x80 | (cp & 0x3F)
            k += 3
        else:
            out[k] = 0xF0 | (cp >> 18)
            out[k + 1] = 0x80 | ((cp >> 12) & 0x3F)
            out[k + 2] = 0x80 | ((cp >> 6) & 0x3F)
            out[k + 3] = 0x80 | (cp & 0x3F)
            k += 4
    return k


cdef inline Py_ssize_t _ws(const unsigned char* buf, Py_ssize_t n, Py_ssize_t i) noexcept nogil:
    # JSON's four whitespace bytes only; runs of 8 spaces (indentation) a word at a time
    cdef uint64_t w
    while i < n and buf[i] <= 32:
        if buf[i] == 32 or buf[i] == 10 or buf[i] == 13 or buf[i] == 9:
            i += 1
            while i + 8 <= n:
                memcpy(&w, buf + i, 8)
                if w != ONES * 0x20:
                    break
                i += 8
        else:
            break
    return i


cdef inline bint _word(const unsigned char* buf, Py_ssize_t n, Py_ssize_t i, const char* w,
                       Py_ssize_t k) noexcept nogil:
    return i + k <= n and memcmp(buf + i, w, k) == 0


# --- The scan: frames, leaves, contexts -----------------------------------------------------------

cdef struct Frame:
    int32_t node      # the path node of this container, or -1 inside a subtree no rule names
    int32_t ctx       # the context its leaves sit in
    int32_t array_id  # arrays walked on a rule path: their number; else -1
    int32_t keys_at   # objects: where their matched keys start in the duplicate-check stack
    bint is_array
    uint64_t key_bits  # objects: bit (node & 63) of each matched key, so most keys skip the check


cdef void _out_init(ScanOut* out, CLeaf* small) noexcept nogil:
    out.leaves = small
    out.n_leaves = 0
    out.cap_leaves = SMALL_LEAVES
    out.leaves_on_heap = False
    out.ctx_parent.p = out.ctx_array.p = out.ctx_node.p = NULL
    out.ctx_parent.on_heap = out.ctx_array.on_heap = out.ctx_node.on_heap = False
    out.ctx_parent.n = out.ctx_array.n = out.ctx_node.n = 0
    out.ctx_parent.cap = out.ctx_array.cap = out.ctx_node.cap = 0
    out.any_leaf_ctx = False
    out.max_sp = 0
    out.n_big = 0
    out.too_many_big = False


cdef void _out_free(ScanOut* out) noexcept nogil:
    if out.leaves_on_heap:
        free(out.leaves)
    intbuf_free(&out.ctx_parent)  # (a caller may start them on its own storage: `intbuf_on`)
    intbuf_free(&out.ctx_array)
    intbuf_free(&out.ctx_node)


cdef inline int32_t _open_context(ScanOut* out, int32_t parent, int32_t array_id, int32_t node) noexcept nogil:
    # A context opened by an object or array element of an array walked on a rule path (node:
    # the array's path node), inside context `parent`: its number, or -1 when memory ran out.
    if (intbuf_push(&out.ctx_parent, parent) or intbuf_push(&out.ctx_array, array_id)
            or intbuf_push(&out.ctx_node, node)):
        return -1
    return <int32_t>out.ctx_parent.n


cdef inline CLeaf* _out_leaf(ScanOut* out) noexcept nogil:
    # A new leaf at the end of out.leaves (NULL: out of memory); the growing out of line.
    if out.n_leaves < out.cap_leaves:
        out.n_leaves += 1
        return &out.leaves[out.n_leaves - 1]
    return _out_leaf_grown(out)


cdef CLeaf* _out_leaf_grown(ScanOut* out) noexcept nogil:
    # `_out_leaf` when out.leaves is full: twice the room (heap memory), then the new leaf.
    cdef Py_ssize_t cap
    cdef CLeaf* p
    if out.n_leaves == out.cap_leaves:
        cap = out.cap_leaves * 2
        if out.leaves_on_heap:
            p = <CLeaf*>realloc(out.leaves, cap * sizeof(CLeaf))
        else:
            p = <CLeaf*>malloc(cap * sizeof(CLeaf))
            if p != NULL:
                memcpy(p, out.leaves, out.n_leaves * sizeof(CLeaf))
        if p == NULL:
            return NULL
        out.leaves = p
        out.leaves_on_heap = True
        out.cap_leaves = cap
    out.n_leaves += 1
    return &out.leaves[out.n_leaves - 1]


def scan_leaves(raw, ScanTable table not None):
    """`select_leaves(decode_event(raw), ...)` in one pass over raw JSON, or None.

    Reads the JSON once: keys are looked up as bytes in `table`; subtrees no rule path enters
    are validated (grammar, strict UTF-8, depth) and skipped without decoding; only values on
    rule paths become Python objects (str, int, float, bool, None, `BigNumber`), read as
    `decode_event` reads them. Contexts are numbered in document order (parent[c] < c); they
    may number differently from `select_leaves`' but mean the same; `ROOT_ONLY` itself when no
    element context opens.

    Returns None, and the caller takes the slow road (`decode_event` + `select_leaves`, which
    also raises the right `InvalidEventError`), whenever the answer might differ from it:
    invalid JSON or UTF-8 anywhere, a top level that is not an object, nesting past orjson's
    1,024 levels, a key repeated in one object on a rule path, an escaped lone surrogate, an
    input other than exact bytes, bytearray, C-contiguous memoryview or str (a str holding a
    lone surrogate too), an event whose number overflows a double nested past 64 levels
    (the slow road then reads it with the recursive standard library), and one with more than
    16 numbers off rule paths that may overflow a double.

    Args:
        raw: the event's JSON.
        table: `scan_table(tables.prefixes, tables.path_ids)`.

    Returns:
        (path id -> [(value, context), ...], contexts), or None.
    """
    cdef Py_buffer view
    cdef Py_ssize_t n
    cdef const unsigned char* buf
    cdef int got = _event_bytes(raw, &view, &buf, &n)
    if not got:
        return None
    try:
        return _scan_objects(buf, n, table)
    finally:
        if got == EVENT_VIEW:
            PyBuffer_Release(&view)



cdef int _event_bytes(raw, Py_buffer* view, const unsigned char** buf, Py_ssize_t* n) except -1:
    # The bytes of a JSON event given as str (its UTF-8), bytes, bytearray or a C-contiguous
    # memoryview, for every reader of raw JSON here; EVENT_NONE for anything else, and for a
    # str holding a lone surrogate (orjson refuses it, the second reading accepts it).
    cdef type t = type(raw)
    if t is str:
        try:
            buf[0] = <const unsigned char*>PyUnicode_AsUTF8AndSize(raw, n)
        except UnicodeEncodeError:
            return EVENT_NONE
        return EVENT_BORROWED
    if t is bytes:  # immutable: its own buffer, no view to take and release
        buf[0] = <const unsigned char*>PyBytes_AS_STRING(raw)
        n[0] = PyBytes_GET_SIZE(raw)
        return EVENT_BORROWED
    if t is not bytearray and t is not memoryview:
        return EVENT_NONE
    try:
        PyObject_GetBuffer(raw, view, PyBUF_SIMPLE)  # refuses a non-contiguous memoryview
    except (BufferError, TypeError, ValueError):
        return EVENT_NONE
    buf[0] = <const unsigned char*>view.buf
    n[0] = view.len
    return EVENT_VIEW


cdef object _scan_objects(const unsigned char* buf, Py_ssize_t n, ScanTable table):
    # The scan, then its leaves made Python objects as `decode_event` reads them.
    cdef CLeaf small[SMALL_LEAVES]
    cdef ScanOut out
    cdef CLeaf* leaf
    cdef Py_ssize_t k
    cdef int r
    cdef bint overflow
    cdef dict found = {}
    cdef list leaves, deferred = None
    cdef object value, pid_obj
    _out_init(&out, small)
    try:
        r = _scan_core(buf, n, table, &out)
        if r < 0:
            raise MemoryError()
        if r > 0:
            return None
        overflow = _big_off_paths(buf, &out)
        for k in range(out.n_leaves):
            leaf = &out.leaves[k]
            if leaf.kind == V_NUM and _text_is_big(buf, leaf):
                overflow = True
        if overflow and (out.max_sp > FALLBACK_SAFE_DEPTH or out.too_many_big):
            return None
        if out.too_many_big:
            return None
        for k in range(out.n_leaves):
            leaf = &out.leaves[k]
            pid_obj = leaf.pid
            if leaf.kind == V_STR:
                value = _text_str(buf, leaf.start, leaf.end, leaf.flags)
            elif leaf.kind == V_NUM:
                value = _number_object(buf, leaf, overflow)
            elif leaf.kind == V_TRUE:
                value = True
            elif leaf.kind == V_FALSE:
                value = False
            else:
                value = None
            leaves = found.get(pid_obj)
            if leaves is None:
                found[pid_obj] = [(value, leaf.ctx)]
            else:
                leaves.append((value, leaf.ctx))
        if out.ctx_parent.n == 0:
            return found, ROOT_ONLY
        return found, _contexts(&out, table)
    finally:
        _out_free(&out)


cdef bint _text_is_big(const unsigned char* buf, CLeaf* leaf) except -1:
    # Whether a number leaf's magnitude passes a double's (inf when read).
    if not leaf.flags & NUM_MAY_BIG:
        return False
    return isinf(_text_double(buf, leaf.start, leaf.end)) != 0  # glibc: -1 for -inf


cdef bint _big_off_paths(const unsigned char* buf, ScanOut* out) except -1:
    # Whether some number off rule paths overflows a double (`decode_event` then reads the
    # whole event with the standard library).
    cdef int k
    for k in range(out.n_big):
        if isinf(_text_double(buf, out.big_start[k], out.big_end[k])):
            return True
    return False


cdef object _number_object(const unsigned char* buf, CLeaf* leaf, bint overflow):
    # The number as `decode_event` reads it: orjson (ints within 64 bits, else doubles), or,
    # when some number of the event overflows a double, the standard library (ints of any size
    # within a double's range, `BigNumber` beyond it).
    cdef object value = None
    cdef double d
    cdef bint is_int = leaf.flags & NUM_INT
    if is_int:
        if overflow:
            return _text_int(buf, leaf.start, leaf.end)
        if leaf.end - leaf.start <= 21:  # 20 digits and a sign: may be a 64-bit int
            value = _small_int(buf, leaf.start, leaf.end, leaf.flags & NUM_NEG)
            if value is not None:
                return value
    d = _text_double(buf, leaf.start, leaf.end)
    if isinf(d):
        return BigNumber(bool(leaf.flags & NUM_NEG))
    return d


cdef inline void _note_big(ScanOut* out, Py_ssize_t start, Py_ssize_t end) noexcept nogil:
    # A number off rule paths that may overflow a double, read after the scan (past
    # MAX_BIG_CANDIDATES of them the event goes to the slow road: `too_many_big`).
    if out.n_big == MAX_BIG_CANDIDATES:
        out.too_many_big = True
    else:
        out.big_start[out.n_big] = start
        out.big_end[out.n_big] = end
        out.n_big += 1


cdef enum:
    KIND_WORDS = 17  # MAX_DEPTH bits of container kinds, in 64-bit words (1,024 / 64 + 1)


cdef Py_ssize_t _skip_container(const unsigned char* buf, Py_ssize_t n, Py_ssize_t i,
                                Py_ssize_t sp, Py_ssize_t* max_sp, ScanOut* out,
                                const uint64_t* qbits) noexcept nogil:
    # buf[i] is '{' or '[' of a value no rule path enters, inside `sp` open containers: the
    # index after its end, having checked what `_scan_core` checks (grammar, strict UTF-8,
    # nesting within MAX_DEPTH), noted the numbers that may overflow a double and raised
    # max_sp to the deepest nesting met; -1 otherwise. Container kinds are kept one bit per
    # level (1: array), so no frame is written per level.
    cdef Py_ssize_t depth_left = MAX_DEPTH - sp
    cdef uint64_t kinds[KIND_WORDS]
    cdef Py_ssize_t depth = 0, end
    cdef bint in_array
    cdef int flags
    cdef unsigned char c
    cdef NumInfo num
    if depth_left <= 0:
        return -1
    # open the first container
    c = buf[i]
    kinds[0] = 1 if c == 91 else 0
    depth = 1
    if sp + 1 > max_sp[0]:
        max_sp[0] = sp + 1
    i += 1
    in_array = c == 91
    # after an opening: the container's end, or its first member
    i = _ws(buf, n, i)
    if i >= n:
        return -1
    if buf[i] == (93 if in_array else 125):
        return i + 1
    while True:
        # a member: for an object, its key and ':' first
        if not in_array:
            if i >= n or buf[i] != 34:
                return -1
            flags = 0
            end = _str_end(buf, n, i + 1, &flags, qbits)
            if end < 0:
                return -1
            i = _ws(buf, n, end + 1)
            if i >= n or buf[i] != 58:  # ':'
                return -1
            i = _ws(buf, n, i + 1)
            if i >= n:
                return -1
        # the member's value
        c = buf[i]
        if c == 34:
            flags = 0
            end = _str_end(buf, n, i + 1, &flags, qbits)
            if end < 0:
                return -1
            i = end + 1
        elif c == 45 or 48 <= c <= 57:
            end = _number_end_fast(buf, n, i, &num)
            if end < 0:
                return -1
            if _may_overflow(buf, i, &num):
                _note_big(out, i, end)
            i = end
        elif c == 123 or c == 91:
            if depth >= depth_left:
                return -1
            if sp + depth + 1 > max_sp[0]:
                max_sp[0] = sp + depth + 1
            i = _ws(buf, n, i + 1)
            if i >= n:
                return -1
            if buf[i] == (93 if c == 91 else 125):
                i += 1  # an empty container: closed at once (the open one is still on top)
            else:  # open it, then its first member
                if c == 91:
                    kinds[depth >> 6] |= (<uint64_t>1) << (depth & 63)
                else:
                    kinds[depth >> 6] &= ~((<uint64_t>1) << (depth & 63))
                depth += 1
                in_array = c == 91
                continue
        elif c == 116:
            if not _word(buf, n, i, "true", 4):
                return -1
            i += 4
        elif c == 102:
            if not _word(buf, n, i, "false", 5):
                return -1
            i += 5
        elif c == 110:
            if not _word(buf, n, i, "null", 4):
                return -1
            i += 4
        else:
            return -1
        # after a value: ',' and the next member, or the end of containers
        while True:
            i = _ws(buf, n, i)
            if i >= n:
                return -1
            c = buf[i]
            if c == 44:  # ','
                i = _ws(buf, n, i + 1)
                if i >= n:
                    return -1
                break
            if c != (93 if in_array else 125):
                return -1
            depth -= 1
            i += 1
            if depth == 0:
                return i
            in_array = (kinds[(depth - 1) >> 6] >> ((depth - 1) & 63)) & 1
    return -1


cdef int _scan_core(const unsigned char* buf, Py_ssize_t n, ScanTable table,
                    ScanOut* out) noexcept nogil:
    # One pass over raw JSON (see `scan_leaves`): the leaves on rule paths, the contexts opened
    # on them, and the numbers off them that may overflow a double, into `out`. Returns 0;
    # 1 when the slow road must decide (invalid input, too deep, a repeated key on a rule
    # path); -1 when memory ran out. Needs no Python object but `table` (read only).
    # Frames and keys start on the C stack, small (a thread with a small stack stays safe), and
    # move to the heap, at their full bound, only for an event that needs more.
    cdef Frame small_frames[SMALL_DEPTH]
    cdef int32_t small_keys[SMALL_KEYS]
    cdef Frame* frames = small_frames
    cdef int32_t* keys = small_keys
    cdef Frame* heap_frames = NULL
    cdef int32_t* heap_keys = NULL
    cdef Py_ssize_t frames_cap = SMALL_DEPTH, keys_cap = SMALL_KEYS
    cdef Py_ssize_t sp = 0, max_sp = 0, nkeys = 0, i = 0, end = 0, j
    cdef int state, result = 1
    cdef int32_t tnode = -1, tctx = 0, child, next_array = 0, pid
    cdef int flags, kind
    cdef bint from_array = False
    cdef NumInfo num
    cdef Frame* top
    cdef CLeaf* leaf
    cdef unsigned char c
    cdef unsigned char* kbuf
    cdef Py_ssize_t klen, vstart
    # the quote index of a plain event (see `patterns_quote_index`), or NULL
    cdef uint64_t small_qbits[SMALL_QWORDS + 1]  # (and one zero word after the last)
    cdef uint64_t* qbits = NULL
    cdef uint64_t* heap_qbits = NULL
    cdef Py_ssize_t first

    i = _ws(buf, n, 0)
    if i >= n or buf[i] != 123:  # the top level must be an object
        return 1
    if HAVE_QUOTE_INDEX:
        # the first 4 KB on the stack; only an event still plain past them gets heap words
        # (most events that are not plain show it in their first block: no allocation)
        first = n if n <= SMALL_QWORDS * 64 else SMALL_QWORDS * 64
        if patterns_quote_index(buf, first, small_qbits, 0):
            if first == n:
                small_qbits[(n + 63) >> 6] = 0
                qbits = small_qbits
            else:
                heap_qbits = <uint64_t*>malloc((((n + 63) >> 6) + 1) * sizeof(uint64_t))
                if heap_qbits != NULL:
                    memcpy(heap_qbits, small_qbits, SMALL_QWORDS * sizeof(uint64_t))
                    if patterns_quote_index(buf, n, heap_qbits, first):
                        heap_qbits[(n + 63) >> 6] = 0
                        qbits = heap_qbits
        # else (not plain) qbits stays NULL: strings are read byte by byte
    frames[0].node = 0 if table.node_edges[0] else -1
    frames[0].ctx = 0
    frames[0].array_id = -1
    frames[0].keys_at = 0
    frames[0].key_bits = 0
    frames[0].is_array = False
    sp = max_sp = 1
    i += 1
    state = ST_OBJ_FIRST
    while True:
        i = _ws(buf, n, i)
        if i >= n:
            break  # result 1
        c = buf[i]
        if state == ST_AFTER:
            top = &frames[sp - 1]
            if c != 44:  # not ',': ']' or '}'
                if c != (93 if top.is_array else 125):
                    break
                if not top.is_array and top.node >= 0:
                    nkeys = top.keys_at
                sp -= 1
                i += 1
                if sp == 0:
                    result = 0
                    break
                continue
            # ',': on to the next key or element at once (no turn of the loop per token)
            i = _ws(buf, n, i + 1)
            if i >= n:
                break
            c = buf[i]
            if top.is_array:
                tnode = top.node
                tctx = top.ctx
                from_array = True
                state = ST_VALUE  # falls through to the value at buf[i]
            else:
                state = ST_OBJ_KEY  # falls through to the key at buf[i]
        if state == ST_OBJ_FIRST or state == ST_OBJ_KEY:
            top = &frames[sp - 1]
            if c == 125 and state == ST_OBJ_FIRST:  # '}'
                sp -= 1
                i += 1
                if sp == 0:
                    result = 0
                    break
                state = ST_AFTER
                continue
            if c != 34:
                break
            flags = 0
            end = _str_end(buf, n, i + 1, &flags, qbits)
            if end < 0:
                break
            tnode = -1
            if top.node >= 0:
                if not flags & STR_ESCAPED:
                    child = table.child(top.node, buf + i + 1, end - i - 1)
                else:
                    kbuf = <unsigned char*>malloc(end - i)
                    if kbuf == NULL:
                        result = -1
                        break
                    klen = _unescape(buf, i + 1, end, kbuf)
                    child = table.child(top.node, kbuf, klen)
                    free(kbuf)
                if child >= 0:
                    if top.key_bits & ((<uint64_t>1) << (child & 63)):  # maybe met: look
                        for j in range(top.keys_at, nkeys):
                            if keys[j] == child:  # a key repeated: orjson keeps the last value
                                child = -2
                                break
                        if child == -2:
                            break
                    top.key_bits |= (<uint64_t>1) << (child & 63)
                    if nkeys == keys_cap:
                        if keys_cap == MAX_OPEN_KEYS:
                            break
                        heap_keys = <int32_t*>malloc(MAX_OPEN_KEYS * sizeof(int32_t))
                        if heap_keys == NULL:
                            result = -1
                            break
                        memcpy(heap_keys, keys, nkeys * sizeof(int32_t))
                        keys = heap_keys
                        keys_cap = MAX_OPEN_KEYS
                    keys[nkeys] = child
                    nkeys += 1
                    tnode = child
            tctx = top.ctx
            from_array = False
            i = _ws(buf, n, end + 1)
            if i >= n or buf[i] != 58:  # ':'
                break
            i = _ws(buf, n, i + 1)
            if i >= n:
                break
            c = buf[i]
            state = ST_VALUE  # falls through to the value at buf[i]
        if state == ST_ARR_FIRST:
            if c == 93:  # ']'
                sp -= 1
                i += 1
                state = ST_AFTER
                continue
            top = &frames[sp - 1]
            tnode = top.node
            tctx = top.ctx
            from_array = True
            state = ST_VALUE
            # fall through to the value at buf[i]
        # state == ST_VALUE: a value for (tnode, tctx) starts at buf[i]
        if (c == 123 or c == 91) and tnode < 0:
            # a container no rule path enters: validated and skipped in a tighter loop; or, in
            # a plain event whose producer its owner trusts, skipped by its brackets alone
            end = -2
            if table.trust_skipped and qbits != NULL:
                end = patterns_trusted_skip(buf, n, i, qbits, &j)  # -2: may hold a big number
                if end >= 0 and sp + j > max_sp:
                    max_sp = sp + j
            i = _skip_container(buf, n, i, sp, &max_sp, out, qbits) if end == -2 else end
            if i < 0:
                break  # invalid, or too deep (or never closed): result 1
            state = ST_AFTER
            continue
        if c == 123 or c == 91:  # '{' '['
            if sp >= MAX_DEPTH:
                break
            if sp == frames_cap:
                heap_frames = <Frame*>malloc(MAX_DEPTH * sizeof(Frame))
                if heap_frames == NULL:
                    result = -1
                    break
                memcpy(heap_frames, frames, sp * sizeof(Frame))
                frames = heap_frames
                frames_cap = MAX_DEPTH
            if from_array and tnode >= 0:
                # an object or array element of a walked array opens a context
                tctx = _open_context(out, tctx, frames[sp - 1].array_id, tnode)
                if tctx < 0:
                    result = -1
                    break
            top = &frames[sp]
            sp += 1
            if sp > max_sp:
                max_sp = sp
            top.ctx = tctx
            top.is_array = c == 91
            if c == 123:
                top.node = tnode if tnode >= 0 and table.node_edges[tnode] else -1
                top.keys_at = nkeys
                top.key_bits = 0
                top.array_id = -1
                state = ST_OBJ_FIRST
            else:
                top.node = tnode
                if tnode >= 0:
                    top.array_id = next_array
                    next_array += 1
                else:
                    top.array_id = -1
                state = ST_ARR_FIRST
            i += 1
            continue
        pid = table.node_pid[tnode] if tnode >= 0 else -1
        vstart = i
        if c == 34:
            flags = 0
            end = _str_end(buf, n, i + 1, &flags, qbits)
            if end < 0:
                break
            kind = V_STR
            vstart = i + 1
            i = end + 1
        elif c == 45 or 48 <= c <= 57:
            end = _number_end_fast(buf, n, i, &num)
            if end < 0:
                break
            kind = V_NUM
            flags = (NUM_INT if num.is_int else 0) | (NUM_NEG if num.negative else 0)
            if _may_overflow(buf, i, &num):
                flags |= NUM_MAY_BIG
                if pid < 0:
                    _note_big(out, i, end)
            i = end
        elif c == 116:
            if not _word(buf, n, i, "true", 4):
                break
            kind = V_TRUE
            i += 4
        elif c == 102:
            if not _word(buf, n, i, "false", 5):
                break
            kind = V_FALSE
            i += 5
        elif c == 110:
            if not _word(buf, n, i, "null", 4):
                break
            kind = V_NULL
            i += 4
        else:
            break
        if pid >= 0:
            leaf = _out_leaf(out)
            if leaf == NULL:
                result = -1
                break
            leaf.pid = pid
            leaf.ctx = tctx
            leaf.next = -1
            leaf.kind = kind
            leaf.flags = flags
            leaf.start = vstart
            leaf.end = i if kind == V_NUM else end
            if tctx:
                out.any_leaf_ctx = True
        state = ST_AFTER

    if result == 0 and _ws(buf, n, i) != n:  # content after the document
        result = 1
    out.max_sp = max_sp
    free(heap_frames)
    free(heap_keys)
    free(heap_qbits)
    return result
