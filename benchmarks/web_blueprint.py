"""The one-service web stack of benchmarks/stacks.py as a blueprint: what `make bench` times `ecsstack synth` on."""

from stacks import web_stack

from ecsstack import Stack


def build() -> Stack:
    return web_stack(1)
