"""Deadlines as people read them, reminders, DM nudges and the call to move on."""

from __future__ import annotations

from datetime import datetime

from dpflow.domain.deadlines import zone
from dpflow.domain.grammar import FORMS
from dpflow.domain.model import Stage
from dpflow.services.deadlines import Due, Reminder
from dpflow.services.stages import StageView
from dpflow.slack.blocks.kit import actions, button, context, fit, reply, section
from dpflow.slack.blocks.stage import add_button, title
from dpflow.slack.ids import Action
from dpflow.slack.metadata import StageValue
from dpflow.slack.text import esc, users


def when(deadline: datetime, tz: str) -> str:
    """Slack shows each reader their own local time; the fallback is in `tz`."""
    local = deadline.astimezone(zone(tz))
    return (f"<!date^{int(deadline.timestamp())}^{{date_short_pretty}} at {{time}}|"
            f"{local:%a %d %b %Y %H:%M} {tz}>")


def due_set(due: Due) -> dict:
    if due.deadline is None:
        return reply(f"No deadline for {due.stage} any more.", [section(
            f"Removed the deadline of *{title(due.stage)}*; its reminders are cancelled.")])
    local = due.deadline.astimezone(zone(due.tz))
    return reply(f"{due.stage} is due {local:%a %d %b %H:%M} ({esc(due.tz)}).", [
        section(f"*{title(due.stage)}* is due {when(due.deadline, due.tz)}: "
                f"{local:%A %d %B %Y, %H:%M} in your time zone ({esc(due.tz)})."),
        context("Reminders go to the stage thread 24 h and 1 h before, naming whoever has "
                "not added anything yet; they also get a DM in their working hours on the "
                "last day. At the deadline the summary is posted. `/dpflow due off` cancels."),
    ])


def reminder_message(r: Reminder, now: datetime) -> dict:
    run, board = r.view.run, r.view.board
    lines = [f":alarm_clock: *{title(r.view.stage)}* closes {when(run.deadline, 'UTC')} "
             f"({_left(run.deadline - now)})."]
    if r.pinged:
        lines.append(f"Nothing from you here yet: {users(r.pinged)}.")
    if r.counted:
        lines.append(f"{len(r.counted)} more reminded earlier today.")
    if r.view.stage is Stage.REVIEW:
        return {"text": f"{title(r.view.stage)} closes soon — {esc(board.workshop.name)}",
                "blocks": [section("\n".join(lines))]}
    lines.append(f"Reply in this thread, one per line: `{esc(FORMS[r.view.stage])}`")
    return {"text": f"{title(r.view.stage)} closes soon — {esc(board.workshop.name)}",
            "blocks": [section("\n".join(lines)), actions(add_button(run.id))]}


def nudge_message(view: StageView, permalink: str | None) -> dict:
    run, workshop = view.run, view.workshop
    where = f"<{permalink}|its thread>" if permalink else "its thread"
    buttons = [] if view.stage is Stage.REVIEW else [add_button(run.id)]
    if permalink:
        buttons.append(button("Open the thread", Action.OPEN_THREAD, url=permalink))
    return {"text": f"{title(view.stage)} of {esc(workshop.name)} closes soon",
            "blocks": [
                section(f"*{title(view.stage)}* of *{esc(workshop.name)}* in "
                        f"<#{workshop.channel_id}> closes {when(run.deadline, 'UTC')}. "
                        f"You have not added anything to it yet: reply in {where}, one per "
                        "line, or press *Add*."),
                *([actions(*buttons)] if buttons else []),
                context("Too many DMs? Mute them for this workshop on dpflow's Home tab."),
            ]}


def deadline_message(view: StageView, summary: list[dict]) -> dict:
    stage, facilitators = view.stage, view.board.workshop.facilitators
    call = (f"{users(facilitators)}: the deadline of this stage has passed. Move on when you "
            "are ready, or give more time with `/dpflow due in 1d`.")
    blocks = [*summary, section(call)]
    if stage.next is not None:
        blocks.append(actions(button(f"Next stage: {stage.next}", Action.NEXT_STAGE,
                                     StageValue(stage=stage).dump(), style="primary")))
    else:
        blocks.append(context("This is the last stage: `/dpflow close` ends the workshop."))
    return {"text": f"{title(stage)}: the deadline has passed", "blocks": fit(blocks)}


def _left(delta) -> str:
    minutes = round(delta.total_seconds() / 60)
    if minutes <= 0:
        return "now"
    if minutes < 90:
        return f"in {minutes} minutes"
    return f"in about {round(minutes / 60)} hours"
