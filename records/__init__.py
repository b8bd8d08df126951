"""The care-records store: the only code that touches the database.

Callers use the service modules (``records.people``, ...) inside a
``records.db.session_scope()``; engines are made on demand, never at import.
"""
