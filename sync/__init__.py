"""The sync worker: peer client, acceptance rules and scheduler."""

__all__: list[str] = []
