"""Allow `python -m pqtrack`."""

from pqtrack.cli import main

main()
