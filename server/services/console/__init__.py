"""Sites as their owners set them up: the console's operations, origins, widget settings and
words, business hours.
"""
