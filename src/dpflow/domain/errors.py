from __future__ import annotations


class UserError(Exception):
    """Something a person did that dpflow refuses: says what was wrong and what would work.

    `message` is what went wrong, `hint` the right form (shown as code), both plain text
    but for `<@U…>` of the people in `people`: those alone are shown as mentions, whatever
    the quoted text holds; `stage`, when set, is the stage whose form the hint shows, so
    that a service can give an example from the team's own board.
    """

    def __init__(self, message: str, hint: str | None = None, stage=None,
                 people: tuple[str, ...] = ()):
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.stage = stage
        self.people = tuple(people)

    @property
    def text(self) -> str:
        return f"{self.message}\nTry: `{self.hint}`" if self.hint else self.message


class GrammarError(UserError):
    """A line that does not parse in the current stage."""


class OtherStage(GrammarError):
    """A line written in the form of another stage (`stage`): the service says where that
    stage's thread is."""


class NotAllowed(UserError):
    """A participant tried what only facilitators (or the card's author) may do."""
