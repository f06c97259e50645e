# The walk stage: the automaton walked over one event's C leaves, and the answer
# (docs/hot-path.md). Included by _match_c.pyx after the scan and values stages; the types it shares with them (CLeaf, ScanOut, CValue, IntBuf, Walk) are in
# _shared.pxi.
#
# Reads: a published `Tables` (its `csteps`, the `CState`s, and `scan`, its ScanTable), an
# event's bytes, scanned here by `_scan_core`, and each leaf probed through its edge's `CIndex`;
# a number is read when first probed (number_parse.h: Clinger, Eisel-Lemire, strtod_l).
# Gives: the names (or ids) of the rules the event matches, sorted by rule id (`_answer`).
#
# The writer compiles each state's published columns (rule ids, edges, absence edges) into a
# `CState` (`compile_state`), kept in `Tables.csteps` beside the pure entries; `match_json` scans raw JSON
# into C leaves (`_scan_core`) and walks those states without making a Python object per field
# or per value: `_walk` (the pure `_run_flat`) when no context is needed, `_walk_arrays` (the
# pure `run_machine`'s two phases) when rule-path leaves sit in array elements or absence edges
# meet an event with contexts. Invalid input and a number that may pass a double's range get
# None, and `engine.run` takes the decoding road.

patterns_init_c_locale()  # once, at import (under the import lock): strtod_l's C locale


def _read_double(bytes text not None):
    """For tests: the double the walk reads from a validated JSON number without Python
    (`_fast_double`, number_parse.h), or None where it leaves the text to strtod_l or Python."""
    cdef double d = 0.0
    if len(text) == 0:
        raise ValueError("empty")
    if _fast_double(<const unsigned char*>text, 0, len(text), &d):
        return d
    return None


cdef struct CStateData:
    # (the counts are int32, each beside another int32: a state is 16 bytes smaller than with
    # Py_ssize_t counts, and no state has 2^31 rules, edges or absence edges)
    int32_t parent  # the state whose edge leads here (-1 for state 0): its conditions, read back
    int32_t rule0    # terms[0] and term_names[0] again, here (when n_terms): a state ending
    PyObject* name0  # one rule answers without reading its block
    int32_t n_terms
    int32_t n_edges
    int32_t* terms
    PyObject** term_names  # the name of each rule id of terms (borrowed from CState.keep)
    int32_t* edge_pid
    PyObject** edge_ci
    int32_t n_absent
    int32_t* absent_pid
    Py_ssize_t* absent_off
    int32_t* absent_states


cdef inline CStateData* _state(PyObject* cs) noexcept nogil:
    return &(<CState>cs).d


cdef enum:
    # `patterns.automaton.PAGE_BITS`: the published states come in pages of 1 << PAGE_BITS
    # (`Paged`), restated here for C and checked when the module loads
    PAGE_BITS = 10
    PAGE_MASK = (1 << PAGE_BITS) - 1

if (_automaton.PAGE_BITS, _automaton.PAGE_MASK) != (PAGE_BITS, PAGE_MASK):
    raise ImportError("patterns._match_c's state pages differ from patterns.automaton's")


cdef inline PyObject* _cstep(const Walk* w, int32_t s) noexcept nogil:
    # The `CState` of state s (an id the tables name: below their state count), through the page
    # directory: every page is a list of PAGE items (`Paged`).
    return (<PyListObject*>w.pages[s >> PAGE_BITS]).ob_item[s & PAGE_MASK]


cdef Py_ssize_t _NO_ABSENT[1]  # absent_off of every state without absence edges: [0], never written


@cython.no_gc  # it holds names and value indexes, neither of which can lead back to a state
cdef class CState:
    """One state of the automaton as the C walk reads it (made by `compile_state`).

        terms[0:n_terms]            rule ids ending here
        term_names[0:n_terms]       their names (borrowed from `keep`): the answer reads them
                                    from the state the walk just read, not from the machine's
                                    name dict
        edge_pid[e], edge_ci[e]     field read (path id) and its `CIndex` (the `cwalk` of the
                                    edge's `ValueIndex`, which `keep` holds), e < n_edges; a
                                    value the CIndex leaves to Python goes to the index's
                                    reference probe (`walk.probe_of`, made on first use)
        absent_pid[a]               exists:false edges: a path id, and the states it leads to,
        absent_states[absent_off[a]:absent_off[a+1]]    taken when the event has no leaf there
        absent_list[a]              the list id of those states (for `columns`, not the walk):
                                    absent_pid[n_absent + a], the column after absent_pid

    The arrays share one block, which starts with edge_ci, in this order:

        | edge_ci  term_names  absent_off | terms  edge_pid  absent_pid  absent_list  absent_states |
          pointer-sized items               int32 items

    Each array starts a whole number of the items before it in (pointer-sized ones first, then
    int32 ones), so each is aligned for its own items. A state ending one rule keeps it in rule0
    and name0 alone (terms and term_names point at them), a state without absence edges points
    absent_off at one shared [0] (`_NO_ABSENT`): neither is in the block. The block is
    `inline`, inside this object, when it fits in 16 bytes (a state ending one rule, or
    reading one field, or both: most states of a many-tenant machine), else malloc'd. Why one block: the walk reads a state's
    counts, then its terms, edges and absence edges; one block puts a small state's arrays on a
    line or two, where six allocations put each on its own line, one dependent load apiece.

    `keep` holds what the borrowed pointers point at: the names of the rule ids, then the
    `ValueIndex` of each edge; the object itself when there is one, a tuple for more, None for
    none (one Python object per state, not three tuples).

    Not tracked by the cyclic collector (`no_gc`): what it holds (str names, `ValueIndex`es
    and, through them, their probes and `CIndex`es) never refers to a state, so it is in no
    cycle; 16 bytes less a state, and one object fewer per state for every collection to walk.

    Invariants: immutable once made, before the tables holding it are published; read by any
    number of threads at once, without the GIL.
    """

    cdef CStateData d  # what the walk reads (without the GIL: through `&cs.d`)
    cdef object keep
    cdef void* inline[2]  # 16 bytes: the block of a small state

    def __cinit__(self):
        memset(&self.d, 0, sizeof(CStateData))

    def __dealloc__(self):
        # the block starts with its first array, edge_ci (NULL before `compile_state` made it)
        if <void*>self.d.edge_ci != <void*>&self.inline[0]:
            free(self.d.edge_ci)

    cdef object _kept(self, Py_ssize_t i):
        # Item i of `keep` (the names of terms, then the index of each edge).
        return self.keep if self.d.n_terms + self.d.n_edges == 1 else self.keep[i]

    def columns(self):
        """The columns this state was made from, as `compile_state` took them.

        Returns:
            (rule ids, ((path id, `ValueIndex`), ...), ((path id, list id), ...)): what
            `walk.prepare` makes the reference walker's entry of (`walk.StateEntries`).
        """
        cdef Py_ssize_t i
        terms = tuple([self.d.terms[i] for i in range(self.d.n_terms)])
        edges = tuple([(self.d.edge_pid[i], self._kept(self.d.n_terms + i)) for i in range(self.d.n_edges)])
        absent = tuple([(self.d.absent_pid[i], self.d.absent_pid[self.d.n_absent + i])  # absent_list
                        for i in range(self.d.n_absent)])
        return terms, edges, absent


def compile_state(entry, lists, int32_t parent, dict names not None) -> CState:
    """The `CState` of one published state, for the C walk.

    Each value index is copied once, on its first state, from its lowered form
    (`compile_index`), and kept in its `cwalk` slot (the index is still private to the writer
    then).

    Args:
        entry: the state's columns (rule ids, edges, absence edges): the rule ids ending there,
            ((path id, `ValueIndex`), ...) one per field read there, and ((path id, list id),
            ...) its exists:false edges.
        lists: list id -> its items (the machine's interned lists), for the absence edges.
        parent: the state whose edge leads to this one (-1 for state 0): the walk reads a
            rule state's conditions back through it (a state's parent never changes while
            its id lives; a reused id gets a new CState).
        names: rule id -> name (the machine's, `Tables.names`, holding every rule id of the
            entry): the state keeps the names of its rule ids, so an answer reads them from
            the state the walk just read instead of looking each rule up.

    Returns:
        The state, ready for `match_json`.
    """
    terms, edges, absent = entry
    cdef CState cs = CState()
    cdef Py_ssize_t i, j, total, size, n_own
    cdef bint own_terms
    cdef char* p
    cs.d.parent = parent
    total = sum(len(lists[k]) for _, k in absent)
    if max(len(terms), len(edges), len(absent)) > INT32_MAX:
        raise OverflowError("a state's rule ids, edges or absence edges pass 2^31")
    cs.d.n_terms = <int32_t>len(terms)
    cs.d.n_edges = <int32_t>len(edges)
    cs.d.n_absent = <int32_t>len(absent)
    # One block for the arrays, the 8-byte items first (see the class docstring). A state ending
    # one rule keeps it in rule0 and name0 alone (terms and term_names point there), one with no
    # absence edge points absent_off at `_NO_ABSENT`: neither is in the block.
    own_terms = cs.d.n_terms > 1
    n_own = cs.d.n_terms if own_terms else 0
    size = ((cs.d.n_edges + n_own) * sizeof(PyObject*)
            + ((cs.d.n_absent + 1) * sizeof(Py_ssize_t) if cs.d.n_absent else 0)
            + (n_own + cs.d.n_edges + 2 * cs.d.n_absent + total) * sizeof(int32_t))
    if size <= <Py_ssize_t>sizeof(cs.inline):
        p = <char*>&cs.inline[0]
    else:
        p = <char*>malloc(size)
        if p == NULL:
            raise MemoryError()
    cs.d.edge_ci = <PyObject**>p  # the block's start (see `__dealloc__`)
    p += cs.d.n_edges * sizeof(PyObject*)
    if own_terms:
        cs.d.term_names = <PyObject**>p
        p += n_own * sizeof(PyObject*)
    else:
        cs.d.term_names = &cs.d.name0
    if cs.d.n_absent:
        cs.d.absent_off = <Py_ssize_t*>p
        p += (cs.d.n_absent + 1) * sizeof(Py_ssize_t)
    else:
        cs.d.absent_off = _NO_ABSENT
    if own_terms:
        cs.d.terms = <int32_t*>p
        p += n_own * sizeof(int32_t)
    else:
        cs.d.terms = &cs.d.rule0
    cs.d.edge_pid = <int32_t*>p
    p += cs.d.n_edges * sizeof(int32_t)
    cs.d.absent_pid = <int32_t*>p
    p += 2 * cs.d.n_absent * sizeof(int32_t)  # absent_pid, then absent_list (read by `columns`)
    cs.d.absent_states = <int32_t*>p
    for i in range(cs.d.n_terms):
        cs.d.terms[i] = terms[i]
    kept = [names[rule] for rule in terms]  # a KeyError here is the writer's bug
    for i, (path_id, vi) in enumerate(edges):
        ci = vi.cwalk
        if ci is None:
            ci = vi.cwalk = compile_index(vi)
        kept.append(vi)
        cs.d.edge_pid[i] = path_id
        cs.d.edge_ci[i] = <PyObject*>ci  # kept alive by vi, which `keep` holds
    cs.keep = None if not kept else kept[0] if len(kept) == 1 else tuple(kept)
    for i in range(cs.d.n_terms):
        name = kept[i]  # the same object as `keep`'s item i, which keeps it alive
        cs.d.term_names[i] = <PyObject*>name
    if cs.d.n_terms:
        cs.d.rule0 = cs.d.terms[0]
        cs.d.name0 = cs.d.term_names[0]
    total = 0
    for i, (path_id, k) in enumerate(absent):
        cs.d.absent_pid[i] = path_id
        cs.d.absent_pid[cs.d.n_absent + i] = k  # absent_list[i]
        cs.d.absent_off[i] = total
        for j in lists[k]:
            cs.d.absent_states[total] = j
            total += 1
    if cs.d.n_absent:  # (`_NO_ABSENT` is never written)
        cs.d.absent_off[cs.d.n_absent] = total
    return cs


cdef struct Seen:
    # Open addressing over state ids (-1: empty); `small` until it must grow.
    int32_t* slots
    Py_ssize_t mask
    Py_ssize_t used
    bint on_heap


cdef int _seen_add(Seen* seen, int32_t state) noexcept nogil:
    # 1: added; 0: there already; -1: out of memory.
    cdef Py_ssize_t i = (<uint64_t>state * 0x9E3779B97F4A7C15ULL) >> 40 & seen.mask, k, size
    cdef int32_t* old
    cdef int32_t* slots
    while seen.slots[i] >= 0:
        if seen.slots[i] == state:
            return 0
        i = (i + 1) & seen.mask
    seen.slots[i] = state
    seen.used += 1
    if 2 * seen.used > seen.mask:  # at most half full: probes stay short
        size = 2 * (seen.mask + 1)
        slots = <int32_t*>malloc(size * sizeof(int32_t))
        if slots == NULL:
            return -1
        memset(slots, 0xFF, size * sizeof(int32_t))
        old = seen.slots
        for k in range(seen.mask + 1):
            if old[k] >= 0:
                i = (<uint64_t>old[k] * 0x9E3779B97F4A7C15ULL) >> 40 & (size - 1)
                while slots[i] >= 0:
                    i = (i + 1) & (size - 1)
                slots[i] = old[k]
        if seen.on_heap:
            free(old)
        seen.slots = slots
        seen.mask = size - 1
        seen.on_heap = True
    return 1


def match_json(tables, raw, bint named=False):
    """The ids of the rules matching a JSON event (a sorted list), or their names, or None.

    `engine.run`'s answer for bytes, bytearray, C-contiguous memoryview or str, by the byte
    scanner and the C walk over `tables.csteps`. None where the decoding road must answer:
    whatever `scan_leaves` leaves to it, and an event holding a number that may pass a
    double's range.

    Args:
        tables: a published `patterns.automaton.Tables` with `csteps`.
        raw: the event's JSON.
        named: the answer names the rules (else it gives their ids).

    Returns:
        Sorted rule ids (no repeats), or their names in that order, or None.
    """
    cdef Walk w
    _walk_init(&w, tables)
    return _match_json(&w, raw, named)


cdef object _match_json(const Walk* w, raw, bint named):
    cdef Py_buffer view
    cdef Py_ssize_t n
    cdef const unsigned char* buf
    cdef int got = _event_bytes(raw, &view, &buf, &n)
    if not got:
        return None
    try:
        return _match_raw(w, buf, n, named)
    finally:
        if got == EVENT_VIEW:
            PyBuffer_Release(&view)


cdef enum:
    V_UNREAD = 6  # CValue.kind in the walk: a number whose double is read when first probed
    SMALL_CONTEXTS = 32  # array-element contexts a match keeps on the C stack before the heap


cdef int _walk_init(Walk* w, tables) except -1:
    cdef object csteps = tables.csteps  # a `Paged`
    cdef list pages = csteps.pages
    cdef ScanTable scan = tables.scan
    w.tables = <PyObject*>tables
    w.scan = <PyObject*>scan
    w.pages = (<PyListObject*>pages).ob_item
    w.n_pids = scan.n_pids
    w.any_absent = tables.any_absent
    w.objs = NULL
    return 0


cdef object _match_raw(const Walk* w0, const unsigned char* buf, Py_ssize_t n, bint named):
    cdef Walk w = w0[0]  # a copy: the walk may set its fields (`objs`)
    cdef IntBuf found
    cdef int32_t found_small[SMALL_HITS]  # terminal states: 150 where 150 rules match
    cdef int r
    intbuf_on(&found, found_small, SMALL_HITS)
    try:
        r = _match_core(&w, buf, n, &found)
        if r:
            return None
        return _answer(&w, &found, named)
    finally:
        intbuf_free(&found)


cdef int _match_core(Walk* w, const unsigned char* buf, Py_ssize_t n, IntBuf* found) except -1 nogil:
    # The terminal states one JSON event reaches, whose rules it matches, appended to `found`
    # (repeats possible; `_answer` makes the rules of them): 0; or 1 when
    # the reference road must answer (see `match_json`). Needs the GIL only for the rare
    # Python fallbacks (a number Clinger's fast path cannot read, a value only the pure probe
    # reads, `consistent_choice`), which take it themselves.
    cdef CLeaf small[SMALL_LEAVES]
    cdef int32_t small_heads[SMALL_PIDS]
    cdef int32_t* heads = small_heads
    cdef ScanOut out
    cdef CValue* vals = NULL
    cdef unsigned char* arena = NULL
    cdef Py_ssize_t k, arena_used = 0
    cdef CLeaf* leaf
    cdef CValue* v
    cdef CValue small_vals[SMALL_LEAVES]
    cdef int r = 1
    cdef bint arrays
    cdef int32_t ctx_small[3][SMALL_CONTEXTS]
    _out_init(&out, small)
    # the contexts on the C stack too (most events open a few): no malloc and free of three
    # buffers an event with arrays
    intbuf_on(&out.ctx_parent, ctx_small[0], SMALL_CONTEXTS)
    intbuf_on(&out.ctx_array, ctx_small[1], SMALL_CONTEXTS)
    intbuf_on(&out.ctx_node, ctx_small[2], SMALL_CONTEXTS)
    try:
        r = _scan_core(buf, n, <ScanTable>w.scan, &out)
        if r < 0:
            with gil:
                raise MemoryError()
        if r > 0 or out.n_big or out.too_many_big:
            r = 1
            return 1
        arrays = out.ctx_parent.n and (out.any_leaf_ctx or w.any_absent)
        if w.n_pids > SMALL_PIDS:
            heads = <int32_t*>malloc(w.n_pids * sizeof(int32_t))
        if out.n_leaves <= SMALL_LEAVES:
            vals = &small_vals[0]
        else:
            vals = <CValue*>malloc(out.n_leaves * sizeof(CValue))
        if heads == NULL or vals == NULL:
            with gil:
                raise MemoryError()
        memset(heads, 0xFF, w.n_pids * sizeof(int32_t))
        for k in range(out.n_leaves - 1, -1, -1):  # chains in document order
            leaf = &out.leaves[k]
            v = &vals[k]
            v.kind = leaf.kind
            if leaf.kind == V_STR:
                v.ascii = not leaf.flags & STR_NON_ASCII
                if leaf.flags & STR_ESCAPED:
                    if arena == NULL:
                        arena = <unsigned char*>malloc(n)  # no body unescapes longer than n
                        if arena == NULL:
                            with gil:
                                raise MemoryError()
                    v.s = arena + arena_used
                    v.n = _unescape(buf, leaf.start, leaf.end, arena + arena_used)
                    arena_used += v.n
                    if v.ascii:  # an escape such as \u00df may still write non-ASCII
                        v.ascii = _all_ascii(v.s, v.n)
                else:
                    v.s = buf + leaf.start
                    v.n = leaf.end - leaf.start
            elif leaf.kind == V_NUM:
                if leaf.flags & NUM_MAY_BIG:
                    r = 1
                    return 1
                v.kind = V_UNREAD  # read when first probed: most numbers never are
            leaf.next = heads[leaf.pid]
            heads[leaf.pid] = <int32_t>k
        if arrays:  # the walk needs contexts: phase 1 notes them, phase 2 checks them
            _walk_arrays(w, buf, out.leaves, vals, heads, &out, found)
        else:
            _walk(w, buf, out.leaves, vals, heads, found)
        r = 0
        return 0
    finally:
        _out_free(&out)
        if vals != &small_vals[0]:
            free(vals)
        free(arena)
        if heads != small_heads:
            free(heads)


cdef inline bint _all_ascii(const unsigned char* p, Py_ssize_t n) noexcept nogil:
    cdef Py_ssize_t i
    for i in range(n):
        if p[i] >= 0x80:
            return False
    return True


cdef extern from *:
    """
    #if defined(__GNUC__) || defined(__clang__)
    #define patterns_prefetch(p) __builtin_prefetch((const void*)(p))
    #else
    #define patterns_prefetch(p) ((void)(p))
    #endif
    """
    void _prefetch "patterns_prefetch"(const void* p) noexcept nogil


cdef inline int _note_terminal(IntBuf* found, int32_t state, const CStateData* cs) noexcept nogil:
    # A state the walk reached, kept for the answer when rules end there (0; -1: memory), the
    # name of its first rule prefetched: the answer reads it, and its load runs under the walk.
    if not cs.n_terms:
        return 0
    _prefetch(cs.name0)
    return intbuf_push(found, state)


cdef inline int _push_state(const Walk* w, IntBuf* stack, int32_t state) noexcept nogil:
    # Pushes a state for the walk to expand (0; -1: memory), its data prefetched: the walk
    # pushes the targets of a leaf together and pops them later, so their loads (a cache miss
    # each, on large machines) overlap instead of coming one after another.
    _prefetch(_state(_cstep(w, state)))
    return intbuf_push(stack, state)


cdef struct Hit:
    int32_t rule
    PyObject* name  # borrowed from the state's names


cdef enum:
    SMALL_HITS = 256  # hits (rules of the terminal states) an answer sorts on the C stack
    RADIX_FROM = 48   # from this many hits, sorted by radix (insertion sort below)


cdef inline void _sort_hits(Hit* hits, Hit* spare, Py_ssize_t n, int32_t top) noexcept nogil:
    # By rule id (all in 0..top), with no call per comparison: insertion sort below RADIX_FROM
    # hits (`_answer` lists them nearly sorted already when few rules match), else an LSD radix
    # sort, a byte of the id a pass (two passes below 65,536 rules) through `spare` (n hits).
    # Where 150 rules match an event (10,000 dense rules) the Shell sort this replaces took
    # half of the answer, on mispredicted comparisons; a radix pass has none.
    cdef Py_ssize_t k, j
    cdef Py_ssize_t count[256]
    cdef int shift = 0
    cdef Hit h
    cdef Hit* src = hits
    cdef Hit* dst = spare
    cdef Hit* t
    if n < RADIX_FROM:
        for k in range(1, n):
            h = hits[k]
            j = k
            while j >= 1 and hits[j - 1].rule > h.rule:
                hits[j] = hits[j - 1]
                j -= 1
            hits[j] = h
        return
    while True:
        memset(count, 0, sizeof(count))
        for k in range(n):
            count[(src[k].rule >> shift) & 255] += 1
        j = 0
        for k in range(256):
            j, count[k] = j + count[k], j
        for k in range(n):
            h = src[k]
            dst[count[(h.rule >> shift) & 255]] = h
            count[(h.rule >> shift) & 255] += 1
        t = src
        src = dst
        dst = t
        shift += 8
        if shift >= 32 or (top >> shift) == 0:
            break
    if src != hits:
        memcpy(hits, src, n * sizeof(Hit))


cdef list _answer(const Walk* w, IntBuf* found, bint named):
    # The rules of the terminal states found (a state may repeat, and states may share a
    # rule): their ids sorted without repeats, or (named) their names in that order, read
    # from the states (`CState.term_names`) the walk just read.
    cdef Hit small[2 * SMALL_HITS]  # the hits, then the radix sort's spare room
    cdef Hit* hits = small
    cdef Py_ssize_t k, j, total = 0, unique
    cdef int32_t top = 0
    cdef CStateData* cs
    cdef list result
    cdef object item
    for k in range(found.n):
        total += _state(_cstep(w, found.p[k])).n_terms
    if total > SMALL_HITS:
        hits = <Hit*>malloc(2 * total * sizeof(Hit))
        if hits == NULL:
            raise MemoryError()
    try:
        total = 0
        # latest found first: the walks pop states from a stack, so the states found last tend to
        # hold the lowest rule ids, and the hits come out nearly sorted (little left to move)
        for k in range(found.n - 1, -1, -1):
            cs = _state(_cstep(w, found.p[k]))
            if cs.n_terms == 1:  # most terminal states: no read of the block
                hits[total].rule = cs.rule0
                hits[total].name = cs.name0
                if cs.rule0 > top:
                    top = cs.rule0
                total += 1
                continue
            for j in range(cs.n_terms):
                hits[total].rule = cs.terms[j]
                hits[total].name = cs.term_names[j]
                if cs.terms[j] > top:
                    top = cs.terms[j]
                total += 1
        _sort_hits(hits, hits + (SMALL_HITS if hits == small else total), total, top)
        unique = 0
        for k in range(total):
            if k == 0 or hits[k].rule != hits[k - 1].rule:
                hits[unique] = hits[k]
                unique += 1
        result = PyList_New(unique)  # its size known: no growing by appends
        for k in range(unique):
            item = <object>hits[k].name if named else hits[k].rule
            Py_INCREF(item)
            PyList_SET_ITEM(result, k, item)
        return result
    finally:
        if hits != small:
            free(hits)


cdef object _leaf_object(const unsigned char* buf, CLeaf* leaf):
    # The leaf as `decode_event` reads it (no number of the event passes a double's range).
    if leaf.kind == V_STR:
        return _text_str(buf, leaf.start, leaf.end, leaf.flags)
    if leaf.kind == V_NUM:
        return _number_object(buf, leaf, False)
    if leaf.kind == V_TRUE:
        return True
    if leaf.kind == V_FALSE:
        return False
    return None


cdef int _probe_leaf(PyObject* state, Py_ssize_t e, const unsigned char* buf, CLeaf* leaf, CValue* v,
                     Walk* w, IntBuf* hits) except -1 nogil:
    # hits = the states edge e of a CState sends one leaf to: its CIndex, or, for what the
    # CIndex leaves to Python, the pure probe (with the GIL).
    cdef int r
    hits.n = 0
    if v.kind == V_UNREAD:
        if not _fast_double(buf, leaf.start, leaf.end, &v.d) and not _c_double(buf, leaf.start, leaf.end, &v.d):
            with gil:
                v.d = _text_double(buf, leaf.start, leaf.end)
        v.kind = V_NUM
    r = (<CIndex>_state(state).edge_ci[e]).probe(v, hits)
    if r < 0:
        with gil:
            raise MemoryError()
    if r > 0:
        with gil:
            _python_probe(<CState>state, e, buf, leaf, w, hits)
    return 0


cdef int _python_probe(CState cs, Py_ssize_t e, const unsigned char* buf, CLeaf* leaf, Walk* w,
                       IntBuf* hits) except -1:
    cdef int32_t s
    lists = (<object>w.tables).walk[1]
    value = plain_scalar(<object>w.objs[leaf.start]) if w.objs != NULL else _leaf_object(buf, leaf)
    vi = cs._kept(cs.d.n_terms + e)
    probe = vi.walk
    if probe is None:
        probe = probe_of(vi, lists)
    for k in probe(value):
        for s in lists[k]:
            if intbuf_push(hits, s) < 0:
                raise MemoryError()
    return 0


cdef int _walk(Walk* w, const unsigned char* buf, CLeaf* leaves, CValue* vals, int32_t* heads,
               IntBuf* found) except -1 nogil:
    # `walk._run_flat` over C states and C values: each state once, every leaf of each
    # field it reads through that field's CIndex, absence edges where the field has no leaf.
    cdef int32_t small_seen[SMALL_SEEN]
    cdef Seen seen
    cdef IntBuf stack, hits
    cdef int32_t stack_small[SMALL_STACK]
    cdef int32_t hits_small[SMALL_STACK]
    cdef PyObject* state_obj
    cdef CStateData* cs
    cdef int32_t state, pid, li
    cdef Py_ssize_t e, a, k, j
    cdef int r
    seen.slots = small_seen
    seen.mask = SMALL_SEEN - 1
    seen.used = 0
    seen.on_heap = False
    memset(small_seen, 0xFF, sizeof(small_seen))
    intbuf_on(&stack, stack_small, SMALL_STACK)
    intbuf_on(&hits, hits_small, SMALL_STACK)
    try:
        if intbuf_push(&stack, 0) < 0:
            with gil:
                raise MemoryError()
        while stack.n:
            stack.n -= 1
            state = stack.p[stack.n]
            r = _seen_add(&seen, state)
            if r < 0:
                with gil:
                    raise MemoryError()
            if r == 0:
                continue
            state_obj = _cstep(w, state)
            cs = _state(state_obj)
            if _note_terminal(found, state, cs) < 0:
                with gil:
                    raise MemoryError()
            for e in range(cs.n_edges):
                pid = cs.edge_pid[e]
                li = heads[pid] if pid < w.n_pids else -1
                while li >= 0:
                    _probe_leaf(state_obj, e, buf, &leaves[li], &vals[li], w, &hits)
                    for j in range(hits.n):
                        if _push_state(w, &stack, hits.p[j]) < 0:
                            with gil:
                                raise MemoryError()
                    li = leaves[li].next
            for a in range(cs.n_absent):
                pid = cs.absent_pid[a]
                if pid < w.n_pids and heads[pid] >= 0:
                    continue
                for j in range(cs.absent_off[a], cs.absent_off[a + 1]):
                    if _push_state(w, &stack, cs.absent_states[j]) < 0:
                        with gil:
                            raise MemoryError()
        return 0
    finally:
        if seen.on_heap:
            free(seen.slots)
        intbuf_free(&stack)
        intbuf_free(&hits)


cdef struct Via:
    # Per state reached by the array walk: where its contexts start in the records (a chain
    # through `rec_next`), open addressing over state ids (-1: empty); the caller's storage
    # (often on the C stack, `small` slots of it) until it must grow past it, heap memory
    # after (on_heap). It starts on VIA_START slots of that storage and doubles in it: an
    # event reaching few states clears only those (the 512 slots' 2 KB memset was 0.7% of a
    # dense match).
    int32_t* states
    int32_t* heads
    Py_ssize_t mask
    Py_ssize_t used
    Py_ssize_t small
    bint on_heap


cdef Py_ssize_t _via_slot(Via* via, int32_t state) noexcept nogil:
    # The slot of `state`, or of the empty slot where it would go.
    cdef Py_ssize_t i = (<uint64_t>state * 0x9E3779B97F4A7C15ULL) >> 40 & via.mask
    while via.states[i] >= 0 and via.states[i] != state:
        i = (i + 1) & via.mask
    return i


cdef int _via_grow(Via* via) noexcept nogil:
    cdef Py_ssize_t size = 2 * (via.mask + 1), k, i, old_size = via.mask + 1
    cdef int32_t* states
    cdef int32_t* heads
    cdef int32_t old_states[SMALL_VIA_HALF]  # the slots of a table still in the caller's storage
    cdef int32_t old_heads[SMALL_VIA_HALF]
    cdef const int32_t* from_states = via.states
    cdef const int32_t* from_heads = via.heads
    if not via.on_heap and size <= via.small:  # doubles in place: the old slots set aside
        memcpy(old_states, via.states, old_size * sizeof(int32_t))
        memcpy(old_heads, via.heads, old_size * sizeof(int32_t))
        from_states = old_states
        from_heads = old_heads
        states = via.states
        heads = via.heads
    else:
        states = <int32_t*>malloc(size * sizeof(int32_t))
        heads = <int32_t*>malloc(size * sizeof(int32_t))
        if states == NULL or heads == NULL:
            free(states)
            free(heads)
            return -1
    memset(states, 0xFF, size * sizeof(int32_t))
    for k in range(old_size):
        if from_states[k] >= 0:
            i = (<uint64_t>from_states[k] * 0x9E3779B97F4A7C15ULL) >> 40 & (size - 1)
            while states[i] >= 0:
                i = (i + 1) & (size - 1)
            states[i] = from_states[k]
            heads[i] = from_heads[k]
    if via.on_heap:  # never the caller's storage
        free(via.states)
        free(via.heads)
    if states != via.states:
        via.on_heap = True
    via.states = states
    via.heads = heads
    via.mask = size - 1
    return 0


cdef int _via_note(const Walk* w, Via* via, IntBuf* rec_ctx, IntBuf* rec_next, IntBuf* stack,
                   int32_t state, int32_t ctx) except -1 nogil:
    # Notes that `ctx` took an edge into `state`; a state met for the first time is pushed.
    cdef Py_ssize_t i = _via_slot(via, state)
    if via.states[i] < 0:
        via.states[i] = state
        via.heads[i] = -1
        via.used += 1
        if _push_state(w, stack, state) < 0:
            with gil:
                raise MemoryError()
    if intbuf_push(rec_ctx, ctx) < 0 or intbuf_push(rec_next, via.heads[i]) < 0:
        with gil:
            raise MemoryError()
    via.heads[i] = <int32_t>(rec_ctx.n - 1)
    if 2 * via.used > via.mask and _via_grow(via) < 0:
        with gil:
            raise MemoryError()
    return 0


# --- Array consistency in C (`consistency.consistent_choice`'s common case) ------------------------


cdef struct Kid:
    # One reached context under its parent, sorted by (parent, array, ctx): the children of one
    # context, grouped by array, are one run.
    int32_t parent
    int32_t array
    int32_t ctx


cdef extern from *:
    """
    static int patterns_cmp_kid(const void* a, const void* b) {
        const int32_t* x = (const int32_t*)a;  /* Kid: parent, array, ctx */
        const int32_t* y = (const int32_t*)b;
        int k;
        for (k = 0; k < 3; k++) {
            if (x[k] != y[k]) return (x[k] > y[k]) - (x[k] < y[k]);
        }
        return 0;
    }
    """
    int patterns_cmp_kid(const void* a, const void* b) noexcept nogil


cdef struct Consist:
    # One event's scratch for `_consistent_c`, made when its walk first needs a choice: per
    # context (indexed by its number, valid where stamp == gen: no clearing between rules),
    # the conditions its own leaves satisfy (direct), those satisfiable at or under it (below),
    # those it must satisfy (req, 0: none) and whether it can (ok), and where its reached
    # children start and end in `kids`.
    Py_ssize_t n_ctx
    int32_t gen
    int32_t* stamp
    uint64_t* direct
    uint64_t* below
    uint64_t* req
    int32_t* ok
    int32_t* kids_start
    int32_t* kids_end
    int32_t* held     # `_absent_c`: context -> the call that found a leaf in or below it
    int32_t hgen
    int32_t* reached  # the contexts of one check (at most n_ctx), ascending once sorted
    Kid* kids         # their (parent, array, ctx), sorted
    void* block       # the arrays above, in `small` (the walk's, on the C stack) or on the heap
    void* small
    bint on_heap


cdef enum:
    CONSIST_SMALL = 64  # contexts whose scratch `_walk_arrays` keeps on the C stack (3.8 KB)
    CONSIST_BYTES = 60  # a context's: 3 uint64 and 6 int32 arrays, and a Kid (3 int32)
    CONSIST_WORDS = 480  # CONSIST_SMALL * CONSIST_BYTES, in 8-byte words

if 3 * sizeof(uint64_t) + 6 * sizeof(int32_t) + sizeof(Kid) != CONSIST_BYTES:  # at import
    raise ImportError("CONSIST_BYTES is not the size of a context's consistency scratch")


cdef extern from *:
    """
    static int patterns_cmp_int32(const void* a, const void* b) {
        int32_t x = *(const int32_t*)a, y = *(const int32_t*)b;
        return (x > y) - (x < y);
    }
    """
    int patterns_cmp_int32(const void* a, const void* b) noexcept nogil


cdef enum:
    # Up to this many items a check's contexts are sorted by insertion (no call per comparison);
    # qsort above. A dense event reaches a handful of contexts per check, where qsort (glibc's
    # merge sort through a comparator) was 4.5% of a match's instructions.
    INSERTION_SORT_MAX = 32


cdef inline bint _kid_less(const Kid* a, const Kid* b) noexcept nogil:
    # (parent, array, ctx) order, as `patterns_cmp_kid`
    if a.parent != b.parent:
        return a.parent < b.parent
    if a.array != b.array:
        return a.array < b.array
    return a.ctx < b.ctx


cdef void _sort_kids(Kid* kids, Py_ssize_t n) noexcept nogil:
    cdef Py_ssize_t i, j
    cdef Kid x
    if n > INSERTION_SORT_MAX:
        qsort(kids, n, sizeof(Kid), patterns_cmp_kid)
        return
    for i in range(1, n):
        x = kids[i]
        j = i
        while j > 0 and _kid_less(&x, &kids[j - 1]):
            kids[j] = kids[j - 1]
            j -= 1
        kids[j] = x


cdef void _sort_int32(int32_t* items, Py_ssize_t n) noexcept nogil:
    cdef Py_ssize_t i, j
    cdef int32_t x
    if n > INSERTION_SORT_MAX:
        qsort(items, n, sizeof(int32_t), patterns_cmp_int32)
        return
    for i in range(1, n):
        x = items[i]
        j = i
        while j > 0 and items[j - 1] > x:
            items[j] = items[j - 1]
            j -= 1
        items[j] = x


cdef int _consist_init(Consist* k, Py_ssize_t n_ctx) noexcept nogil:
    # 0; -1: memory. Most events have few contexts: their scratch is the walk's stack.
    cdef char* p
    if n_ctx <= CONSIST_SMALL:
        p = <char*>k.small
    else:
        p = <char*>malloc(n_ctx * CONSIST_BYTES)
        if p == NULL:
            return -1
        k.on_heap = True
    k.block = p
    k.n_ctx = n_ctx
    k.gen = 0
    k.direct = <uint64_t*>p
    p += n_ctx * sizeof(uint64_t)
    k.below = <uint64_t*>p
    p += n_ctx * sizeof(uint64_t)
    k.req = <uint64_t*>p
    p += n_ctx * sizeof(uint64_t)
    k.stamp = <int32_t*>p
    p += n_ctx * sizeof(int32_t)
    k.ok = <int32_t*>p
    p += n_ctx * sizeof(int32_t)
    k.kids_start = <int32_t*>p
    p += n_ctx * sizeof(int32_t)
    k.kids_end = <int32_t*>p
    p += n_ctx * sizeof(int32_t)
    k.reached = <int32_t*>p
    p += n_ctx * sizeof(int32_t)
    k.held = <int32_t*>p
    p += n_ctx * sizeof(int32_t)
    k.kids = <Kid*>p
    k.hgen = 0
    memset(k.stamp, 0, n_ctx * sizeof(int32_t))
    memset(k.held, 0, n_ctx * sizeof(int32_t))
    return 0


cdef inline void _consist_touch(Consist* k, int32_t c, Py_ssize_t* n) noexcept nogil:
    if k.stamp[c] != k.gen:
        k.stamp[c] = k.gen
        k.direct[c] = 0
        k.req[c] = 0
        k.ok[c] = 0
        k.kids_start[c] = k.kids_end[c] = 0
        k.reached[n[0]] = c
        n[0] += 1


cdef inline uint64_t _array_can(Consist* k, Py_ssize_t i, Py_ssize_t* j) noexcept nogil:
    # The conditions the array of kids[i] can hold (in one of its reached elements); *j: the
    # end of its run of kids.
    cdef int32_t a = k.kids[i].array, p = k.kids[i].parent
    cdef uint64_t can = 0
    j[0] = i
    while j[0] < k.n_ctx and k.kids[j[0]].parent == p and k.kids[j[0]].array == a:
        can |= k.below[k.kids[j[0]].ctx]
        j[0] += 1
    return can


cdef int _consist_decide(Consist* k, Py_ssize_t n, uint64_t full) noexcept nogil:
    # `consistent_choice`'s two walks over the reached contexts (`reached[0:n]` ascending, every
    # parent before its children, as context numbers go), in loops, no recursion: top-down,
    # the conditions each element must hold (`req`: the event all of them; below an element,
    # each array the ones only it can take, every reached element of it that could hold them
    # all); bottom-up, whether it can (`ok`). 1 or 0; -1 when a condition could go down two
    # arrays of one element (`consistent_choice` then tries each: its `_splits`).
    cdef Py_ssize_t i, x, j, end
    cdef int32_t c
    cdef uint64_t rest, seen, part
    cdef bint met
    k.req[0] = full
    for x in range(n):  # top-down
        c = k.reached[x]
        if not k.req[c]:
            continue
        rest = k.req[c] & ~k.direct[c]
        seen = 0
        i = k.kids_start[c]
        end = k.kids_end[c]
        while i < end:
            part = _array_can(k, i, &j) & rest
            if part & seen:
                return -1
            seen |= part
            i = j
        if seen != rest:  # some condition no array of c can take: c cannot, nothing handed down
            continue
        i = k.kids_start[c]
        while i < end:
            part = _array_can(k, i, &j) & rest
            if part:
                while i < j:
                    if k.below[k.kids[i].ctx] & part == part:
                        k.req[k.kids[i].ctx] = part
                    i += 1
            i = j
    for x in range(n - 1, -1, -1):  # bottom-up: children (larger numbers) first
        c = k.reached[x]
        if not k.req[c]:
            continue
        rest = k.req[c] & ~k.direct[c]
        met = True
        i = k.kids_start[c]
        end = k.kids_end[c]
        seen = 0
        while i < end and met:
            part = _array_can(k, i, &j) & rest
            seen |= part
            if part:
                met = False
                while i < j:
                    if k.req[k.kids[i].ctx] == part and k.ok[k.kids[i].ctx]:
                        met = True
                    i += 1
            i = j
        k.ok[c] = met and seen == rest
    return k.ok[0]


cdef int _consistent_c(Walk* w, Consist* k, Via* via, IntBuf* rec_ctx, IntBuf* rec_next, int32_t state,
                       ScanOut* out) noexcept nogil:
    # `consistent_choice` of the conditions on the way to `state` (their contexts noted in the
    # records), in C: 1 or 0; -1 where it must decide (more than 64 conditions off the root,
    # or one that two arrays of one element could take); -2: memory. The contexts' tree is
    # read from the scan (`out.ctx_parent`, `out.ctx_array`); each check touches only the
    # contexts its candidates reach, and their ancestors.
    cdef int32_t s = state, r_i, c, p
    cdef uint64_t full = 0, bit = 1
    cdef Py_ssize_t n = 0, n0, i, j, conds = 0
    cdef bint at_root
    if k.block == NULL and _consist_init(k, out.ctx_parent.n + 1) < 0:
        return -2
    k.gen += 1
    while s > 0:
        at_root = False
        r_i = via.heads[_via_slot(via, s)]
        while r_i >= 0 and not at_root:
            at_root = rec_ctx.p[r_i] == 0
            r_i = rec_next.p[r_i]
        if not at_root:  # a condition needing a choice: its candidates get its bit
            if conds == 64:
                return -1
            r_i = via.heads[_via_slot(via, s)]
            while r_i >= 0:
                c = rec_ctx.p[r_i]
                _consist_touch(k, c, &n)
                k.direct[c] |= bit
                r_i = rec_next.p[r_i]
            full |= bit
            bit <<= 1
            conds += 1
        s = _state(_cstep(w, s)).parent
    if full & (full - 1) == 0:
        return 1  # at most one condition needs a choice: any of its candidates will do
    n0 = n
    for i in range(n0):  # their ancestors, each once
        c = k.reached[i]
        while c > 0:
            c = out.ctx_parent.p[c - 1]
            if k.stamp[c] == k.gen:
                break
            _consist_touch(k, c, &n)
    _consist_touch(k, 0, &n)
    j = 0
    for i in range(n):
        c = k.reached[i]
        if c > 0:
            k.kids[j].parent = out.ctx_parent.p[c - 1]
            k.kids[j].array = out.ctx_array.p[c - 1]
            k.kids[j].ctx = c
            j += 1
    _sort_kids(k.kids, j)
    if j < k.n_ctx:
        k.kids[j].parent = -1  # ends the last run (`_array_can`)
    i = 0
    while i < j:
        p = k.kids[i].parent
        k.kids_start[p] = <int32_t>i
        while i < j and k.kids[i].parent == p:
            i += 1
        k.kids_end[p] = <int32_t>i
    _sort_int32(k.reached, n)  # parents before children
    for i in range(n):
        k.below[k.reached[i]] = k.direct[k.reached[i]]
    for i in range(n - 1, 0, -1):  # children first: what each context can hold below it
        c = k.reached[i]
        k.below[out.ctx_parent.p[c - 1]] |= k.below[c]
    if k.below[0] & full != full:
        return 0
    return _consist_decide(k, n, full)


cdef enum:
    MAX_UP = 64  # dotted prefixes of one path `_absent_c` keeps (deeper: `absent_in` decides)


cdef int _absent_c(Walk* w, Consist* k, int32_t pid, CLeaf* leaves, int32_t li, ScanOut* out,
                   IntBuf* where) noexcept nogil:
    # `consistency.absent_in` of a path with leaves (the chain from li), into `where`, in C:
    # the contexts with no leaf at the path in or below them that are the event (0: the path
    # absent everywhere) or elements of an array on the way to the path (its node a dotted
    # prefix of the path's, through `ScanTable.node_up`). 0; -1 where `absent_in` must
    # decide (a path deeper than MAX_UP nodes); -2: memory.
    cdef int32_t up[MAX_UP]
    cdef int n_up = 0, u
    cdef int32_t node, c, c_node
    cdef Py_ssize_t n_ctx = out.ctx_parent.n + 1
    if k.block == NULL and _consist_init(k, n_ctx) < 0:
        return -2
    k.hgen += 1
    while li >= 0:  # every context holding a leaf at the path, and their ancestors
        c = leaves[li].ctx
        while c >= 0 and k.held[c] != k.hgen:
            k.held[c] = k.hgen
            c = out.ctx_parent.p[c - 1] if c > 0 else -1
        li = leaves[li].next
    where.n = 0
    if k.held[0] != k.hgen:
        return intbuf_push(where, 0) * 2  # absent everywhere: context 0 agrees with any choice
    node = (<ScanTable>w.scan).pid_node[pid] if pid < w.n_pids else -1
    while node > 0:  # the path's node and its dotted prefixes, the event's node 0 left out
        if n_up == MAX_UP:
            return -1
        up[n_up] = node
        n_up += 1
        node = (<ScanTable>w.scan).node_up[node]
    for c in range(1, n_ctx):
        if k.held[c] == k.hgen:
            continue
        c_node = out.ctx_node.p[c - 1]
        for u in range(n_up):
            if up[u] == c_node:
                if intbuf_push(where, c) < 0:
                    return -2
                break
    return 0


cdef enum:
    # What `_walk_arrays` keeps on the C stack before the heap (about 12 KB): where 150 rules
    # match an event (10,000 dense rules) it reaches some 400 states and notes as many
    # contexts, which the smaller buffers of `_walk` moved to the heap three times an event.
    SMALL_VIA = 512      # states reached (at most half full)
    SMALL_VIA_HALF = 256  # (SMALL_VIA / 2: the most slots a table doubling in it leaves)
    VIA_START = 128      # of which the table starts on (cleared: 512 bytes an event)
    SMALL_RECORDS = 512  # states pending, contexts noted, rule states met


cdef int _walk_arrays(Walk* w, const unsigned char* buf, CLeaf* leaves, CValue* vals, int32_t* heads,
                      ScanOut* out, IntBuf* found) except -1 nogil:
    # `walk.run_machine`'s two phases over C states and C values, for an event whose
    # rule-path leaves sit in array elements: phase 1 expands each state once and notes, per
    # state reached, the contexts of the leaves that took the edge into it (absence: where
    # `absent_in` says); phase 2 keeps the rules of each reached state whose conditions have
    # an array-consistent choice. A condition noted at context 0 needs no choice, so a state
    # whose every condition holds there is decided without `consistent_choice` (or the GIL).
    cdef Via via
    cdef int32_t via_states_small[SMALL_VIA]
    cdef int32_t via_heads_small[SMALL_VIA]
    cdef IntBuf stack, hits, rec_ctx, rec_next, ends
    cdef int32_t stack_small[SMALL_RECORDS]
    cdef int32_t hits_small[SMALL_STACK]
    cdef int32_t rec_ctx_small[SMALL_RECORDS]
    cdef int32_t rec_next_small[SMALL_RECORDS]
    cdef int32_t ends_small[SMALL_RECORDS]
    cdef PyObject* state_obj
    cdef CStateData* cs
    cdef int32_t state, pid, li, r_i, s
    cdef Py_ssize_t e, a, k, j
    cdef bint at_root
    cdef int off_root
    cdef PyObject* contexts = NULL  # `_contexts(out, ...)`, made once when first needed (owned)
    cdef Consist consist  # `_consistent_c`'s scratch, made when first needed
    cdef int cr
    cdef uint64_t consist_small[CONSIST_WORDS]
    consist.block = NULL
    consist.small = consist_small
    consist.on_heap = False
    # Every buffer starts on the C stack and moves to the heap only when it outgrows it (most
    # events never do): no malloc or free per event.
    via.states = via_states_small
    via.heads = via_heads_small
    via.mask = VIA_START - 1
    via.used = 0
    via.small = SMALL_VIA
    via.on_heap = False
    memset(via_states_small, 0xFF, VIA_START * sizeof(int32_t))
    intbuf_on(&stack, stack_small, SMALL_RECORDS)
    intbuf_on(&hits, hits_small, SMALL_STACK)
    intbuf_on(&rec_ctx, rec_ctx_small, SMALL_RECORDS)
    intbuf_on(&rec_next, rec_next_small, SMALL_RECORDS)
    intbuf_on(&ends, ends_small, SMALL_RECORDS)
    try:
        _via_note(w, &via, &rec_ctx, &rec_next, &stack, 0, 0)
        while stack.n:
            stack.n -= 1
            state = stack.p[stack.n]
            state_obj = _cstep(w, state)
            cs = _state(state_obj)
            if cs.n_terms and intbuf_push(&ends, state) < 0:
                with gil:
                    raise MemoryError()
            for e in range(cs.n_edges):
                pid = cs.edge_pid[e]
                li = heads[pid] if pid < w.n_pids else -1
                while li >= 0:
                    _probe_leaf(state_obj, e, buf, &leaves[li], &vals[li], w, &hits)
                    for j in range(hits.n):
                        _via_note(w, &via, &rec_ctx, &rec_next, &stack, hits.p[j], leaves[li].ctx)
                    li = leaves[li].next
            for a in range(cs.n_absent):
                pid = cs.absent_pid[a]
                li = heads[pid] if pid < w.n_pids else -1
                if li < 0:
                    for j in range(cs.absent_off[a], cs.absent_off[a + 1]):
                        _via_note(w, &via, &rec_ctx, &rec_next, &stack, cs.absent_states[j], 0)
                    continue
                # present somewhere: absent from some array elements, perhaps
                cr = _absent_c(w, &consist, pid, leaves, li, out, &hits)
                if cr == -2:
                    with gil:
                        raise MemoryError()
                if cr == -1:
                    hits.n = 0
                    with gil:
                        _absent_where(<object>w.tables, pid, leaves, li, out, &hits, &contexts)
                for j in range(cs.absent_off[a], cs.absent_off[a + 1]):
                    for k in range(hits.n):
                        _via_note(w, &via, &rec_ctx, &rec_next, &stack, cs.absent_states[j], hits.p[k])
        for k in range(ends.n):
            state = ends.p[k]
            cs = _state(_cstep(w, state))
            # A condition noted at context 0 takes it, consistent with any choice; so is the
            # one condition left when all others are: only two or more off the root need a
            # choice made by `consistent_choice`.
            off_root = 0
            s = state
            while s > 0 and off_root < 2:
                at_root = False
                r_i = via.heads[_via_slot(&via, s)]
                while r_i >= 0 and not at_root:
                    at_root = rec_ctx.p[r_i] == 0
                    r_i = rec_next.p[r_i]
                if not at_root:
                    off_root += 1
                s = _state(_cstep(w, s)).parent
            if off_root >= 2:
                cr = _consistent_c(w, &consist, &via, &rec_ctx, &rec_next, state, out)
                if cr == -2:
                    with gil:
                        raise MemoryError()
                if cr == -1:  # a choice between arrays: `consistent_choice` decides
                    with gil:
                        cr = _consistent(w, &via, &rec_ctx, &rec_next, state, out, &contexts)
                if not cr:
                    continue
            if _note_terminal(found, state, cs) < 0:
                with gil:
                    raise MemoryError()
        return 0
    finally:
        if consist.on_heap:
            free(consist.block)
        if contexts != NULL:
            with gil:
                Py_DECREF(<object>contexts)
        if via.on_heap:
            free(via.states)
            free(via.heads)
        intbuf_free(&stack)
        intbuf_free(&hits)
        intbuf_free(&rec_ctx)
        intbuf_free(&rec_next)
        intbuf_free(&ends)


cdef object _cached_contexts(ScanOut* out, tables, PyObject** cache):
    # The event's `Contexts`, made on the first call of a walk and kept in *cache (a new
    # reference the walk releases).
    if cache[0] == NULL:
        contexts = _contexts(out, tables.scan)
        Py_INCREF(contexts)
        cache[0] = <PyObject*>contexts
    return <object>cache[0]


cdef int _absent_where(tables, int32_t pid, CLeaf* leaves, int32_t li, ScanOut* out,
                       IntBuf* where, PyObject** cache) except -1:
    # `absent_in` of a path with leaves (the chain from li), into `where`.
    present = []
    while li >= 0:
        present.append(leaves[li].ctx)
        li = leaves[li].next
    for c in absent_in(tables.path_names[pid], present, _cached_contexts(out, tables, cache)):
        if intbuf_push(where, c) < 0:
            raise MemoryError()
    return 0


cdef bint _consistent(Walk* w, Via* via, IntBuf* rec_ctx, IntBuf* rec_next, int32_t state,
                      ScanOut* out, PyObject** cache) except -1:
    # `consistent_choice` of the conditions on the way to `state`, their noted contexts.
    cdef int32_t s = state, r_i
    candidates = []
    while s > 0:
        noted = []
        r_i = via.heads[_via_slot(via, s)]
        while r_i >= 0:
            noted.append(rec_ctx.p[r_i])
            r_i = rec_next.p[r_i]
        candidates.append(noted)
        s = _state(_cstep(w, s)).parent
    return consistent_choice(candidates, _cached_contexts(out, <object>w.tables, cache))


cdef object _contexts(ScanOut* out, ScanTable table):
    # The scan's contexts as `patterns.events.Contexts` (what `consistent_choice` reads).
    cdef Py_ssize_t k
    cdef tuple node_paths = table.paths
    return Contexts(
        [-1] + [out.ctx_parent.p[k] for k in range(out.ctx_parent.n)],
        [-1] + [out.ctx_array.p[k] for k in range(out.ctx_array.n)],
        [""] + [node_paths[out.ctx_node.p[k]] for k in range(out.ctx_node.n)],
    )


# --- A whole batch at once: the scans, walks and answers of every event without the GIL -------------


cdef struct HitBuf:
    # A growable array of hits (rule id, borrowed name), heap memory (p NULL until the first).
    Hit* p
    Py_ssize_t n
    Py_ssize_t cap


cdef inline int hitbuf_reserve(HitBuf* b, Py_ssize_t more) noexcept nogil:
    # Room for `more` hits after the n there are: 0; -1 when memory runs out (b unchanged).
    cdef Py_ssize_t cap = b.cap or 256
    cdef Hit* p
    if b.n + more <= b.cap:
        return 0
    while cap < b.n + more:
        cap *= 2
    p = <Hit*>realloc(b.p, cap * sizeof(Hit))
    if p == NULL:
        return -1
    b.p = p
    b.cap = cap
    return 0


cdef int _answer_hits(const Walk* w, IntBuf* found, HitBuf* out, HitBuf* spare) noexcept nogil:
    # `_answer`'s hits (sorted by rule id, each rule once, with its name) appended to `out`,
    # with no Python object: 0, or -1 when memory runs out. Written in place in `out` (the
    # sort's room in `spare`), so a batch's answers take no allocation of their own.
    cdef Py_ssize_t start = out.n, k, j, total = 0, unique
    cdef int32_t top = 0
    cdef CStateData* cs
    cdef Hit* hits
    for k in range(found.n):
        total += _state(_cstep(w, found.p[k])).n_terms
    if hitbuf_reserve(out, total) < 0 or hitbuf_reserve(spare, total) < 0:
        return -1
    hits = out.p + start
    total = 0
    for k in range(found.n - 1, -1, -1):  # latest found first: nearly sorted (see `_answer`)
        cs = _state(_cstep(w, found.p[k]))
        for j in range(cs.n_terms):
            hits[total].rule = cs.terms[j]
            hits[total].name = cs.term_names[j]
            if cs.terms[j] > top:
                top = cs.terms[j]
            total += 1
    _sort_hits(hits, spare.p, total, top)
    unique = 0
    for k in range(total):
        if k == 0 or hits[k].rule != hits[unique - 1].rule:
            hits[unique] = hits[k]
            unique += 1
    out.n = start + unique
    return 0


cdef struct Batch:
    # One batch's events, as `_batch_read` found them, and their answers (`_batch_core`).
    Py_ssize_t count
    Py_buffer* views
    const unsigned char** bufs
    Py_ssize_t* sizes
    char* state        # per event: `_event_bytes`' answer, and 4 once answered
    Py_ssize_t* offs   # event k's hits are hits.p[offs[k]:offs[k + 1]]
    HitBuf hits
    HitBuf spare


cdef int _batch_read(Batch* b, list events) except -1:
    # With the GIL: each event's bytes (a view taken where needed; `_batch_free` releases it).
    cdef Py_ssize_t k, count = len(events)
    memset(b, 0, sizeof(Batch))
    b.count = count
    b.views = <Py_buffer*>PyMem_Malloc((count or 1) * sizeof(Py_buffer))
    b.bufs = <const unsigned char**>PyMem_Malloc((count or 1) * sizeof(unsigned char*))
    b.sizes = <Py_ssize_t*>PyMem_Malloc((count or 1) * sizeof(Py_ssize_t))
    b.state = <char*>PyMem_Malloc(count or 1)
    b.offs = <Py_ssize_t*>PyMem_Malloc((count + 1) * sizeof(Py_ssize_t))
    if b.views == NULL or b.bufs == NULL or b.sizes == NULL or b.state == NULL or b.offs == NULL:
        raise MemoryError()
    memset(b.state, 0, count)
    for k in range(count):
        b.state[k] = _event_bytes(events[k], &b.views[k], &b.bufs[k], &b.sizes[k])
    return 0


cdef int _batch_core(const Walk* w0, Batch* b) except -1 nogil:
    # Every event's scan, walk and answer (hits), without the GIL (the walk's rare Python
    # fallbacks take it themselves): one buffer of terminal states for all, reused.
    cdef Walk w = w0[0]  # a copy: the walk may set its fields
    cdef IntBuf found
    cdef int32_t found_small[SMALL_HITS]
    cdef Py_ssize_t k
    intbuf_on(&found, found_small, SMALL_HITS)
    try:
        for k in range(b.count):
            b.offs[k] = b.hits.n
            if b.state[k]:
                found.n = 0
                if _match_core(&w, b.bufs[k], b.sizes[k], &found) == 0:
                    b.state[k] |= 4
                    if _answer_hits(&w, &found, &b.hits, &b.spare) < 0:
                        with gil:
                            raise MemoryError()
        b.offs[b.count] = b.hits.n
        return 0
    finally:
        intbuf_free(&found)


cdef void _batch_free(Batch* b) noexcept:
    cdef Py_ssize_t k
    if b.state != NULL and b.views != NULL:
        for k in range(b.count):
            if b.state[k] & 3 == EVENT_VIEW:
                PyBuffer_Release(&b.views[k])
    PyMem_Free(b.views)
    PyMem_Free(b.bufs)
    PyMem_Free(b.sizes)
    PyMem_Free(b.state)
    PyMem_Free(b.offs)
    free(b.hits.p)
    free(b.spare.p)


def match_json_many(tables, list events):
    """`match_json(tables, event, named=True)` of every event of a list, the scans, walks and
    answers (rule ids sorted, names chosen) of the whole batch made with the GIL released
    (other threads match meanwhile).

    With the GIL: each event's buffer is read first, the rare Python fallbacks of the walk take
    it themselves, and each answer's list is made last, from names the walk already chose.

    Args:
        tables: a published `patterns.machine.Tables` with `csteps`.
        events: the events (bytes, bytearray, C-contiguous memoryview or str each; anything
            else gets None).

    Returns:
        Per event, the names of the rules it matches (sorted by rule id), or None where
        `match_json` would answer None.
    """
    cdef Walk w
    cdef Batch b
    cdef Py_ssize_t k, j
    cdef list result, names
    cdef object item
    cdef list seq = list(events)  # our own references: the caller's list may change meanwhile
    _walk_init(&w, tables)
    try:
        _batch_read(&b, seq)
        with nogil:
            _batch_core(&w, &b)
        result = PyList_New(b.count)
        for k in range(b.count):
            if b.state[k] & 4:
                names = PyList_New(b.offs[k + 1] - b.offs[k])
                for j in range(b.offs[k], b.offs[k + 1]):
                    item = <object>b.hits.p[j].name
                    Py_INCREF(item)
                    PyList_SET_ITEM(names, j - b.offs[k], item)
                item = names
            else:
                item = None
            Py_INCREF(item)
            PyList_SET_ITEM(result, k, item)
        return result
    finally:
        _batch_free(&b)


cdef array.array _INT_ARRAY = array.array("i")  # the template of the batch's arrays (C int: int32)


@cython.no_gc  # it holds a Tables, which never refers to a batch's answer
@cython.final
cdef class BatchNames:
    """The names of the rules each event of a batch matches, as `match_batch` found them.

    Event k's names are those of its rule ids, in their order (an event `match_batch` declines
    has none). The names the batch's walk chose are kept as borrowed pointers, one a match
    (8 bytes, as much as `rule_ids` twice), so nothing is made per event or per match until
    names are asked for; then each list is made in one go (`PyList_New` of its size, each name
    set in place). `tables` keeps the states, and so the names, alive. Immutable; each call
    hands out new lists.
    """

    cdef object tables     # the batch's Tables: its states hold the names `hits` borrow
    cdef PyObject** hits   # the name of every hit of the batch (malloc'd)
    cdef Py_ssize_t* offs  # event k's hits are hits[offs[k]:offs[k + 1]] (PyMem_Malloc'd, taken
                           # over from the batch)
    cdef Py_ssize_t count

    def __dealloc__(self):
        free(self.hits)
        PyMem_Free(self.offs)

    def __len__(self):
        return self.count

    cdef list _names(self, Py_ssize_t k):
        cdef Py_ssize_t j, start = self.offs[k], n = self.offs[k + 1] - self.offs[k]
        cdef list names = PyList_New(n)
        cdef object item
        for j in range(n):
            item = <object>self.hits[start + j]
            Py_INCREF(item)
            PyList_SET_ITEM(names, j, item)
        return names

    def names(self, Py_ssize_t k):
        """The names of event k's rules (0 <= k < len(self)).

        Raises:
            IndexError: k is out of range.
        """
        if not 0 <= k < self.count:
            raise IndexError(k)
        return self._names(k)

    def lists(self):
        """Every event's names, one list an event, in order."""
        cdef Py_ssize_t k
        cdef list result = PyList_New(self.count)
        cdef object item
        for k in range(self.count):
            item = self._names(k)
            Py_INCREF(item)
            PyList_SET_ITEM(result, k, item)
        return result


def match_batch(tables, events):
    """The rule ids every JSON event of a sequence matches, as two flat arrays, and their
    names, the scans, walks and answers of the whole batch made with the GIL released (other
    threads match meanwhile).

    With the GIL, per event, only its buffer is read (before) and, for the rare Python
    fallbacks of the walk, what they read; the answers are written as C ints, with no Python
    object per event or per match, and the names are kept as the walk chose them, to be made
    into lists only when asked for (`BatchNames`).

    Args:
        tables: a published `patterns.automaton.Tables` with `csteps`.
        events: a sequence of events (bytes, bytearray, C-contiguous memoryview or str each).

    Returns:
        (offsets, rule_ids, declined, names): `array('i')`s, event k's rule ids (sorted, no
        repeats) being ``rule_ids[offsets[k]:offsets[k + 1]]``; the indexes of the events the
        compiled road leaves to the reference road (`match_json` answers None: invalid or not
        JSON text, a number beyond a double's range), whose range is empty; and a `BatchNames`
        holding the names of each event's rules, in that order.
    """
    cdef Walk w
    cdef Batch b
    cdef Py_ssize_t k
    cdef array.array offsets, rule_ids
    cdef int* o
    cdef int* r
    cdef BatchNames names
    cdef list seq = list(events)  # our own references: a caller's list may change meanwhile
    _walk_init(&w, tables)
    try:
        _batch_read(&b, seq)
        with nogil:
            _batch_core(&w, &b)
        if b.hits.n > INT32_MAX:
            raise OverflowError(f"Expected at most {INT32_MAX} matches in one batch, got {b.hits.n}")
        offsets = array.clone(_INT_ARRAY, b.count + 1, False)
        rule_ids = array.clone(_INT_ARRAY, b.hits.n, False)
        o = offsets.data.as_ints
        r = rule_ids.data.as_ints
        for k in range(b.count + 1):
            o[k] = <int>b.offs[k]
        for k in range(b.hits.n):
            r[k] = b.hits.p[k].rule
        names = BatchNames.__new__(BatchNames)
        names.tables = tables
        names.count = b.count
        names.hits = <PyObject**>malloc((b.hits.n or 1) * sizeof(PyObject*))
        if names.hits == NULL:
            raise MemoryError()
        for k in range(b.hits.n):
            names.hits[k] = b.hits.p[k].name
        names.offs = b.offs  # taken over: `_batch_free` no longer frees them
        b.offs = NULL
        return offsets, rule_ids, [k for k in range(b.count) if not b.state[k] & 4], names
    finally:
        _batch_free(&b)
