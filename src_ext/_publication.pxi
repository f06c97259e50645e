# The publication stage: a machine's `match` on the compiled road, one object per published
# tables. Included by _match_c.pyx after the dict stage; `Walk` is in _shared.pxi.
#
# Reads: a published `Tables` (made by the writer, never written again) and the reference road's
# match (`slow`), for events the compiled road leaves to it. Gives: `FastMatch`, the match of one
# publication (a dict to the dict stage, anything else to the walk stage, no Python frame
# between), and `LiveMatch`, the machine's `match`, which answers from the latest publication.
#
# Concurrency: the writer publishes by one call (`LiveMatch.publish`) that swaps two references;
# a reader takes its own references to what it starts with, so it never waits, never writes,
# and never sees a publication half made.


cdef class FastMatch:
    """`Machine.match` of one published `Tables` on the compiled road.

    Made by the writer with each publication (`compiled_match`): a dict goes to `match_dict`,
    anything else to `match_json`, and the answer (rule names) comes back with no Python frame
    between; where the compiled road is not sure (None), `slow(tables, event)`, the reference
    road, answers from the same tables. Immutable; holds its tables alive.
    """

    cdef object tables  # kept alive: `w` points into it
    cdef object slow
    cdef Walk w

    def __cinit__(self, tables, slow):
        self.tables = tables
        self.slow = slow
        _walk_init(&self.w, tables)

    def match(self, event):
        """The names of the rules `event` matches in these tables (see `LiveMatch.match`)."""
        return self._match(event)

    cdef object _match(self, event):
        if type(event) is dict:
            found = _match_dict(&self.w, <dict>event, True)
        else:
            found = _match_json(&self.w, event, True)
        if found is None:
            return self.slow(self.tables, event)
        return found

    def live(self):
        """A new `LiveMatch` answering from these tables (and with their `slow`)."""
        live = LiveMatch(self.slow)
        live.publish(self, self.tables)
        return live


cdef class LiveMatch:
    """A machine's `match` on the compiled road: one C call, always from the latest tables.

    The machine makes one with its first compiled publication and stores its bound `match` as
    its own `match` attribute (a router's `machine.match(event)`, or a `match = machine.match`
    kept for later, then costs no Python frame); each later publication calls `publish`. A
    match takes its own reference to what it starts with, so a publication while it runs
    (another thread's, during a Python fallback of this one) frees nothing it reads.
    """

    cdef FastMatch cur  # None: the latest tables have no compiled walk
    cdef object tables
    cdef object slow    # (tables, event) -> names: the reference road

    def __cinit__(self, slow):
        self.cur = None
        self.tables = None
        self.slow = slow

    def publish(self, FastMatch cur, tables):
        """From now on, answer from `tables`: through `cur`, or (None) the reference road."""
        old = (self.cur, self.tables)  # released after both fields are set: no reader sees
        self.cur = cur                 # a new cur with the old tables mid-way (a release
        self.tables = tables           # could run a finaliser, and let another thread in)
        del old

    def match(self, event):
        """The names of every rule that matches an event.

        Args:
            event: as `Pattern.matches` takes it for this dialect (EventBridge: JSON bytes,
                bytearray, memoryview or text, or a decoded dict).

        Returns:
            The matching rules' names, in the order the names were first added.

        Raises:
            InvalidEventError: as `Pattern.matches` raises it for this event.
        """
        cdef FastMatch cur = self.cur  # this call's own references
        cdef object tables = self.tables
        if cur is None:
            if tables is None:
                raise RuntimeError("LiveMatch.match before anything was published")
            return self.slow(tables, event)
        return cur._match(event)


def compiled_match(tables, slow):
    """The compiled road's match for one published `Tables`: a `FastMatch`.

    Args:
        tables: a published `patterns.automaton.Tables` with `csteps`.
        slow: `slow(tables, event)` answers (rule names) where the compiled road is not sure.
    """
    return FastMatch(tables, slow)
