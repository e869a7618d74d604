"""An idiomatic Mesa model of escsim's shape: the benchmark's anchor for "plain Mesa".

Ten actors, 59 days, and every actor every day picks one of twenty actions (hold, ten
statements and postures, a strike on each of the nine others) by a softmax over utilities computed
from its grievance, the tension and the costs of each act; a strike harms its target, which
raises the target's grievance toward the striker. One ``Model`` is one replicate, and replicates
are run by ``mesa.batch_run`` with ``rng=[seeds]``, as the Mesa documentation shows. It is
written the way a Mesa user would write it (agents with a ``step``, the model's ``rng``, a
``DataCollector``), not tuned: it stands for what the same question costs without escsim's
ensemble engine. It models nothing real; only its size and shape matter.

    python bench/idiomatic_mesa.py 200      # runs 200 replicates and prints µs per replicate
"""

from __future__ import annotations

import sys
import time

import mesa
import numpy as np

ACTORS = 10
DAYS = 59
STATEMENTS = ("hold", "threaten", "appeal", "air_defence", "evacuate", "go_to_ground",
              "directive", "meeting", "bargain", "sanction", "consult")
GRIEVANCE_HALF_LIFE = 14.0


class Actor(mesa.Agent):
    """One actor: grievance toward every other, and a softmax choice every day."""

    def __init__(self, model: Conflict, aggression: float, rationality: float):
        super().__init__(model)
        self.aggression = aggression
        self.rationality = rationality
        self.grievance = np.zeros(ACTORS)
        self.attacks = 0

    def utilities(self) -> np.ndarray:
        """Utility of each statement, then of a strike on each other actor."""
        tension = self.model.tension / (1.0 + self.model.tension)
        statements = np.array([0.0] + [tension - 1.0 + 0.1 * i for i in range(1, len(STATEMENTS))])
        others = [a for a in self.model.actors if a is not self]
        strikes = []
        for other in others:
            drive = np.log1p(self.grievance[other.index])
            retaliation = other.aggression * (1.0 + np.log1p(other.grievance[self.index]))
            strikes.append(self.aggression + 1.5 * drive - 0.6 * retaliation - 1.0)
        return np.concatenate([statements, np.array(strikes)])

    def step(self) -> None:
        u = self.utilities()
        weights = np.exp(self.rationality * (u - u.max()))
        choice = self.model.rng.choice(len(u), p=weights / weights.sum())
        if choice < len(STATEMENTS):
            if STATEMENTS[choice] == "threaten":
                self.model.tension += 0.2
            return
        others = [a for a in self.model.actors if a is not self]
        target = others[choice - len(STATEMENTS)]
        self.attacks += 1
        harm = 1.0 + 3.0 * (self.model.rng.random() < 0.1)
        target.grievance[self.index] += harm
        self.model.tension += 1.0


class Conflict(mesa.Model):
    """Ten actors for 59 days."""

    def __init__(self, rng: int | None = None):
        super().__init__(rng=rng)
        for i in range(ACTORS):
            Actor(self, aggression=self.rng.uniform(-1.0, 0.5),
                  rationality=self.rng.uniform(0.5, 2.0))
        self.actors = list(self.agents)
        for i, actor in enumerate(self.actors):
            actor.index = i
        self.tension = 0.0
        self.day = 0
        self.datacollector = mesa.DataCollector(
            model_reporters={"attacks": lambda m: sum(a.attacks for a in m.actors),
                             "tension": "tension"})

    def step(self) -> None:
        self.agents.shuffle_do("step")
        decay = 0.5 ** (1.0 / GRIEVANCE_HALF_LIFE)
        for actor in self.actors:
            actor.grievance *= decay
        self.tension *= 0.9
        self.day += 1
        self.datacollector.collect(self)
        if self.day >= DAYS:
            self.running = False


def run(replicates: int) -> list[dict]:
    """Every replicate, one model each, through Mesa's batch runner."""
    return mesa.batch_run(Conflict, parameters={}, rng=list(range(replicates)),
                          number_processes=1, max_steps=DAYS, display_progress=False)


def seconds_per_replicate(replicates: int) -> tuple[float, float]:
    """CPU and wall seconds per replicate of ``run(replicates)``."""
    began, cpu = time.perf_counter(), time.process_time()
    rows = run(replicates)
    wall, cpu = time.perf_counter() - began, time.process_time() - cpu
    assert len(rows) == replicates
    return cpu / replicates, wall / replicates


def main(argv: list[str]) -> None:
    replicates = int(argv[0]) if argv else 100
    cpu, wall = seconds_per_replicate(replicates)
    print(f"idiomatic Mesa, {replicates} replicates: {1e6 * cpu:,.0f} µs CPU, "
          f"{1e6 * wall:,.0f} µs wall per replicate")


if __name__ == "__main__":
    main(sys.argv[1:])
