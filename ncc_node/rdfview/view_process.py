"""``python -m ncc_node.rdfview.view_process ADDRESS DATABASE LIMITS_JSON``: the host's view
process (:mod:`.service`), started by ``ncc serve``; a module of its own, so that running it does
not import it twice (the package imports :mod:`.service`)."""

from __future__ import annotations

import json
import sys

from .pool import PoolLimits
from .service import serve_views


def main(argv: list[str]) -> None:
    """Serve the workers' queries at ADDRESS until ``ncc serve`` is gone."""
    address, database, limits = argv
    try:
        serve_views(address, database, PoolLimits(**json.loads(limits)))
    except KeyboardInterrupt:  # Ctrl-C reaches the whole process group; ncc serve stops us
        pass


if __name__ == "__main__":
    main(sys.argv[1:])
