"""The admin command line (``python -m admin``): kept out of the Lambda package, which ships
``chalicelib/`` and ``app.py`` only."""
