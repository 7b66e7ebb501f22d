"""Synthetic national data generator (`lipas generate`): realistic Bapas submissions plus faults."""
