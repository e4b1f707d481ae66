"""Server-rendered pages outside the console: the dashboard shell and sign-in, sign-up and
invitations, two-factor, the unsubscribe link, the demo host.
"""
