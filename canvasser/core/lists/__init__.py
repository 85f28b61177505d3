"""What comes in: the bureau's list, other departments' lists, the paid list, next year's list."""
