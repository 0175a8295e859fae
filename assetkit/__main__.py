from assetkit.cli import run

run()
