"""The console: pages for people who sign in with a personal account and two factors."""
