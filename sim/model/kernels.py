"""The compiled engine: days of every replicate, a block of replicates at a time (numba).

This is the same model as the numpy path (sim/model/rules.py, choice.py, actors/,
adjudication.py, threats.py, outcomes.py), written as loops over a block of replicates' state so
that it stays in cache and no (R, n) temporaries are made. ``run_days`` plays one or several days:
each block of replicates plays all of them before the next block starts, drawing its uniforms
as it goes (numpy's PCG64, computed here). sim/model/compiled.py
builds the tables it reads from the world, the options and the threat book, and decides when it
runs; the numpy path remains the reference, and tests/test_model_engines.py runs both on every
shipped scenario and variant and asserts identical outcomes and final states.

Arithmetic follows the numpy path operation by operation, so that a replicate's state evolves
bit for bit as it does there. Two functions differ: the exponential of the logit choice (numpy
evaluates it with its vectorised library; here ``_exp_row``, fdlibm's exponential as
vectorisable arithmetic, for the first stage and the C library's for the others) and the log1p
of grievances (``_log1p_row``, fdlibm's logarithm likewise); each may differ from numpy's in the
last bit. A last-bit change in a weight moves a choice only when the replicate's uniform
falls within about 1e-16 of a boundary; whether it has never happened is what the equality test
checks.

Imported only when the compiled path is used: importing numba is not free, and compiling the
kernel the first time takes a while (``cache=True`` keeps the machine code on disk for every
later process, batch workers included).
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
from llvmlite import ir
from numba import njit, types
from numba.extending import intrinsic

from sim.model.parameters import GLOBAL

# --- indices into the parameter matrix (R, len(PARAMS)): every global parameter, in catalogue
# order, then the per-day decay factors of the five half-lives ---------------------------------
DECAYS = ("grievance", "fear", "pressure", "directive", "tension")
PARAMS = (*GLOBAL, *(f"{name}_decay" for name in DECAYS))
TRAITS = ("resolve", "rationality", "risk_aversion", "aggression", "retaliation_severity",
          "solidarity", "hiding_cost", "vigilance", "assertiveness", "reserve_value")

P_COMMIT = PARAMS.index("commitment_weight")
P_GRIEV = PARAMS.index("grievance_weight")
P_SOLID = PARAMS.index("solidarity_weight")
P_DIRECT = PARAMS.index("directive_weight")
P_RETAL = PARAMS.index("retaliation_weight")
P_DECAP = PARAMS.index("decapitation_fear_weight")
P_STAKE = PARAMS.index("stake_weight")
P_HOST = PARAMS.index("host_state_stake_factor")
P_BASE = PARAMS.index("stake_baseline")
P_AVERSION = PARAMS.index("escalation_aversion")
P_EFFORT = PARAMS.index("effort_cost")
P_PROVOKE = PARAMS.index("provocation_harm")
P_AFFRONT = PARAMS.index("affront_harm")
P_SATISFY = PARAMS.index("retaliation_satisfaction")
P_FOREWARN = PARAMS.index("forewarning_factor")
P_ACCURACY = PARAMS.index("attribution_accuracy")
P_KILLED = PARAMS.index("harm_per_killed")
P_INJURED = PARAMS.index("harm_per_injured")
P_HOST_SHARE = PARAMS.index("host_harm_share")
P_HIDING = PARAMS.index("hiding_protection")
P_FEAR_OWN = PARAMS.index("fear_from_own_leader_strike")
P_FEAR_ALLY = PARAMS.index("fear_from_ally_leader_strike")
P_CRED_GAIN = PARAMS.index("credibility_gain")
P_CRED_LOSS = PARAMS.index("credibility_loss")
P_DEADLINE = PARAMS.index("threat_deadline_days")
P_WINDOW = PARAMS.index("retaliation_window_days")
P_DECAY = PARAMS.index("grievance_decay")  # the five decay factors follow in DECAYS order

T_RESOLVE, T_RATIONALITY, T_RISK, T_AGGRESSION, T_SEVERITY, T_SOLIDARITY, T_HIDING_COST, \
    T_VIGILANCE, T_ASSERT, T_RESERVE = range(len(TRAITS))

# how much a threat's response costs the actor it would hit (rules._hit_weight)
WEIGHT_NONE, WEIGHT_ONE, WEIGHT_SOLIDARITY, WEIGHT_RESERVE = range(4)

# what a decider's rule needs worked out before its options (Options.needs, a bit mask)
NEEDS_WORTH, NEEDS_GOVERNMENT, NEEDS_POSTURE = 1, 2, 4

# what kind of situational term an option carries (set by sim/model/compiled.py)
SIT_NONE, SIT_THREATEN, SIT_AIR_DEFENCE, SIT_EVACUATE, SIT_GROUND, SIT_APPEAL_ISRAEL, \
    SIT_PRESS, SIT_DIRECTIVE, SIT_MEETING, SIT_BARGAIN, SIT_REMOVE, SIT_APPEAL_US = range(12)

UNMADE, PENDING, OPEN, HONOURED, LAPSED = -1, 0, 1, 2, 3
UNKNOWN = -1
FOREWARNED = 3
EXP_CAP = 600.0
EXPR_LEAF, EXPR_ANY, EXPR_ALL = 0, 1, 2
NO_FIX = -1  # a fixed inject field left to chance

# The kernel allocates nothing (the caller passes every array, scratch included), so it runs
# without numba's reference counting (``_nrt=False``): with it, every array handed to a helper
# would cost two atomic operations, more than most helpers' own work. Helpers are inlined at
# numba IR level into the few functions that loop over replicates.
_jit = njit(cache=True, _nrt=False, error_model="numpy")
_inline = njit(inline="always", _nrt=False, error_model="numpy")
BLOCK = 128  # replicates played phase by phase together: their states stay in cache



# --- the tables (static for a run; built by sim/model/compiled.py) ------------------------------

class Rule(NamedTuple):
    params: np.ndarray  # (R, len(PARAMS))
    params_by_block: np.ndarray  # (blocks, len(PARAMS), BLOCK): the same, replicate index last
    traits_by_block: np.ndarray  # (blocks, len(TRAITS), N, BLOCK): read one by one with _trait


class Sides(NamedTuple):
    """Who the actors are to each other, and where they stand."""

    threat_pairs: np.ndarray  # (pairs, 2) rows (t, a): a decider's option threatens t
    patron: np.ndarray  # (N,) patron's index or -1
    militia: np.ndarray
    militias: np.ndarray  # indices
    decapitators: np.ndarray  # indices of actors able to strike leaders
    is_decapitator: np.ndarray
    governments: np.ndarray  # indices of the federal governments
    is_government: np.ndarray
    based_in_iraq: np.ndarray
    us_like: np.ndarray  # the US and Israel
    is_state: np.ndarray  # the US, Iran and Israel
    states: np.ndarray
    target_kind: np.ndarray  # Tally's kind of target
    actor_kind: np.ndarray  # index into ActorKind
    enemies: np.ndarray  # (N, N)
    allies_start: np.ndarray  # allies of actor a: allies[allies_start[a]:allies_start[a + 1]]
    allies: np.ndarray
    sites_start: np.ndarray  # sites of actor a, likewise
    sites: np.ndarray
    site_in_iraq: np.ndarray
    front: np.ndarray  # (days, N)
    log_disputes: np.ndarray  # (days, N, N) log1p of the standing disputes


class Acts(NamedTuple):
    """The action catalogue, per action index, and the claim modes."""

    rung: np.ndarray
    kinetic: np.ndarray
    harmful: np.ndarray
    interceptable: np.ndarray
    lethality: np.ndarray
    killed_if_lethal: np.ndarray
    injured_per_killed: np.ndarray
    material: np.ndarray
    leadership: np.ndarray
    street: np.ndarray
    intensity: np.ndarray  # what one act adds to the escalation index
    poisson_lam: np.ndarray  # mean extra number killed when lethal
    poisson_p0: np.ndarray  # exp(-poisson_lam)
    restraint_move: np.ndarray
    strike_on_militias: np.ndarray
    mode_open: np.ndarray  # per claim mode: owned openly (or forewarned)
    mode_deniable: np.ndarray


class Effects(NamedTuple):
    """The standing effects of each action (catalogue ``Effects``)."""

    optional_target: np.ndarray
    targets_kind: np.ndarray  # (A, N): actor i's kind is among the action's target kinds
    has_directive: np.ndarray
    directive_value: np.ndarray
    pressure: np.ndarray
    urged: np.ndarray
    stake: np.ndarray
    air_defence: np.ndarray
    exposure: np.ndarray
    hide: np.ndarray
    ceasefire: np.ndarray


class Codes(NamedTuple):
    """Single numbers: action indices, kinds, the window, and the tally's counters."""

    lowest_kinetic_rung: int
    removal_harm: float
    act_threaten: int
    act_remove: int
    act_discourage: int
    act_encourage: int
    act_appeal: int
    act_leadership: int
    act_state_strike: int
    act_armed_assault: int
    kind_us: int
    kind_israel: int
    kind_regional: int
    kind_government: int
    window_first: int
    window_last: int
    c_restraint_moves: int
    c_removals: int
    c_hold_back: int
    c_act: int
    c_appeals: int
    c_unattributed: int
    c_on_us: int
    c_on_israel: int
    c_on_kurdistan: int
    c_on_government: int
    c_on_rivals: int
    c_assaults: int
    c_unclaimed: int
    c_front: int
    c_killed_by_militias: int
    c_killed: int
    c_injured: int
    c_strikes_on_militias: int
    c_strikes_in_iraq: int
    c_retaliatory: int
    c_leadership: int
    c_state_strikes: int
    c_forewarned: int
    c_made: int
    c_triggered: int
    c_honoured: int
    c_lapsed: int
    c_militia_honoured: int
    c_militia_lapsed: int
    w_after_retaliation: int


class Options(NamedTuple):
    """The deciders' free options, flattened (decider k's are start[k]:start[k + 1]), and the
    stages of their choice (groups and intents, offsets per decider)."""

    decider: np.ndarray  # actor index of each decider
    needs: np.ndarray  # NEEDS_* bits of each decider
    start: np.ndarray
    action: np.ndarray
    target: np.ndarray
    site: np.ndarray
    mode: np.ndarray
    pair: np.ndarray  # the option's kinetic act (index into Pairs), or -1
    situation: np.ndarray  # SIT_* code of its situational term
    value: np.ndarray  # a directive's value
    closable: np.ndarray  # a state strike, closed by a ceasefire
    effort: np.ndarray  # 1.0 for a deliberate non-kinetic move
    group_start: np.ndarray
    group_first: np.ndarray  # first option of each group, within its decider
    intent_start: np.ndarray
    intent_first_group: np.ndarray
    intent_first_option: np.ndarray
    intent_options: np.ndarray


class Pairs(NamedTuple):
    """Every actor's kinetic acts as (action, site, forewarned), from all its options; actor
    a's are start[a]:start[a + 1]."""

    start: np.ndarray
    action: np.ndarray
    site: np.ndarray
    target: np.ndarray
    forewarned: np.ndarray
    threat_start: np.ndarray  # threats by others each act would set off
    threats: np.ndarray
    threat_weight: np.ndarray  # WEIGHT_*: what the blow it would bring costs the act's actor
    threat_hit: np.ndarray  # whom the threat's response would hit
    ally_start: np.ndarray  # per entry of Sides.allies: its acts against its patron's enemies
    ally_pairs: np.ndarray
    target_start: np.ndarray  # whom actor a's acts hit: targets[target_start[a]:...], distinct
    targets: np.ndarray


class Threats(NamedTuple):
    by: np.ndarray
    response_target: np.ndarray  # -2: whoever set it off
    deadline: np.ndarray  # 0: the default deadline
    severity: np.ndarray
    against: np.ndarray  # (T, N)
    against_militia: np.ndarray
    by_militia: np.ndarray
    own: np.ndarray
    by_start: np.ndarray  # threats by actor a: by_list[by_start[a]:by_start[a + 1]]
    by_list: np.ndarray
    against_start: np.ndarray  # threats by a against t: at a * N + t
    against_list: np.ndarray
    own_threat: np.ndarray  # (N, N) an actor's own threat against a target, or -1
    fulfils: np.ndarray  # (T, A, modes)


class Leaves(NamedTuple):
    """Trigger patterns, and each threat's trigger as a postfix program over them."""

    threat: np.ndarray
    since: np.ndarray
    actor: np.ndarray  # (L, N + 1)
    target: np.ndarray  # (L, N + 1)
    site: np.ndarray  # (L, S + 1)
    action: np.ndarray  # (L, A)
    by_action_start: np.ndarray  # the leaves an action can match: by_action[start[a]:...]
    by_action: np.ndarray
    of_threat_start: np.ndarray
    of_threat: np.ndarray
    expr_start: np.ndarray
    expr_op: np.ndarray
    expr_arg: np.ndarray


class Injects(NamedTuple):
    actor: np.ndarray
    action: np.ndarray
    target: np.ndarray
    site: np.ndarray
    mode: np.ndarray
    hit: np.ndarray  # NO_FIX, 0 or 1
    killed: np.ndarray
    injured: np.ndarray
    magnitude: np.ndarray  # (injects, R)
    suspect_start: np.ndarray  # -1: every militia
    suspect_end: np.ndarray
    suspects: np.ndarray


class Counting(NamedTuple):
    count_window: np.ndarray  # per count, its window counter or -1
    dated_start: np.ndarray  # per count, its dated counters: dated[dated_start[c]:...]
    dated: np.ndarray
    dated_first: np.ndarray  # per dated counter
    dated_last: np.ndarray


class Tables(NamedTuple):
    rule: Rule
    sides: Sides
    acts: Acts
    effects: Effects
    codes: Codes
    options: Options
    pairs: Pairs
    threats: Threats
    leaves: Leaves
    injects: Injects
    counting: Counting


# --- the changing state (the model's own arrays) ------------------------------------------------

class Minds(NamedTuple):
    grievance: np.ndarray  # (N, R, N)
    credibility: np.ndarray  # (N, R, N)
    revised: np.ndarray  # (1,) bool: a credibility changed since the block's dawn (see Dawn)
    fear: np.ndarray
    directive: np.ndarray
    pressure: np.ndarray
    urged: np.ndarray
    stake: np.ndarray
    tension: np.ndarray
    hidden: np.ndarray


class Ground(NamedTuple):
    air_defence: np.ndarray
    exposure: np.ndarray
    ceasefire: np.ndarray
    last_attack_day: np.ndarray


class Book(NamedTuple):
    status: np.ndarray  # (R, T): set through _set_status, which keeps the copy below
    made: np.ndarray
    day: np.ndarray
    seen: np.ndarray
    trigger_actor: np.ndarray
    block_status: np.ndarray  # (T, BLOCK): the block's statuses, replicate index last
    block_first: np.ndarray  # (1,): the block's first replicate


class Tally(NamedTuple):
    total: np.ndarray  # (counts, R)
    window: np.ndarray  # (window counts, R)
    dated: np.ndarray  # (dated counts, R)
    first_attack_day: np.ndarray
    first_retaliation_day: np.ndarray
    max_free_rung: np.ndarray
    daily_attacks: np.ndarray  # (days, N, target kinds)
    state_strike_days: np.ndarray
    struck_today: np.ndarray
    daily_index: np.ndarray  # (days, R)


class Dawn(NamedTuple):
    """A block's state at dawn, replicate index last (``i`` for replicate r0 + i)."""

    # Of grievance and credibility, a day's decisions read only some (holder, target) rows: a
    # row is copied (and its log1p worked out) when first read, by _log_grievance and
    # _credibility_row, from the state's own arrays (CompiledDays.play sets them here). A
    # credibility row copied stays good from day to day while the block plays, until a threat
    # is honoured or lapses there (Minds.revised).
    grievance_source: np.ndarray  # (N, R, N): Minds.grievance
    credibility_source: np.ndarray  # (N, R, N): Minds.credibility
    first: np.ndarray  # (1,): the block's first replicate
    log_grievance: np.ndarray  # (N, N, BLOCK)
    grievance_ready: np.ndarray  # (N, N) bool: the row above is today's
    credibility: np.ndarray  # (N, N, BLOCK)
    credibility_ready: np.ndarray  # (N, N) bool
    fear: np.ndarray  # (N, BLOCK), and so on
    directive: np.ndarray
    pressure: np.ndarray
    urged: np.ndarray
    stake: np.ndarray
    hidden: np.ndarray  # 1.0 where hidden
    tension_factor: np.ndarray  # (BLOCK,)
    air_defence: np.ndarray  # (S, BLOCK)
    exposure: np.ndarray
    live: np.ndarray  # (T, BLOCK): 1.0 where the threat is in force
    open: np.ndarray  # (T, BLOCK): 1.0 where it is open
    open_anywhere: np.ndarray  # (T,): open in some replicate of the block
    last_attack_day: np.ndarray  # (N, N, BLOCK) [t, a]: where a can threaten t
    log_scratch: np.ndarray  # (BLOCK,) float64 and int64: work space of _log1p_row
    log_bits: np.ndarray


class Work(NamedTuple):
    """Work space of the decisions and the day, allocated once per model (``work``)."""

    drive: np.ndarray  # (N, BLOCK) per target, for the deciding actor
    directive: np.ndarray
    decapitation: np.ndarray
    cost: np.ndarray  # (BLOCK,)
    pair_stamp: np.ndarray  # (P,) the (day, block) an act's values below are for
    through: np.ndarray  # (P, BLOCK)
    e_ret: np.ndarray
    act_value: np.ndarray
    scores: np.ndarray  # (most options, BLOCK)
    group_value: np.ndarray
    intent_value: np.ndarray
    weights: np.ndarray
    worth: np.ndarray  # (allies, BLOCK): iran.ally_value per entry of Sides.allies
    live: np.ndarray  # (N, BLOCK)
    meeting: np.ndarray
    bargain: np.ndarray
    removal: np.ndarray
    level: np.ndarray  # (BLOCK,)
    hostile: np.ndarray
    hiding: np.ndarray
    choices: np.ndarray  # (deciders, BLOCK)
    stack: np.ndarray
    intent_weight: np.ndarray  # (most intents, BLOCK): the first stage's logit weights
    term: np.ndarray  # (BLOCK,): one situational term, worked out over the block
    exponent: np.ndarray  # (BLOCK,) float64 and int64: work space of _exp_row
    exp_bits: np.ndarray


class Today(NamedTuple):
    day: int
    decides: np.ndarray  # (deciders,) bool
    injects: np.ndarray  # inject indices, in order
    new_tally_day: bool  # a batch is recorded today
    add_struck: bool  # yesterday's state strikes count toward the window


class Days(NamedTuple):
    """The days one call plays (d = 0 .. D - 1): what ``Today`` holds for each, the scenario
    threats made on each, and where each day's uniforms are in the flat array of them."""

    day: np.ndarray  # (D,)
    decides: np.ndarray  # (D, deciders) bool
    inject_start: np.ndarray  # day d's injects: injects[inject_start[d]:inject_start[d + 1]]
    injects: np.ndarray
    new_tally_day: np.ndarray  # (D,) bool
    add_struck: np.ndarray
    made_start: np.ndarray  # the scenario threats made on day d, likewise
    made: np.ndarray
    u_base: np.ndarray  # steps each random stream takes before day d's draws (from days.day[0])
    u_columns: np.ndarray  # how many uniforms each replicate draws on day d


class Streams(NamedTuple):
    """Where each replicate's uniforms come from (sim/model/rng.py): replicate r's row of a day
    is row ``row_index[r]`` of the (rows, columns) matrix stream ``row_stream[r]`` draws that day,
    row after row; ``state`` is each stream's PCG64 state before the call's first day."""

    state: np.ndarray  # (streams, 4) uint64: the state's high and low halves, the increment's
    row_stream: np.ndarray  # (R,)
    row_index: np.ndarray  # (R,)


def work_space(tables: Tables) -> tuple[Dawn, Work]:
    """Work space for the kernel (it allocates nothing itself)."""
    o = tables.options
    n, sites = tables.sides.patron.size, tables.sides.site_in_iraq.size
    n_threats, n_pairs = tables.threats.by.size, tables.pairs.action.size
    most = [max(int(np.diff(start).max(initial=1)), 1)
            for start in (o.start, o.group_start, o.intent_start)]

    def rows(count: int) -> np.ndarray:
        return np.zeros((max(count, 1), BLOCK))

    unset = np.zeros((n, 1, n))  # the state's arrays: CompiledDays.play sets them
    dawn = Dawn(unset, unset, np.zeros(1, dtype=np.int64), np.zeros((n, n, BLOCK)),
                np.zeros((n, n), dtype=np.bool_), np.zeros((n, n, BLOCK)),
                np.zeros((n, n), dtype=np.bool_), rows(n), rows(n), rows(n),
                rows(n), rows(n), rows(n), np.zeros(BLOCK), rows(sites), rows(sites),
                rows(n_threats), rows(n_threats), np.zeros(max(n_threats, 1), dtype=np.bool_),
                np.zeros((n, n, BLOCK), dtype=np.int64), np.zeros(BLOCK),
                np.zeros(BLOCK, dtype=np.int64))
    work = Work(rows(n), rows(n), rows(n), np.zeros(BLOCK), np.full(n_pairs, -1, np.int64),
                rows(n_pairs), rows(n_pairs), rows(n_pairs), rows(most[0]), rows(most[1]),
                rows(most[2]), np.zeros(max(most)), rows(tables.sides.allies.size), rows(n),
                rows(n), rows(n), rows(n), np.zeros(BLOCK), np.zeros(BLOCK), np.zeros(BLOCK),
                np.zeros((max(o.decider.size, 1), BLOCK), dtype=np.int64),
                np.zeros(max(tables.leaves.expr_op.size, 1), dtype=np.bool_), rows(most[2]),
                np.zeros(BLOCK), np.zeros(BLOCK), np.zeros(BLOCK, dtype=np.int64))
    return dawn, work


# --- the uniforms (numpy's PCG64, computed here) ------------------------------------------------
#
# Each block draws its replicates' uniforms where it uses them, a day at a time: the same
# numbers ``Generator(PCG64(...)).random`` gives sim/model/rng.py, since the reproducibility
# scheme fixes them. (Drawn beforehand by numpy for every replicate, they went through memory
# twice, and numpy's generator, called through a function pointer per number, cost more than
# the numbers themselves.) PCG64 (O'Neill 2014, numpy's default bit generator) is a 128-bit
# linear congruential state s <- s * M + inc (mod 2**128); each step gives the 64-bit XOR of the
# state's halves rotated right by its top six bits, and ``random()`` its top 53 bits over 2**53.
# numba has no 128-bit integers: states are (high, low) 64-bit halves, and the 128-bit multiply
# is one LLVM instruction (``_mul_add``). Jumping ahead is Brown's (1994) method, as numpy's
# ``PCG64.advance``.

PCG_MULTIPLIER = 0x2360ED051FC65DA44385DF649FCCF645
_PCG_HIGH, _PCG_LOW = np.uint64(PCG_MULTIPLIER >> 64), np.uint64(PCG_MULTIPLIER & (2**64 - 1))
PCG_CHAINS = 4  # streams stepped side by side: each step waits on the last, so interleave them


@intrinsic
def _mul_add(typingctx, a_high, a_low, b_high, b_low, c_high, c_low):  # noqa: ARG001
    """(high, low) of a * b + c mod 2**128, each given as its two 64-bit halves."""
    u64 = types.uint64
    signature = types.UniTuple(u64, 2)(u64, u64, u64, u64, u64, u64)

    def codegen(context, builder, sig, args):  # noqa: ARG001
        wide = ir.IntType(128)

        def join(high, low):
            return builder.or_(builder.shl(builder.zext(high, wide), ir.Constant(wide, 64)),
                               builder.zext(low, wide))

        result = builder.add(builder.mul(join(args[0], args[1]), join(args[2], args[3])),
                             join(args[4], args[5]))
        high = builder.trunc(builder.lshr(result, ir.Constant(wide, 64)), ir.IntType(64))
        return context.make_tuple(builder, sig.return_type,
                                  (high, builder.trunc(result, ir.IntType(64))))

    return signature, codegen


@_inline
def _pcg_step(high, low, inc_high, inc_low):
    return _mul_add(high, low, _PCG_HIGH, _PCG_LOW, inc_high, inc_low)


@_inline
def _pcg_double(high, low):
    """``random()``'s number from the state just stepped to."""
    folded = high ^ low
    turn = high >> np.uint64(58)
    out = (folded >> turn) | (folded << ((np.uint64(64) - turn) & np.uint64(63)))
    return np.float64(out >> np.uint64(11)) * (1.0 / 9007199254740992.0)


@_inline
def _pcg_advance(state, delta):
    """(high, low) of the state in ``state`` (a row of Streams.state) ``delta`` steps on: the
    affine map s -> s * M + inc composed delta times, by squaring."""
    one, zero = np.uint64(1), np.uint64(0)
    acc_mult_high, acc_mult_low, acc_plus_high, acc_plus_low = zero, one, zero, zero
    mult_high, mult_low, plus_high, plus_low = _PCG_HIGH, _PCG_LOW, state[2], state[3]
    left = np.uint64(delta)
    while left > zero:
        if left & one:
            acc_mult_high, acc_mult_low = _mul_add(acc_mult_high, acc_mult_low, mult_high,
                                                   mult_low, zero, zero)
            acc_plus_high, acc_plus_low = _mul_add(acc_plus_high, acc_plus_low, mult_high,
                                                   mult_low, plus_high, plus_low)
        next_high, next_low = _mul_add(mult_high, mult_low, zero, one, zero, one)  # M + 1
        plus_high, plus_low = _mul_add(next_high, next_low, plus_high, plus_low, zero, zero)
        mult_high, mult_low = _mul_add(mult_high, mult_low, mult_high, mult_low, zero, zero)
        left >>= one
    return _mul_add(acc_mult_high, acc_mult_low, state[0], state[1], acc_plus_high,
                    acc_plus_low)


@_inline
def _stream_run(streams, r, r1):
    """How many rows from r on (before r1) continue one stream's matrix row after row."""
    q, j = streams.row_stream[r], streams.row_index[r]
    run = 1
    while r + run < r1 and streams.row_stream[r + run] == q \
            and streams.row_index[r + run] == j + run:
        run += 1
    return run


@_inline
def _draw_rows(streams, u, r, rows, base, columns):
    """u[r:r + rows] = the day's numbers of those rows, which continue one stream."""
    state = streams.state[streams.row_stream[r]]
    high, low = _pcg_advance(state, base + streams.row_index[r] * columns)
    for row in range(r, r + rows):
        for c in range(columns):
            high, low = _pcg_step(high, low, state[2], state[3])
            u[row, c] = _pcg_double(high, low)


@_inline
def _draw_chains(streams, u, r, rows, base, columns):
    """As _draw_rows for rows a multiple of PCG_CHAINS, a quarter of them per chain."""
    state = streams.state[streams.row_stream[r]]
    inc_high, inc_low = state[2], state[3]
    share = rows // PCG_CHAINS
    first = base + streams.row_index[r] * columns
    a_high, a_low = _pcg_advance(state, first)
    b_high, b_low = _pcg_advance(state, first + share * columns)
    c_high, c_low = _pcg_advance(state, first + 2 * share * columns)
    d_high, d_low = _pcg_advance(state, first + 3 * share * columns)
    for m in range(share):
        row_a, row_b = u[r + m], u[r + share + m]
        row_c, row_d = u[r + 2 * share + m], u[r + 3 * share + m]
        for c in range(columns):
            a_high, a_low = _pcg_step(a_high, a_low, inc_high, inc_low)
            b_high, b_low = _pcg_step(b_high, b_low, inc_high, inc_low)
            c_high, c_low = _pcg_step(c_high, c_low, inc_high, inc_low)
            d_high, d_low = _pcg_step(d_high, d_low, inc_high, inc_low)
            row_a[c] = _pcg_double(a_high, a_low)
            row_b[c] = _pcg_double(b_high, b_low)
            row_c[c] = _pcg_double(c_high, c_low)
            row_d[c] = _pcg_double(d_high, d_low)


@_jit
def draw_block(streams, u, r0, r1, base, columns):
    """u[r0:r1] = the uniforms of replicates r0 .. r1 - 1 on a day whose draws start ``base``
    steps into every stream: the rows sim/model/rng.py's ReplicateRNG.uniforms gives them."""
    r = r0
    while r < r1:
        rows = _stream_run(streams, r, r1)
        if rows >= PCG_CHAINS * 4 and rows % PCG_CHAINS == 0:
            _draw_chains(streams, u, r, rows, base, columns)
        else:
            _draw_rows(streams, u, r, rows, base, columns)
        r += rows


# --- the decision rule (sim/model/rules.py and the actors' situational terms) -----------------
#
# Decisions are worked out for a block of replicates at a time, each quantity as a vector over
# the block (index i, replicate r0 + i), from a copy of the block's dawn state with the
# replicate index last (``Dawn``): the loops are then plain arithmetic over contiguous arrays,
# which the compiler turns into SIMD instructions. Only the last steps of the choice (one
# uniform against one cumulative distribution) go replicate by replicate.

@_inline
def _trait(rule, trait, actor, r):
    return rule.traits_by_block[r // BLOCK, trait, actor, r % BLOCK]


@_inline
def _tension_factor(tension, r):
    return tension[r] / (1.0 + tension[r])


@_inline
def _is_live(status, r, ti):
    value = status[r, ti]
    return value == PENDING or value == OPEN


@_inline
def _response_target(threats, trigger_actor, r, ti):
    target = threats.response_target[ti]
    return trigger_actor[r, ti] if target == -2 else target


@_inline
def _hiding_value(rule, sides, minds, r, a):
    """militia.hiding_value: the danger to the leaders against the cost of hiding."""
    danger = 0.0
    if sides.decapitators.size > 0:
        reach = -np.inf
        for d in sides.decapitators:
            reach = max(reach, minds.credibility[a, r, d])
        danger = minds.fear[r, a] * reach * _tension_factor(minds.tension, r)
    return rule.params[r, P_DECAP] * danger - _trait(rule, T_HIDING_COST, a, r)


# log(1 + x) as fdlibm's log (k ln 2 + log m, m in [sqrt(2)/2, sqrt(2)), by a polynomial in
# s = (m - 1) / (m + 1)) of u = 1 + x, plus (x - (u - 1)) / u for the rounding of u; written as
# plain arithmetic on arrays, so that the compiler evaluates eight at once instead of calling
# the C library's log1p for each (it was a tenth of the engine's time). Within one unit in the
# last place of the exact value, as numpy's log1p and the C library's are.
_LN2_HI, _LN2_LO = 6.93147180369123816490e-01, 1.90821492927058770002e-10
_LG1, _LG2, _LG3 = 6.666666666666735130e-01, 3.999999999940941908e-01, 2.857142874366239149e-01
_LG4, _LG5 = 2.222219843214978396e-01, 1.818357216161805012e-01
_LG6, _LG7 = 1.531383769920937332e-01, 1.479819860511658591e-01
_SQRT2 = 1.4142135623730951
_MANTISSA, _ONE_BITS = 0x000FFFFFFFFFFFFF, 0x3FF0000000000000


@_inline
def _log1p_row(values, b, scratch, bits):
    """values[:b] = log1p(values[:b]) in place (by the C library's log1p if any is outside
    [0, 1e300): negative, infinite or not a number)."""
    unusual = False
    for i in range(b):
        unusual = unusual or not (0.0 <= values[i] < 1e300)
    if unusual:
        for i in range(b):
            values[i] = math.log1p(values[i])
        return
    for i in range(b):  # (kept apart from the reduction above, so that both vectorise)
        scratch[i] = 1.0 + values[i]
    raw = scratch.view(np.int64)
    for i in range(b):
        bits[i] = (raw[i] & _MANTISSA) | _ONE_BITS  # the mantissa of 1 + x, as a number in [1, 2)
    mantissa = bits.view(np.float64)
    for i in range(b):
        x = values[i]
        u = scratch[i]
        big = mantissa[i] > _SQRT2
        m = mantissa[i] * 0.5 if big else mantissa[i]
        k = float((raw[i] >> 52) - 1022) if big else float((raw[i] >> 52) - 1023)
        f = m - 1.0
        s = f / (2.0 + f)
        z = s * s
        w = z * z
        r = z * (_LG1 + w * (_LG3 + w * (_LG5 + w * _LG7))) + w * (_LG2 + w * (_LG4 + w * _LG6))
        half_square = 0.5 * f * f
        rounding = (x - (u - 1.0)) / u
        values[i] = k * _LN2_HI - ((half_square - (s * (half_square + r)
                                                    + (k * _LN2_LO + rounding))) - f)


# exp(x) as fdlibm's (x = k ln 2 + r, |r| <= ln 2 / 2; exp(r) by a rational approximation;
# times 2**k built from its bits), likewise written for the compiler to evaluate eight at once:
# the choice's first stage takes one exp per intent, replicate and day. Within one unit in the
# last place, as numpy's and the C library's are; below -708 (where the result is subnormal or
# nil) the C library's.
_LOG2E = 1.4426950408889634
_P1, _P2, _P3 = 1.66666666666666019037e-01, -2.77777777770155933842e-03, 6.61375632143793436117e-05
_P4, _P5 = -1.65339022054652515390e-06, 4.13813679705723846039e-08
_EXP_LOW = -708.0


@_inline
def _exp_row(z, out, b, bits):
    """out[:b] = exp(z[:b]) for z[:b] <= EXP_CAP (-inf allowed, giving 0)."""
    for i in range(b):  # (no reduction and no max() in this loop: either stops vectorising)
        x = z[i] if z[i] > _EXP_LOW else _EXP_LOW
        k = math.floor(x * _LOG2E + 0.5)
        hi = x - k * _LN2_HI
        lo = k * _LN2_LO
        r = hi - lo
        t = r * r
        c = r - t * (_P1 + t * (_P2 + t * (_P3 + t * (_P4 + t * _P5))))
        out[i] = 1.0 - ((lo - (r * c) / (2.0 - c)) - hi)
        bits[i] = (np.int64(k) + 1023) << 52  # 2**k, as the bits of a float64
    scale = bits.view(np.float64)
    for i in range(b):
        out[i] *= scale[i]
    for i in range(b):
        if not z[i] > _EXP_LOW:
            out[i] = math.exp(z[i])


@_inline
def _load_dawn(sides, minds, ground, book, dawn, r0, b):
    """Copy the block's state at dawn into ``dawn``, replicate index last. (Each source is
    sliced to the block first: indices counted from 0 are known to be non-negative, which
    spares the compiler's handling of negative indices in these loops.)"""
    n = minds.fear.shape[1]
    r1 = r0 + b
    last_attack = ground.last_attack_day[r0:r1]
    for j in range(sides.threat_pairs.shape[0]):  # the (t, a) entries a threat's term reads
        t, a = sides.threat_pairs[j, 0], sides.threat_pairs[j, 1]
        for i in range(b):
            dawn.last_attack_day[t, a, i] = last_attack[i, t, a]
    dawn.first[0] = r0
    for h in range(n):
        for t in range(n):
            dawn.grievance_ready[h, t] = False
    if minds.revised[0]:
        _forget_credibility(dawn)
        minds.revised[0] = False
    fear, directive, pressure = minds.fear[r0:r1], minds.directive[r0:r1], minds.pressure[r0:r1]
    urged, stake, hidden = minds.urged[r0:r1], minds.stake[r0:r1], minds.hidden[r0:r1]
    for h in range(n):
        for i in range(b):
            dawn.fear[h, i] = fear[i, h]
            dawn.directive[h, i] = directive[i, h]
            dawn.pressure[h, i] = pressure[i, h]
            dawn.urged[h, i] = urged[i, h]
            dawn.stake[h, i] = stake[i, h]
            dawn.hidden[h, i] = 1.0 if hidden[i, h] else 0.0
    tension = minds.tension[r0:r1]
    for i in range(b):
        dawn.tension_factor[i] = _tension_factor(tension, i)
    air_defence, exposure = ground.air_defence[r0:r1], ground.exposure[r0:r1]
    for site in range(ground.air_defence.shape[1]):
        for i in range(b):
            dawn.air_defence[site, i] = air_defence[i, site]
            dawn.exposure[site, i] = exposure[i, site]
    for ti in range(book.status.shape[1]):
        status, live, opened = book.block_status[ti], dawn.live[ti], dawn.open[ti]
        anywhere = 0
        for i in range(b):
            live[i] = 1.0 if status[i] == PENDING or status[i] == OPEN else 0.0
            opened[i] = 1.0 if status[i] == OPEN else 0.0
        for i in range(b):  # (apart, so that both loops vectorise)
            anywhere |= status[i] == OPEN
        dawn.open_anywhere[ti] = anywhere != 0


@_inline
def _forget_credibility(dawn):
    for h in range(dawn.credibility_ready.shape[0]):
        for t in range(dawn.credibility_ready.shape[1]):
            dawn.credibility_ready[h, t] = False


@_inline
def _dawn_row(dawn, source, row, h, t, b):
    """row[:b] = h's value toward t in the block's replicates, from the state's (N, R, N)
    ``source``; returns whether any is non-zero."""
    r0 = dawn.first[0]
    column = source[h, r0:r0 + b]
    held = False
    for i in range(b):
        row[i] = column[i, t]
        held = held or row[i] != 0.0
    return held


@_inline
def _log_grievance(dawn, h, t, b):
    """log1p of h's grievance against t at dawn, over the block (copied when first read)."""
    row = dawn.log_grievance[h, t]
    if not dawn.grievance_ready[h, t]:
        if _dawn_row(dawn, dawn.grievance_source, row, h, t, b):  # log1p(0) is 0
            _log1p_row(row, b, dawn.log_scratch, dawn.log_bits)
        dawn.grievance_ready[h, t] = True
    return row


@_inline
def _credibility_row(dawn, h, t, b):
    """h's belief that t will carry out its threats, at dawn, over the block (likewise)."""
    row = dawn.credibility[h, t]
    if not dawn.credibility_ready[h, t]:
        _dawn_row(dawn, dawn.credibility_source, row, h, t, b)
        dawn.credibility_ready[h, t] = True
    return row


@_inline
def _pair_vectors(pr, tr, acts, pairs, threats, dawn, work, pair, actor, b, stamp):
    """rules.effect and expected_retaliation of one act as its actor sees it, into
    work.through[pair] and work.e_ret[pair] (once per block and day)."""
    if work.pair_stamp[pair] == stamp:
        return
    act, site, t = pairs.action[pair], pairs.site[pair], pairs.target[pair]
    interceptable, lethality = acts.interceptable[act], acts.lethality[act]
    killed, injured, material = acts.killed_if_lethal[act], acts.injured_per_killed[act], \
        acts.material[act]
    forewarned = pairs.forewarned[pair]
    through, e_ret, cost = work.through[pair], work.e_ret[pair], work.cost
    believed = _credibility_row(dawn, actor, t, b)
    for i in range(b):
        through[i] = dawn.air_defence[site, i] * -interceptable + 1.0
        casualties = killed * (pr[P_KILLED, i] + injured * pr[P_INJURED, i])
        harm = material + lethality * dawn.exposure[site, i] * casualties
        if forewarned:
            harm *= pr[P_FOREWARN, i]
        harm = harm * through[i] + pr[P_AFFRONT, i]
        e_ret[i] = harm / (harm + pr[P_PROVOKE, i]) * believed[i] \
            * tr[T_SEVERITY, t, i]
        cost[i] = 0.0
    for k in range(pairs.threat_start[pair], pairs.threat_start[pair + 1]):
        ti, weight = pairs.threats[k], pairs.threat_weight[k]
        author, severity = threats.by[ti], threats.severity[ti]
        if weight == WEIGHT_ONE:
            believed = _credibility_row(dawn, actor, author, b)
            for i in range(b):
                cost[i] += dawn.live[ti, i] * believed[i] * severity
        elif weight != WEIGHT_NONE:
            trait = T_SOLIDARITY if weight == WEIGHT_SOLIDARITY else T_RESERVE
            believed = _credibility_row(dawn, actor, author, b)
            for i in range(b):
                cost[i] += dawn.live[ti, i] * believed[i] \
                    * tr[trait, actor, i] * severity
    for i in range(b):
        e_ret[i] += cost[i]
    work.pair_stamp[pair] = stamp


@_inline
def _strike_parts(pr, tr, sides, acts, pairs, threats, dawn, work, a, b, day, stamp):
    """The parts of rules.strike_terms that do not depend on the claim mode, per act of the
    actor: U(o) = reluctance + directive + hiding (+ commitment) + x(c) * work.act_value[act],
    where act_value = (grievance + solidarity) * effect - w_ret * E_ret - decapitation - stake.
    (The numpy path sums the same terms in another order: a last-bit difference at most.)"""
    patron = sides.patron[a]
    militia = sides.militia[a]
    for j in range(pairs.target_start[a], pairs.target_start[a + 1]):  # only whom it can hit
        t = pairs.targets[j]
        drive, directive, decapitation = work.drive[t], work.directive[t], work.decapitation[t]
        disputes, front = sides.log_disputes[day, a, t], sides.front[day, t]
        enemy = patron >= 0 and sides.enemies[patron, t]
        decapitator = militia and sides.is_decapitator[t]
        harmed = _log_grievance(dawn, a, t, b)
        believed = _credibility_row(dawn, a, t, b) if decapitator else harmed
        for i in range(b):
            drive[i] = pr[P_GRIEV, i] * (harmed[i] + disputes) \
                + pr[P_SOLID, i] * tr[T_SOLIDARITY, a, i] * front
            directive[i] = pr[P_DIRECT, i] * dawn.directive[a, i] if enemy else 0.0
            decapitation[i] = pr[P_DECAP, i] * dawn.fear[a, i] * believed[i] \
                if decapitator else 0.0
    based = sides.based_in_iraq[a]
    for pair in range(pairs.start[a], pairs.start[a + 1]):
        _pair_vectors(pr, tr, acts, pairs, threats, dawn, work, pair, a, b, stamp)
        t = pairs.target[pair]
        host = sides.is_government[t]
        inside = 1.0 if sides.site_in_iraq[pairs.site[pair]] else 0.0
        drive, decapitation = work.drive[t], work.decapitation[t]
        through, e_ret, value = work.through[pair], work.e_ret[pair], work.act_value[pair]
        for i in range(b):
            weight = pr[P_STAKE, i] * dawn.stake[a, i] * (pr[P_BASE, i] + dawn.pressure[a, i])
            if based:
                danger = e_ret[i] + (pr[P_HOST, i] if host else 0.0)
            else:
                danger = inside
            value[i] = drive[i] * through[i] - pr[P_RETAL, i] * tr[T_RISK, a, i] * e_ret[i] \
                - decapitation[i] - weight * danger


@_inline
def _strike_option(pr, tr, acts, codes, options, threats, dawn, book, work, u_row, a, o, b, r0):
    """U of one kinetic option, into u_row."""
    act, t, mode = options.action[o], options.target[o], options.mode[o]
    climb = max(acts.rung[act] - codes.lowest_kinetic_rung, 0)
    openly = acts.mode_open[mode]
    value, directive, hiding = work.act_value[options.pair[o]], work.directive[t], work.hiding
    for i in range(b):
        x = 1.0 if openly else pr[P_ACCURACY, i]
        u_row[i] = tr[T_AGGRESSION, a, i] - pr[P_AVERSION, i] * climb + directive[i] \
            + hiding[i] + x * value[i]
    for k in range(threats.by_start[a], threats.by_start[a + 1]):  # threats.commitment
        ti = threats.by_list[k]
        if not threats.fulfils[ti, act, mode] or not dawn.open_anywhere[ti]:
            continue
        for i in range(b):
            r = r0 + i
            if book.status[r, ti] == OPEN and t == _response_target(threats, book.trigger_actor,
                                                                     r, ti):
                u_row[i] += pr[P_COMMIT, i] * tr[T_RESOLVE, a, i]


@_inline
def _threaten_vector(pr, tr, sides, threats, dawn, work, u_row, a, t, b, day):
    """rules.threaten_terms for a threat against ``t``, added to u_row."""
    disputes, front = sides.log_disputes[day, t, a], sides.front[day, a]
    k = a * sides.patron.size + t
    moot = work.term  # > 0 where the threat would be moot
    for i in range(b):
        moot[i] = 1.0 if (day - dawn.last_attack_day[t, a, i]) <= pr[P_WINDOW, i] else 0.0
    for j in range(threats.against_start[k], threats.against_start[k + 1]):
        live = dawn.live[threats.against_list[j]]
        for i in range(b):
            moot[i] += live[i]
    harmed = _log_grievance(dawn, t, a, b)
    for i in range(b):
        if not moot[i] > 0.0:
            u_row[i] += tr[T_RESOLVE, a, i] * (
                pr[P_GRIEV, i] * (harmed[i] + disputes)
                + pr[P_SOLID, i] * tr[T_SOLIDARITY, t, i] * front)


@_inline
def _open_count(threats, dawn, out, b, by, against, militia_by, militia_against):
    """Add to ``out`` the open threats that fit: by an actor (or a militia), against an actor
    (or any militia); -1 leaves that side free."""
    for ti in range(threats.by.size):
        if by >= 0 and threats.by[ti] != by:
            continue
        if militia_by and not threats.by_militia[ti]:
            continue
        if against >= 0 and not threats.against[ti, against]:
            continue
        if militia_against and not threats.against_militia[ti]:
            continue
        for i in range(b):
            out[i] += dawn.open[ti, i]


@_inline
def _hostility(sides, threats, dawn, out, actor, b):
    """united_states.hostility_toward_militias, into out."""
    for i in range(b):
        out[i] = -np.inf if sides.militias.size else 0.0
    for m in sides.militias:
        harmed = _log_grievance(dawn, actor, m, b)
        for i in range(b):
            out[i] = max(out[i], harmed[i])
    if sides.militias.size:
        _open_count(threats, dawn, out, b, actor, -1, False, True)


@_inline
def _danger_from_militias(sides, threats, dawn, out, actor, b):
    """united_states.danger_from_militias, into out."""
    for i in range(b):
        out[i] = -np.inf
    for m in sides.militias:
        harmed = _log_grievance(dawn, m, actor, b)
        for i in range(b):
            out[i] = max(out[i], harmed[i])
    for i in range(b):
        out[i] = dawn.tension_factor[i] + out[i] if sides.militias.size else 0.0
    if sides.militias.size:
        _open_count(threats, dawn, out, b, -1, actor, True, False)


@_inline
def _ally_values(pr, tr, sides, acts, pairs, threats, dawn, work, patron, b, day, stamp):
    """iran.ally_value for each ally of ``patron``, into work.worth."""
    for slot in range(sides.allies_start[patron], sides.allies_start[patron + 1]):
        ally, best = sides.allies[slot], work.worth[slot]
        lo, hi = pairs.ally_start[slot], pairs.ally_start[slot + 1]
        for i in range(b):
            best[i] = -np.inf if hi > lo else 0.0
        for k in range(lo, hi):
            pair = pairs.ally_pairs[k]
            _pair_vectors(pr, tr, acts, pairs, threats, dawn, work, pair, ally, b, stamp)
            t = pairs.target[pair]
            on_patron = work.cost
            for i in range(b):
                on_patron[i] = 0.0
            for j in range(pairs.threat_start[pair], pairs.threat_start[pair + 1]):
                ti = pairs.threats[j]
                if pairs.threat_hit[j] != patron:
                    continue
                author, severity = threats.by[ti], threats.severity[ti]
                believed = _credibility_row(dawn, patron, author, b)
                for i in range(b):
                    on_patron[i] += dawn.live[ti, i] * believed[i] \
                        * severity
            disputes, front = sides.log_disputes[day, patron, t], sides.front[day, t]
            through, on_ally = work.through[pair], work.e_ret[pair]
            harmed = _log_grievance(dawn, patron, t, b)
            for i in range(b):
                drive = pr[P_GRIEV, i] * (harmed[i] + disputes) \
                    + pr[P_SOLID, i] * tr[T_SOLIDARITY, patron, i] * front
                risk = pr[P_RETAL, i] * tr[T_RISK, patron, i] \
                    * (tr[T_RESERVE, patron, i] * on_ally[i] + on_patron[i])
                stake = pr[P_STAKE, i] * dawn.stake[patron, i] \
                    * (pr[P_BASE, i] + dawn.pressure[patron, i]) * on_ally[i]
                best[i] = max(best[i], through[i] * drive - risk - stake)


@_inline
def _government_values(pr, tr, threats, codes, dawn, work, a, b):
    """iraqi_government: the drive to meet, bargain with and remove each actor, into work."""
    live = work.live
    n = live.shape[0]
    for t in range(n):
        for i in range(b):
            live[t, i] = 0.0
    for ti in range(threats.by.size):
        by = threats.by[ti]
        for i in range(b):
            live[by, i] += dawn.live[ti, i]
    harm = codes.removal_harm
    for t in range(n):
        meeting, bargain, removal = work.meeting[t], work.bargain[t], work.removal[t]
        grievance = _log_grievance(dawn, a, t, b)
        believed = _credibility_row(dawn, a, t, b)
        for i in range(b):
            harmed = grievance[i]
            drive = tr[T_VIGILANCE, a, i] * (dawn.tension_factor[i] + live[t, i] + harmed) \
                * (1.0 + dawn.urged[a, i])
            provoke = pr[P_RETAL, i] * tr[T_RISK, a, i] * (harm / (harm + pr[P_PROVOKE, i])) \
                * believed[i] * tr[T_SEVERITY, t, i]
            meeting[i] = drive * (1.0 - dawn.pressure[t, i])
            bargain[i] = drive * (1.0 - dawn.pressure[t, i]) * (1.0 - dawn.stake[t, i])
            removal[i] = tr[T_ASSERT, a, i] * harmed - provoke


@_inline
def _toward(values, target, militias, u_row, best, b):
    """Add a value toward one actor, or toward the militia it is largest for (no target)."""
    if target >= 0:
        for i in range(b):
            u_row[i] += values[target, i]
        return
    for i in range(b):
        best[i] = -np.inf
    for m in militias:
        for i in range(b):
            best[i] = max(best[i], values[m, i])
    for i in range(b):
        u_row[i] += best[i]


@_inline
def _situation_option(pr, tr, sides, threats, dawn, ground, options, work, u_row, a, o, code,
                      b, r0, day):
    """Add the term of a non-kinetic option (threaten_terms and sim/model/actors/)."""
    t = options.target[o]
    if code == SIT_THREATEN:
        _threaten_vector(pr, tr, sides, threats, dawn, work, u_row, a, t, b, day)
    elif code == SIT_AIR_DEFENCE or code == SIT_EVACUATE:
        lo, hi = sides.sites_start[a], sides.sites_start[a + 1]
        total = work.term
        for i in range(b):
            total[i] = 0.0
        for k in range(lo, hi):  # summed site by site, in the same order for every replicate
            held = dawn.air_defence[sides.sites[k]] if code == SIT_AIR_DEFENCE \
                else dawn.exposure[sides.sites[k]]
            for i in range(b):
                total[i] += held[i]
        for i in range(b):
            mean = total[i] / (hi - lo)
            danger = tr[T_RISK, a, i] * work.level[i]
            u_row[i] += danger * (1.0 - mean) if code == SIT_AIR_DEFENCE else danger * mean
    elif code == SIT_GROUND:
        reach = work.term
        for i in range(b):
            reach[i] = -np.inf
        for d in sides.decapitators:
            believed = _credibility_row(dawn, a, d, b)
            for i in range(b):
                reach[i] = max(reach[i], believed[i])
        for i in range(b):
            danger = dawn.fear[a, i] * reach[i] * dawn.tension_factor[i] \
                if sides.decapitators.size else 0.0
            value = pr[P_DECAP, i] * danger - tr[T_HIDING_COST, a, i]
            u_row[i] += -np.inf if dawn.hidden[a, i] > 0.0 else value
    elif code == SIT_APPEAL_ISRAEL or code == SIT_APPEAL_US:
        hostile = work.hostile
        _hostility(sides, threats, dawn, hostile, t, b)
        for i in range(b):
            value = tr[T_VIGILANCE, a, i] * dawn.stake[a, i] if code == SIT_APPEAL_ISRAEL \
                else tr[T_VIGILANCE, a, i]
            u_row[i] += value * hostile[i] * (1.0 - dawn.pressure[t, i])
    elif code == SIT_PRESS:
        danger = work.hostile
        _danger_from_militias(sides, threats, dawn, danger, a, b)
        for i in range(b):
            u_row[i] += tr[T_VIGILANCE, a, i] * danger[i] * (1.0 - dawn.urged[t, i])
    elif code == SIT_DIRECTIVE:
        value = options.value[o]
        gain = work.term
        for i in range(b):
            gain[i] = -np.inf
        for slot in range(sides.allies_start[a], sides.allies_start[a + 1]):
            ally = sides.allies[slot]
            if t < 0 or t == ally:
                for i in range(b):
                    gain[i] = max(gain[i], (value - dawn.directive[ally, i]) * work.worth[slot, i])
        for i in range(b):
            u_row[i] += gain[i]
    elif code == SIT_MEETING:
        _toward(work.meeting, t, sides.militias, u_row, work.term, b)
    elif code == SIT_BARGAIN:
        _toward(work.bargain, t, sides.militias, u_row, work.term, b)
    elif code == SIT_REMOVE:
        _toward(work.removal, t, sides.militias, u_row, work.term, b)


@_inline
def _scores(tables, dawn, ground, book, work, k, r0, b, day, stamp):
    """U of every option of decider k in the block, into work.scores (options by rows)."""
    sides, acts, codes = tables.sides, tables.acts, tables.codes
    options, pairs, threats = tables.options, tables.pairs, tables.threats
    blk = r0 // BLOCK
    pr, tr = tables.rule.params_by_block[blk], tables.rule.traits_by_block[blk]
    a = options.decider[k]
    needs = options.needs[k]
    if needs & NEEDS_WORTH:
        _ally_values(pr, tr, sides, acts, pairs, threats, dawn, work, a, b, day, stamp)
    if needs & NEEDS_GOVERNMENT:
        _government_values(pr, tr, threats, codes, dawn, work, a, b)
    if needs & NEEDS_POSTURE:  # Actor._threat_level
        for i in range(b):
            work.level[i] = dawn.tension_factor[i]
        _open_count(threats, dawn, work.level, b, -1, a, False, False)
    if pairs.start[a + 1] > pairs.start[a]:
        _strike_parts(pr, tr, sides, acts, pairs, threats, dawn, work, a, b, day, stamp)
    for i in range(b):
        work.hiding[i] = -(tr[T_HIDING_COST, a, i] * dawn.hidden[a, i]) if sides.militia[a] \
            else 0.0
    lo = options.start[k]
    for o in range(lo, options.start[k + 1]):
        u_row = work.scores[o - lo]
        if acts.kinetic[options.action[o]]:
            _strike_option(pr, tr, acts, codes, options, threats, dawn, book, work, u_row, a, o, b,
                           r0)
        else:
            effort = options.effort[o]
            for i in range(b):
                u_row[i] = -pr[P_EFFORT, i] * effort
            code = options.situation[o]
            if code != SIT_NONE:
                _situation_option(pr, tr, sides, threats, dawn, ground, options, work, u_row, a,
                                  o, code, b, r0, day)
        if options.closable[o]:
            target = options.target[o]
            for i in range(b):
                if ground.ceasefire[r0 + i, a, target]:
                    u_row[i] = -np.inf


# --- the hierarchical logit choice (sim/model/choice.py) ---------------------------------------

@_inline
def _pick(values, i, lo, hi, count, rationality, uniform, weights):
    """choice._pick over ``count`` logit weights (rows of ``values``, column i) of which only
    rows [lo, hi) can be non-zero: the first row whose cumulative weight passes
    uniform * total."""
    if hi - lo == 1 and np.isfinite(values[lo, i]) and rationality * values[lo, i] > _EXP_LOW:
        return min(lo, count - 1)  # a lone positive weight is picked whatever the uniform (< 1)
    total = 0.0
    for j in range(lo, hi):
        z = rationality * values[j, i] if np.isfinite(values[j, i]) else -np.inf
        total += math.exp(min(z, EXP_CAP))
        weights[j] = total
    threshold = uniform * total
    picked = lo
    while picked < hi and weights[picked] <= threshold:
        picked += 1
    if picked == hi and total <= threshold:
        picked = count
    return min(picked, count - 1)


@_inline
def _pick_weighted(weight, i, count, uniform, cumulative):
    """choice._pick over ``count`` logit weights already worked out (rows of ``weight``,
    column i): the first row whose cumulative weight passes uniform * total."""
    total = 0.0
    for j in range(count):
        total += weight[j, i]
        cumulative[j] = total
    threshold = uniform * total
    picked = 0
    while picked < count and cumulative[picked] <= threshold:
        picked += 1
    return min(picked, count - 1)


@_inline
def _stage_max(values, out, first, last, b):
    for i in range(b):
        out[i] = values[first, i]
    for j in range(first + 1, last):
        row = values[j]
        for i in range(b):
            out[i] = max(out[i], row[i])


@_inline
def _choose(tables, work, u, k, r0, b):
    """The three stages of the choice for decider k, into work.choices[k]."""
    options = tables.options
    traits = tables.rule.traits_by_block[r0 // BLOCK]
    a = options.decider[k]
    g0, i0 = options.group_start[k], options.intent_start[k]
    n_options = options.start[k + 1] - options.start[k]
    n_groups = options.group_start[k + 1] - g0
    n_intents = options.intent_start[k + 1] - i0
    scores, group_value, intent_value = work.scores, work.group_value, work.intent_value
    for g in range(n_groups):
        last = options.group_first[g0 + g + 1] if g + 1 < n_groups else n_options
        _stage_max(scores, group_value[g], options.group_first[g0 + g], last, b)
    for j in range(n_intents):
        last = options.intent_first_group[i0 + j + 1] if j + 1 < n_intents else n_groups
        _stage_max(group_value, intent_value[j], options.intent_first_group[i0 + j], last, b)
    column = 3 * k
    draws = u[r0:r0 + b]
    for j in range(n_intents):  # the first stage's weights, for the whole block at once
        values = intent_value[j]
        for i in range(b):
            z = traits[T_RATIONALITY, a, i] * values[i] if np.isfinite(values[i]) else -np.inf
            work.exponent[i] = min(z, EXP_CAP)
        _exp_row(work.exponent, work.intent_weight[j], b, work.exp_bits)
    for i in range(b):
        rationality = traits[T_RATIONALITY, a, i]
        intent = _pick_weighted(work.intent_weight, i, n_intents, draws[i, column],
                                work.weights)
        option = options.intent_first_option[i0 + intent]
        if options.intent_options[i0 + intent] > 1:
            first = options.intent_first_group[i0 + intent]
            last = options.intent_first_group[i0 + intent + 1] if intent + 1 < n_intents \
                else n_groups
            group = _pick(group_value, i, first, last, n_groups, rationality,
                          draws[i, column + 1], work.weights)
            first = options.group_first[g0 + group]
            last = options.group_first[g0 + group + 1] if group + 1 < n_groups else n_options
            option = _pick(scores, i, first, last, n_options, rationality,
                           draws[i, column + 2], work.weights)
        work.choices[k, i] = option


@_jit
def _decide_block(tables, dawn, ground, book, work, u, r0, r1, day, k, stamp):
    """Decider k's choice in replicates r0 .. r1 - 1, on the state at dawn."""
    b = r1 - r0
    _scores(tables, dawn, ground, book, work, k, r0, b, day, stamp)
    _choose(tables, work, u, k, r0, b)


@_jit
def _dawn_block(sides, minds, ground, book, dawn, r0, r1):
    _load_dawn(sides, minds, ground, book, dawn, r0, r1 - r0)


# --- adjudication (sim/model/adjudication.py) -------------------------------------------------

class Act(NamedTuple):
    """One actor's act in one replicate (a row of an adjudication.Batch)."""

    actor: int
    action: int
    target: int
    site: int
    mode: int
    magnitude: float
    chosen_by_model: bool
    suspect_start: int  # -1: every militia
    suspect_end: int
    fixed_hit: int
    fixed_killed: int
    fixed_injured: int


class Outcome(NamedTuple):
    attempted: bool
    hit: bool
    killed: int
    injured: int
    harm: float
    author: int  # who the victim holds responsible


@_inline
def _inject(injects, j, r):
    return Act(injects.actor[j], injects.action[j], injects.target[j], injects.site[j],
               injects.mode[j], injects.magnitude[j, r], False, injects.suspect_start[j],
               injects.suspect_end[j], injects.hit[j], injects.killed[j], injects.injured[j])


@_inline
def _decision(options, k, choice):
    o = options.start[k] + choice
    return Act(options.decider[k], options.action[o], options.target[o], options.site[o],
               options.mode[o], 1.0, True, -1, -1, NO_FIX, NO_FIX, NO_FIX)


@_inline
def _poisson(acts, act, uniform):
    """rng.poisson_from_uniform for one draw."""
    lam = acts.poisson_lam[act]
    pmf = acts.poisson_p0[act]
    cdf = pmf
    k = 0
    for i in range(1, 61):
        if not uniform > cdf:
            break
        k += 1
        pmf = pmf * lam / i
        cdf = cdf + pmf
    return k


@_inline
def _suspect(militias, suspects, b, j):
    return militias[j] if b.suspect_start < 0 else suspects[b.suspect_start + j]


@_inline
def _perceived_author(accuracy, mode_deniable, militias, suspects, b, uniform):
    """adjudication.perceived_authors for one replicate."""
    count = militias.size if b.suspect_start < 0 else b.suspect_end - b.suspect_start
    if b.actor == UNKNOWN:
        if count == 0:
            return UNKNOWN
        return _suspect(militias, suspects, b, min(int(uniform * count), count - 1))
    others = 0
    for j in range(count):
        if _suspect(militias, suspects, b, j) != b.actor:
            others += 1
    if others == 0 or not mode_deniable[b.mode] or uniform < accuracy:
        return b.actor
    within = (uniform - accuracy) / max(1.0 - accuracy, 1e-12)
    pick = min(int(within * others), others - 1)
    for j in range(count):
        suspect = _suspect(militias, suspects, b, j)
        if suspect != b.actor:
            if pick == 0:
                return suspect
            pick -= 1
    return b.actor


@_inline
def _resolve(tables, minds, ground, b, u, r, column):
    """adjudication.resolve for one replicate."""
    p, acts = tables.rule.params, tables.acts
    act = b.action
    if act == 0 or not acts.harmful[act] or b.target < 0:
        return Outcome(False, False, 0, 0, 0.0, b.actor)
    attempted = acts.kinetic[act]
    site, tgt = max(b.site, 0), b.target
    intercepted = attempted and u[r, column] < acts.interceptable[act] * ground.air_defence[r, site]
    hidden_miss = acts.leadership[act] and minds.hidden[r, tgt] \
        and u[r, column + 3] < p[r, P_HIDING]
    hit = attempted and not intercepted and not hidden_miss
    keep = p[r, P_FOREWARN] if b.mode == FOREWARNED else 1.0
    lethal = hit and u[r, column + 1] < acts.lethality[act] * ground.exposure[r, site] * keep
    killed = 1 + _poisson(acts, act, u[r, column + 2]) if lethal else 0
    if b.fixed_hit != NO_FIX:  # history as recorded; casualties not given stay random
        hit = attempted and b.fixed_hit == 1
        lethal = hit and lethal
        if b.fixed_killed != NO_FIX:
            killed = b.fixed_killed if hit else 0
        elif not lethal:
            killed = 0
    if b.fixed_hit != NO_FIX and b.fixed_injured != NO_FIX:
        injured = b.fixed_injured if hit else 0
    else:
        injured = int(np.rint(killed * acts.injured_per_killed[act]))
    coerced = not acts.kinetic[act]
    material = acts.material[act] * keep
    harm = (1.0 if hit or coerced else 0.0) * material \
        + (1.0 if attempted else 0.0) * p[r, P_AFFRONT] \
        + killed * p[r, P_KILLED] + injured * p[r, P_INJURED]
    author = _perceived_author(p[r, P_ACCURACY], acts.mode_deniable, tables.sides.militias,
                               tables.injects.suspects, b, u[r, column + 4])
    return Outcome(attempted, hit, killed, injured, harm, author)


# --- counting (sim/model/outcomes.py Tally) ---------------------------------------------------

@_inline
def _count(tally, counting, codes, r, day, name, value):
    """Tally._add for one replicate."""
    if value == 0:
        return
    tally.total[name, r] += value
    if codes.window_first <= day <= codes.window_last and counting.count_window[name] >= 0:
        tally.window[counting.count_window[name], r] += value
    for j in range(counting.dated_start[name], counting.dated_start[name + 1]):
        m = counting.dated[j]
        if counting.dated_first[m] <= day <= counting.dated_last[m]:
            tally.dated[m, r] += value


@_inline
def _record_moves(tally, counting, codes, acts, militia, b, r, day):
    """Tally._record_moves (an act taken by a known actor)."""
    act = b.action
    if acts.restraint_move[act]:
        _count(tally, counting, codes, r, day, codes.c_restraint_moves, 1)
    if act == codes.act_remove:
        _count(tally, counting, codes, r, day, codes.c_removals, 1)
    if act == codes.act_discourage:
        _count(tally, counting, codes, r, day, codes.c_hold_back, 1)
    if act == codes.act_encourage:
        _count(tally, counting, codes, r, day, codes.c_act, 1)
    if act == codes.act_appeal and b.target >= 0 and not militia[b.target]:
        _count(tally, counting, codes, r, day, codes.c_appeals, 1)


@_inline
def _record_militia_attack(tally, counting, codes, sides, b, out, r, day):
    kind = sides.actor_kind[b.target]
    if kind == codes.kind_us:
        _count(tally, counting, codes, r, day, codes.c_on_us, 1)
    if kind == codes.kind_israel:
        _count(tally, counting, codes, r, day, codes.c_on_israel, 1)
    if kind == codes.kind_regional:
        _count(tally, counting, codes, r, day, codes.c_on_kurdistan, 1)
    if kind == codes.kind_government:
        _count(tally, counting, codes, r, day, codes.c_on_government, 1)
    if sides.militia[b.target]:
        _count(tally, counting, codes, r, day, codes.c_on_rivals, 1)
    if b.action == codes.act_armed_assault:
        _count(tally, counting, codes, r, day, codes.c_assaults, 1)
    if b.mode == 2:  # ClaimMode.NONE
        _count(tally, counting, codes, r, day, codes.c_unclaimed, 1)
    if b.mode == 1:  # ClaimMode.FRONT
        _count(tally, counting, codes, r, day, codes.c_front, 1)
    if kind == codes.kind_us or kind == codes.kind_israel:
        _count(tally, counting, codes, r, day, codes.c_killed_by_militias, out.killed)
        if codes.window_first <= day <= codes.window_last and tally.first_retaliation_day[r] >= 0:
            tally.window[codes.w_after_retaliation, r] += 1
        if tally.first_attack_day[r] < 0:
            tally.first_attack_day[r] = day


@_inline
def _record_strike(tally, counting, codes, rule, sides, acts, ground, b, r, day):
    tgt = b.target
    if not (acts.strike_on_militias[b.action] and sides.militia[tgt]):
        return
    _count(tally, counting, codes, r, day, codes.c_strikes_on_militias, 1)
    if sides.site_in_iraq[max(b.site, 0)]:
        _count(tally, counting, codes, r, day, codes.c_strikes_in_iraq, 1)
    if day - ground.last_attack_day[r, tgt, b.actor] <= rule.params[r, P_WINDOW]:
        _count(tally, counting, codes, r, day, codes.c_retaliatory, 1)
        if codes.window_first <= day <= codes.window_last and tally.first_retaliation_day[r] < 0:
            tally.first_retaliation_day[r] = day


@_inline
def _record(tables, ground, tally, b, out, r, day):
    """Tally.record for one replicate (before the act's harm is applied)."""
    sides, acts, codes, counting = tables.sides, tables.acts, tables.codes, tables.counting
    act, a = b.action, b.actor
    if b.chosen_by_model and act != 0:
        tally.max_free_rung[r] = max(tally.max_free_rung[r], acts.rung[act])
    if a != UNKNOWN and act != 0:
        _record_moves(tally, counting, codes, acts, sides.militia, b, r, day)
    if not out.attempted:
        return
    if a == UNKNOWN:
        _count(tally, counting, codes, r, day, codes.c_unattributed, 1)
    else:
        tally.daily_attacks[day, a, sides.target_kind[b.target]] += 1
        if sides.militia[a]:
            _record_militia_attack(tally, counting, codes, sides, b, out, r, day)
        if sides.us_like[a]:
            _record_strike(tally, counting, codes, tables.rule, sides, acts, ground, b, r, day)
        if sides.is_state[a] and sides.is_state[b.target] and act == codes.act_state_strike:
            tally.struck_today[r, a, b.target] = True
    _count(tally, counting, codes, r, day, codes.c_killed, out.killed)
    _count(tally, counting, codes, r, day, codes.c_injured, out.injured)
    if act == codes.act_leadership:
        _count(tally, counting, codes, r, day, codes.c_leadership, 1)
    if act == codes.act_state_strike:
        _count(tally, counting, codes, r, day, codes.c_state_strikes, 1)
    if b.mode == FOREWARNED:
        _count(tally, counting, codes, r, day, codes.c_forewarned, 1)


# --- what an act does (adjudication.apply_harm, apply_effects; the threat book) ---------------

@_inline
def _apply_harm(rule, sides, acts, minds, ground, b, out, r, day):
    p = rule.params
    tgt = b.target
    if b.actor != UNKNOWN:  # the act settles part of its author's grievance
        minds.grievance[b.actor, r, tgt] *= 1.0 - p[r, P_SATISFY]
    author = out.author
    if author == UNKNOWN:
        return
    harm = out.harm
    minds.grievance[tgt, r, author] += harm
    ground.last_attack_day[r, author, tgt] = day
    for ally in range(sides.patron.size):  # allies of a struck patron feel it too
        if sides.patron[ally] >= 0 and sides.patron[ally] == tgt and author != ally:
            minds.grievance[ally, r, author] += harm * _trait(rule, T_SOLIDARITY, ally, r)
    if sides.governments.size and b.actor != UNKNOWN and sides.based_in_iraq[b.actor] \
            and b.site >= 0 and sides.site_in_iraq[b.site]:
        share = 1.0 if acts.street[b.action] else p[r, P_HOST_SHARE]
        for gov in sides.governments:
            if tgt != gov and author != gov:
                minds.grievance[gov, r, author] += harm * share
    if out.hit and acts.leadership[b.action]:
        minds.fear[r, tgt] += p[r, P_FEAR_OWN]
        for other in sides.militias:
            patron = sides.patron[other]
            related = patron == tgt or (patron >= 0 and patron == sides.patron[tgt])
            if related and other != tgt:
                minds.fear[r, other] += p[r, P_FEAR_ALLY]


@_inline
def _clip(value):
    return min(max(value, 0.0), 1.0)


@_inline
def _apply_effects(sides, effects, minds, ground, b, r):
    act, a, k, tgt = b.action, b.actor, b.magnitude, b.target
    if effects.has_directive[act]:
        value = effects.directive_value[act]
        for slot in range(sides.allies_start[a], sides.allies_start[a + 1]):
            ally = sides.allies[slot]
            if tgt == ally or tgt < 0:
                current = minds.directive[r, ally]
                minds.directive[r, ally] = current + k * (value - current)
    if effects.pressure[act] != 0.0 or effects.urged[act] != 0.0 or effects.stake[act] != 0.0:
        for receiver in range(sides.patron.size):
            if tgt >= 0:
                told = receiver == tgt
            else:  # taken with no target, it speaks to all it could have been aimed at
                told = effects.optional_target[act] and effects.targets_kind[act, receiver] \
                    and receiver != a
            if not told:
                continue
            if effects.pressure[act] != 0.0:
                minds.pressure[r, receiver] = _clip(minds.pressure[r, receiver]
                                                    + k * effects.pressure[act])
            if effects.urged[act] != 0.0:
                minds.urged[r, receiver] = _clip(minds.urged[r, receiver] + k * effects.urged[act])
            if effects.stake[act] != 0.0:
                minds.stake[r, receiver] = _clip(minds.stake[r, receiver] + k * effects.stake[act])
    for j in range(sides.sites_start[a], sides.sites_start[a + 1]):
        site = sides.sites[j]
        if effects.air_defence[act] != 0.0:
            ground.air_defence[r, site] = _clip(ground.air_defence[r, site]
                                                + k * effects.air_defence[act])
        if effects.exposure[act] != 0.0:
            ground.exposure[r, site] = _clip(ground.exposure[r, site]
                                             + k * effects.exposure[act])
    if effects.hide[act]:
        minds.hidden[r, a] = True
    if effects.ceasefire[act]:
        other = tgt if tgt >= 0 else tgt + sides.patron.size
        ground.ceasefire[r, a, other] = True
        ground.ceasefire[r, other, a] = True


@_inline
def _observe(leaves, book, b, r, day, author):
    """ThreatBook.observe: the trigger leaves the act matches, as its victim perceives it.
    Returns whether a leaf was met for the first time (only then can a threat open)."""
    act, site, tgt = b.action, b.site, b.target
    newly = False
    for j in range(leaves.by_action_start[act], leaves.by_action_start[act + 1]):
        li = leaves.by_action[j]
        if day < leaves.since[li]:
            continue
        where = leaves.site[li, site + 1] if site >= 0 else leaves.target[li, tgt + 1]
        ti = leaves.threat[li]
        if not where or not leaves.actor[li, author + 1] or book.status[r, ti] == UNMADE:
            continue
        newly = newly or not book.seen[r, li]
        book.seen[r, li] = True
        if book.status[r, ti] == PENDING:
            book.trigger_actor[r, ti] = author
    return newly


@_inline
def _credibility(rule, threats, minds, r, ti, gain):
    """Everyone revises the author's credibility: up when honoured, down when lapsed."""
    author = threats.by[ti]
    credibility = minds.credibility
    minds.revised[0] = True
    if gain:
        rate = rule.params[r, P_CRED_GAIN]
        for h in range(credibility.shape[0]):
            credibility[h, r, author] += rate * (1.0 - credibility[h, r, author])
    else:
        rate = rule.params[r, P_CRED_LOSS]
        for h in range(credibility.shape[0]):
            credibility[h, r, author] -= rate * credibility[h, r, author]


@_inline
def _settle(tables, minds, book, r, ti, outcome):
    """Threat ti honoured or lapsed in replicate r: its status, and everyone's view of its
    author's credibility. Returns 1 if its author is a militia (counted apart), else 0."""
    _set_status(book, r, ti, outcome)
    _credibility(tables.rule, tables.threats, minds, r, ti, outcome == HONOURED)
    return 1 if tables.threats.by_militia[ti] else 0


@_inline
def _count_settled(tables, tally, r, day, counter, militia_counter, settled, by_militias):
    """The day's threats honoured (or lapsed), all and those by militias, into the tally."""
    _count(tally, tables.counting, tables.codes, r, day, counter, settled)
    _count(tally, tables.counting, tables.codes, r, day, militia_counter, by_militias)


@_inline
def _honour(tables, minds, book, tally, b, r, day):
    """ThreatBook.honour, and the credibility and counts that follow."""
    threats = tables.threats
    done, militia_done = 0, 0
    for k in range(threats.by_start[b.actor], threats.by_start[b.actor + 1]):
        ti = threats.by_list[k]
        if book.status[r, ti] == OPEN and threats.fulfils[ti, b.action, b.mode] \
                and b.target == _response_target(threats, book.trigger_actor, r, ti):
            done += 1
            militia_done += _settle(tables, minds, book, r, ti, HONOURED)
    _count_settled(tables, tally, r, day, tables.codes.c_honoured,
                   tables.codes.c_militia_honoured, done, militia_done)


@_inline
def _make_own(tables, book, tally, b, r, day):
    """ThreatBook.make_own: a threat the actor makes commits it."""
    threats, leaves = tables.threats, tables.leaves
    if b.target < 0:
        return
    ti = threats.own_threat[b.actor, b.target]
    if ti < 0 or _is_live(book.status, r, ti):
        return
    _set_status(book, r, ti, PENDING)
    book.made[r, ti] = day
    book.day[r, ti] = -1
    for j in range(leaves.of_threat_start[ti], leaves.of_threat_start[ti + 1]):
        book.seen[r, leaves.of_threat[j]] = False
    if threats.own[ti]:
        _count(tally, tables.counting, tables.codes, r, day, tables.codes.c_made, 1)


@_inline
def _execute(tables, minds, ground, book, tally, b, u, r, day, column):
    """EscalationModel._execute for one replicate; returns whether a trigger leaf was met for
    the first time."""
    out = _resolve(tables, minds, ground, b, u, r, column)
    _record(tables, ground, tally, b, out, r, day)
    if b.action == 0:
        return False
    if tables.acts.harmful[b.action] and b.target >= 0:
        _apply_harm(tables.rule, tables.sides, tables.acts, minds, ground, b, out, r, day)
    if b.actor != UNKNOWN:
        _apply_effects(tables.sides, tables.effects, minds, ground, b, r)
    added = tables.acts.intensity[b.action]
    minds.tension[r] += added
    tally.daily_index[day, r] += added
    newly = _observe(tables.leaves, book, b, r, day, out.author)
    if b.actor != UNKNOWN:
        _honour(tables, minds, book, tally, b, r, day)
        if b.action == tables.codes.act_threaten:
            _make_own(tables, book, tally, b, r, day)
    return newly


# --- the threats' calendar, the end of the day --------------------------------------------------

@_inline
def _holds(leaves, seen, r, ti, stack):
    """The threat's trigger expression (a postfix program) on the leaves met so far."""
    top = 0
    for j in range(leaves.expr_start[ti], leaves.expr_start[ti + 1]):
        op, arg = leaves.expr_op[j], leaves.expr_arg[j]
        if op == EXPR_LEAF:
            stack[top] = seen[r, arg]
            top += 1
            continue
        value = stack[top - arg]
        for i in range(top - arg + 1, top):
            value = (value or stack[i]) if op == EXPR_ANY else (value and stack[i])
        top -= arg
        stack[top] = value
        top += 1
    return stack[0]


@_inline
def _open_threats(tables, book, tally, sc, r, day):
    """ThreatBook.trigger: pending threats whose trigger now holds open."""
    opened = 0
    for ti in range(book.status.shape[1]):
        if book.status[r, ti] == PENDING and _holds(tables.leaves, book.seen, r, ti, sc.stack):
            _set_status(book, r, ti, OPEN)
            book.day[r, ti] = day
            opened += 1
    _count(tally, tables.counting, tables.codes, r, day, tables.codes.c_triggered, opened)


@_inline
def _lapse_threats(tables, minds, book, tally, r, day):
    """ThreatBook.lapse, and the credibility and counts that follow."""
    threats = tables.threats
    lapsed, militia_lapsed = 0, 0
    for ti in range(book.status.shape[1]):
        if book.status[r, ti] != OPEN:
            continue
        deadline = threats.deadline[ti] if threats.deadline[ti] \
            else tables.rule.params[r, P_DEADLINE]
        if day - book.day[r, ti] >= deadline:
            lapsed += 1
            militia_lapsed += _settle(tables, minds, book, r, ti, LAPSED)
    _count_settled(tables, tally, r, day, tables.codes.c_lapsed, tables.codes.c_militia_lapsed,
                   lapsed, militia_lapsed)


@_inline
def _end_of_day(rule, sides, minds, r):
    """Leaders resurface where the danger has passed; everything that fades, fades."""
    p = rule.params
    for a in sides.militias:
        if minds.hidden[r, a]:
            minds.hidden[r, a] = _hiding_value(rule, sides, minds, r, a) > 0
    n = sides.patron.size
    decay = p[r, P_DECAY]
    for h in range(n):
        for j in range(n):
            minds.grievance[h, r, j] *= decay
    fear, pressure, directive = p[r, P_DECAY + 1], p[r, P_DECAY + 2], p[r, P_DECAY + 3]
    for j in range(n):
        minds.fear[r, j] *= fear
        minds.pressure[r, j] *= pressure
        minds.urged[r, j] *= pressure
        minds.directive[r, j] *= directive
    minds.tension[r] *= p[r, P_DECAY + 4]


@_inline
def _new_tally_day(states, tally, r, add_struck):
    """Tally._new_day: yesterday's state strikes count once, if the window covered it."""
    for a in states:
        for b in states:
            if add_struck and tally.struck_today[r, a, b]:
                tally.state_strike_days[r, a, b] += 1
            tally.struck_today[r, a, b] = False


@_jit
def _act_block(tables, minds, ground, book, tally, work, today, u, r0, r1):
    """The day after the decisions, in replicates r0 .. r1 - 1: the scripted injects, the
    decisions in actor order (threats opening after each part), lapses, the end of the day."""
    if r0 < 0:  # never: it tells the compiler that r >= 0 below (no negative-index handling)
        return
    day = today.day
    n_deciders = tables.options.decider.size
    n_injects = today.injects.size
    for r in range(r0, r1):
        if today.new_tally_day:
            _new_tally_day(tables.sides.states, tally, r, today.add_struck)
        column = 3 * n_deciders
        newly = False  # a threat can open only once a trigger leaf is met for the first time
        for j in range(n_injects + 1 + n_deciders):
            if j == n_injects:
                if newly:
                    _open_threats(tables, book, tally, work, r, day)
                newly = False
                continue
            if j < n_injects:
                act = _inject(tables.injects, today.injects[j], r)
            else:
                k = j - n_injects - 1
                if not today.decides[k]:
                    continue
                act = _decision(tables.options, k, work.choices[k, r - r0])
            newly = _execute(tables, minds, ground, book, tally, act, u, r, day, column) or newly
            column += 5
        if newly:
            _open_threats(tables, book, tally, work, r, day)
        _lapse_threats(tables, minds, book, tally, r, day)
        _end_of_day(tables.rule, tables.sides, minds, r)


@_inline
def _announce(days, d, book, r):
    """ThreatBook.announce in replicate r: the scenario's threats dated today become pending."""
    for j in range(days.made_start[d], days.made_start[d + 1]):
        ti = days.made[j]
        if book.status[r, ti] == UNMADE:
            _set_status(book, r, ti, PENDING)
            book.made[r, ti] = days.day[d]


@_inline
def _set_status(book, r, ti, status):
    book.status[r, ti] = status
    book.block_status[ti, r - book.block_first[0]] = status


@_inline
def _copy_statuses(book, r0, r1):
    """Book.block_status for replicates r0 .. r1 - 1, from Book.status."""
    book.block_first[0] = r0
    status = book.status[r0:r1]
    for ti in range(book.status.shape[1]):
        for i in range(r1 - r0):
            book.block_status[ti, i] = status[i, ti]


@_jit
def run_days(tables, minds, ground, book, tally, dawn, work, days, streams, u):
    """Days days.day[0] .. of every replicate, block by block: a block of replicates plays all
    the days before the next block starts, so that its state stays in cache. Each day the block
    draws its uniforms from ``streams`` into its rows of ``u`` (R * most columns, work space)."""
    replicates = minds.fear.shape[0]
    blocks = (replicates + BLOCK - 1) // BLOCK
    for blk in range(blocks):
        r0, r1 = blk * BLOCK, min((blk + 1) * BLOCK, replicates)
        _forget_credibility(dawn)  # the rows held are another block's
        _copy_statuses(book, r0, r1)
        for d in range(days.day.size):
            today = Today(days.day[d], days.decides[d],
                          days.injects[days.inject_start[d]:days.inject_start[d + 1]],
                          days.new_tally_day[d], days.add_struck[d])
            u_day = u[:replicates * days.u_columns[d]].reshape((replicates, days.u_columns[d]))
            draw_block(streams, u_day, r0, r1, days.u_base[d], days.u_columns[d])
            for r in range(r0, r1):
                _announce(days, d, book, r)
            _dawn_block(tables.sides, minds, ground, book, dawn, r0, r1)
            for k in range(tables.options.decider.size):
                if today.decides[k]:
                    _decide_block(tables, dawn, ground, book, work, u_day, r0, r1, today.day, k,
                                  today.day * blocks + blk)
            _act_block(tables, minds, ground, book, tally, work, today, u_day, r0, r1)
