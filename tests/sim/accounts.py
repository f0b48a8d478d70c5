"""Demo-world accounts the tests sign in with (the simulated site's own fake data)."""

from pinterest_reader.client import Credentials
from pinterest_sim.worlds.generate import COMPANY_ID, INTEGRATION_EMAIL, INTEGRATION_PASSWORD

NORTHWIND, GLOBEX, INITECH = "549755813002", "549755813003", "549755813004"
COMPANY = COMPANY_ID
INTEGRATION = Credentials(INTEGRATION_EMAIL, INTEGRATION_PASSWORD)
NORTHWIND_MONITOR = Credentials("monitor@northwind.example", "Nw-Monitor-7f3!kq", "JBSWY3DPEHPK3PXP")
GLOBEX_MONITOR = Credentials("watch@globex.example", "Gx-Watch-2026-long!")
INITECH_MONITOR = Credentials("mon@initech.example", "In-Mon-2026-pass!")
