"""python -m pinterest_sim --host 127.0.0.1 --port 8765 --world pinterest_sim/worlds/demo.json"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import uvicorn

from pinterest_sim.app import create_app
from pinterest_sim.world import MEMBER_ORDERS, World

DEFAULT_WORLD = Path(__file__).parent / "worlds" / "demo.json"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pinterest_sim", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default: loopback only)")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--world", type=Path, default=DEFAULT_WORLD, help="world file (contract appendix A)")
    parser.add_argument("--member-order", choices=sorted(MEMBER_ORDERS), default="folded",
                        help="the collation of Members: folded (case and punctuation ignored first, as a "
                             "locale-aware collation does; the default) or email (code points)")
    args = parser.parse_args(argv)
    try:
        World.load(args.world)
    except (OSError, ValueError) as error:
        print(f"pinterest_sim: cannot load world file {args.world}: {error}", file=sys.stderr)
        return 2
    uvicorn.run(create_app(args.world, args.member_order), host=args.host, port=args.port, log_level="warning", access_log=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
