"""Run a batch on a Ray cluster: one actor per GPU (or per `threads` CPUs), each holding the
operation's models for the whole batch; tasks carry paths, so inputs and outputs live on a
filesystem every node sees (NFS, a cluster filesystem, a bucket mounted with FUSE).

Back-pressure: each actor has one task in flight and the driver hands out the next only when
one comes back, so memory stays flat whatever the number of files. The driver alone writes the
manifest. Importing this module imports Ray (the optional `scale` extra): the CLI turns the
ImportError into how to install it.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterable
from typing import Any

import ray
from ray.util import ActorPool

from editor.batch.worker import Outcome, Task, Worker

# Environment the actors need from the driver's (the cache holding the weights, ...).
FORWARDED_ENV = ("RETOUCH_CACHE_DIR", "RETOUCH_SKIP_LIBRARY_CHECK")


class BatchActor:
    """A Worker in a Ray actor process: models load on the first image and stay."""

    def __init__(self, operation: str, options: dict[str, Any], threads: int | None):
        self.worker = Worker(operation, options, threads)

    def process(self, task: Task) -> Outcome:
        return self.worker(task)


class RayBackend:
    """address: "local" starts a Ray instance on this machine (shut down at the end); "auto"
    or an address connects to a running cluster. A Ray already initialised in this process
    (a test, a notebook) is used as it is. workers: actors (default: one per GPU of the
    cluster, else one per `threads` CPUs)."""

    def __init__(self, address: str = "auto", workers: int | None = None,
                 threads: int | None = None):  # fmt: skip
        self.address = address
        self.workers = workers
        self.threads = threads
        self.name = f"Ray ({address})"

    def _connect(self) -> bool:
        """Initialise Ray unless it is; True when this call started it (and must stop it)."""
        if ray.is_initialized():
            return False
        if self.address == "local":
            ray.init(include_dashboard=False, log_to_driver=False)
        else:
            ray.init(address=self.address, log_to_driver=False)
        return True

    def _actors(self, job: Any) -> list[Any]:
        resources = ray.cluster_resources()
        gpus = int(resources.get("GPU", 0))
        cpus = max(1, int(resources.get("CPU", 1)))
        if gpus:
            count = self.workers or gpus
            per_actor: dict[str, Any] = {"num_gpus": 1, "num_cpus": 1}
            threads = self.threads
        else:
            threads = self.threads or min(2, cpus)
            count = self.workers or max(1, cpus // threads)
            per_actor = {"num_cpus": min(threads, cpus)}
        self.name = f"Ray ({self.address}, {count} actor{'s' if count != 1 else ''})"
        env = {name: os.environ[name] for name in FORWARDED_ENV if name in os.environ}
        if env:  # the driver's settings, also where Ray was started before them (tests)
            per_actor["runtime_env"] = {"env_vars": env}
        actor = ray.remote(BatchActor).options(**per_actor)  # type: ignore[attr-defined]
        return [actor.remote(job.operation, job.options, threads) for _ in range(count)]

    def run(self, job: Any, tasks: Iterable[Task], on_outcome: Callable[[Outcome], None],
            stop: threading.Event) -> None:  # fmt: skip
        started = self._connect()
        actors: list[Any] = []
        try:
            actors = self._actors(job)
            pool = ActorPool(actors)
            pending = 0

            def collect() -> None:
                nonlocal pending
                while not stop.is_set():
                    try:
                        outcome = pool.get_next_unordered(timeout=0.5)
                    except TimeoutError:
                        continue
                    pending -= 1
                    on_outcome(outcome)
                    return

            for task in tasks:
                while not pool.has_free() and not stop.is_set():
                    collect()
                if stop.is_set():
                    break
                pool.submit(lambda actor, value: actor.process.remote(value), task)
                pending += 1
            while pending and not stop.is_set():
                collect()
        finally:
            for actor in actors:  # on a stop, images in progress are dropped (outputs are
                ray.kill(actor)  # written atomically; the rerun does them)
            if started:
                ray.shutdown()
