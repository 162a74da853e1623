"""atensi-bot: the ATENSI partnership bot of BRSKPN Galih Pakuan Bogor."""

__version__ = "0.1.0"
