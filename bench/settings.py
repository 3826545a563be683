"""Benchmark settings: production settings plus one trivial view, the floor that every
page's throughput is compared with."""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
