"""The `with` protocol shared by the local control plane and the local cluster."""

from __future__ import annotations

from typing import Self


class StartedInContext:
    """``start()`` on entering a ``with`` block and ``stop()`` on leaving it; a
    start that fails half way is stopped too, so no process it launched outlives
    it. Subclasses make ``stop()`` safe to call on a partial start."""

    def start(self) -> None:
        raise NotImplementedError

    def stop(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> Self:
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
