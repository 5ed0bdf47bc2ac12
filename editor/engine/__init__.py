"""Jobs: immutable requests, pure run functions, and the worker thread that runs them."""
