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
    FIX_FINDING = "dpflow_fix_finding"  # the form a review fix asks for
    ADD_TO_WORKSHOP = "add_to_workshop"  # the message shortcut, as in manifest.yml
    IMPORT_FORM = "dpflow_import_form"  # what each colour of an imported board stands for


class Block(StrEnum):
    LINE = "dpflow_line"  # the free-text input of a form, where errors are shown
    PRODUCT = "dpflow_product"  # a data product chosen in a form
    # the Add forms' inputs (each input's action_id is its block id)
    EVENT = "dpflow_event"
    EVENTS = "dpflow_events"
    DECISION = "dpflow_decision"
    SUPPORTS = "dpflow_supports"  # decisions a port supports (`for`)
    READS = "dpflow_reads"  # ports a consumer-aligned data product reads
    MODE = "dpflow_mode"
    FIELD = "dpflow_field"
    NAME = "dpflow_name"
    TEXT = "dpflow_text"
    COMMAND = "dpflow_command"
    ACTOR = "dpflow_actor"
    SYSTEM = "dpflow_system"
    TRIGGER = "dpflow_trigger"
    # the import form: the new workshop's domain, and one select per colour (`…_0`, `…_1`)
    DOMAIN = "dpflow_domain"
    COLOUR = "dpflow_colour"


class EventType(StrEnum):
    """Message metadata event types (SPEC §2)."""

    STAGE_OPENED = "dpflow_stage_opened"
