"""Plausible answers for demo and scale data: a team that scores about `target` in a
category has every level up to it in place and part of the next."""

from __future__ import annotations

import math
import random

from maturity.tree import CategoryNode

from .scoring import Status


def statuses_for(category: CategoryNode, target: float, chooser: random.Random) -> dict[int, str]:
    """Practice id -> status for one category, scoring close to `target`."""
    level = math.floor(target)
    share = target - level
    statuses = {}
    for cell in category.cells:
        done = round(share * len(cell.practices))
        for index, practice in enumerate(cell.practices):
            if cell.level <= level:
                status = Status.YES
            elif cell.level == level + 1:
                status = Status.YES if index < done else Status.NO
                if index == done and chooser.random() < 0.5:
                    status = Status.PARTLY
            else:
                status = Status.PARTLY if chooser.random() < 0.15 else Status.NO
            statuses[practice.id] = status
    return statuses
