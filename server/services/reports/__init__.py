"""The Reports page: facts recorded from events, periods, tallies and figures."""
