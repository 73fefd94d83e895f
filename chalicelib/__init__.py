"""Verwijsindex application package: domain, services, adapters and wiring."""
