"""Registration of the commands beyond validate/grade: users, demo, bench."""

from trainer.cli import users

REGISTRARS: list = [users.register]
