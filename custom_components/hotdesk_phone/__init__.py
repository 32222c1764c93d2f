"""Hot-desk phone numbers that follow their person."""
