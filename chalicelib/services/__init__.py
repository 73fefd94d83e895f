"""Use cases: each takes its collaborators as arguments and speaks only the domain's language."""
