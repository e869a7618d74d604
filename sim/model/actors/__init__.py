"""One agent class per kind of actor; ``AGENT_CLASSES`` maps each kind to its class."""

from sim.model.kinds import ActorKind
from sim.model.actors.base import Actor
from sim.model.actors.iran import Iran
from sim.model.actors.iraqi_government import IraqiGovernment
from sim.model.actors.israel import Israel
from sim.model.actors.militia import Militia
from sim.model.actors.regional_government import RegionalGovernment
from sim.model.actors.united_states import UnitedStates

AGENT_CLASSES: dict[ActorKind, type[Actor]] = {
    ActorKind.UNITED_STATES: UnitedStates,
    ActorKind.IRAN: Iran,
    ActorKind.ISRAEL: Israel,
    ActorKind.IRAQI_GOVERNMENT: IraqiGovernment,
    ActorKind.MILITIA: Militia,
    ActorKind.REGIONAL_GOVERNMENT: RegionalGovernment,
}

__all__ = ["AGENT_CLASSES", "Actor"]
