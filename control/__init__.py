"""What people ask of Temporal, said once for the CLI (starter/) and the web console (web/): start a
check, decide on a blocked one."""
