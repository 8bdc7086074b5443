import sys
from pathlib import Path

# The references import each other as plain modules, as they do once copied into one folder.
sys.path.insert(0, str(Path(__file__).parent))
