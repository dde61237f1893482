"""`python -m materiel` runs the command line."""

from .cli import main

main()
