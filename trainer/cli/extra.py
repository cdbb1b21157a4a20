"""Registration of the commands beyond validate/grade (filled as the layers land)."""

REGISTRARS: list = []
