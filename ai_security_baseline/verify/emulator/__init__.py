"""The local AWS emulator: moto server, deploy into it, create-time preflight and the network guard."""
