"""Stopping a long-running command on SIGTERM or SIGINT (root, for the CLI's `project`): cancel, clean up, exit 0."""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Awaitable
from typing import Any

log = logging.getLogger(__name__)
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)
"""What stops a process gracefully: Ctrl-C, and what docker stop, Kubernetes and systemd send."""


async def until_stopped(*work: Awaitable[Any]) -> bool:
    """Run `work` until it ends (its error raised) or a stop signal comes; True if a signal stopped it.

    On a signal the work is cancelled and awaited: a projection runner's batch in flight rolls
    back with its checkpoint (one transaction), so a worker started later carries on from the
    last committed batch.
    """
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for sig in STOP_SIGNALS:
        loop.add_signal_handler(sig, stop.set)
    running: asyncio.Future[list[Any]] = asyncio.gather(*work)
    stopped: asyncio.Future[Any] = asyncio.create_task(stop.wait())
    try:
        await asyncio.wait({running, stopped}, return_when=asyncio.FIRST_COMPLETED)
        if running.done():
            running.result()
            return False
        log.info("stopping: a stop signal came; cancelling the work in flight")
        return True
    finally:
        running.cancel()
        await asyncio.gather(running, return_exceptions=True)
        stopped.cancel()
        for sig in STOP_SIGNALS:
            loop.remove_signal_handler(sig)
