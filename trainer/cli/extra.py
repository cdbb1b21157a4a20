"""Registration of the commands beyond validate/grade: users, demo, bench."""

from trainer.cli import bench, demo, users

REGISTRARS: list = [users.register, demo.register, bench.register]
