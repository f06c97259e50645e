"""A machine shipped to cluster workers: pickled once on the driver, unpickled once per process.

`Shipped(machine)` holds the pickled machine and a token (its SHA-256). A worker process calls
`machine_of(token, load)`: the first call unpickles the rules and builds the automaton; later
calls (later tasks of the same worker) get the cached machine at once. A pickled machine is its
rules' models (`Machine.__reduce__`), not its tables, so what ships is small and independent of
the build (compiled or pure) on either side. `patterns.spark` and `patterns.dask` ship through
here.
"""

from __future__ import annotations

import hashlib
import pickle
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from .machine import Machine

__all__ = ["Shipped", "machine_of"]

# Machines unpickled in this process, by token, most recently used last. Concurrency contract:
# any thread of a worker may call `machine_of`; the cache is read and written under `_LOCK` (a
# second task waiting for the first build gets the machine it built). Bounded: a long-lived
# worker that served many rule sets keeps the last `_SIZE`.
_CACHE: OrderedDict[str, Machine] = OrderedDict()
_LOCK = threading.Lock()
_SIZE = 4
_LOADS = [0]  # machines unpickled by this process (tests read it: one per worker and rule set)


@dataclass(frozen=True)
class Shipped:
    """A machine's pickle and its token, made once on the driver.

    Attributes:
        token: the SHA-256 of `data`, the key of the workers' cache.
        data: the pickled machine.
    """

    token: str
    data: bytes

    @classmethod
    def of(cls, machine: Machine) -> Shipped:
        """Pickle a machine (a snapshot: later changes to it are not shipped).

        Args:
            machine: the rules.

        Returns:
            The `Shipped` machine.

        Raises:
            TypeError: `machine` is not a `Machine`.
        """
        if not isinstance(machine, Machine):
            raise TypeError(f"Expected `Machine`, got `{type(machine).__name__}`")
        data = pickle.dumps(machine, protocol=pickle.HIGHEST_PROTOCOL)
        return cls(hashlib.sha256(data).hexdigest(), data)


def machine_of(token: str, load: Callable[[], bytes]) -> Machine:
    """The machine of `token` in this process: unpickled, and its automaton built, once.

    Args:
        token: `Shipped.token`.
        load: gives `Shipped.data`; called only when this process has not the machine yet.

    Returns:
        The machine, with its tables built.

    Raises:
        TypeError: the data is not a pickled `Machine`.
    """
    with _LOCK:
        machine = _CACHE.get(token)
        if machine is not None:
            _CACHE.move_to_end(token)
            return machine
        _LOADS[0] += 1
        machine = pickle.loads(load())  # our own pickle, made by `Shipped.of` on the driver
        if not isinstance(machine, Machine):
            raise TypeError(f"Expected `Machine`, got `{type(machine).__name__}`")
        machine.match(b"{}")  # builds the tables here, once per process, not inside a batch
        _CACHE[token] = machine
        while len(_CACHE) > _SIZE:
            _CACHE.popitem(last=False)
        return machine
