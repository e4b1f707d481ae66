"""What keeps a node standing: rate limits, socket caps, load shedding, shutdown drain, client
addresses.
"""
