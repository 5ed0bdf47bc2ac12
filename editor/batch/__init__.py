"""Batch processing: one operation over whole folders of images, resumable (`retouch batch`,
File → Batch…).

inputs (which files, where their results go), manifest (SQLite record of every result),
operations (the one adapter to the operation registry), worker (one image in any process),
runner (plan + local backends + the batch loop), ray_backend (Ray actors; optional extra),
report (the summary table). No Qt anywhere here; torch only in the worker processes.
"""
