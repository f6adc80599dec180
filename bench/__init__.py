"""Benchmarks of the gateway: its cost as ratios against bare FastAPI and the raw ASGI floor.

Run them with ``make bench`` (or ``python -m bench``); they are not part of ``make test``.
Every figure is the median of alternating rounds of two configurations measured in one
run, so that a noisy machine slows both sides alike.
"""
