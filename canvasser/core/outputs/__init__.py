"""What leaves: notices, leaflets, sheets, ledgers, report PDFs, xlsx files."""
