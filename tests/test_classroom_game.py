"""The classroom engine: turns and stops, refused moves, the facilitator's actions, saved games
that replay identically (also after a kill at any point), and files that are refused."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from classroom_support import MOVES, SEED, TEAMS, new_game, scripted_game

from sim.classroom import Game, GameError, GameFileError, MoveError, ScenarioChanged
from sim.classroom.movesfile import (MovesFileError, play_moves, read_moves_file,
                                     still_to_play)
from sim.classroom.record import (AdvanceEntry, EndEntry, MoveEntry, PauseEntry, ResumeEntry,
                                  UndoEntry)
from sim.classroom.savefile import checksum


@pytest.fixture(scope="module")
def played(tmp_path_factory) -> tuple[Game, Path]:
    path = tmp_path_factory.mktemp("game") / "game.escsim"
    return scripted_game(path), path


def test_a_game_stops_on_decision_points_and_on_what_concerns_a_team():
    game = new_game()
    assert game.date.isoformat() == "2025-06-12" and game.waiting_for == TEAMS
    game.submit("kataib_hezbollah", "hold")
    game.submit("united_states", "hold")
    report = game.advance()
    assert report.next_stop.isoformat() == "2025-06-13"  # a decision point of june-2025
    assert "a decision point of the scenario" in report.reasons
    game.submit("kataib_hezbollah", "hold")
    game.submit("united_states", "hold")
    report = game.advance()
    # 14 June: the unclaimed drones at Ain al-Asad hit the US team's forces; the game stops the
    # next day for the US (15 June is also a decision point)
    assert report.next_stop.isoformat() == "2025-06-15"
    assert [d.isoformat() for d in report.played] == ["2025-06-13", "2025-06-14"]
    assert any("drone attack" in r for r in game.stop_reasons("united_states"))


def test_every_day_setting_stops_daily_and_idle_days_hold():
    game = new_game(fast_forward=False)
    game.advance()  # neither team chose: both hold
    assert game.date.isoformat() == "2025-06-13"
    players = [e for e in game.timeline() if e["source"] == "player"]
    assert players == []  # holding leaves no event


@pytest.mark.parametrize("call, message", [
    (lambda g: g.submit("kataib_hezbollah", "teleport"), "unknown action 'teleport'"),
    (lambda g: g.submit("kataib_hezbollah", "state_strike", "united_states"),
     "cannot take 'state_strike'"),
    (lambda g: g.submit("kataib_hezbollah", "drone_attack", "iran"), "cannot aim 'drone_attack'"),
    (lambda g: g.submit("kataib_hezbollah", "drone_attack", "united_states@jordan"),
     "no site at 'jordan'"),
    (lambda g: g.submit("kataib_hezbollah", "drone_attack", "united_states", "forewarned"),
     "not 'forewarned'"),
    (lambda g: g.submit("kataib_hezbollah", "drone_attack", "united_states", "front"),
     "front groups"),
    (lambda g: g.submit("iran", "hold"), "'iran' is not a team in this game"),
    (lambda g: g.submit("kataib_hezbollah", "drone_attack"), "needs a target"),
    (lambda g: g.threaten("united_states", {"event": {"actor": "kataib_hezbollah"}},
                          {"action": "state_strike", "target": "kataib_hezbollah"}),
     "cannot target"),
    (lambda g: g.threaten("united_states", {"event": {"actor": "nobody"}},
                          {"action": "strike_militia_sites", "target": "attacker"}),
     "unknown actor 'nobody'"),
    (lambda g: g.inject(actor="unknown", action="drone_attack", target="united_states",
                        claimed=True), "must have claimed: false"),
    (lambda g: g.inject(actor="israel", action="state_strike", target="iran", date="2025-06-01"),
     "has passed"),
    (lambda g: g.undo(), "no turn to undo"),
    (lambda g: g.resume(), "not paused"),
])
def test_refused_moves_give_one_line_and_change_nothing(call, message):
    game = new_game()
    before = list(game.actions)
    with pytest.raises(GameError, match=message) as info:
        call(game)
    assert "\n" not in str(info.value)
    assert game.actions == before
    game.submit("kataib_hezbollah", "hold")  # the turn goes on
    assert game.waiting_for == ["united_states"]


def test_nothing_is_accepted_after_the_end_or_while_paused():
    game = new_game()
    game.pause("a discussion")
    with pytest.raises(GameError, match="paused"):
        game.submit("kataib_hezbollah", "hold")
    with pytest.raises(GameError, match="paused"):
        game.advance()
    game.resume()
    game.end("out of time")
    for call in (lambda: game.submit("kataib_hezbollah", "hold"), game.advance,
                 lambda: game.inject(actor="israel", action="hold"), game.undo):
        with pytest.raises(GameError, match="ended"):
            call()
    assert [type(a) for a in game.actions] == [PauseEntry, ResumeEntry, EndEntry]


def test_undo_takes_back_the_last_turn_and_replays_the_same_past():
    game = new_game()
    game.submit("kataib_hezbollah", "hold")
    game.advance()
    past = game.timeline()
    game.submit("kataib_hezbollah", "drone_attack", "united_states@iraq", "none")
    game.inject(actor="unknown", action="drone_attack", target="united_states@iraq",
                claimed=False)
    game.advance()
    assert len(game.timeline()) > len(past)
    game.undo()
    assert game.date.isoformat() == "2025-06-13" and game.turn == 1
    assert game.timeline() == past and game.waiting_for == TEAMS
    assert isinstance(game.actions[-1], UndoEntry)  # recorded, not erased


def test_showing_the_models_probabilities_changes_nothing():
    plain = new_game()
    shown = new_game(probabilities=True)
    for game in (plain, shown):
        for _ in range(4):
            options = game.options("kataib_hezbollah")
            game.briefing("united_states")
            game.submit("kataib_hezbollah", "hold")
            game.advance()
    assert all(o.probability is None for o in plain.options("kataib_hezbollah"))
    probabilities = [o.probability for o in options if o.probability is not None]
    assert abs(sum(probabilities) - 1.0) < 1e-9
    assert plain.timeline() == shown.timeline()


def test_a_moves_file_played_twice_gives_identical_game_files(played, tmp_path):
    _, first = played
    second = tmp_path / "again.escsim"
    scripted_game(second)
    assert first.read_bytes() == second.read_bytes()
    doc = json.loads(first.read_text())
    kinds = [a["do"] for a in doc["game"]["actions"]]
    assert {"move", "delegate", "threat", "inject", "pause", "resume", "undo", "advance",
            "end"} <= set(kinds)
    assert doc["game"]["state"]["ended"] is True


def test_a_saved_game_loads_as_the_same_game(played):
    game, path = played
    loaded = Game.load(path)
    assert loaded.timeline() == game.timeline()
    assert loaded.actions == game.actions and loaded.ended_by == "facilitator"


def test_resuming_from_the_file_after_any_action_finishes_identically(played, tmp_path):
    """The file on disk is always the game after its last complete action (it is rewritten
    whole after each), so a kill at any moment leaves one of these states to resume from:
    here, after every turn (an advance, an undo, the end) and in the middle of two turns."""
    _, finished = played
    planned = read_moves_file(MOVES)
    turn_ends = [k + 1 for k, p in enumerate(planned)
                 if isinstance(p.entry, AdvanceEntry | UndoEntry | EndEntry)]
    for k in sorted({0, 1, len(planned) - 1, *turn_ends}):
        path = tmp_path / f"cut-{k}.escsim"
        play_moves(new_game(), planned[:k]).save(path)  # the file as the k-th action left it
        resumed = Game.load(path)
        resumed.path = None  # saved once at the end: the last write is the one that counts
        play_moves(resumed, still_to_play(resumed, planned, "moves")).save(path)
        assert path.read_bytes() == finished.read_bytes(), f"resumed after action {k}"


def test_a_game_killed_mid_play_resumes_to_the_uninterrupted_game(played, tmp_path):
    _, finished = played
    total = len(json.loads(finished.read_text())["game"]["actions"])
    command = [sys.executable, "-m", "sim.cli", "play", "june-2025", "--teams", ",".join(TEAMS),
               "--seed", str(SEED), "--moves", str(MOVES)]
    killed_mid_game = False
    for attempt, threshold in enumerate((3, 6, 9, 12)):
        path = tmp_path / f"killed-{attempt}.escsim"
        process = subprocess.Popen([*command, "--save", str(path)], stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL)
        done = 0
        deadline = time.monotonic() + 60
        while process.poll() is None and time.monotonic() < deadline:
            if path.exists():
                done = len(json.loads(path.read_text())["game"]["actions"])
                if done >= threshold:
                    os.kill(process.pid, signal.SIGKILL)
                    break
            time.sleep(0.001)
        process.wait()
        leftover = [p for p in tmp_path.iterdir() if p.name.startswith(f".{path.name}")]
        for temp in leftover:  # a temporary file a kill may leave is never the game
            assert ".tmp-" in temp.name
        killed_mid_game |= len(json.loads(path.read_text())["game"]["actions"]) < total
        resumed = subprocess.run([sys.executable, "-m", "sim.cli", "play", "--resume", str(path),
                                  "--moves", str(MOVES)], capture_output=True, text=True)
        assert resumed.returncode == 0, resumed.stderr
        assert path.read_bytes() == finished.read_bytes()
        if killed_mid_game:
            break
    assert killed_mid_game, "no kill landed before the game's end"


def test_a_moves_file_that_was_not_this_games_is_refused(played, tmp_path):
    game, _ = played
    other = tmp_path / "other.yaml"
    other.write_text("turns:\n  - date: 2025-06-12\n    moves: {kataib_hezbollah: go_to_ground}\n")
    with pytest.raises(MovesFileError, match="not played from this file"):
        still_to_play(game, read_moves_file(other), str(other))


@pytest.mark.parametrize("text, message", [
    ("turns: [{date: 2025-06-12, moves: {kataib_hezbollah: {action: hold, how: x}}}]",
     "a move is an action id"),
    ("turns: [{date: soon}]", "expected a date"),
    ("turns: [{date: 2025-06-12, whatever: 1}]", "unknown key"),
    ("moves: []", "a list 'turns:'"),
    ("turns: [{date: 2025-06-12, moves: [", "not valid YAML"),
])
def test_bad_moves_files_name_file_and_line(tmp_path, text, message):
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    with pytest.raises(MovesFileError, match=message) as info:
        play_moves(new_game(), read_moves_file(path))
    assert str(path) in str(info.value)


def test_a_refused_move_in_a_moves_file_keeps_the_game_saved_so_far(tmp_path):
    moves = tmp_path / "moves.yaml"
    moves.write_text("turns:\n  - date: 2025-06-12\n    moves: {kataib_hezbollah: go_to_ground}\n"
                     "  - date: 2025-06-13\n    moves: {kataib_hezbollah: state_strike}\n")
    path = tmp_path / "g.escsim"
    with pytest.raises(MovesFileError, match=r"moves.yaml:5: .*cannot take 'state_strike'"):
        play_moves(new_game(path), read_moves_file(moves))
    assert Game.load(path).turn == 1


# --- files that are refused ------------------------------------------------------------------

def _rewrite(path: Path, change) -> None:
    doc = json.loads(path.read_text())
    change(doc)
    path.write_text(json.dumps(doc))


def _resealed(change):
    def apply(doc):
        change(doc["game"])
        doc["checksum"] = checksum(doc["game"])
    return apply


@pytest.mark.parametrize("damage, message", [
    (lambda p: p.write_bytes(p.read_bytes()[: len(p.read_bytes()) // 2]), "truncated"),
    (lambda p: p.write_text("[1, 2]"), "not an escsim game file"),
    (lambda p: p.write_bytes(b"\xff\xfe\x00"), "truncated or damaged"),
    (lambda p: _rewrite(p, lambda d: d["game"]["setup"].update(seed=5)), "checksum"),
    (lambda p: _rewrite(p, lambda d: d.update(format_version=2)), "newer escsim"),
    (lambda p: _rewrite(p, _resealed(lambda g: g["state"].update(timeline_digest="0" * 64))),
     "replays differently"),
    (lambda p: _rewrite(p, _resealed(lambda g: next(
        a for a in g["actions"] if a["do"] == "move").update(action="teleport"))),
     "does not replay"),
    (lambda p: _rewrite(p, _resealed(lambda g: g["actions"].insert(0, {"do": "dance"}))),
     "not a valid game"),
    (lambda p: p.unlink(), "no such game file"),
])
def test_damaged_foreign_or_edited_game_files_are_refused(played, tmp_path, damage, message):
    _, source = played
    path = tmp_path / "copy.escsim"
    path.write_bytes(source.read_bytes())
    damage(path)
    with pytest.raises(GameFileError, match=message) as info:
        Game.load(path)
    assert "\n" not in str(info.value)


def test_a_changed_scenario_is_refused_unless_forced(tmp_path, write):
    scenario = write("mine.yaml", "id: mine\ntitle: mine\nextends: june-2025\n")
    path = tmp_path / "mine.escsim"
    game = Game.create(str(scenario), teams=["kataib_hezbollah"], seed=1, path=path)
    game.submit("kataib_hezbollah", "go_to_ground")
    game.advance()
    scenario.write_text("id: mine\ntitle: mine\nextends: june-2025\n"
                        "actors: {kataib_hezbollah: {stake: 0.1}}\n")
    with pytest.raises(ScenarioChanged, match="has changed since this game was played"):
        Game.load(path)
    forced = Game.load(path, force=True)
    assert forced.turn == 1 and forced.date == game.date


def test_a_new_game_never_overwrites_a_file(played):
    _, path = played
    with pytest.raises(GameError, match="already exists"):
        new_game(path)


def test_entries_are_data_and_round_trip():
    entry = MoveEntry(date="2025-06-12", team="kataib_hezbollah", action="hold")
    assert MoveEntry.model_validate_json(entry.model_dump_json()) == entry
    assert AdvanceEntry(date="2025-06-12").do == "advance"
    with pytest.raises(MoveError):
        new_game().submit("kataib_hezbollah", "hold", claim="loudly")
