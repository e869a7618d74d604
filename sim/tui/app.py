"""The hot-seat terminal game (textual), for the facilitator's laptop and a projector.

Screens, in the order a turn goes:
1. *handover*: "pass the laptop to <team>" (so that no team sees another's brief);
2. *team*: the team's brief (fog of war applies) and its options as a menu; Enter chooses,
   ``m`` lets the model decide, ``t`` opens a structured threat;
3. *results*: once every team has chosen, the day is played: what everyone learned (the public
   view), the escalation index so far, and the next stop.

The facilitator's keys, on the handover and results screens: ``p`` pause or resume, ``u`` undo
the last turn, ``i`` add an inject, ``e`` end the game, ``q`` quit (the game is saved after every
move; ``escsim play --resume`` continues it). Everything goes through the engine's calls
(sim.classroom.game); a refused move shows its one-line reason and the turn goes on. Fits an
80x24 terminal.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Footer, Input, Label, OptionList, Sparkline, Static
from textual.widgets.option_list import Option

from sim.classroom.errors import GameError
from sim.classroom.game import Game, TurnReport
from sim.classroom.moves import actor_name


def _status(game: Game) -> str:
    index = game.escalation_index()
    total = sum(v for _, v in index)
    where = f"{game.date:%a %d %b %Y}" if game.date else "game over"
    paused = "  [PAUSED]" if game.paused else ""
    return (f"{game.setup.scenario.id}  |  {where}  |  turn {game.turn + 1}  |  "
            f"escalation index so far {total:.1f}{paused}")


class HandoverScreen(Screen):
    """Pass the laptop to the next team."""

    BINDINGS = [Binding("enter", "go", "Show the brief"),
                Binding("p", "app.pause", "Pause/resume"), Binding("u", "app.undo", "Undo turn"),
                Binding("i", "app.inject", "Inject"), Binding("e", "app.end", "End game"),
                Binding("q", "app.quit", "Save & quit")]

    def __init__(self, team: str):
        super().__init__()
        self.team = team

    def compose(self) -> ComposeResult:
        game: Game = self.app.game  # type: ignore[attr-defined]
        name = actor_name(game.model.world, self.team)
        waiting = ", ".join(actor_name(game.model.world, t) for t in game.waiting_for)
        yield Static(_status(game), id="status", markup=False)
        yield Static(f"\n\n  Pass the laptop to the team playing\n\n      {name}\n\n"
                     f"  Still to choose: {waiting}\n\n  Press Enter when the team is ready.",
                     id="handover", markup=False)
        yield Footer()

    def action_go(self) -> None:
        self.app.push_screen(TeamScreen(self.team))


class TeamScreen(Screen):
    """One team's brief and its menu."""

    BINDINGS = [Binding("m", "delegate", "Model decides"), Binding("t", "threat", "Threat"),
                Binding("tab", "focus_next", "Brief/menu", show=False)]
    CSS = "#brief {height: 1fr; border: round $secondary;} #menu {height: 9;}"

    def __init__(self, team: str):
        super().__init__()
        self.team = team

    def compose(self) -> ComposeResult:
        game: Game = self.app.game  # type: ignore[attr-defined]
        brief = game.briefing(self.team)
        self.options = brief.options
        yield Static(_status(game), id="status", markup=False)
        with VerticalScroll(id="brief"):
            yield Static(brief.text(with_options=False), id="brief-text", markup=False)
        yield Label("", id="error")
        menu = OptionList(*[Option(Text(self._label(o)), id=str(i))
                            for i, o in enumerate(self.options)], id="menu")
        yield menu
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#menu", OptionList).focus()

    @staticmethod
    def _label(option: Any) -> str:
        p = "" if option.probability is None else f"  [model {100 * option.probability:.1f}%]"
        return f"{option.label}{p}"

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        option = self.options[int(event.option.id)]
        self._try(lambda game: game.submit(self.team, option.action, option.target,
                                           option.claim))

    def action_delegate(self) -> None:
        self._try(lambda game: game.delegate(self.team))

    def action_threat(self) -> None:
        self.app.push_screen(ThreatScreen(self.team))

    def _try(self, call: Any) -> None:
        game: Game = self.app.game  # type: ignore[attr-defined]
        try:
            call(game)
        except GameError as exc:
            self.query_one("#error", Label).update(Text(f"Refused: {exc}"))
            return
        self.app.pop_screen()
        self.app.next_step()  # type: ignore[attr-defined]


class ResultsScreen(Screen):
    """What the day brought, as everyone saw it, and the index so far."""

    BINDINGS = [Binding("enter", "next", "Next turn"),
                Binding("p", "app.pause", "Pause/resume"), Binding("u", "app.undo", "Undo turn"),
                Binding("i", "app.inject", "Inject"), Binding("e", "app.end", "End game"),
                Binding("q", "app.quit", "Save & quit")]
    CSS = "#results {height: 1fr; border: round $secondary;} Sparkline {height: 3;}"

    def __init__(self, report: TurnReport | None):
        super().__init__()
        self.report = report

    def compose(self) -> ComposeResult:
        game: Game = self.app.game  # type: ignore[attr-defined]
        lines = []
        if self.report is not None:
            days = self.report.played
            lines.append(f"Played {days[0]:%d %b}" + (f" to {days[-1]:%d %b}" if len(days) > 1
                                                      else "") + ". What everyone learned:")
            lines += [f"  {line}" for line in self.report.public] or ["  nothing"]
        if game.ended:
            lines.append(f"\nThe game is over ({game.ended_by}). Review it with "
                         f"`escsim aar {game.path}`.")
        elif game.date is not None:
            reasons = "; ".join(game.stop_reasons()) or "something concerns a team"
            lines.append(f"\nNext stop: {game.date:%A %d %B} ({reasons}).")
        yield Static(_status(game), id="status", markup=False)
        with VerticalScroll(id="results"):
            yield Static("\n".join(lines), id="results-text", markup=False)
        yield Label("Escalation index, day by day:")
        yield Sparkline([v for _, v in game.escalation_index()] or [0.0])
        yield Footer()

    def action_next(self) -> None:
        self.app.pop_screen()
        self.app.next_step()  # type: ignore[attr-defined]


class FormScreen(ModalScreen[None]):
    """A small form of labelled inputs; Enter submits, Escape cancels."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]
    CSS = "FormScreen {align: center middle;} #form {width: 76; height: auto; " \
          "border: thick $primary; background: $surface; padding: 0 1;}"
    TITLE_TEXT = ""
    FIELDS: tuple[tuple[str, str], ...] = ()

    def compose(self) -> ComposeResult:
        with Vertical(id="form"):
            yield Label(Text(self.TITLE_TEXT))
            for name, placeholder in self.FIELDS:
                yield Input(placeholder=placeholder, id=name)
            yield Label("", id="error")

    def values(self) -> dict[str, str]:
        return {name: self.query_one(f"#{name}", Input).value.strip() for name, _ in self.FIELDS}

    def action_cancel(self) -> None:
        self.dismiss()

    def on_input_submitted(self) -> None:
        try:
            self.apply(self.app.game, self.values())  # type: ignore[attr-defined]
        except GameError as exc:
            self.query_one("#error", Label).update(Text(f"Refused: {exc}"))
            return
        self.dismiss()

    def apply(self, game: Game, values: dict[str, str]) -> None:
        raise NotImplementedError  # each form says what it does


def _ids(text: str) -> list[str] | None:
    items = [x.strip() for x in text.split(",") if x.strip()]
    return items or None


class ThreatScreen(FormScreen):
    TITLE_TEXT = "A threat: if WHO does WHAT to WHOM, you promise RESPONSE (Enter to make it)"
    FIELDS = (("who", "who must act (actor ids, comma-separated; blank: anyone)"),
              ("what", "what they must do (action ids, e.g. drone_attack,rocket_attack)"),
              ("whom", "against whom (actor ids; blank: anyone)"),
              ("response", "your response (an action id, e.g. strike_militia_sites)"),
              ("target", "its target (an actor id, or 'attacker')"),
              ("deadline", "days you give yourself to answer (default 7)"))

    def __init__(self, team: str):
        super().__init__()
        self.team = team

    def apply(self, game: Game, values: dict[str, str]) -> None:
        event = {"actor": _ids(values["who"]), "action": _ids(values["what"]),
                 "target": _ids(values["whom"])}
        deadline = values["deadline"] or "7"
        if not deadline.isdigit():
            raise GameError("the deadline is a number of days")
        game.threaten(self.team, {"event": {k: v for k, v in event.items() if v}},
                      {"action": values["response"], "target": values["target"]},
                      int(deadline))


class InjectScreen(FormScreen):
    TITLE_TEXT = "The facilitator's inject (Enter to add it; it happens on its date)"
    FIELDS = (("actor", "who acts (an actor id, or 'unknown')"),
              ("action", "what (an action id, e.g. drone_attack)"),
              ("target", "at whom (an actor id, or a site such as united_states@iraq)"),
              ("claimed", "claimed? yes or no (default yes; 'unknown' is never claimed)"),
              ("date", "date (YYYY-MM-DD; default today)"),
              ("note", "a note for the record"))

    def apply(self, game: Game, values: dict[str, str]) -> None:
        fields: dict[str, Any] = {"actor": values["actor"], "action": values["action"]}
        if values["target"]:
            fields["target"] = values["target"]
        claimed = values["claimed"].lower() or ("no" if values["actor"] == "unknown" else "yes")
        if claimed not in ("yes", "no"):
            raise GameError("claimed: answer yes or no")
        fields["claimed"] = claimed == "yes"
        if values["date"]:
            fields["date"] = values["date"]
        if values["note"]:
            fields["note"] = values["note"]
        game.inject(**fields)


class GameApp(App):
    """The game, team after team, turn after turn."""

    TITLE = "escsim"
    CSS = "#status {background: $primary; color: $text; height: 1;}"

    def __init__(self, game: Game):
        super().__init__()
        self.game = game
        self.last_report: TurnReport | None = None

    def on_mount(self) -> None:
        self.next_step()

    def next_step(self) -> None:
        """Show what comes next: the next team to choose, or play the day."""
        game = self.game
        if game.ended or game.paused:
            self.push_screen(ResultsScreen(self.last_report))
            return
        waiting = game.waiting_for
        if waiting:
            self.push_screen(HandoverScreen(waiting[0]))
            return
        self.last_report = game.advance()
        self.push_screen(ResultsScreen(self.last_report))

    def _refresh(self) -> None:
        if len(self.screen_stack) > 1:
            self.pop_screen()
        self.next_step()

    def _facilitator(self, call: Any) -> None:
        try:
            call()
        except GameError as exc:
            self.notify(f"Refused: {exc}", severity="warning", markup=False)
            return
        self._refresh()

    def action_pause(self) -> None:
        self._facilitator(self.game.resume if self.game.paused else self.game.pause)

    def action_undo(self) -> None:
        self.last_report = None
        self._facilitator(self.game.undo)

    def action_end(self) -> None:
        self._facilitator(lambda: self.game.end("ended by the facilitator"))

    def action_inject(self) -> None:
        if self.game.ended:
            self.notify("The game has ended.", severity="warning")
            return
        self.push_screen(InjectScreen())
