"""File formats: every workbook and CSV the bot writes or reads (bytes in, records out)."""
