"""The population register (BRP): Haal Centraal BRP Personen v2."""
