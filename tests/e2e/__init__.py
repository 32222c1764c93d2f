"""End-to-end tests: a real Asterisk (scripts/asterisk) and SIPp desk phones."""
