"""The DynamoDB adapters: one per port, on the shared ``table`` module, keys from ``keys``.

``signals`` (the ``SignalStore``, also the lifecycle job's), ``matches`` (the ``MatchStore``, and the
copies a match keeps of a changed signal), ``municipal`` (the regievoerder's records and the
reminders), ``ledger`` (the mails sent), ``logbook``, ``idempotency`` and ``reports``; ``items`` and
``match_items`` translate between domain objects and items.
"""
