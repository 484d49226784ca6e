"""`python -m milia_scan.cli`."""

from . import main

main()
