"""Where parallel work runs: a local process pool, or Ray (a local instance or a cluster).

A pool takes a module-level function and items that pickle, runs one call per item on its
workers, and hands back each item with its result as calls finish, in any order. A call that
raised hands back its exception; a worker that died hands back ``WorkerLost`` (Ray first
retries the call on another worker), so the caller decides what is reported and what is kept.
"""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Any, Callable, Iterable, Iterator, Protocol, TypeVar

from lcagent.memory.errors import WorkspaceError

Item = TypeVar("Item")

# Calls queued per worker beyond the one it runs: a worker that finishes finds its next call
# waiting, while memory holds only a few items' inputs (files' bytes) at a time.
QUEUED_PER_WORKER = 1
# Ray runs a call whose worker died again on another worker this many times.
RAY_RETRIES = 2


class WorkerLost(Exception):
    """The worker running a call died (killed, out of memory, a crash in native code)."""


class ClusterUnavailable(WorkspaceError):
    """Ray is not installed, or the cluster cannot be reached: a one-line message says what to do."""


class WorkerPool(Protocol):
    workers: int  # calls that run at once
    description: str  # for messages: "local process pool, 2 workers", "Ray at ..., 8 CPUs"

    def run(self, function: Callable[[Item], Any], items: Iterable[Item]) -> Iterator[tuple[Item, Any]]:
        """``(item, result or exception)`` per item, as calls finish; items are drawn lazily."""
        ...

    def close(self) -> None: ...


class LocalPool:
    """Worker processes on this machine, spawned (the caller may run threads, which fork does not survive).

    When a worker dies, Python's pool breaks and fails every call in it: a fresh pool runs those
    calls again, each up to ``retries`` more times.
    """

    def __init__(self, workers: int | None = None, *, retries: int = RAY_RETRIES) -> None:
        self.workers = max(1, workers or os.cpu_count() or 1)
        self.retries = retries
        self.description = f"local process pool, {self.workers} worker{'s' if self.workers > 1 else ''}"
        self._executor = self._new_executor()

    def _new_executor(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(max_workers=self.workers, mp_context=multiprocessing.get_context("spawn"))

    def run(self, function: Callable[[Item], Any], items: Iterable[Item]) -> Iterator[tuple[Item, Any]]:
        source = iter(items)
        pending: dict[Future, tuple[Item, int]] = {}  # call -> (item, attempts so far)
        retry: list[tuple[Item, int]] = []
        limit = self.workers * (1 + QUEUED_PER_WORKER)
        try:
            while True:
                while len(pending) < limit:
                    item, attempts = retry.pop(0) if retry else (next(source, _END), 0)
                    if item is _END:
                        break
                    pending[self._executor.submit(function, item)] = (item, attempts + 1)
                if not pending:
                    return
                done, _ = wait(list(pending), return_when=FIRST_COMPLETED)
                broken = False
                for future in done:
                    item, attempts = pending.pop(future)
                    try:
                        result = future.result()
                    except BrokenProcessPool as lost:
                        broken = True
                        if attempts <= self.retries:
                            retry.append((item, attempts))
                            continue
                        result = WorkerLost(f"a worker process died ({lost}; tried {attempts} times)")
                    except Exception as error:
                        result = error
                    yield item, result
                if broken:  # the other calls in the broken pool fail too, through no fault of theirs
                    self._executor.shutdown(wait=False, cancel_futures=True)
                    self._executor = self._new_executor()
                    retry += [(item, attempts - 1) for item, attempts in pending.values()]
                    pending.clear()
        finally:
            for future in pending:
                future.cancel()

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)


_END = object()


class RayPool:
    """Ray tasks: on a local instance started here (``workers`` CPUs) or on the cluster at ``address``.

    A task whose worker process dies is run again, up to ``retries`` times, on another worker.
    An instance this pool started is stopped by ``close``; one already running is left running.
    """

    def __init__(self, workers: int | None = None, address: str | None = None, *, retries: int = RAY_RETRIES) -> None:
        ray = import_ray()
        self._ray = ray
        self._started_here = False
        if not ray.is_initialized():
            options: dict[str, Any] = {"include_dashboard": False, "log_to_driver": False, "logging_level": "ERROR"}
            try:
                if address:
                    ray.init(address=address, **options)
                else:
                    # loopback only: a local instance serves no other machine
                    ray.init(num_cpus=workers or os.cpu_count() or 1, _node_ip_address="127.0.0.1", **options)
            except ConnectionError as problem:
                raise ClusterUnavailable(f"cannot join the Ray cluster at {address} ({problem}); check the address "
                                         "(`ray status` on the head node prints it) or drop --ray-address") from None
            self._started_here = True
        cpus = int(ray.cluster_resources().get("CPU", 1))
        self.workers = max(1, min(workers, cpus) if workers else cpus)
        where = f"Ray cluster at {address}" if address else "local Ray instance"
        self.description = f"{where}, {self.workers} worker{'s' if self.workers > 1 else ''}"
        self.retries = retries

    def run(self, function: Callable[[Item], Any], items: Iterable[Item]) -> Iterator[tuple[Item, Any]]:
        ray = self._ray
        remote = ray.remote(num_cpus=1, max_retries=self.retries)(function)
        source = iter(items)
        pending: dict[Any, Item] = {}
        limit = self.workers * (1 + QUEUED_PER_WORKER)
        try:
            while True:
                for item in source:
                    pending[remote.remote(item)] = item
                    if len(pending) >= limit:
                        break
                if not pending:
                    return
                ready, _ = ray.wait(list(pending), num_returns=1)
                for reference in ready:
                    item = pending.pop(reference)
                    yield item, self._result(reference)
        finally:
            for reference in pending:
                ray.cancel(reference, force=True)

    def _result(self, reference) -> Any:
        exceptions = self._ray.exceptions
        try:
            return self._ray.get(reference)
        except exceptions.RayTaskError as raised:  # the function raised: hand back what it raised
            cause = raised.cause
            return cause if isinstance(cause, Exception) else WorkerLost(str(raised))
        except exceptions.RayError as lost:  # the worker (or its node) died, after the retries
            first_line = str(lost).strip().splitlines()[0] if str(lost).strip() else type(lost).__name__
            return WorkerLost(f"{type(lost).__name__}: {first_line} (tried {self.retries + 1} times)")

    def close(self) -> None:
        if self._started_here:
            self._ray.shutdown()


def import_ray():
    try:
        import ray
    except ImportError:
        raise ClusterUnavailable('Ray is not installed; pip install "lcagent[cluster]" (or drop --ray)') from None
    return ray


def make_pool(*, ray: bool = False, ray_address: str | None = None, workers: int | None = None) -> WorkerPool:
    """The pool the CLI options name: Ray with ``ray`` or an address, else local processes."""
    if ray or ray_address:
        return RayPool(workers, ray_address)
    return LocalPool(workers)
