"""``python -m ncc_cli``: the same as the ``ncc`` console script."""

from . import main

main(prog_name="ncc")
