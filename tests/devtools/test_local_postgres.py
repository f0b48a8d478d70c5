"""The throwaway cluster: a run killed before it could stop its cluster leaves it behind; the next
run stops it and removes its folder."""

import subprocess
import sys
from pathlib import Path

from devtools.local_postgres import running_postgres

ORPHAN = """
import time
from devtools.local_postgres import running_postgres
with running_postgres() as cluster:
    print(cluster.folder, flush=True)
    time.sleep(120)
"""


def postmasters() -> str:
    return subprocess.run(["ps", "-eo", "args"], capture_output=True, text=True).stdout


def test_a_killed_runs_cluster_is_stopped_by_the_next_run():
    owner = subprocess.Popen([sys.executable, "-c", ORPHAN], stdout=subprocess.PIPE, text=True,
                             cwd=Path(__file__).parent.parent.parent)
    folder = Path(owner.stdout.readline().strip())
    owner.kill()
    owner.wait()
    assert folder.exists() and str(folder) in postmasters()  # left behind, still running

    with running_postgres():
        assert not folder.exists() and str(folder) not in postmasters()
