"""The consent register and the trip roster, as the guard needs them."""
