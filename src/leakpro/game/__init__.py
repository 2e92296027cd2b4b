"""The membership game: the challenger holds the secret, the attacker sees only its view."""
