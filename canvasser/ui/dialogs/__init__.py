"""Dialogs: one screen per core operation (import, settings, profiles, check, backup ...)."""
