"""Run the stand-in standalone: ``python -m bot.transport.standin --port 8081`` (Ctrl-C to stop)."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging

from .server import StandIn


async def _serve(port: int, host: str, retry_delay: float) -> None:
    standin = StandIn(host, port, webhook_retry_delay=retry_delay)
    base = await standin.start()
    print(base, flush=True)
    print(f"Bot API: {base}/bot<token>/<method>   control API: {base}/control/...", flush=True)
    try:
        await asyncio.Event().wait()
    finally:
        await standin.stop()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bot.transport.standin",
                                     description="Local Telegram Bot API stand-in (127.0.0.1 only).")
    parser.add_argument("--port", type=int, default=8081, help="TCP port (0 = pick a free one)")
    parser.add_argument("--host", default="127.0.0.1", choices=["127.0.0.1", "localhost"])
    parser.add_argument("--webhook-retry-delay", type=float, default=0.5)
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO,
                        format="%(asctime)s %(name)s %(levelname)s %(message)s")
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(args.port, args.host, args.webhook_retry_delay))


if __name__ == "__main__":
    main()
