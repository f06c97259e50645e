# The dict stage: decoded events (dicts) through the C walk. Included by _match_c.pyx after the
# walk stage; the types it shares with them are in _shared.pxi.
#
# Reads: a published `Tables` and a decoded event (a dict). Gives: the names (or ids) of the
# rules it matches, as the walk stage gives them for bytes (`_walk`, `_walk_arrays`, `_answer`).
#
# A caller that already parsed its event passes a dict; `match_dict` walks it directly (no JSON
# text made), the way the scanner walks bytes: keys looked up as UTF-8 in the ScanTable, values
# on rule paths become C values pointing into the str objects, containers no rule names are only
# type-checked. It answers for plain trees (dicts, lists, tuples; str keys; str, int, finite
# float, bool, None, BigNumber); anything else, a tree deeper than MAX_DEPTH (a cycle is one), a
# key or string with a lone surrogate, an int a double cannot hold, gets None: the reference road
# (`check_tree`, `select_leaves`) then answers, or words the error.

cdef struct DictFrame:
    PyObject* obj      # the container (borrowed from the event)
    Py_ssize_t pos     # PyDict_Next's position, or the next index of a list/tuple
    int32_t node       # its path node, or -1 off rule paths
    int32_t ctx
    int32_t array_id
    int kind           # 0 dict, 1 list, 2 tuple


def match_dict(tables, event, bint named=False, bint checked=False):
    """`engine.run`'s answer for a decoded JSON event by the C walk, or None.

    Args:
        tables: a published `patterns.automaton.Tables` with `csteps`.
        event: the decoded event (only a dict is walked here).
        named: the answer names the rules (else it gives their ids).
        checked: a JSON decoder made the event. Unread here: the C walk reads only JSON's
            own types and declines on anything else, so it needs no such promise.

    Returns:
        Sorted rule ids (no repeats), or their names in that order, or None where the reference
        road must answer (see the module comment).
    """
    if type(event) is not dict:
        return None
    cdef Walk w
    _walk_init(&w, tables)
    return _match_dict(&w, event, named)


cdef object _match_dict(const Walk* w0, dict event, bint named):
    cdef Walk w = w0[0]  # a copy: the walk sets `objs`
    cdef IntBuf found
    cdef int32_t found_small[SMALL_FOUND]
    cdef ScanOut out
    cdef CLeaf small[SMALL_LEAVES]
    cdef list objs = []
    cdef int r
    intbuf_on(&found, found_small, SMALL_FOUND)
    _out_init(&out, small)
    try:
        r = _dict_leaves(<ScanTable>w.scan, event, &out, objs)
        if r:
            return None
        r = _dict_walk(&w, &out, objs, &found)
        if r:
            return None
        return _answer(&w, &found, named)
    finally:
        _out_free(&out)
        intbuf_free(&found)


cdef int _dict_leaves(ScanTable table, dict event, ScanOut* out, list objs) except -1:
    # The leaves on rule paths of a plain tree into out (leaf.start: the index of its value in
    # objs), contexts as the scanner opens them; 1 where the tree is not plain (see above).
    cdef DictFrame small_frames[SMALL_DEPTH]
    cdef DictFrame* frames = small_frames
    cdef DictFrame* heap = NULL
    cdef DictFrame* top
    cdef Py_ssize_t sp = 1, n, size
    cdef PyObject* key
    cdef PyObject* value
    cdef int32_t node, child, next_array = 0, ctx
    cdef const char* utf8
    cdef bint from_array
    cdef type t
    cdef CLeaf* leaf
    frames[0].obj = <PyObject*>event
    frames[0].pos = 0
    frames[0].node = 0 if table.node_edges[0] else -1
    frames[0].ctx = 0
    frames[0].array_id = -1
    frames[0].kind = 0
    try:
        while sp:
            top = &frames[sp - 1]
            node = -1
            if top.kind == 0:
                if not PyDict_Next(<object>top.obj, &top.pos, &key, &value):
                    sp -= 1
                    continue
                if type(<object>key) is not str:
                    return 1
                if top.node >= 0:
                    try:
                        utf8 = PyUnicode_AsUTF8AndSize(<object>key, &n)
                    except UnicodeEncodeError:
                        return 1
                    node = table.child(top.node, <const unsigned char*>utf8, n)
                from_array = False
            else:
                size = len(<object>top.obj)
                if top.pos >= size:
                    sp -= 1
                    continue
                # pos < size: in range (the event is not changed while the GIL is held here)
                if top.kind == 1:
                    value = _list_item(<object>top.obj, top.pos)
                else:
                    value = _tuple_item(<object>top.obj, top.pos)
                top.pos += 1
                node = top.node
                from_array = True
            ctx = top.ctx
            t = type(<object>value)
            if t is dict or t is list or t is tuple:
                if sp >= MAX_DEPTH:
                    return 1  # deeper than the scanner goes (a cycle is infinitely deep)
                if sp == SMALL_DEPTH and heap == NULL:
                    heap = <DictFrame*>PyMem_Malloc(MAX_DEPTH * sizeof(DictFrame))
                    if heap == NULL:
                        raise MemoryError()
                    memcpy(heap, frames, sp * sizeof(DictFrame))
                    frames = heap
                if from_array and node >= 0:
                    ctx = _open_context(out, ctx, frames[sp - 1].array_id, node)
                    if ctx < 0:
                        raise MemoryError()
                top = &frames[sp]
                sp += 1
                top.obj = value
                top.pos = 0
                top.ctx = ctx
                if t is dict:
                    top.kind = 0
                    top.node = node if node >= 0 and table.node_edges[node] else -1
                    top.array_id = -1
                else:
                    top.kind = 1 if t is list else 2
                    top.node = node
                    if node >= 0:
                        top.array_id = next_array
                        next_array += 1
                    else:
                        top.array_id = -1
                continue
            if t is str or t is int or t is bool or t is BigNumber or <object>value is None:
                pass
            elif t is float:
                if not PyFloat_AS_DOUBLE(<object>value) - PyFloat_AS_DOUBLE(<object>value) == 0.0:
                    return 1  # NaN or an infinity: the reference road refuses it
            else:
                return 1  # a subclass or a type JSON has not: the reference road decides
            if node >= 0 and table.node_pid[node] >= 0:
                leaf = _out_leaf(out)
                if leaf == NULL:
                    raise MemoryError()
                leaf.pid = table.node_pid[node]
                leaf.ctx = ctx
                leaf.next = -1
                leaf.start = len(objs)
                objs.append(<object>value)
                if ctx:
                    out.any_leaf_ctx = True
        return 0
    finally:
        PyMem_Free(heap)


cdef int _dict_walk(Walk* w, ScanOut* out, list objs, IntBuf* found) except -1:
    # The walk over the leaves `_dict_leaves` found; 1 where the reference road must answer.
    cdef int32_t small_heads[SMALL_PIDS]
    cdef int32_t* heads = small_heads
    cdef CValue* vals = NULL
    cdef Py_ssize_t k, n
    cdef CLeaf* leaf
    cdef CValue* v
    cdef type t
    cdef bint arrays = out.ctx_parent.n and (out.any_leaf_ctx or w.any_absent)
    try:
        if w.n_pids > SMALL_PIDS:
            heads = <int32_t*>_pymem_array(w.n_pids, sizeof(int32_t))
        memset(heads, 0xFF, w.n_pids * sizeof(int32_t))
        vals = <CValue*>_pymem_array(out.n_leaves, sizeof(CValue))
        for k in range(out.n_leaves - 1, -1, -1):
            leaf = &out.leaves[k]
            v = &vals[k]
            value = objs[leaf.start]
            t = type(value)
            if t is str:
                try:
                    v.s = <const unsigned char*>PyUnicode_AsUTF8AndSize(value, &n)
                except UnicodeEncodeError:
                    return 1  # a lone surrogate: no UTF-8 for it
                v.n = n
                v.ascii = PyUnicode_IS_ASCII(value)
                v.kind = V_STR
            elif t is bool:
                v.kind = V_TRUE if value else V_FALSE
            elif value is None:
                v.kind = V_NULL
            elif t is float:
                v.kind = V_NUM
                v.d = PyFloat_AS_DOUBLE(value)
            elif t is int:
                try:
                    v.d = PyLong_AsDouble(value)
                except OverflowError:
                    return 1  # past a double: `plain_scalar` and `as_double` decide
                v.kind = V_NUM
            else:  # BigNumber
                v.kind = V_BIG
            leaf.kind = v.kind
            leaf.next = heads[leaf.pid]
            heads[leaf.pid] = <int32_t>k
        w.objs = (<PyListObject*>objs).ob_item
        if arrays:
            _walk_arrays(w, NULL, out.leaves, vals, heads, out, found)
        else:
            _walk(w, NULL, out.leaves, vals, heads, found)
        return 0
    finally:
        w.objs = NULL
        PyMem_Free(vals)
        if heads != small_heads:
            PyMem_Free(heads)
