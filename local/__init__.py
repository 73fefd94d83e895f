"""What runs the app outside Lambda and never ships with it: helpers that make the emulator behave
like AWS for the local stack and the tests (stream delivery, the SES outbox, request isolation)."""
