"""Every action, block and callback id the app sends to Slack and listens for."""

from enum import StrEnum


class Action(StrEnum):
    ADD = "dpflow_add"  # opens the current stage's modal
    JOIN = "dpflow_join"
    NEXT_STAGE = "dpflow_next_stage"
    LIST_PAGE = "dpflow_list_page"
    CONFIRM_DELETE = "dpflow_confirm_delete"
    CANCEL = "dpflow_cancel"
    APPLY_FINDING = "dpflow_apply_finding"
    DISMISS_FINDING = "dpflow_dismiss_finding"
    ANSWER_BOUNDARY = "dpflow_answer_boundary"
    OPEN_THREAD = "dpflow_open_thread"  # a link button: acknowledged, nothing else
    MUTE = "dpflow_mute"
    UNMUTE = "dpflow_unmute"


class Callback(StrEnum):
    ADD_FORM = "dpflow_add_form"
    RENAME_PORT = "dpflow_rename_port"
    ADD_TO_WORKSHOP = "add_to_workshop"  # the message shortcut, as in manifest.yml


class Block(StrEnum):
    LINE = "dpflow_line"  # the free-text input of a form, where errors are shown


STAGE_OPENED = "dpflow_stage_opened"  # message metadata event_type, SPEC §2
