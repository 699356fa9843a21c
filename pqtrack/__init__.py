"""pqtrack: a local, versioned copy of UK Parliament written questions and answers."""

__version__ = "0.1.0"
PROJECT_URL = "https://github.com/pqtrack/pqtrack"
