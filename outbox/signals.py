from django.dispatch import Signal

# Sent when a task worker starts: apps whose tasks chain themselves (the weekly letter)
# make sure the next one is queued.
worker_started = Signal()
