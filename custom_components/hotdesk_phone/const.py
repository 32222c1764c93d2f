"""Constants for hotdesk_phone."""

from __future__ import annotations

import logging
from typing import Final

DOMAIN: Final = "hotdesk_phone"
LOGGER: Final = logging.getLogger(__package__)

DEFAULT_PORT: Final = 5038

SUBENTRY_ACCOUNT: Final = "account"
SUBENTRY_DESK: Final = "desk"
# A linked site: another entry's PBX whose desks this entry's accounts use.
SUBENTRY_SITE: Final = "site"

CONF_EXTENSION: Final = "extension"
CONF_HOME_DESKS: Final = "home_desks"
CONF_TAGS: Final = "tags"
CONF_DIAL_STRING: Final = "dial_string"
CONF_SCANNERS: Final = "scanners"
CONF_READERS: Final = "readers"
CONF_NOTIFY_TARGETS: Final = "notify_targets"
CONF_WATCH_TARGETS: Final = "watch_targets"
CONF_PEOPLE: Final = "people"
# A desk's own emergency data (subentry), the entry's emergency settings
# (options): a dict each, fields in emergency.py.
CONF_EMERGENCY: Final = "emergency"
# Reach the mobile, ring where the person is (account subentry fields).
CONF_MOBILE: Final = "mobile"
CONF_MOBILE_MODE: Final = "mobile_mode"
CONF_PRESENCE: Final = "presence"
CONF_RING_DELAY: Final = "ring_delay"
# Entities (room-presence sensors, trackers) that say which area the person is in.
CONF_PRESENCE_ENTITIES: Final = "presence_entities"
# An account's enrolled PIV card certificates (base64 DER) and its policy.
CONF_CARD_CERTIFICATES: Final = "card_certificates"
CONF_CARD_REQUIRED: Final = "card_required"
# The Asterisk queues an account is a member of where it is logged in.
CONF_QUEUES: Final = "queues"
# Unanswered calls go to the account's mailbox (app_voicemail).
CONF_VOICEMAIL: Final = "voicemail"
# Entry option: where the PBX's voicemail spool is readable from Home
# Assistant (the same host or a mount), to play messages.
CONF_VOICEMAIL_FOLDER: Final = "voicemail_folder"
# HA users whose bridge (its token) may post scans for a desk's card readers.
CONF_READER_USERS: Final = "reader_users"
# Site subentry fields: the linked entry, how this PBX dials one of its desks
# through the trunk (``{desk}`` is the desk's id), what may cross.
CONF_SITE_ENTRY: Final = "site_entry"
CONF_DIAL_TEMPLATE: Final = "dial_template"
CONF_ALLOW_CLAIMS: Final = "allow_claims"
CONF_ALLOW_LOGINS: Final = "allow_logins"
DESK_PLACEHOLDER: Final = "{desk}"

CONF_MULTIPLE_LOGINS: Final = "multiple_logins"
CONF_AUTO_LOGOUT_HOURS: Final = "auto_logout_hours"
CONF_AUTO_LOGOUT_TIME: Final = "auto_logout_time"
# Desk bookings (bookings.py): the minutes of the push before a booking ends,
# and the minutes a booker has to scan at the desk (0: no check-in needed).
CONF_BOOKING_WARNING: Final = "booking_warning_minutes"
CONF_BOOKING_CHECK_IN: Final = "booking_check_in_minutes"
DEFAULT_BOOKING_WARNING: Final = 15
# A desk's booking calendar (a calendar entity id).
CONF_CALENDAR: Final = "calendar"
CONF_SCAN_DEBOUNCE_SECONDS: Final = "scan_debounce_seconds"
# The same tag at the same scanner within this many seconds is one tap.
DEFAULT_SCAN_DEBOUNCE: Final = 1.5

# AstDB family root and dialplan contexts of the shipped dialplan.
ASTDB_FAMILY: Final = "hotdesk"
ASTDB_SUBFAMILIES: Final = (
    "route",
    "desk",
    "login",
    "deskof",
    "dnd",
    # An account's mobile and presence options (directory.ring_options).
    "mobile",
    "mobilemode",
    "nearmode",
    "delay",
    # Its mailbox when unanswered calls go to voicemail (voicemail.py).
    "voicemail",
    # Where its person is (presence.py), and how fresh that is.
    "near",
    "wide",
    "away",
    "heartbeat",
)
CONTEXT_INBOUND: Final = "hotdesk-inbound"
CONTEXT_CLAIM: Final = "hotdesk-claim"
CONTEXT_UNANSWERED: Final = "hotdesk-unanswered"
CONTEXT_CALLBACK: Final = "hotdesk-callback"
# Local channels the inbound context dials for the mobile leg: at once, after
# the account's ring delay, and instead of the desks while the person is away.
CONTEXT_MOBILE: Final = "hotdesk-mobile"
CONTEXT_MOBILE_LATER: Final = "hotdesk-mobile-later"
CONTEXT_AWAY: Final = "hotdesk-away"

EVENT_INCOMING_CALL: Final = f"{DOMAIN}_incoming_call"
EVENT_CALL_CLAIMED: Final = f"{DOMAIN}_call_claimed"
EVENT_CALL_ANSWERED: Final = f"{DOMAIN}_call_answered"
EVENT_CALL_MISSED: Final = f"{DOMAIN}_call_missed"
EVENT_CALL_ENDED: Final = f"{DOMAIN}_call_ended"
EVENT_CLAIM_REFUSED: Final = f"{DOMAIN}_claim_refused"
EVENT_LOGIN: Final = f"{DOMAIN}_login"
EVENT_LOGOUT: Final = f"{DOMAIN}_logout"
EVENT_DND: Final = f"{DOMAIN}_do_not_disturb"
EVENT_UNKNOWN_TAG: Final = f"{DOMAIN}_unknown_tag"
# A scan that may not act for its account (authenticated card required).
EVENT_SCAN_REFUSED: Final = f"{DOMAIN}_scan_refused"
# A desk booking started, is ending soon, was checked in, ended or released.
EVENT_BOOKING: Final = f"{DOMAIN}_booking"
# A new voicemail message in an account's mailbox.
EVENT_VOICEMAIL: Final = f"{DOMAIN}_voicemail"
# Emergency calls: the PBX dialled out (people on site must know at once),
# the call ended, the emergency centre's callback rang the desk.
EVENT_EMERGENCY_CALL: Final = f"{DOMAIN}_emergency_call"
EVENT_EMERGENCY_CALL_ENDED: Final = f"{DOMAIN}_emergency_call_ended"
EVENT_EMERGENCY_CALLBACK: Final = f"{DOMAIN}_emergency_callback"

VIA_TAG: Final = "tag"
VIA_PCSC: Final = "pcsc"
VIA_BRIDGE: Final = "bridge"
VIA_ACTION: Final = "action"
VIA_NOTIFICATION: Final = "notification"
