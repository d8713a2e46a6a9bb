"""Building: the pipeline, its jobs on the worker pool, the freshness record, the lock, publishing."""
