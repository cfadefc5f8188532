"""The photo pool: watching the inbox, verified copies, the catalogue, deleting originals."""
