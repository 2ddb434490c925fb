"""`make bench`: run every benchmark module in this folder, one after another."""
import importlib
import pkgutil
from pathlib import Path

SKIP = {"common", "__main__"}

for module_info in sorted(pkgutil.iter_modules([str(Path(__file__).parent)]), key=lambda m: m.name):
    if module_info.name not in SKIP:
        print(f"== benchmarks.{module_info.name}")
        importlib.import_module(f"benchmarks.{module_info.name}").main()
